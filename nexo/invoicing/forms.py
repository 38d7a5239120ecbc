"""Customer invoice forms: they read and type what was entered; the invoicing services decide what is valid
and save it. Numbers are read in the reader's locale (1.234,5 in Spanish)."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nexo.accounting.models import PaymentTerm
from nexo.catalog.forms import DateInput
from nexo.catalog.models import Item
from nexo.catalog.pickers import ItemPicker
from nexo.core.forms import TextOnly
from nexo.core.models import Company
from nexo.parties.forms import CountryField
from nexo.parties.models import Party
from nexo.parties.pickers import PartyPicker, parties_in_role
from nexo.sales.services.terms import term_name, terms_to_choose

NUMBER = {"class": "num", "inputmode": "decimal", "autocomplete": "off"}
MAX_LINES = 200


def _number_field(label, *, places: int, digits: int, required: bool = False, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=digits, decimal_places=places, required=required, localize=True,
        widget=forms.TextInput(attrs=NUMBER), **kwargs,
    )  # fmt: skip


def plain(value: Decimal | None) -> Decimal | None:
    """A stored number without trailing zeros, never in exponent form (10, not 1E+1)."""
    if value is None:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


class CustomerForm(TextOnly, forms.Form):
    """The first step of an invoice from orders: whose orders."""

    party = PartyPicker(label=_("Customer"), queryset=Party.objects.none())

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties_in_role(company)
        self.fields["party"].widget.attrs["autofocus"] = True


class FromOrdersForm(TextOnly, forms.Form):
    """The second step: which of the customer's orders (those with something to invoice), and the date."""

    orders = forms.TypedMultipleChoiceField(
        label=_("Orders to invoice"), coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one order.")},
    )  # fmt: skip
    date = forms.DateField(
        label=_("Invoice date"), widget=DateInput(), required=False, help_text=_("Empty: today.")
    )

    def __init__(self, *args, orders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orders"].choices = [(order.pk, order.number) for order in orders]


class InvoiceHeaderForm(TextOnly, forms.Form):
    """An invoice typed by hand (or a draft edited): the customer, the date, terms and notes."""

    party = PartyPicker(label=_("Customer"), queryset=Party.objects.none())
    date = forms.DateField(
        label=_("Invoice date"), widget=DateInput(), required=False, help_text=_("Empty: today.")
    )
    simplified = forms.BooleanField(
        label=_("Simplified invoice (counter sale, no customer tax id needed)"), required=False
    )
    payment_term = forms.ModelChoiceField(
        label=_("Payment terms"),
        queryset=PaymentTerm.objects.none(),
        required=False,
        empty_label=_("(the customer's usual term)"),
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, company: Company, editing: bool = False, term_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties_in_role(company)
        self.fields["payment_term"].queryset = terms_to_choose(company, term_id)
        self.fields["payment_term"].label_from_instance = term_name
        if editing:  # a draft keeps its customer and its kind: only its date, terms, notes and lines change
            del self.fields["party"], self.fields["simplified"]
        else:
            self.fields["party"].widget.attrs["autofocus"] = True

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day is not None and day.year < 1900:
            raise forms.ValidationError(_("Enter a date from 1900 on."))
        return day


class InvoiceLineForm(TextOnly, forms.Form):
    """One line: an item (optional: a line may be text only), its description, quantity, price, discount and
    VAT % (empty: the item's)."""

    item = ItemPicker(label=_("Item"), queryset=Item.objects.none(), required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    quantity = _number_field(_("Quantity"), places=4, digits=16)
    unit_price = _number_field(_("Unit price"), places=6, digits=16, min_value=Decimal(0))
    discount = _number_field(_("Disc. %"), places=2, digits=5, min_value=Decimal(0), max_value=Decimal(100))
    vat_rate = _number_field(_("VAT %"), places=2, digits=5, min_value=Decimal(0), max_value=Decimal(99))

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = Item.objects.filter(company=company, is_active=True)
        self.fields["description"].widget.attrs["placeholder"] = _("The item's name")
        # Left blank, the price and the VAT % are the item's (the help above the lines says so).
        self.fields["unit_price"].widget.attrs["placeholder"] = _("item's")
        self.fields["vat_rate"].widget.attrs["placeholder"] = _("item's")

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(
            data.get(name) not in (None, "") for name in ("item", "description", "quantity", "unit_price")
        )

    def clean(self):
        data = super().clean()
        if not self.is_blank() and not self.errors:
            if data.get("quantity") is None:
                self.add_error("quantity", _("Type a quantity."))
            elif data["quantity"] <= 0:
                self.add_error("quantity", _("The quantity must be greater than zero."))
            if not data.get("item") and not data.get("description"):
                self.add_error("description", _("Choose an item or describe the line."))
            if not data.get("item") and data.get("unit_price") is None:
                self.add_error("unit_price", _("Type the price of a line without an item."))
        return data


class BaseInvoiceLineFormSet(forms.BaseFormSet):
    def service_lines(self) -> tuple[list[dict], list[forms.Form]]:
        """The lines as the service takes them (blank rows left out) and the row each came from."""
        lines, sources = [], []
        for form in self.forms:
            if form.is_blank():
                continue
            data = form.cleaned_data
            item = data.get("item")
            lines.append({
                "item_id": item.pk if item else None,
                "description": data.get("description") or (item.name if item else ""),
                "quantity": data["quantity"],
                "unit_price": data["unit_price"] if data.get("unit_price") is not None else (item.base_price if item else Decimal(0)),
                "discount": data.get("discount") or Decimal(0),
                "vat_rate": data.get("vat_rate"),
            })  # fmt: skip
            sources.append(form)
        return lines, sources


InvoiceLineFormSet = forms.formset_factory(
    InvoiceLineForm, formset=BaseInvoiceLineFormSet, extra=0, max_num=MAX_LINES, absolute_max=MAX_LINES,
    validate_max=True,
)  # fmt: skip


class CreditNoteForm(TextOnly, forms.Form):
    """A credit note: why, and how much — the whole invoice, chosen quantities of its lines, or an amount."""

    TOTAL, LINES, AMOUNT = "total", "lines", "amount"
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.TextInput(attrs={"autofocus": True})
    )
    mode = forms.ChoiceField(
        label=_("What to credit"),
        choices=[
            (TOTAL, _("The whole invoice")),
            (LINES, _("Quantities of its lines")),
            (AMOUNT, _("An amount (before taxes)")),
        ],
        initial=TOTAL,
        widget=forms.RadioSelect,
    )
    amount = _number_field(
        _("Amount to credit (before taxes)"), places=2, digits=18, min_value=Decimal("0.01")
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[self.field_name(line)] = _number_field(
                _("Credit of line %(position)s") % {"position": line.position or line.pk},
                places=4, digits=16, min_value=Decimal(0),
            )  # fmt: skip

    @staticmethod
    def field_name(line) -> str:
        return f"line_{line.pk}"

    def line_fields(self):
        return [(line, self[self.field_name(line)]) for line in self.lines]

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == self.AMOUNT and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Type the amount to credit."))
        if mode == self.LINES and not self.errors and not self.quantities():
            self.add_error(None, _("Type the quantity to credit of at least one line."))
        return data

    def quantities(self) -> dict[int, Decimal]:
        data = getattr(self, "cleaned_data", {})
        return {
            line.pk: data[self.field_name(line)] for line in self.lines if data.get(self.field_name(line))
        }

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {"reason": data["reason"]}
        if data["mode"] == self.LINES:
            fields["quantities"] = self.quantities()
        elif data["mode"] == self.AMOUNT:
            fields["amount"] = data["amount"]
        return fields


class BillingAddressForm(TextOnly, forms.Form):
    """What posting needs of the customer and it lacks, asked on the invoice: its tax id, its billing
    address, or both (the fields of what it has are left out)."""

    prefix = "billing"
    ADDRESS_FIELDS = ("street", "postal_code", "city", "province", "country")
    tax_id = forms.CharField(label=_("Tax id"), max_length=32)
    street = forms.CharField(label=_("Street"), max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), max_length=16, required=False)
    city = forms.CharField(label=_("City"), max_length=100)
    province = forms.CharField(label=_("Province"), max_length=100, required=False)
    country = CountryField(initial="ES")

    def __init__(self, *args, needs_tax_id: bool = False, needs_address: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_tax_id:
            del self.fields["tax_id"]
        if not needs_address:
            for name in self.ADDRESS_FIELDS:
                del self.fields[name]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        address = {name: data[name] for name in self.ADDRESS_FIELDS if name in self.fields}
        return {"tax_id": data.get("tax_id", ""), "address": address or None}


class SendInvoiceForm(TextOnly, forms.Form):
    """The e-mail of an invoice to its customer: the address (prefilled) and the text, both editable."""

    to = forms.EmailField(label=pgettext_lazy("e-mail recipient", "To"), max_length=254)
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The text as it will go out: change it here if you like. The PDF goes attached."),
    )


class CancelInvoiceForm(TextOnly, forms.Form):
    """Cancelling a posted invoice issued by mistake: why (kept on the invoice and in its VERI*FACTU record),
    and a tick that the user means it."""

    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept on the invoice, e.g. “Issued twice” or “Wrong customer”."),
        error_messages={"required": _("Say why the invoice is cancelled.")},
    )
    confirm = forms.BooleanField(
        label=_("Yes: cancel it for good. Its entry is reversed and its due amounts removed."),
        error_messages={"required": _("Tick the box to confirm the cancellation.")},
    )

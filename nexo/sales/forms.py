"""Sales forms: they read and type what was entered; the services decide what is valid and save it."""

from decimal import Decimal

from django import forms
from django.http import QueryDict
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from nexo.catalog.forms import DateInput
from nexo.catalog.models import PriceList
from nexo.core.errors import ValidationFailed
from nexo.core.formatting import trimmed
from nexo.core.forms import TextOnly
from nexo.core.models import Company
from nexo.crm.models import Opportunity
from nexo.crm.pickers import OpportunityPicker
from nexo.inventory.models import Warehouse
from nexo.parties.models import Party
from nexo.parties.pickers import PartyPicker, parties_in_role
from nexo.sales import queries
from nexo.sales.models import Quotation
from nexo.sales.services.terms import term_name, terms_to_choose

# What a line's inputs are called on the page, and the service's name for each.
LINE_INPUTS = {
    "item": "item_id",
    "description": "description",
    "quantity": "quantity",
    "unit_price": "unit_price",
    "discount": "discount",
    "tax_category": "tax_category_id",
}
SERVICE_TO_INPUT = {service: name for name, service in LINE_INPUTS.items()}


# Numbers as people type them: "1.234,5" in Spanish, "1,234.5" in English


def typed_number(text: str | None) -> str:
    """A number typed in the reader's locale, as the services read it (a dot for decimals, no grouping).
    Anything that is not a number is passed on as typed: the service says what is wrong with it."""
    text = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    decimal_sep = formats.get_format("DECIMAL_SEPARATOR")
    group_sep = formats.get_format("THOUSAND_SEPARATOR")
    if decimal_sep == "," and "," in text:
        return text.replace(".", "").replace(",", ".")
    if decimal_sep == "." and group_sep == ",":
        return text.replace(",", "")
    return text


def input_number(value: Decimal | None, places: int = 0) -> str:
    """A stored number as an input shows it: the locale's decimal mark, no grouping, no trailing zeros
    beyond `places`."""
    if value is None:
        return ""
    return format(trimmed(value, places), "f").replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def line_data(post: QueryDict, company: Company) -> dict:
    """The line inputs that were sent, as the service takes them: the item by its SKU, numbers unlocalised.
    Only what was sent: a price sent is a price typed by hand (locked); an empty one unlocks it."""
    data = {}
    for name, service_name in LINE_INPUTS.items():
        if name not in post:
            continue
        value = post.get(name, "")
        if name == "item":
            sku = value.strip()
            if not sku:
                data[service_name] = None
                continue
            item = queries.item_by_sku(company, sku)
            if item is None:
                raise ValidationFailed.on(
                    "item", _("No active item has the SKU “%(sku)s”.") % {"sku": sku[:40]}
                )
            data[service_name] = item.pk
        elif name == "description":
            data[service_name] = value
        elif name == "tax_category":
            data[service_name] = value.strip() or None  # empty: the item's category (free text: general)
        else:
            data[service_name] = typed_number(value)
    return data


def line_input_errors(failure: ValidationFailed) -> dict[str, list[str]]:
    """A service's errors on a line ("lines.0.quantity") by the page's input name ("quantity")."""
    errors: dict[str, list[str]] = {}
    for field, messages in failure.field_messages().items():
        name = SERVICE_TO_INPUT.get(field.rsplit(".", 1)[-1], field.rsplit(".", 1)[-1])
        errors.setdefault(name if name in LINE_INPUTS else "general", []).extend(messages)
    return errors


class QuotationCreateForm(TextOnly, forms.Form):
    """The quick start: who it is for (and which opportunity), then straight into the editor."""

    party = PartyPicker(label=gettext_lazy("Customer"), queryset=Party.objects.none())
    opportunity = OpportunityPicker(
        label=gettext_lazy("Opportunity"),
        queryset=Opportunity.objects.none(),
        required=False,
        search={"status": "open"},
        sends={"party": "party"},  # the open opportunities of the customer chosen above
        help_text=gettext_lazy("Optional: the open opportunity this quotation answers."),
    )
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    valid_until = forms.DateField(
        label=gettext_lazy("Valid until"),
        widget=DateInput(),
        required=False,
        help_text=gettext_lazy("Leave empty for the company's usual validity."),
    )

    def __init__(self, *args, company: Company, opportunities, party: Party | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties_in_role(company)
        opportunities = opportunities.filter(status=Opportunity.Status.OPEN).select_related("party")
        if party is not None:
            opportunities = opportunities.filter(party=party)
        self.fields["opportunity"].queryset = opportunities.order_by("title")

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            "party_id": data["party"].pk,
            "opportunity_id": data["opportunity"].pk if data.get("opportunity") else None,
            "date": data["date"],
        }
        if data.get("valid_until"):
            fields["valid_until"] = data["valid_until"]
        return fields


class HeaderForm(TextOnly, forms.ModelForm):
    """The quotation's header in the editor. The document discount is read as typed (the service checks it)."""

    document_discount = forms.CharField(label=gettext_lazy("Document discount %"), required=False)

    class Meta:
        model = Quotation
        fields = [
            "date", "valid_until", "price_list", "warehouse", "payment_term", "document_discount",
            "salesperson", "notes",
        ]  # fmt: skip
        widgets = {
            "date": DateInput(),
            "valid_until": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, company: Company, salespeople=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["price_list"].queryset = PriceList.objects.filter(
            company=company, is_active=True
        ).order_by("name")
        self.fields["price_list"].empty_label = _("(none: base sale prices)")
        self.fields["payment_term"].queryset = terms_to_choose(company, self.instance.payment_term_id)
        self.fields["payment_term"].label = _("Payment terms")
        self.fields["payment_term"].empty_label = _("(none)")
        self.fields["payment_term"].label_from_instance = term_name
        self.fields["warehouse"].queryset = Warehouse.objects.filter(
            company=company, is_active=True
        ).order_by("code")
        if salespeople is None:
            del self.fields["salesperson"]
        else:
            self.fields["salesperson"].queryset = salespeople
            self.fields["salesperson"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["document_discount"].widget.attrs.update({"class": "num", "inputmode": "decimal"})
        if not self.is_bound:
            self.initial["document_discount"] = input_number(self.instance.document_discount)

    def _post_clean(self) -> None:
        pass  # no model validation here: every business error comes from the service, on its field

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("price_list", "warehouse", "salesperson", "payment_term"):
            if name in data:
                data[name] = data[name].pk if data[name] else None
        data["document_discount"] = typed_number(data.get("document_discount"))
        return data


class SendForm(TextOnly, forms.Form):
    to = forms.EmailField(label=pgettext_lazy("e-mail recipient", "To"), max_length=254)
    message = forms.CharField(
        label=gettext_lazy("Message"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "The text as it will go out: change it here if you like. The PDF goes attached."
        ),
    )


class RejectForm(TextOnly, forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)
    revise = forms.BooleanField(
        label=gettext_lazy("Reject and revise: start a new version instead of losing the opportunity"),
        required=False,
    )


class ApprovalForm(TextOnly, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Required to refuse: say what to change."),
    )


class SalesSettingsForm(TextOnly, forms.Form):
    quotation_validity_days = forms.IntegerField(
        label=gettext_lazy("Quotation validity (days)"), min_value=1, max_value=3650
    )
    margin_approval = forms.BooleanField(
        label=gettext_lazy(
            "Quotations with a line under its minimum margin need a manager's approval before they can be sent"
        ),
        required=False,
    )
    delivery_note_valued = forms.BooleanField(
        label=gettext_lazy("Delivery notes show prices and amounts"), required=False
    )


class EmailTemplateForm(TextOnly, forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(
        label=gettext_lazy("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )


# Delivery notes: what leaves now of each line, and what comes back


QUANTITY_INPUT = {"class": "num", "step": "any", "inputmode": "decimal", "autocomplete": "off"}


def _quantity_field(label: str, initial: Decimal | None) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=16, decimal_places=4, min_value=Decimal(0), required=False,
        initial=trimmed(initial) if initial else None, widget=forms.NumberInput(attrs=QUANTITY_INPUT),
    )  # fmt: skip


class DeliveryQuantities(TextOnly, forms.Form):
    """A quantity per delivery line (empty: none), never more than `limit_of(line)`; the date."""

    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    too_much = gettext_lazy("At most %(limit)s.")

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate
        self.lines = list(lines)
        for line in self.lines:
            self.fields[self.field_name(line)] = _quantity_field(
                _("Quantity of %(sku)s") % {"sku": line.item.sku}, self.initial_of(line)
            )

    @staticmethod
    def field_name(line) -> str:
        return f"line_{line.pk}"

    def initial_of(self, line) -> Decimal | None:
        return None

    def limit_of(self, line) -> Decimal:
        return line.quantity

    def rows(self):
        return [(line, self[self.field_name(line)]) for line in self.lines]

    def clean(self):
        data = super().clean()
        for line in self.lines:
            name = self.field_name(line)
            value, limit = data.get(name), self.limit_of(line)
            if value is not None and value > limit:
                self.add_error(name, self.too_much % {"limit": input_number(limit)})
        if not self.errors and not any(data.get(self.field_name(line)) for line in self.lines):
            raise forms.ValidationError(self.nothing_message)
        return data

    def quantities(self) -> dict[int, Decimal]:
        """The quantities typed, by delivery line id (an empty input is nothing of that line)."""
        return {line.pk: self.cleaned_data.get(self.field_name(line)) or Decimal(0) for line in self.lines}

    def apply(self, failure: ValidationFailed) -> None:
        """The service names a line's quantity `quantities.<line id>`: shown on that line's input."""
        for field, messages in failure.field_messages().items():
            if field.startswith("quantities."):
                field = f"line_{field.removeprefix('quantities.')}"
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class DeliveryValidateForm(DeliveryQuantities):
    """What leaves now of each line of a draft delivery (prefilled with what is on hand for it, up to its
    quantity), and what becomes of the rest: a backorder (a new draft delivery) or cancelled."""

    KEEP, CANCEL = "keep", "cancel"
    backorder = forms.ChoiceField(
        label=gettext_lazy("What is not delivered now"),
        choices=[
            (KEEP, gettext_lazy("Keep the rest as a backorder")),
            (CANCEL, gettext_lazy("No backorder: cancel the rest")),
        ],
        initial=KEEP,
        widget=forms.RadioSelect,
    )
    too_much = gettext_lazy("More than this line has to deliver: at most %(limit)s.")
    nothing_message = gettext_lazy("Type the quantity that leaves of at least one line.")

    def __init__(self, *args, available: dict[int, Decimal], **kwargs):
        self.available = available
        super().__init__(*args, **kwargs)

    def initial_of(self, line) -> Decimal | None:
        on_hand = self.available.get(line.pk)
        if on_hand is None:
            return line.quantity
        return max(min(line.quantity, on_hand), Decimal(0))

    def keeps_backorder(self) -> bool:
        return self.cleaned_data["backorder"] == self.KEEP


class DeliveryReturnForm(DeliveryQuantities):
    """What comes back of each line of a done delivery (up to what it delivered and was not yet returned),
    and why."""

    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)
    too_much = gettext_lazy("More than was delivered and not yet returned: at most %(limit)s.")
    nothing_message = gettext_lazy("Type the quantity that comes back of at least one line.")

    def limit_of(self, line) -> Decimal:
        return line.returnable


class CustomerFilterForm(TextOnly, forms.Form):
    """The delivery list's customer filter, chosen by typing (a record that is not a customer of the company
    filters nothing)."""

    party = PartyPicker(label=gettext_lazy("Customer"), queryset=Party.objects.none(), required=False)

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties_in_role(company)

    def chosen(self) -> Party | None:
        return self.cleaned_data.get("party") if self.is_valid() else None

"""Supplier invoice forms: they read and type what the user enters (decimals as typed, a comma accepted);
the services decide what is valid and save it."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from nexo.accounting.models import PaymentTerm
from nexo.catalog.forms import DateInput
from nexo.core.forms import TextOnly
from nexo.core.models import Company
from nexo.purchasing.forms import SupplierPicker, suppliers_of
from nexo.sales.services.terms import term_name, terms_to_choose

NUMBER = {"class": "num", "inputmode": "decimal", "autocomplete": "off"}
LINE_NUMBERS = ("quantity", "unit_price", "discount", "vat_rate", "irpf_rate")


def plain(value) -> str:
    """A stored decimal as a person types it: no trailing zeros (9, 7.5), never in exponent form."""
    if value in (None, ""):
        return ""
    value = Decimal(value)
    return f"{value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize():f}"


class SupplierChoiceForm(TextOnly, forms.Form):
    """The supplier whose purchase orders are invoiced (a GET form)."""

    supplier = SupplierPicker(label=_("Supplier"), queryset=None)

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers_of(company)
        self.fields["supplier"].widget.attrs["autofocus"] = True


class HeaderForm(TextOnly, forms.Form):
    """What the supplier's paper says at its top; the supplier and the currency only when typed by hand."""

    supplier = SupplierPicker(label=_("Supplier"), queryset=None)
    supplier_number = forms.CharField(
        label=_("Supplier's invoice number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    date = forms.DateField(label=_("Invoice date"), widget=DateInput())
    received_date = forms.DateField(label=_("Received on"), required=False, widget=DateInput())
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        help_text=_("Empty: the company's."),
        widget=forms.TextInput(attrs={"size": 4, "autocomplete": "off", "style": "text-transform:uppercase"}),
    )
    payment_term = forms.ModelChoiceField(
        label=_("Payment terms"),
        queryset=PaymentTerm.objects.none(),
        required=False,
        empty_label=_("(the supplier's usual term)"),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, company: Company, by_hand: bool, term_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payment_term"].queryset = terms_to_choose(company, term_id)
        self.fields["payment_term"].label_from_instance = term_name
        if by_hand:
            self.fields["supplier"].queryset = suppliers_of(company)
            self.fields["supplier"].widget.attrs["autofocus"] = True
        else:
            del self.fields["supplier"], self.fields["currency"]
            self.fields["supplier_number"].widget.attrs["autofocus"] = True

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if "supplier" in data:
            data["party_id"] = data.pop("supplier").pk
        if "currency" in data and not data["currency"]:
            data.pop("currency")
        term = data.pop("payment_term", None)
        data["payment_term_id"] = term.pk if term else None
        return data


class FromOrdersForm(TextOnly, forms.Form):
    """The orders chosen among those offered, and the supplier's number and dates."""

    orders = forms.MultipleChoiceField(
        label=_("Purchase orders"),
        error_messages={"required": _("Choose at least one purchase order.")},
    )
    supplier_number = forms.CharField(
        label=_("Supplier's invoice number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    date = forms.DateField(label=_("Invoice date"), widget=DateInput())
    received_date = forms.DateField(label=_("Received on"), required=False, widget=DateInput())

    def __init__(self, *args, order_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orders"].choices = [(str(pk), str(pk)) for pk in order_ids]
        self.fields["supplier_number"].widget.attrs["autofocus"] = True

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["order_ids"] = [int(pk) for pk in data.pop("orders")]
        return data


class LineForm(TextOnly, forms.Form):
    """One line: a current one (its id kept, removable) or a new one typed by hand; numbers as typed."""

    id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput())
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    quantity = forms.CharField(
        label=_("Quantity"), max_length=30, required=False, widget=forms.TextInput(attrs=NUMBER)
    )
    unit_price = forms.CharField(
        label=_("Unit price"), max_length=30, required=False, widget=forms.TextInput(attrs=NUMBER)
    )
    discount = forms.CharField(
        label=_("Discount %"), max_length=10, required=False, widget=forms.TextInput(attrs=NUMBER)
    )
    vat_rate = forms.CharField(
        label=_("VAT %"), max_length=10, required=False, widget=forms.TextInput(attrs=NUMBER)
    )
    irpf_rate = forms.CharField(
        label=_("Withholding %"), max_length=10, required=False, widget=forms.TextInput(attrs=NUMBER)
    )
    remove = forms.BooleanField(label=_("Remove"), required=False)

    def service_line(self) -> dict | None:
        """The line for the service; None for a blank new row or a removed one."""
        data = self.cleaned_data
        if data.get("remove") and data.get("id"):
            return None
        typed = {name: data.get(name) or "" for name in ("description", *LINE_NUMBERS)}
        if not data.get("id"):
            if not any(typed.values()):
                return None
            return {name: value for name, value in typed.items() if value != ""}
        return {
            "id": data["id"],
            **{name: value for name, value in typed.items() if value != "" or name == "description"},
        }


LineFormSet = forms.formset_factory(LineForm, extra=0, max_num=500, absolute_max=500)

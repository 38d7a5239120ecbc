"""Purchasing forms: they read and type the input; the services decide what is valid and save it."""

from decimal import Decimal

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nexo.catalog.forms import DateInput, ServiceForm
from nexo.catalog.models import Item
from nexo.catalog.pickers import ItemPicker
from nexo.core.forms import TextOnly
from nexo.core.models import Company
from nexo.inventory.models import Warehouse
from nexo.parties.pickers import PartyPicker, PartyRole, parties_in_role
from nexo.purchasing.models import ItemPurchasing, PurchaseOrder, SupplierPrice

NUMBER = {"class": "num", "step": "any", "inputmode": "decimal"}


def plain(value: Decimal) -> Decimal:
    """A quantity without trailing zeros, never in exponent form (10, not 1E+1)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def suppliers_of(company: Company):
    return parties_in_role(company, PartyRole.SUPPLIER)


class SupplierPicker(PartyPicker):
    """A supplier of the company, chosen by typing."""

    search_params = {"role": PartyRole.SUPPLIER}


def _decimal_inputs(form: forms.Form, names: tuple[str, ...]) -> None:
    """Decimal inputs, showing a record's stored value without its trailing zeros (9, not 9.0000)."""
    for name in names:
        form.fields[name].widget.attrs.update(NUMBER)
        value = form.initial.get(name)
        if isinstance(value, Decimal):
            form.initial[name] = plain(value)


class ExchangeRateForm(TextOnly, forms.Form):
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 4, "style": "text-transform:uppercase"}),
        help_text=_("Three letters, e.g. USD."),
    )
    day = forms.DateField(label=_("From"), widget=DateInput())
    rate = forms.DecimalField(
        label=_("Rate"),
        max_digits=18,
        decimal_places=8,
        min_value=Decimal("0.00000001"),
        widget=forms.NumberInput(attrs=NUMBER),
    )

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = timezone.localdate
        self.fields["rate"].help_text = _("What one unit is worth in %(currency)s.") % {
            "currency": company.currency
        }

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class SupplierPriceForm(ServiceForm):
    class Meta:
        model = SupplierPrice
        fields = [
            "item", "supplier", "supplier_code", "unit_price", "currency", "min_quantity", "lead_time_days",
            "valid_from", "valid_to", "is_active",
        ]  # fmt: skip
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}
        field_classes = {"item": ItemPicker, "supplier": SupplierPicker}
        help_texts = {
            "min_quantity": _("The price applies from this quantity on."),
            "valid_from": _("Leave empty: valid from any date."),
            "valid_to": _("Leave empty: valid until further notice."),
        }

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = Item.objects.filter(
            company=company, is_active=True, kind=Item.Kind.STOCKED
        ).order_by("sku")
        self.fields["item"].search = {"kind": "stocked"}
        self.fields["supplier"].queryset = suppliers_of(company)
        if not self.instance.pk:
            self.fields["currency"].initial = company.currency
            self.fields["min_quantity"].initial = Decimal(1)
        _decimal_inputs(self, ("unit_price", "min_quantity"))

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["item_id"] = data.pop("item").pk
        data["supplier_id"] = data.pop("supplier").pk
        return data


class ItemPurchasingForm(ServiceForm):
    """How an item is bought: its preferred supplier, minimum stock and reorder quantity."""

    class Meta:
        model = ItemPurchasing
        fields = ["preferred_supplier", "minimum_stock", "reorder_quantity"]
        field_classes = {"preferred_supplier": SupplierPicker}
        help_texts = {
            "preferred_supplier": _("Suggestions order from it; empty: the supplier with the best price."),
            "minimum_stock": _(
                "Below this (on hand - reserved + on order) the item is suggested for buying."
            ),
            "reorder_quantity": _("Order at least this much when it is suggested."),
        }

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_supplier"].queryset = suppliers_of(company)
        self.fields["preferred_supplier"].widget.attrs["placeholder"] = _("None: the best price")
        _decimal_inputs(self, ("minimum_stock", "reorder_quantity"))

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        supplier = data.pop("preferred_supplier")
        data["preferred_supplier_id"] = supplier.pk if supplier else None
        return data


class PurchaseOrderForm(ServiceForm):
    """An order's header; its lines are a formset of `OrderLineForm`."""

    class Meta:
        model = PurchaseOrder
        fields = ["supplier", "warehouse", "date", "expected_date", "currency", "notes"]
        field_classes = {"supplier": SupplierPicker}
        widgets = {
            "date": DateInput(),
            "expected_date": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "currency": forms.TextInput(attrs={"size": 4, "autocomplete": "off"}),
        }

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = suppliers_of(company)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(company=company, is_active=True)
        self.fields["warehouse"].required = False
        self.fields["warehouse"].empty_label = _("(the default warehouse)")
        self.fields["date"].required = False
        self.fields["date"].help_text = _("Empty: today.")
        self.fields["currency"].required = False
        self.fields["currency"].help_text = _("Empty: the currency of the supplier's prices.")
        self.fields["supplier"].widget.attrs["autofocus"] = True
        # Picking a supplier offers its items first in the lines' item boxes.
        self.fields["supplier"].widget.value_attrs.update({
            "hx-get": reverse("purchasing:item_options"), "hx-trigger": "change", "hx-target": "#item-options",
        })  # fmt: skip

    def service_fields(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        data["supplier_id"] = data.pop("supplier").pk
        if "warehouse" in data:
            data["warehouse_id"] = data.pop("warehouse").pk
        data.setdefault("notes", "")
        if self.instance.pk:
            data.setdefault("expected_date", None)
        return data


class OrderLineForm(TextOnly, forms.Form):
    """One line: the item by its SKU (typed or picked from the list), a quantity and, optionally, a price."""

    item = forms.CharField(
        label=_("Item"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"list": "item-options", "autocomplete": "off", "class": "sku"}),
    )
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=16,
        decimal_places=4,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        max_digits=16,
        decimal_places=6,
        min_value=Decimal(0),
        required=False,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].widget.attrs.update({
            "hx-get": reverse("purchasing:item_options"), "hx-trigger": "input changed delay:250ms",
            "hx-target": "#item-options", "hx-include": "#id_supplier_value", "hx-sync": "this:replace",
            "placeholder": _("SKU"),
        })  # fmt: skip
        self.fields["unit_price"].widget.attrs["placeholder"] = _("Supplier's price")
        self.fields["description"].widget.attrs["placeholder"] = _("The item's name")

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) not in (None, "") for name in ("item", "quantity", "unit_price"))

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity is not None and quantity <= 0:
            raise forms.ValidationError(_("The quantity must be greater than zero."))
        return quantity

    def clean(self):
        data = super().clean()
        if not self.is_blank() and not self.errors:
            if not data.get("item"):
                self.add_error("item", _("Type the item's SKU."))
            if data.get("quantity") is None:
                self.add_error("quantity", _("Type a quantity."))
        return data


class BaseOrderLineFormSet(forms.BaseFormSet):
    def service_lines(self, items: dict[str, Item]) -> tuple[list[dict], list[forms.Form]]:
        """The service's lines (blank rows left out) and the form each came from, in order."""
        lines, sources = [], []
        for form in self.forms:
            if form.is_blank():
                continue
            data = form.cleaned_data
            item = items.get(data["item"].upper())
            line = {"item_id": item.pk if item else None, "quantity": data["quantity"]}
            if data.get("unit_price") is not None:
                line["unit_price"] = data["unit_price"]
            if data.get("description"):
                line["description"] = data["description"]
            lines.append(line)
            sources.append(form)
        return lines, sources

    def skus(self) -> set[str]:
        return {
            form.cleaned_data["item"].upper()
            for form in self.forms
            if hasattr(form, "cleaned_data") and form.cleaned_data.get("item")
        }


OrderLineFormSet = forms.formset_factory(
    OrderLineForm, formset=BaseOrderLineFormSet, extra=0, max_num=200, absolute_max=200, validate_max=True
)


class ReceiveForm(TextOnly, forms.Form):
    """What arrived: a quantity per pending line (prefilled with what is pending), the date and where."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none())
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    allow_over_receipt = forms.BooleanField(label=_("Confirm the over-receipt"), required=False)

    def __init__(self, *args, order: PurchaseOrder, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.order, self.lines = order, list(lines)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(company=order.company, is_active=True)
        self.fields["warehouse"].initial = order.warehouse_id
        self.fields["date"].initial = timezone.localdate
        for line in self.lines:
            self.fields[self.field_name(line)] = forms.DecimalField(
                label=_("Received now of %(sku)s") % {"sku": line.item.sku},
                max_digits=16,
                decimal_places=4,
                min_value=Decimal(0),
                required=False,
                initial=plain(line.pending_quantity) if line.pending_quantity else None,
                widget=forms.NumberInput(attrs=NUMBER),
            )

    @staticmethod
    def field_name(line) -> str:
        return f"line_{line.pk}"

    def quantity_fields(self):
        return [(line, self[self.field_name(line)]) for line in self.lines]

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day.year < 1900:
            raise forms.ValidationError(_("Enter a date from 1900 on."))
        return day

    def quantities(self) -> dict[int, Decimal]:
        return {
            line.pk: self.cleaned_data[self.field_name(line)]
            for line in self.lines
            if self.cleaned_data.get(self.field_name(line))
        }

    def asks_over_receipt(self) -> bool:
        """Some line gets more than is pending: the user must confirm it."""
        data = getattr(self, "cleaned_data", {})
        return any((data.get(self.field_name(line)) or 0) > line.pending_quantity for line in self.lines)


class SendOrderForm(TextOnly, forms.Form):
    """The e-mail of a purchase order to its supplier: the address (prefilled) and the text, both editable."""

    to = forms.EmailField(label=pgettext_lazy("e-mail recipient", "To"), max_length=254)
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The text as it will go out: change it here if you like. The PDF goes attached."),
    )

"""Inventory forms: they read and type the input; the services decide what is valid and save it."""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nexo.catalog.models import Category, Item
from nexo.catalog.pickers import ItemPicker
from nexo.core.forms import TextOnly
from nexo.core.models import Company
from nexo.inventory import queries
from nexo.inventory.models import InventorySettings, Location, Warehouse
from nexo.inventory.pickers import LocationPicker

NUMBER_ATTRS = {"class": "num", "step": "any", "inputmode": "decimal", "autocomplete": "off"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DayField(forms.DateField):
    """A date from 1900 on (what <input type="date"> sends)."""

    widget = DateInput

    def clean(self, value):
        day = super().clean(value)
        if day is not None and not 1900 <= day.year <= 9000:
            raise forms.ValidationError(_("Enter a date between 1900 and 9000."), code="invalid")
        return day


def stocked_items(company: Company):
    return Item.objects.filter(company=company, kind=Item.Kind.STOCKED, is_active=True).order_by("sku")


class ServiceForm(TextOnly, forms.ModelForm):
    """A model form that only types the input: the service validates the record and its constraints."""

    def _post_clean(self) -> None:
        pass  # no model validation here, so every business error comes from the service, on its field

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


# Warehouses, locations and settings


class WarehouseForm(ServiceForm):
    class Meta:
        model = Warehouse
        fields = ["code", "name", "is_active"]
        widgets = {"code": forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"})}
        help_texts = {"code": _("A short code, e.g. ALM or VLC; stored in capitals.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["is_active"]  # a new warehouse starts active

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if self.instance.pk is None:
            data.pop("is_active", None)
        return data


class LocationForm(ServiceForm):
    class Meta:
        model = Location
        fields = ["name", "is_active"]
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "off"})}


class NewLocationForm(ServiceForm):
    class Meta:
        model = Location
        fields = ["name"]
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("e.g. Shelf A-1")})}
        labels = {"name": _("New location")}


class SettingsForm(ServiceForm):
    class Meta:
        model = InventorySettings
        fields = ["allow_negative_stock", "default_warehouse"]
        labels = {"default_warehouse": _("Default warehouse")}
        help_texts = {
            "allow_negative_stock": _(
                "Let deliveries go ahead when the stock records show less than is delivered."
            ),
            "default_warehouse": _("Where new documents take and put goods unless they say otherwise."),
        }

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["default_warehouse"]
        field.queryset = Warehouse.objects.filter(company=company, is_active=True).order_by("code")
        field.required = True
        field.empty_label = None

    def service_fields(self) -> dict:
        return {
            "allow_negative_stock": self.cleaned_data["allow_negative_stock"],
            "default_warehouse_id": self.cleaned_data["default_warehouse"].pk,
        }


# Moves


class MoveKind:
    """What a user enters by hand; the virtual end of each move is implied by its kind."""

    RECEIPT = "receipt"
    DELIVERY = "delivery"
    TRANSFER = "transfer"
    GAIN = "gain"
    LOSS = "loss"
    CHOICES = (
        (RECEIPT, _("Receipt from a supplier")),
        (DELIVERY, _("Delivery to a customer")),
        (TRANSFER, _("Transfer between locations")),
        (GAIN, _("Adjustment: add stock")),
        (LOSS, _("Adjustment: remove stock")),
    )
    NEEDS_FROM = {DELIVERY, TRANSFER, LOSS}
    NEEDS_TO = {RECEIPT, TRANSFER, GAIN}


class MoveForm(TextOnly, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of move"), choices=MoveKind.CHOICES, initial=MoveKind.RECEIPT)
    item = ItemPicker(label=_("Item"), queryset=Item.objects.none(), search={"kind": "stocked"})
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=13, decimal_places=4, widget=forms.NumberInput(attrs=NUMBER_ATTRS)
    )
    from_location = LocationPicker(label=_("From"), queryset=Location.objects.none(), required=False)
    to_location = LocationPicker(label=_("To"), queryset=Location.objects.none(), required=False)
    unit_cost = forms.DecimalField(
        label=_("Unit cost"),
        max_digits=13,
        decimal_places=6,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER_ATTRS),
        help_text=_("Required for a receipt. Left empty elsewhere: the item's cost in the warehouse."),
    )
    date = DayField(label=_("Date"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = stocked_items(company)
        locations = queries.internal_locations(company)
        self.fields["from_location"].queryset = locations
        self.fields["to_location"].queryset = locations
        self.fields["from_location"].widget.attrs["placeholder"] = _("Where the goods are")
        self.fields["to_location"].widget.attrs["placeholder"] = _("Where the goods go")
        self.fields["date"].initial = timezone.localdate

    def clean_quantity(self) -> Decimal:
        quantity = self.cleaned_data["quantity"]
        if quantity <= 0:
            raise forms.ValidationError(_("The quantity must be greater than zero."))
        return quantity

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        if (
            kind in MoveKind.NEEDS_FROM
            and not data.get("from_location")
            and "from_location" not in self.errors
        ):
            self.add_error("from_location", _("Choose where the goods come from."))
        if kind in MoveKind.NEEDS_TO and not data.get("to_location") and "to_location" not in self.errors:
            self.add_error("to_location", _("Choose where the goods go."))
        return data

    def service_fields(self, settings: InventorySettings) -> dict:
        """The move for the service: the kind names the virtual end (supplier, customer, adjustment)."""
        data = self.cleaned_data
        kind = data["kind"]
        source = data["from_location"].pk if kind in MoveKind.NEEDS_FROM else None
        target = data["to_location"].pk if kind in MoveKind.NEEDS_TO else None
        if kind == MoveKind.RECEIPT:
            source = settings.supplier_location_id
        elif kind == MoveKind.DELIVERY:
            target = settings.customer_location_id
        elif kind == MoveKind.GAIN:
            source = settings.adjustment_location_id
        elif kind == MoveKind.LOSS:
            target = settings.adjustment_location_id
        return {
            "item_id": data["item"].pk,
            "quantity": data["quantity"],
            "from_location_id": source,
            "to_location_id": target,
            "date": data["date"],
            "unit_cost": data["unit_cost"] if kind in (MoveKind.RECEIPT, MoveKind.GAIN) else None,
            "note": data["note"],
        }


# Filters of the list and report pages: a wrong value is shown as an error and left out


class StockLevelFilterForm(forms.Form):
    day = DayField(label=_("As of"), required=False, help_text=_("Empty: now."))


class MoveFilterForm(forms.Form):
    date_from = DayField(label=_("From"), required=False)
    date_to = DayField(label=_("To"), required=False)


class ValuationForm(forms.Form):
    day = DayField(label=_("Date"), required=False)
    group = forms.ChoiceField(label=_("Group by"), choices=queries.Group.CHOICES, required=False)
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.none(), required=False, empty_label=_("All")
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("All")
    )
    item = forms.CharField(label=_("Item"), max_length=100, required=False)

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(company=company).order_by("code")
        self.fields["category"].queryset = Category.objects.filter(company=company).order_by("full_name")
        self.fields["item"].widget.attrs.update(placeholder=_("SKU, name or barcode"), type="search")

    def filters(self) -> tuple[Category | None, str]:
        """The category (with its subcategories) and the words the item's SKU, name or barcode must have."""
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("category"), (data.get("item") or "").replace("\x00", "")

    def values(self) -> tuple[date, str, Warehouse | None]:
        data = self.cleaned_data if self.is_valid() else {}
        return (
            data.get("day") or timezone.localdate(),
            data.get("group") or queries.Group.ITEM,
            data.get("warehouse"),
        )


class CountLocationForm(forms.Form):
    """Which location the count sheet shows: a picker of the company's internal locations."""

    location = LocationPicker(label=_("Location"), queryset=Location.objects.none(), required=False)

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, auto_id="count-%s", **kwargs)
        self.fields["location"].queryset = queries.internal_locations(company)


class CountForm(TextOnly, forms.Form):
    """The count's date and note; the counted quantities are read from the sheet's inputs."""

    date = DayField(label=_("Count date"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate

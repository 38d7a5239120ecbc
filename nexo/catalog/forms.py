"""Catalog forms: they read and type the input; the services decide what is valid and save it."""

from datetime import date
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nexo.catalog.models import Category, Item, PriceList, PriceRule, TaxCategory, Unit
from nexo.catalog.pickers import ItemPicker
from nexo.core.forms import TextOnly
from nexo.core.models import Company
from nexo.core.modules import contributions
from nexo.parties.models import Party
from nexo.parties.pickers import PartyPicker, parties_in_role


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ServiceForm(TextOnly, forms.ModelForm):
    """A model form that only types the input: the service validates the record and its constraints."""

    def _post_clean(self) -> None:
        pass  # no model validation here, so every business error comes from the service, on its field

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


def _numbers(form: forms.Form, names: tuple[str, ...], step: str = "any") -> None:
    for name in names:
        field = form.fields[name]
        field.widget.attrs.update({"class": "num", "step": step, "inputmode": "decimal"})


class ItemForm(ServiceForm):
    class Meta:
        model = Item
        fields = [
            "sku", "name", "description", "unit", "category", "kind", "sale_tax", "purchase_tax",
            "base_price", "standard_cost", "valuation_method", "min_margin", "barcode", "is_active",
            "irpf_rate", "vat_exemption",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "sku": forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
            "barcode": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }

    def __init__(
        self, *args, company: Company, prices_allowed: bool = True, logistics_allowed: bool = True, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(company=company)
        self.fields["category"].queryset = Category.objects.filter(company=company).order_by("full_name")
        taxes = TaxCategory.objects.filter(company=company)
        self.fields["sale_tax"].queryset = taxes
        self.fields["purchase_tax"].queryset = taxes
        creating = self.instance.pk is None
        for name in ("valuation_method", "min_margin"):
            self.fields[name].required = not creating
        if creating:
            self.fields["valuation_method"].help_text = _("Leave empty to use the company's default.")
            self.fields["min_margin"].help_text = _("Leave empty to use the company's default.")
        _numbers(self, ("base_price", "standard_cost", "min_margin", "irpf_rate"))
        # How invoices tax the item beyond its VAT: the IRPF withheld from a customer who withholds, and the
        # paragraph of art. 20.Uno LIVA (1 to 29) that exempts it.
        self.fields["irpf_rate"].required = False
        self.fields["irpf_rate"].validators.append(MaxValueValidator(Decimal("99.99")))  # the tax engine's bound
        self.fields["irpf_rate"].help_text = _("Professional services, e.g. 15. Empty or 0: none.")
        exemption = self.fields["vat_exemption"]
        exemption.min_value, exemption.max_value = 1, 29
        exemption.validators = [MinValueValidator(1), MaxValueValidator(29)]
        exemption.widget.attrs.update({"min": 1, "max": 29})
        exemption.help_text = _("The paragraph of art. 20.Uno LIVA, e.g. 9 for education. Empty: not exempt.")
        # Without catalog.change_item_price the prices are shown but not sent (disabled fields keep the
        # item's values); a new item still takes a sale tax.
        self.prices_locked = not prices_allowed
        if self.prices_locked:
            locked = ("base_price", "standard_cost", "min_margin", *(() if creating else ("sale_tax",)))
            for name in locked:
                self.fields[name].disabled = True
                self.fields[name].required = False
        # Without catalog.change_item (accounting: prices only) the other fields are shown but not sent.
        self.logistics_locked = not logistics_allowed
        if self.logistics_locked:
            for name in self.fields:
                if name not in ("base_price", "standard_cost", "min_margin", "sale_tax"):
                    self.fields[name].disabled = True
                    self.fields[name].required = False
                    self.fields[name].widget.attrs.pop("autofocus", None)

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name, field in self.fields.items():
            if field.disabled:
                data.pop(name, None)  # not the user's input: the item keeps it (a new item, the default)
        if "irpf_rate" in data and data["irpf_rate"] is None:
            data["irpf_rate"] = Decimal(0)
        if not data.get("valuation_method") and not self.fields["valuation_method"].disabled:
            data["valuation_method"] = None  # the company's default (a new item only: required on edit)
        return data


class CategoryForm(ServiceForm):
    class Meta:
        model = Category
        fields = ["name", "parent"]

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Category.objects.filter(company=company).order_by("full_name")
        if self.instance.pk:  # not inside itself (the service checks it too)
            parents = parents.exclude(path__startswith=self.instance.path)
        self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = _("(top level)")

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        parent = data.pop("parent", None)
        data["parent_id"] = parent.pk if parent else None
        return data


class PriceListForm(ServiceForm):
    class Meta:
        model = PriceList
        fields = ["name", "currency", "valid_from", "valid_to", "tax_included", "is_active"]
        widgets = {"valid_from": DateInput(), "valid_to": DateInput()}


class PriceRuleForm(ServiceForm):
    class Meta:
        model = PriceRule
        fields = [
            "scope", "item", "category", "min_quantity", "date_from", "date_to", "method", "value",
            "base_list", "rounding", "margin_floor",
        ]  # fmt: skip
        widgets = {"date_from": DateInput(), "date_to": DateInput()}
        field_classes = {"item": ItemPicker}
        help_texts = {
            "item": _("Only for rules that apply to one item."),
            "category": _("Only for rules that apply to a category (and its subcategories)."),
            "value": _("The price, or the percentage for a discount or a markup."),
            "base_list": _("Only for a discount on another price list."),
            "rounding": _("Optional, e.g. 0.05 rounds to the nearest 5 cents."),
        }

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = Item.objects.filter(company=company, is_active=True).order_by("sku")
        self.fields["category"].queryset = Category.objects.filter(company=company).order_by("full_name")
        self.fields["base_list"].queryset = PriceList.objects.filter(company=company).order_by("name")
        _numbers(self, ("min_quantity", "value", "rounding"))


class AssignForm(TextOnly, forms.Form):
    """Give a customer this price list as its own."""

    party = PartyPicker(label=_("Customer"), queryset=Party.objects.none())

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties_in_role(company)


class PriceCheckForm(TextOnly, forms.Form):
    """What a price is asked for: an item, a quantity, a date and, optionally, a customer."""

    item = ItemPicker(label=_("Item"), queryset=Item.objects.none())
    quantity = forms.DecimalField(
        label=_("Quantity"),
        max_digits=14,
        decimal_places=4,
        initial=Decimal(1),
        widget=forms.NumberInput(attrs={"class": "num", "step": "any", "inputmode": "decimal"}),
    )
    day = forms.DateField(label=_("Date"), widget=DateInput())
    party = PartyPicker(
        label=_("Customer"),
        queryset=Party.objects.none(),
        required=False,
        help_text=_("Empty: the company's default price list."),
    )

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = Item.objects.filter(company=company, is_active=True).order_by("sku")
        self.fields["party"].queryset = parties_in_role(company)
        self.fields["day"].initial = timezone.localdate

    def clean_quantity(self) -> Decimal:
        quantity = self.cleaned_data["quantity"]
        if quantity <= 0:
            raise forms.ValidationError(_("The quantity must be above zero."))
        return quantity

    def clean_day(self) -> date:
        day = self.cleaned_data["day"]
        if day.year < 1900:
            raise forms.ValidationError(_("Enter a date from 1900 on."))
        return day


class PriceCheckCostForm(PriceCheckForm):
    """The price check with where to cost the item: a warehouse of those the stock-keeping module lists
    (asked through the `warehouses` hook: catalog sits below inventory), empty for the company's default."""

    warehouse = forms.TypedChoiceField(
        label=_("Warehouse for the cost"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, company=company, **kwargs)
        choices = [choice for answer in contributions("warehouses", company) for choice in answer]
        self.fields["warehouse"].choices = [("", _("(the company's default)")), *choices]

"""Catalog: units, categories (a tree), tax categories with dated rates, items, price lists and their rules."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nexo.catalog import valuation_methods
from nexo.core.models import Company, CompanyOwned
from nexo.parties.models import Party

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class ValuationMethod(models.TextChoices):
    # The names are declared in catalog.valuation_methods; inventory.valuation implements each one.
    AVERAGE = valuation_methods.AVERAGE, _("Average cost")
    FIFO = valuation_methods.FIFO, _("FIFO")
    LAST_PURCHASE = valuation_methods.LAST_PURCHASE, _("Last purchase")
    STANDARD = valuation_methods.STANDARD, _("Standard cost")


class Unit(CompanyOwned):
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="unit_code_unique")]

    def __str__(self) -> str:
        return self.code


class Category(CompanyOwned):
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    # "/3/17/42/": the ids from the root down to this one, kept by the services; finds a subtree with one query.
    path = models.CharField(max_length=500, editable=False, db_index=True)
    full_name = models.CharField(max_length=500, editable=False)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "parent", "name"], name="category_name_unique")
        ]

    def __str__(self) -> str:
        return self.full_name or self.name

    def ancestor_ids(self) -> tuple[int, ...]:
        """This category and its ancestors, nearest first."""
        return tuple(int(part) for part in reversed(self.path.strip("/").split("/")) if part)


class TaxCategory(CompanyOwned):
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("tax category")
        verbose_name_plural = _("tax categories")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="tax_category_code_unique")]

    def __str__(self) -> str:
        return self.name


class TaxRate(models.Model):
    """A tax category's rate from a date on; a later row replaces it from its own date."""

    tax_category = models.ForeignKey(TaxCategory, on_delete=models.CASCADE, related_name="rates")
    valid_from = models.DateField(_("valid from"))
    rate = models.DecimalField(_("rate %"), max_digits=5, decimal_places=2, validators=PERCENT)
    surcharge = models.DecimalField(
        _("equivalence surcharge %"), max_digits=5, decimal_places=2, default=0, validators=PERCENT
    )

    class Meta:
        ordering = ["tax_category", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["tax_category", "valid_from"], name="tax_rate_date_unique")
        ]


class CatalogSettings(models.Model):
    """The catalog's defaults for a company (kept here: core knows nothing of catalogs)."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="+")
    default_price_list = models.ForeignKey(
        "PriceList", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    default_valuation_method = models.CharField(
        max_length=20, choices=ValuationMethod.choices, default=ValuationMethod.AVERAGE
    )
    default_min_margin = models.DecimalField(max_digits=5, decimal_places=2, default=15, validators=PERCENT)


class Item(CompanyOwned):
    class Kind(models.TextChoices):
        STOCKED = "stocked", _("Stocked")
        SERVICE = "service", _("Service")

    sku = models.CharField(_("SKU"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.STOCKED)
    sale_tax = models.ForeignKey(
        TaxCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("sale tax")
    )
    purchase_tax = models.ForeignKey(
        TaxCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("purchase tax")
    )
    base_price = models.DecimalField(
        _("base sale price"), max_digits=16, decimal_places=6, default=0, validators=[MinValueValidator(0)]
    )
    standard_cost = models.DecimalField(
        _("standard cost"),
        max_digits=16,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    valuation_method = models.CharField(_("valuation method"), max_length=20, choices=ValuationMethod.choices)
    min_margin = models.DecimalField(
        _("minimum margin %"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    barcode = models.CharField(_("barcode (EAN)"), max_length=14, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # How invoices tax it beyond its VAT rate: the IRPF withheld when the customer withholds (professional
    # services, e.g. 15 %), and the paragraph of art. 20.Uno LIVA that exempts it (empty: not exempt).
    irpf_rate = models.DecimalField(
        _("IRPF withholding %"), max_digits=5, decimal_places=2, default=0, validators=PERCENT
    )
    vat_exemption = models.PositiveSmallIntegerField(_("VAT exemption (art. 20.Uno LIVA)"), null=True, blank=True)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["sku"]
        # change_item covers the logistic fields; prices need this one too (catalog.services.PRICE_FIELDS).
        permissions = [("change_item_price", _("Can change an item's prices"))]
        constraints = [
            models.UniqueConstraint(fields=["company", "sku"], name="item_sku_unique"),
            models.CheckConstraint(condition=Q(base_price__gte=0), name="item_base_price_not_negative"),
        ]
        indexes = [
            models.Index(fields=["company", "name"], name="item_company_name_idx"),
            models.Index(fields=["company", "barcode"], name="item_company_barcode_idx"),
            models.Index(fields=["company", "category"], name="item_company_category_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class PriceList(CompanyOwned):
    name = models.CharField(_("name"), max_length=100)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    tax_included = models.BooleanField(_("prices include tax"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="price_list_name_unique")]

    def __str__(self) -> str:
        return self.name


class PriceRule(CompanyOwned):
    class Scope(models.TextChoices):
        ITEM = "item", _("One item")
        CATEGORY = "category", _("A category")
        ALL = "all", _("All items")

    class Method(models.TextChoices):
        FIXED = "fixed", _("Fixed price")
        DISCOUNT_BASE = "discount_base", _("Discount % on the base price")
        DISCOUNT_LIST = "discount_list", _("Discount % on another price list")
        MARKUP_COST = "markup_cost", _("Markup % on cost")

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="rules")
    scope = models.CharField(_("applies to"), max_length=10, choices=Scope.choices)
    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("item")
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    min_quantity = models.DecimalField(_("minimum quantity"), max_digits=14, decimal_places=4, default=1)
    date_from = models.DateField(_("from"), null=True, blank=True)
    date_to = models.DateField(_("to"), null=True, blank=True)
    method = models.CharField(_("price"), max_length=20, choices=Method.choices)
    value = models.DecimalField(
        _("value"), max_digits=16, decimal_places=6, validators=[MinValueValidator(0)]
    )
    base_list = models.ForeignKey(
        PriceList,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("based on"),
    )
    rounding = models.DecimalField(_("round to"), max_digits=10, decimal_places=6, null=True, blank=True)
    margin_floor = models.BooleanField(_("never below the minimum margin"), default=False)

    class Meta:
        verbose_name = _("price rule")
        verbose_name_plural = _("price rules")
        ordering = ["price_list", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(min_quantity__gt=0), name="price_rule_min_quantity_positive"),
            models.CheckConstraint(condition=Q(value__gte=0), name="price_rule_value_not_negative"),
            models.CheckConstraint(
                condition=(
                    Q(scope="item", item__isnull=False, category__isnull=True)
                    | Q(scope="category", category__isnull=False, item__isnull=True)
                    | Q(scope="all", item__isnull=True, category__isnull=True)
                ),
                name="price_rule_scope_matches",
            ),
        ]
        indexes = [models.Index(fields=["price_list", "scope"], name="price_rule_list_scope_idx")]


class PartyPricing(models.Model):
    """A party's own price list (the catalog owns it; the party record has no field pointing up)."""

    party = models.OneToOneField(Party, on_delete=models.CASCADE, related_name="+")
    price_list = models.ForeignKey(PriceList, on_delete=models.PROTECT, related_name="+")

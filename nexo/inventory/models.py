"""Inventory: warehouses and locations, stock moves, what is on hand where, and its valuation ledger."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from nexo.catalog.models import Item
from nexo.core.models import Company, CompanyOwned
from nexo.inventory import rules

QUANTITY = {"max_digits": 16, "decimal_places": 4}
UNIT_COST = {"max_digits": 16, "decimal_places": 6}
AMOUNT = {"max_digits": 18, "decimal_places": 2}


class InventorySettings(models.Model):
    """The company's stock rules (a one-to-one profile of the company)."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="+")
    allow_negative_stock = models.BooleanField(_("allow negative stock"), default=False)
    supplier_location = models.ForeignKey("Location", on_delete=models.PROTECT, null=True, related_name="+")
    customer_location = models.ForeignKey("Location", on_delete=models.PROTECT, null=True, related_name="+")
    adjustment_location = models.ForeignKey("Location", on_delete=models.PROTECT, null=True, related_name="+")
    default_warehouse = models.ForeignKey("Warehouse", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = _("inventory settings")
        verbose_name_plural = _("inventory settings")


class Warehouse(CompanyOwned):
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    # Where goods received into this warehouse go unless a receipt says otherwise.
    stock_location = models.ForeignKey(
        "Location", on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("stock location")
    )

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="warehouse_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Location(CompanyOwned):
    class Kind(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        SUPPLIER = "supplier", _("Suppliers")
        CUSTOMER = "customer", _("Customers")
        ADJUSTMENT = "adjustment", _("Inventory adjustment")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INTERNAL)
    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="locations",
        verbose_name=_("warehouse"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["warehouse__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "warehouse", "name"], name="location_name_unique"),
            # Internal locations hold stock inside a warehouse; the others are virtual, outside any.
            models.CheckConstraint(
                condition=Q(kind="internal", warehouse__isnull=False)
                | (~Q(kind="internal") & Q(warehouse__isnull=True)),
                name="location_internal_in_warehouse",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.warehouse.code}/{self.name}" if self.warehouse_id else self.name

    @property
    def is_internal(self) -> bool:
        return self.kind == self.Kind.INTERNAL


class StockMove(CompanyOwned):
    # A draft is posted (done) or cancelled through core.states with rules.MOVE_LIFECYCLE.
    class State(models.TextChoices):
        DRAFT = rules.DRAFT, _("Draft")
        DONE = rules.DONE, _("Done")
        CANCELLED = rules.CANCELLED, _("Cancelled")

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    from_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    to_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("to")
    )
    date = models.DateField(_("date"))
    # Incoming: the cost it enters at. Outgoing, once done: what it cost by the item's method (COGS).
    unit_cost = models.DecimalField(_("unit cost"), null=True, blank=True, **UNIT_COST)
    value = models.DecimalField(_("value"), null=True, blank=True, **AMOUNT)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # The document the move comes from, named so a reader can follow it (e.g. purchase receipt 12, "REC-2026-0012").
    origin_type = models.CharField(_("origin"), max_length=40, blank=True)
    origin_id = models.BigIntegerField(null=True, blank=True)
    origin_label = models.CharField(_("reference"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="stock_move_quantity_positive"),
            models.CheckConstraint(
                condition=~Q(from_location=F("to_location")), name="stock_move_between_two_locations"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "item", "state", "date"], name="stock_move_item_idx"),
            models.Index(fields=["company", "state", "date"], name="stock_move_state_date_idx"),
            models.Index(fields=["origin_type", "origin_id"], name="stock_move_origin_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.quantity} {self.from_location_id}→{self.to_location_id}"


class StockQuant(models.Model):
    """What is on hand of an item in a location now: the sum of its done moves, kept by the services."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="quants")
    quantity = models.DecimalField(default=0, **QUANTITY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "location"], name="stock_quant_unique")]
        indexes = [models.Index(fields=["company", "location"], name="stock_quant_location_idx")]


class StockBalance(models.Model):
    """An item's valuation in a warehouse now: the state after its latest ledger entry.

    Its row is locked while an entry is applied, so moves of one item in one warehouse queue.
    """

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    received = models.DecimalField(default=0, **QUANTITY)
    issued = models.DecimalField(default=0, **QUANTITY)
    value = models.DecimalField(default=0, **AMOUNT)
    average_value = models.DecimalField(default=0, **AMOUNT)
    average = models.DecimalField(default=0, **UNIT_COST)
    last_cost = models.DecimalField(null=True, **UNIT_COST)
    last_date = models.DateField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "warehouse"], name="stock_balance_unique")]
        indexes = [models.Index(fields=["company", "warehouse"], name="stock_balance_warehouse_idx")]

    @property
    def quantity(self):
        return self.received - self.issued


class ValuationEntry(models.Model):
    """One move's effect on an item's valuation in one warehouse, and the state right after it.

    Ordered by (date, id): the order they were posted in within a day: a backdated move slots in by its date and only the entries after it are
    recomputed. Incoming entries are also FIFO layers: they cover the units received - quantity … received.
    """

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    move = models.ForeignKey(StockMove, on_delete=models.PROTECT, related_name="valuation_entries")
    date = models.DateField()
    quantity = models.DecimalField(**QUANTITY)  # signed: + in, - out
    unit_cost = models.DecimalField(**UNIT_COST)
    value = models.DecimalField(**AMOUNT)  # signed change of the warehouse's value of the item
    is_purchase = models.BooleanField(default=False)
    received = models.DecimalField(**QUANTITY)
    issued = models.DecimalField(**QUANTITY)
    value_after = models.DecimalField(**AMOUNT)
    average_value = models.DecimalField(**AMOUNT)
    average = models.DecimalField(**UNIT_COST)
    last_cost = models.DecimalField(null=True, **UNIT_COST)

    class Meta:
        indexes = [
            models.Index(fields=["item", "warehouse", "date", "id"], name="valuation_entry_order_idx"),
            models.Index(fields=["item", "warehouse", "received"], name="valuation_entry_layer_idx"),
            models.Index(fields=["company", "date"], name="valuation_entry_date_idx"),
        ]

    @property
    def quantity_after(self):
        return self.received - self.issued

"""Purchasing: exchange rates, supplier prices, item buying settings, purchase orders and their receipts."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nexo.catalog.models import Item
from nexo.core.models import CompanyOwned
from nexo.inventory.models import QUANTITY, UNIT_COST, StockMove, Warehouse
from nexo.parties.models import Party
from nexo.purchasing import rules

RATE = {"max_digits": 18, "decimal_places": 8}


class ExchangeRate(CompanyOwned):
    """One unit of `currency` is worth `rate` units of the company's currency from `day` on."""

    currency = models.CharField(_("currency"), max_length=3)
    day = models.DateField(_("date"))
    rate = models.DecimalField(_("rate"), **RATE)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["currency", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["company", "currency", "day"], name="exchange_rate_unique"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.day} {self.rate}"


class SupplierPrice(CompanyOwned):
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    supplier = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier")
    )
    supplier_code = models.CharField(_("supplier's code"), max_length=40, blank=True)
    unit_price = models.DecimalField(_("unit price"), validators=[MinValueValidator(0)], **UNIT_COST)
    currency = models.CharField(_("currency"), max_length=3)
    min_quantity = models.DecimalField(_("minimum quantity"), default=1, **QUANTITY)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supplier price")
        verbose_name_plural = _("supplier prices")
        ordering = ["item", "min_quantity", "unit_price"]
        constraints = [
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="supplier_price_not_negative"),
            models.CheckConstraint(
                condition=Q(min_quantity__gt=0), name="supplier_price_min_quantity_positive"
            ),
        ]
        indexes = [models.Index(fields=["company", "item"], name="supplier_price_item_idx")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.supplier_id} {self.unit_price} {self.currency}"


class ItemPurchasing(CompanyOwned):
    """How an item is bought: its preferred supplier, minimum stock, reorder quantity, last purchase."""

    item = models.OneToOneField(Item, on_delete=models.CASCADE, related_name="+", verbose_name=_("item"))
    preferred_supplier = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("preferred supplier"),
    )
    minimum_stock = models.DecimalField(
        _("minimum stock"), default=0, validators=[MinValueValidator(0)], **QUANTITY
    )
    reorder_quantity = models.DecimalField(
        _("reorder quantity"), default=0, validators=[MinValueValidator(0)], **QUANTITY
    )
    # The unit cost (company currency) of the latest receipt, and when and where it came from.
    last_purchase_cost = models.DecimalField(_("last purchase cost"), null=True, blank=True, **UNIT_COST)
    last_purchase_date = models.DateField(_("last purchase date"), null=True, blank=True)
    last_purchase_reference = models.CharField(_("last purchase reference"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("item purchasing")
        verbose_name_plural = _("item purchasing")


class PurchaseOrder(CompanyOwned):
    class State(models.TextChoices):
        DRAFT = rules.DRAFT, _("Draft")
        CONFIRMED = rules.CONFIRMED, _("Confirmed")
        PARTIALLY_RECEIVED = rules.PARTIALLY_RECEIVED, _("Partially received")
        RECEIVED = rules.RECEIVED, _("Received")
        CANCELLED = rules.CANCELLED, _("Cancelled")

    class EmailStatus(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    number = models.CharField(_("number"), max_length=20, blank=True)
    supplier = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse")
    )
    date = models.DateField(_("date"))
    expected_date = models.DateField(_("expected date"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    # Fixed when the order is confirmed: receipts cost its lines at this rate, in the company's currency.
    exchange_rate = models.DecimalField(_("exchange rate"), null=True, blank=True, **RATE)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The latest e-mail of the order to the supplier: queued in the sending transaction, sent or failed
    # after it commits (docs/decisions/0005-side-effects-after-commit.md).
    sent_to = models.EmailField(_("sent to"), max_length=254, blank=True)
    email_status = models.CharField(_("e-mail status"), max_length=10, choices=EmailStatus.choices, blank=True)
    email_error = models.CharField(_("e-mail error"), max_length=500, blank=True)
    email_sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["company", "state", "date"], name="purchase_order_state_idx"),
            models.Index(fields=["company", "supplier"], name="purchase_order_supplier_idx"),
        ]

    def __str__(self) -> str:
        return self.number or _("Draft purchase order %(id)s") % {"id": self.pk}


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), **UNIT_COST)  # in the order's currency
    supplier_price = models.ForeignKey(
        SupplierPrice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_quantity = models.DecimalField(_("received"), default=0, **QUANTITY)
    # The document this line buys for (a sales order line short of stock), named as inventory names a
    # move's origin: purchasing sits below sales and keeps the reference, not a foreign key. The unit cost
    # the sale was costed with (company currency) is kept to show what the purchase price differs by.
    origin_type = models.CharField(_("origin"), max_length=30, blank=True)
    origin_id = models.PositiveBigIntegerField(null=True, blank=True)
    origin_label = models.CharField(_("origin document"), max_length=60, blank=True)
    origin_unit_cost = models.DecimalField(_("costed unit cost"), null=True, blank=True, **UNIT_COST)

    class Meta:
        ordering = ["order", "position", "id"]
        indexes = [models.Index(fields=["origin_type", "origin_id"], name="purchase_line_origin_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchase_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="purchase_line_price_not_negative"),
            models.CheckConstraint(
                condition=Q(received_quantity__gte=0), name="purchase_line_received_not_negative"
            ),
        ]

    @property
    def pending_quantity(self):
        return max(self.quantity - self.received_quantity, 0)


class Receipt(CompanyOwned):
    number = models.CharField(_("number"), max_length=20)
    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts")
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse")
    )
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number


class ReceiptLine(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_cost = models.DecimalField(_("unit cost"), **UNIT_COST)  # company currency
    move = models.OneToOneField(StockMove, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="receipt_line_quantity_positive")
        ]

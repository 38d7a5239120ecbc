"""Sales: quotations (where the CRM meets the ERP) with priced and costed lines, and the sales orders they
become when accepted."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from nexo.accounting.models import PaymentTerm
from nexo.catalog.models import Item, PriceList, PriceRule, TaxCategory
from nexo.core.models import Company, CompanyOwned
from nexo.crm.models import Opportunity
from nexo.inventory.models import QUANTITY, UNIT_COST, Warehouse
from nexo.parties.models import Party
from nexo.sales import rules

AMOUNT = {"max_digits": 18, "decimal_places": 2, "default": 0}
PERCENT = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(0), MaxValueValidator(100)]}


class SalesSettings(models.Model):
    """The company's quotation defaults (a one-to-one profile of the company)."""

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="+")
    quotation_validity_days = models.PositiveIntegerField(_("quotation validity (days)"), default=30)
    margin_approval = models.BooleanField(
        _(
            "quotations with a line under its minimum margin need a manager's approval before they can be sent"
        ),
        default=False,
    )
    # Delivery notes printed with prices and amounts, or with quantities only.
    delivery_note_valued = models.BooleanField(_("valued delivery notes"), default=True)

    class Meta:
        verbose_name = _("sales settings")
        verbose_name_plural = _("sales settings")


class Quotation(CompanyOwned):
    class State(models.TextChoices):
        DRAFT = rules.DRAFT, _("Draft")
        SENT = rules.SENT, _("Sent")
        ACCEPTED = rules.ACCEPTED, _("Accepted")
        REJECTED = rules.REJECTED, _("Rejected")
        EXPIRED = rules.EXPIRED, _("Expired")
        CANCELLED = rules.CANCELLED, _("Cancelled")
        SUPERSEDED = rules.SUPERSEDED, _("Superseded")

    class Approval(models.TextChoices):
        """A manager's decision on a quotation under its minimum margin (a lifecycle of its own)."""

        UNDECIDED = rules.APPROVAL_UNDECIDED, _("Not decided")
        APPROVED = rules.APPROVED, _("Approved")
        REFUSED = rules.APPROVAL_REFUSED, _("Approval refused")

    class EmailStatus(models.TextChoices):
        """Where the e-mail that sent it stands: queued in the transaction that marked it sent, then sent or
        failed by the task that talks to the mail server after the commit."""

        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    number = models.CharField(_("number"), max_length=20)
    version = models.PositiveIntegerField(_("version"), default=1)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opportunity"),
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("salesperson")
    )
    date = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"))
    currency = models.CharField(_("currency"), max_length=3)
    price_list = models.ForeignKey(
        PriceList,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("price list"),
    )
    # Where the goods would come from: its stock gives the lines' costs.
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse")
    )
    payment_term = models.ForeignKey(
        PaymentTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("payment term"),
    )  # fmt: skip
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    document_discount = models.DecimalField(_("document discount %"), default=0, **PERCENT)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    # Totals, recomputed by the services on every change.
    gross_net = models.DecimalField(_("lines net"), **AMOUNT)
    discount_amount = models.DecimalField(_("document discount"), **AMOUNT)
    net = models.DecimalField(_("net"), **AMOUNT)
    tax = models.DecimalField(_("tax"), **AMOUNT)
    total = models.DecimalField(_("total"), **AMOUNT)
    cost = models.DecimalField(_("cost"), **AMOUNT)
    margin = models.DecimalField(_("margin"), **AMOUNT)
    margin_percent = models.DecimalField(_("margin %"), max_digits=9, decimal_places=2, null=True, blank=True)
    taxes = models.JSONField(default=list, blank=True)  # [{"rate", "base", "tax"}] as strings
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_to = models.CharField(_("sent to"), max_length=254, blank=True)
    # The e-mail sent with the PDF (none when it was marked sent by hand): the outcome the task recorded.
    email_status = models.CharField(
        _("e-mail status"), max_length=10, choices=EmailStatus.choices, blank=True
    )
    email_error = models.CharField(_("e-mail error"), max_length=500, blank=True)
    email_sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # The manager's decision (when the company asks for one), who made it, when and why; `approved_lines` is
    # the fingerprint of the lines it was made on: other lines void it.
    approval = models.CharField(
        _("approval"), max_length=10, choices=Approval.choices, default=Approval.UNDECIDED
    )
    approval_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )  # fmt: skip
    approval_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    approval_note = models.CharField(_("note"), max_length=500, blank=True)
    approved_lines = models.CharField(max_length=64, blank=True)
    revision_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="revisions",
        verbose_name=_("revision of"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("quotation")
        verbose_name_plural = _("quotations")
        ordering = ["-date", "-id"]
        permissions = [("approve_quotation", _("Can approve quotations under their minimum margin"))]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "number", "version"], name="quotation_number_version_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("date")), name="quotation_valid_after_date"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "state", "date"], name="quotation_state_idx"),
            models.Index(fields=["company", "opportunity"], name="quotation_opportunity_idx"),
            models.Index(fields=["company", "party"], name="quotation_party_idx"),
            models.Index(fields=["company", "salesperson", "state"], name="quotation_salesperson_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} v{self.version}"

    @property
    def is_open(self) -> bool:
        return self.state in rules.OPEN_STATES


class QuotationEmailTemplate(CompanyOwned):
    """The subject and text of the e-mail that sends a quotation, per company and language. Placeholders:
    {quotation}, {customer}, {valid_until}, {total}, {salesperson}, {company}."""

    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), max_length=5000)

    class Meta:
        verbose_name = _("quotation e-mail template")
        constraints = [
            models.UniqueConstraint(fields=["company", "language"], name="quotation_email_template_unique")
        ]

    def __str__(self) -> str:
        return f"{self.company_id}:{self.language}"


class QuotationLine(models.Model):
    quotation = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("item")
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    # The price the price list gives, and the price sold at: the same unless typed by hand (then locked).
    list_price = models.DecimalField(_("list price"), null=True, blank=True, **UNIT_COST)
    unit_price = models.DecimalField(_("unit price"), **UNIT_COST)
    price_locked = models.BooleanField(_("price typed by hand"), default=False)
    price_rule = models.ForeignKey(
        PriceRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    price_rule_text = models.CharField(_("price rule"), max_length=300, blank=True)
    # The same words in every language Nexo speaks, written when the line was priced ({"es": …, "en": …}):
    # a rule may change later, so it is not described again, and each reader gets it in their language.
    price_rule_texts = models.JSONField(_("price rule in each language"), default=dict, blank=True)
    discount = models.DecimalField(_("discount %"), default=0, **PERCENT)
    tax_category = models.ForeignKey(
        TaxCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("tax")
    )
    tax_rate = models.DecimalField(_("tax %"), default=0, **PERCENT)
    # Cost frozen when the line was priced, with where it came from, so the margin does not drift.
    unit_cost = models.DecimalField(_("unit cost"), null=True, blank=True, **UNIT_COST)
    cost_source = models.CharField(_("cost source"), max_length=20, blank=True)
    cost_parts = models.JSONField(
        default=list, blank=True
    )  # [{"quantity", "unit_cost", "source", "reference", "date"}]
    cost_comparison = models.JSONField(default=dict, blank=True)  # {"average": "5.500000", "fifo": …}
    costed_at = models.DateTimeField(null=True, blank=True)
    min_margin = models.DecimalField(_("minimum margin %"), default=0, **PERCENT)
    # Figures, recomputed with the totals.
    gross_net = models.DecimalField(**AMOUNT)
    discount_share = models.DecimalField(**AMOUNT)
    net = models.DecimalField(_("net"), **AMOUNT)
    cost = models.DecimalField(_("cost"), **AMOUNT)
    margin = models.DecimalField(_("margin"), **AMOUNT)
    margin_percent = models.DecimalField(_("margin %"), max_digits=9, decimal_places=2, null=True, blank=True)
    below_min_margin = models.BooleanField(default=False)

    class Meta:
        ordering = ["quotation", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="quotation_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="quotation_line_price_not_negative"),
        ]

    @property
    def price_rule_words(self) -> str:
        """The price rule in the reader's language; lines priced before the rule was kept in every language
        have it only in the language they were priced in."""
        language = (get_language() or "")[:2]
        return self.price_rule_texts.get(language) or self.price_rule_text


class SalesOrder(CompanyOwned):
    # Confirmed until fully invoiced (then done: locked), or cancelled before anything was delivered.
    class State(models.TextChoices):
        CONFIRMED = rules.ORDER_CONFIRMED, _("Confirmed")
        DONE = rules.ORDER_DONE, _("Done")
        CANCELLED = rules.ORDER_CANCELLED, _("Cancelled")

    # Both follow from the lines' quantities (sales.rules), kept by the services that change them.
    class DeliveryState(models.TextChoices):
        NOTHING = rules.NOTHING_TO_DO, _("Nothing to deliver")
        TO_DELIVER = rules.TO_DELIVER, _("To deliver")
        PARTIAL = rules.PARTIALLY_DELIVERED, _("Partially delivered")
        DELIVERED = rules.DELIVERED, _("Delivered")

    class InvoiceState(models.TextChoices):
        NOTHING = rules.NOTHING_TO_DO, _("Nothing to invoice")
        TO_INVOICE = rules.TO_INVOICE, _("To invoice")
        PARTIAL = rules.PARTIALLY_INVOICED, _("Partially invoiced")
        INVOICED = rules.INVOICED, _("Invoiced")

    number = models.CharField(_("number"), max_length=20)
    quotation = models.OneToOneField(
        Quotation, on_delete=models.PROTECT, null=True, blank=True, related_name="sales_order",
        verbose_name=_("quotation"),
    )  # fmt: skip
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opportunity"),
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("salesperson")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse")
    )
    date = models.DateField(_("date"))
    currency = models.CharField(_("currency"), max_length=3)
    payment_term = models.ForeignKey(
        PaymentTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("payment term"),
    )  # fmt: skip
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.CONFIRMED)
    net = models.DecimalField(_("net"), **AMOUNT)
    tax = models.DecimalField(_("tax"), **AMOUNT)
    total = models.DecimalField(_("total"), **AMOUNT)
    cost = models.DecimalField(_("quoted cost"), **AMOUNT)
    margin = models.DecimalField(_("quoted margin"), **AMOUNT)
    taxes = models.JSONField(default=list, blank=True)
    delivery_state = models.CharField(
        _("delivery"), max_length=12, choices=DeliveryState.choices, default=DeliveryState.TO_DELIVER
    )
    invoice_state = models.CharField(
        _("invoicing"), max_length=12, choices=InvoiceState.choices, default=InvoiceState.TO_INVOICE
    )
    # Realised figures (issue: quoted against realised margin): the cost of the goods delivered less those
    # returned, and the net invoiced less credited; kept by the delivery and invoicing services.
    delivered_cost = models.DecimalField(_("cost of goods delivered"), **AMOUNT)
    invoiced_net = models.DecimalField(_("net invoiced"), **AMOUNT)
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    customer_reference = models.CharField(_("customer's reference"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="sales_order_number_unique")
        ]
        indexes = [models.Index(fields=["company", "party"], name="sales_order_party_idx")]

    def __str__(self) -> str:
        return self.number


class SalesOrderLine(models.Model):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    quotation_line = models.OneToOneField(
        QuotationLine, on_delete=models.PROTECT, null=True, blank=True, related_name="order_line"
    )
    position = models.PositiveIntegerField(default=0)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), **UNIT_COST)
    discount = models.DecimalField(_("discount %"), default=0, **PERCENT)
    tax_rate = models.DecimalField(_("tax %"), default=0, **PERCENT)
    net = models.DecimalField(_("net"), **AMOUNT)
    unit_cost = models.DecimalField(_("quoted unit cost"), null=True, blank=True, **UNIT_COST)
    cost_source = models.CharField(_("cost source"), max_length=20, blank=True)
    margin = models.DecimalField(_("quoted margin"), **AMOUNT)
    tax_category = models.ForeignKey(
        TaxCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Fulfilment: what was delivered (validated delivery notes), returned, invoiced (posted invoices less
    # credit notes) and cancelled (no longer to deliver). Kept by the services, in the documents' transactions.
    delivered = models.DecimalField(_("delivered"), default=0, **QUANTITY)
    returned = models.DecimalField(_("returned"), default=0, **QUANTITY)
    invoiced = models.DecimalField(_("invoiced"), default=0, **QUANTITY)
    cancelled = models.DecimalField(_("cancelled"), default=0, **QUANTITY)
    delivered_cost = models.DecimalField(_("cost of goods delivered"), **AMOUNT)
    invoiced_net = models.DecimalField(_("net invoiced"), **AMOUNT)

    class Meta:
        ordering = ["order", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(delivered__gte=0, returned__gte=0, invoiced__gte=0, cancelled__gte=0),
                name="sales_order_line_fulfilment_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(returned__lte=models.F("delivered")), name="sales_order_line_returned_delivered"
            ),
        ]


class Delivery(CompanyOwned):
    """A delivery note (albarán): goods of one order leaving one warehouse, or (kind return) coming back from
    the customer against an earlier delivery. A draft holds the order's reservation as draft stock moves;
    validating posts them (what is not delivered stays on a backorder: a new draft delivery)."""

    class Kind(models.TextChoices):
        DELIVERY = "delivery", _("Delivery")
        RETURN = "return", _("Return")

    class State(models.TextChoices):
        DRAFT = rules.DRAFT, _("Draft")
        DONE = rules.DONE, _("Validated")  # "done" reads feminine in Spanish; an albarán is masculine
        CANCELLED = rules.CANCELLED, _("Cancelled")

    number = models.CharField(_("number"), max_length=20)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DELIVERY)
    order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="deliveries")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse")
    )
    date = models.DateField(_("date"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    backorder_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="backorders",
        verbose_name=_("backorder of"),
    )  # fmt: skip
    return_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="returns",
        verbose_name=_("return of"),
    )  # fmt: skip
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    cost = models.DecimalField(_("cost of goods"), **AMOUNT)
    done_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("delivery note")
        verbose_name_plural = _("delivery notes")
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["company", "number"], name="delivery_number_unique")]
        indexes = [
            models.Index(fields=["company", "state", "date"], name="delivery_state_idx"),
            models.Index(fields=["company", "party"], name="delivery_party_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class DeliveryLine(models.Model):
    """One order line's goods on a delivery note: its stock move (draft while the delivery is), and once
    validated the cost of goods sold the move left with (a return line: the cost they come back at)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(SalesOrderLine, on_delete=models.PROTECT, related_name="delivery_lines")
    position = models.PositiveIntegerField(default=0)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    move = models.ForeignKey(
        "inventory.StockMove", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    returned_line = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="return_lines"
    )
    unit_cost = models.DecimalField(_("unit cost"), null=True, blank=True, **UNIT_COST)
    cost = models.DecimalField(_("cost of goods"), **AMOUNT)

    class Meta:
        ordering = ["delivery", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="delivery_line_quantity_not_negative")
        ]


class CreditOverride(CompanyOwned):
    """A manager's decision to let a quotation be accepted or an order confirmed although it puts the
    customer over its credit limit: who, when, the figures they saw, and why."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    quotation = models.ForeignKey(
        Quotation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quotation"),
    )
    order = models.ForeignKey(
        SalesOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("order")
    )
    credit_limit = models.DecimalField(_("credit limit"), **AMOUNT)
    exposure = models.DecimalField(_("open balance and open orders"), **AMOUNT)
    amount = models.DecimalField(_("amount of the document"), **AMOUNT)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("credit limit override")
        ordering = ["-created_at", "-pk"]
        permissions = [("override_credit_limit", "Can let a customer go over its credit limit")]

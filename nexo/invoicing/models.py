"""Invoicing: customer invoices and credit notes (facturas rectificativas), and supplier invoices, with their
lines and their taxes per rate.

A posted invoice never changes (invoicing.services refuses it, and a database trigger refuses any UPDATE of
its legal columns or of its lines and taxes, and any DELETE), but for its cancellation: a customer invoice
issued by mistake becomes cancelled, recording when, by whom and why, and is as frozen from then on. Each
posted document carries what the accounting entry and the due amounts of the next modules need: party,
date, base, taxes per rate, total, amount due.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nexo.accounting.models import Account, PaymentTerm
from nexo.catalog.models import Category, Item
from nexo.core.models import Company, CompanyOwned
from nexo.inventory.models import QUANTITY, UNIT_COST
from nexo.invoicing import rules
from nexo.parties.models import Party
from nexo.purchasing.models import PurchaseOrderLine
from nexo.sales.models import DeliveryLine, SalesOrderLine

AMOUNT = {"max_digits": 18, "decimal_places": 2, "default": 0}
RATE = {"max_digits": 5, "decimal_places": 2, "default": 0}


class InvoicingSettings(models.Model):
    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="+")
    invoice_series = models.CharField(_("invoice series"), max_length=10, default=rules.INVOICE_SERIES)
    credit_note_series = models.CharField(
        _("credit note series"), max_length=10, default=rules.CREDIT_NOTE_SERIES
    )
    simplified_series = models.CharField(
        _("simplified invoice series"), max_length=10, default=rules.SIMPLIFIED_SERIES
    )
    supplier_invoice_series = models.CharField(
        _("supplier invoice series"), max_length=10, default=rules.SUPPLIER_INVOICE_SERIES
    )

    class Meta:
        verbose_name = _("invoicing settings")


class Invoice(CompanyOwned):
    """A customer invoice, a simplified invoice (F2) or a credit note (kind credit_note, refers to the invoice
    it corrects). Numbered when posted, gapless and in date order within its series and year."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class State(models.TextChoices):
        DRAFT = rules.DRAFT, _("Draft")
        POSTED = rules.POSTED, _("Posted")
        CANCELLED = rules.CANCELLED, pgettext_lazy("invoice", "Cancelled")

    class Type(models.TextChoices):
        F1 = rules.F1, _("Invoice (F1)")
        F2 = rules.F2, _("Simplified invoice (F2)")
        R1 = rules.R1, _("Credit note, error of law (R1)")
        R4 = rules.R4, _("Credit note (R4)")
        R5 = rules.R5, _("Credit note of a simplified invoice (R5)")

    class EmailStatus(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    invoice_type = models.CharField(_("type"), max_length=2, choices=Type.choices, default=Type.F1)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    series = models.CharField(_("series"), max_length=10, blank=True)
    year = models.PositiveIntegerField(_("year"), null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(_("number"), max_length=30, blank=True)
    date = models.DateField(_("date"))
    operation_date = models.DateField(_("operation date"), null=True, blank=True)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    # The customer as it stood when posted (a later change of the party does not change the invoice).
    party_name = models.CharField(_("customer name"), max_length=200, blank=True)
    party_tax_id = models.CharField(_("tax id"), max_length=32, blank=True)
    party_address = models.TextField(_("address"), max_length=1000, blank=True)
    party_country = models.CharField(_("country"), max_length=2, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    #: The term that splits the amount due into due amounts; `payment_terms` keeps its printed wording.
    payment_term = models.ForeignKey(
        PaymentTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("payment term"),
    )  # fmt: skip
    # The tax treatment its lines got from the party's tax position (invoicing.tax treatment code).
    treatment = models.CharField(_("tax treatment"), max_length=30, blank=True)
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes",
        verbose_name=_("corrects"),
    )  # fmt: skip
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    base = models.DecimalField(_("taxable base"), **AMOUNT)
    vat = models.DecimalField(_("VAT"), **AMOUNT)
    recargo = models.DecimalField(_("equivalence surcharge"), **AMOUNT)
    withholding = models.DecimalField(_("withholding"), **AMOUNT)
    total = models.DecimalField(_("total"), **AMOUNT)
    amount_due = models.DecimalField(_("amount due"), **AMOUNT)
    cost = models.DecimalField(_("cost of goods"), **AMOUNT)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A posted invoice cancelled (issued by mistake): when, by whom and why; empty otherwise.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("cancelled by"),
    )  # fmt: skip
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=500, blank=True)
    # Not legal content: may change after posting (sending and, later, collection).
    sent_to = models.EmailField(_("sent to"), max_length=254, blank=True)
    email_status = models.CharField(
        _("e-mail status"), max_length=10, choices=EmailStatus.choices, blank=True
    )
    email_error = models.CharField(_("e-mail error"), max_length=500, blank=True)
    email_sent_at = models.DateTimeField(_("e-mail sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-date", "-id"]
        permissions = [
            ("post_invoice", "Can post invoices"),
            ("cancel_invoice", "Can cancel posted invoices"),
        ]
        constraints = [
            # A cancelled invoice keeps its number: no other invoice takes it.
            models.UniqueConstraint(
                fields=["company", "series", "year", "sequence"],
                condition=Q(state__in=rules.ISSUED_STATES),
                name="invoice_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(state=rules.DRAFT) | (Q(sequence__isnull=False) & ~Q(number="")),
                name="invoice_posted_numbered",
            ),
            # Cancelled, and only then, with when, by whom and why.
            models.CheckConstraint(
                condition=(
                    Q(state=rules.CANCELLED, cancelled_at__isnull=False, cancelled_by__isnull=False)
                    & ~Q(cancel_reason="")
                )
                | (
                    ~Q(state=rules.CANCELLED)
                    & Q(cancelled_at__isnull=True, cancelled_by__isnull=True, cancel_reason="")
                ),
                name="invoice_cancelled_recorded",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "state", "date"], name="invoice_state_idx"),
            models.Index(fields=["company", "series", "year", "date"], name="invoice_series_idx"),
            models.Index(fields=["company", "party"], name="invoice_party_idx"),
        ]

    def __str__(self) -> str:
        return self.number or _("Draft invoice %(id)s") % {"id": self.pk}


class InvoiceLine(models.Model):
    """A billed line: from an order line (its delivered or, for a service, ordered quantity) or typed by
    hand. A credit note line is negative in quantity and net, and names the invoice line it corrects."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    order_line = models.ForeignKey(
        SalesOrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    delivery_line = models.ForeignKey(
        DeliveryLine, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    corrects_line = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_lines"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), **UNIT_COST)
    discount = models.DecimalField(_("discount %"), **RATE)
    net = models.DecimalField(_("net"), **AMOUNT)
    vat_rate = models.DecimalField(_("VAT %"), **RATE)
    recargo_rate = models.DecimalField(_("surcharge %"), **RATE)
    irpf_rate = models.DecimalField(_("withholding %"), **RATE)
    treatment = models.CharField(_("tax treatment"), max_length=30, blank=True)
    # The cost of the goods billed (from the delivery), for the realised margin.
    cost = models.DecimalField(_("cost of goods"), **AMOUNT)

    class Meta:
        ordering = ["invoice", "position", "id"]


class InvoiceTax(models.Model):
    """One VAT group of an invoice: a treatment and rate, with its base, VAT and recargo (the invoice's
    'base, rate, tax and surcharge per rate'); the withholding groups are kind irpf."""

    class Kind(models.TextChoices):
        VAT = "vat", _("VAT")
        IRPF = "irpf", _("Withholding")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="taxes")
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.VAT)
    treatment = models.CharField(max_length=30, blank=True)
    rate = models.DecimalField(**RATE)
    recargo_rate = models.DecimalField(**RATE)
    base = models.DecimalField(**AMOUNT)
    amount = models.DecimalField(**AMOUNT)
    recargo = models.DecimalField(**AMOUNT)

    class Meta:
        ordering = ["invoice", "kind", "-rate", "id"]


class SupplierInvoice(CompanyOwned):
    """An invoice received from a supplier: its own number kept (unique per supplier and year), our
    number given when posted; lines from purchase order lines (checked against what was ordered and
    received, differences flagged until a user accepts them) or by hand."""

    class State(models.TextChoices):
        DRAFT = rules.DRAFT, _("Draft")
        POSTED = rules.POSTED, _("Posted")

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier"))
    supplier_number = models.CharField(_("supplier's invoice number"), max_length=40)
    date = models.DateField(_("invoice date"))
    year = models.PositiveIntegerField(_("year"))
    received_date = models.DateField(_("received on"), null=True, blank=True)
    series = models.CharField(_("series"), max_length=10, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(_("number"), max_length=30, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    exchange_rate = models.DecimalField(
        _("exchange rate"), max_digits=18, decimal_places=8, null=True, blank=True
    )
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    base = models.DecimalField(_("taxable base"), **AMOUNT)
    vat = models.DecimalField(_("deductible VAT"), **AMOUNT)
    recargo = models.DecimalField(_("equivalence surcharge"), **AMOUNT)
    withholding = models.DecimalField(_("withholding"), **AMOUNT)
    total = models.DecimalField(_("total"), **AMOUNT)
    amount_due = models.DecimalField(_("amount due"), **AMOUNT)
    payment_term = models.ForeignKey(
        PaymentTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("payment term"),
    )  # fmt: skip
    differences_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    differences_accepted_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("supplier invoice")
        verbose_name_plural = _("supplier invoices")
        ordering = ["-date", "-id"]
        permissions = [("post_supplierinvoice", "Can post supplier invoices")]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "party", "year", "supplier_number"], name="supplier_invoice_number_unique"
            ),
            models.UniqueConstraint(
                fields=["company", "series", "year", "sequence"],
                condition=Q(state=rules.POSTED),
                name="supplier_invoice_sequence_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "state", "date"], name="supplier_invoice_state_idx"),
            models.Index(fields=["company", "party"], name="supplier_invoice_party_idx"),
        ]

    def __str__(self) -> str:
        return self.number or self.supplier_number


class SupplierInvoiceLine(models.Model):
    invoice = models.ForeignKey(SupplierInvoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    purchase_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_lines"
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("unit price"), **UNIT_COST)
    discount = models.DecimalField(_("discount %"), **RATE)
    net = models.DecimalField(_("net"), **AMOUNT)
    vat_rate = models.DecimalField(_("VAT %"), **RATE)
    recargo_rate = models.DecimalField(_("surcharge %"), **RATE)
    irpf_rate = models.DecimalField(_("withholding %"), **RATE)
    # What the purchase order says against what is billed: a text per difference (quantity over received,
    # price over ordered), empty when it matches; posting needs them accepted.
    difference = models.CharField(_("difference"), max_length=300, blank=True)

    class Meta:
        ordering = ["invoice", "position", "id"]


class SupplierInvoiceTax(models.Model):
    invoice = models.ForeignKey(SupplierInvoice, on_delete=models.CASCADE, related_name="taxes")
    kind = models.CharField(max_length=4, choices=InvoiceTax.Kind.choices, default=InvoiceTax.Kind.VAT)
    rate = models.DecimalField(**RATE)
    recargo_rate = models.DecimalField(**RATE)
    base = models.DecimalField(**AMOUNT)
    amount = models.DecimalField(**AMOUNT)
    recargo = models.DecimalField(**AMOUNT)

    class Meta:
        ordering = ["invoice", "kind", "-rate", "id"]


# Account mappings: which account a category's sales and purchases, and each tax, post to. A profile owned by
# invoicing (it posts the invoices' entries); the ledger knows accounts, not categories or taxes. What is not
# mapped falls back to the company's default accounts (accounting.AccountDefault).


class CategoryAccounts(CompanyOwned):
    """A catalog category's own sales and purchase accounts (either may be left empty); a category without
    one takes its parent's, then the company's default."""

    category = models.OneToOneField(
        Category, on_delete=models.CASCADE, related_name="+", verbose_name=_("category")
    )
    sales_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("sales account"),
    )  # fmt: skip
    purchase_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("purchase account"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("category accounts")
        verbose_name_plural = _("category accounts")


class TaxAccounts(CompanyOwned):
    """The account a tax posts to, per kind, side and rate (VAT 21 % charged on sales → 477…); a rate
    without a row posts to the company's default for that tax and side."""

    class Kind(models.TextChoices):
        VAT = "vat", _("VAT")
        RECARGO = "recargo", _("Equivalence surcharge")
        IRPF = "irpf", _("IRPF withholding")

    class Side(models.TextChoices):
        SALE = "sale", _("Sales")
        PURCHASE = "purchase", _("Purchases")

    kind = models.CharField(_("tax"), max_length=8, choices=Kind.choices)
    side = models.CharField(_("side"), max_length=8, choices=Side.choices)
    rate = models.DecimalField(_("rate %"), **RATE)
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("account")
    )

    class Meta:
        verbose_name = _("tax account")
        verbose_name_plural = _("tax accounts")
        ordering = ["side", "kind", "-rate"]
        constraints = [
            models.UniqueConstraint(fields=["company", "kind", "side", "rate"], name="tax_accounts_unique")
        ]

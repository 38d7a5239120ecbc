"""Accounting: the chart of accounts, journals, fiscal years and periods, and journal entries with their
lines (double entry). A posted entry never changes: the services refuse it, and a database trigger refuses
any UPDATE or DELETE of a posted entry or of its lines (migration 0002). Corrections are reversing entries.

Each line repeats its entry's company, date and posted flag, so that every report sums lines with one
indexed statement and never joins the entries (docs/modules/accounting.md, "Reports").
The ledger knows no document of the modules above it: an entry names its origin as a model label, an id and
the document's number (`origin_model`, `origin_id`, `origin_number`), and the posting module asks the ledger
for the entries of a document by that key.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from nexo.accounting.rules import ledger
from nexo.core.models import Company, CompanyOwned
from nexo.parties.models import Party

AMOUNT = {"max_digits": 18, "decimal_places": 2, "default": 0}


class Nature(models.TextChoices):
    ASSET = ledger.ASSET, _("Asset")
    LIABILITY = ledger.LIABILITY, _("Liability")
    EQUITY = ledger.EQUITY, _("Equity")
    INCOME = ledger.INCOME, _("Income")
    EXPENSE = ledger.EXPENSE, _("Expense")


class StockMethod(models.TextChoices):
    CONTINENTAL = ledger.CONTINENTAL, _("Continental (period-end variation)")
    PERPETUAL = ledger.PERPETUAL, _("Perpetual (at each move)")


class AccountingSettings(models.Model):
    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="+")
    chart_template = models.CharField(_("chart template"), max_length=30, default=ledger.DEFAULT_TEMPLATE)
    stock_method = models.CharField(
        _("stock accounting"), max_length=12, choices=StockMethod.choices, default=ledger.CONTINENTAL
    )
    #: Nothing can be posted on or before this date (through any path: pages, API, automatic entries).
    lock_date = models.DateField(_("lock date"), null=True, blank=True)
    #: The term of a party that has none of its own (customers and suppliers alike).
    default_term = models.ForeignKey(
        "accounting.PaymentTerm", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("default payment term"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("accounting settings")


class Account(CompanyOwned):
    """An account of the chart. A view account (`is_view`) groups others and takes no entry lines; a
    posting account may need a party on every line (`needs_party`: customers, suppliers, creditors)."""

    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    nature = models.CharField(_("nature"), max_length=10, choices=Nature.choices)
    is_view = models.BooleanField(_("view account"), default=False)
    needs_party = models.BooleanField(_("needs a party"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="accounting_account_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AccountDefault(models.Model):
    """The company's default account for a role (`receivable`, `sales`, `output_vat`… ledger.DEFAULT_ROLES),
    filled from the chart template; the posting modules fall back to it when no finer mapping applies."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=30)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("default account")
        constraints = [
            models.UniqueConstraint(fields=["company", "role"], name="accounting_default_role_unique"),
        ]


class PaymentTerm(CompanyOwned):
    """How an invoice is paid: its installments (days after the invoice date, each a percentage or an equal
    part of what the percentages leave), due dates moved to the month's end and then to the payer's fixed
    payment days (Spanish *días de pago*, "5,20"). The split is `rules.payment_terms.split`."""

    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    end_of_month = models.BooleanField(_("end of month"), default=False)
    payment_days = models.CharField(_("payment days"), max_length=40, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("payment term")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="accounting_payment_term_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class PaymentTermLine(models.Model):
    """One installment: due `days` after the invoice date, for `percent` of the total (None: an equal part
    of what the lines with a percentage leave)."""

    term = models.ForeignKey(PaymentTerm, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    days = models.PositiveSmallIntegerField(_("days"), default=0)
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("installment")
        ordering = ["position", "pk"]


class PartyAccounting(models.Model):
    """A party's own receivable and payable accounts (else the company's defaults), its payment terms as a
    customer and as a supplier, its credit limit and the month it pays nothing (holidays)."""

    party = models.OneToOneField(Party, on_delete=models.CASCADE, related_name="accounting")
    receivable = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("receivable account"),
    )  # fmt: skip
    payable = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("payable account"),
    )  # fmt: skip
    customer_term = models.ForeignKey(
        PaymentTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("payment term as customer"),
    )  # fmt: skip
    supplier_term = models.ForeignKey(
        PaymentTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("payment term as supplier"),
    )  # fmt: skip
    #: None: no limit. Open balance plus open orders may not exceed it without a manager's override.
    credit_limit = models.DecimalField(_("credit limit"), max_digits=18, decimal_places=2, null=True, blank=True)
    #: 1 to 12: no due date falls in this month (moved to the first payment day after it).
    holiday_month = models.PositiveSmallIntegerField(_("holiday month"), null=True, blank=True)

    class Meta:
        verbose_name = _("party accounting")


class Journal(CompanyOwned):
    class Kind(models.TextChoices):
        SALE = ledger.SALE, _("Sales")
        PURCHASE = ledger.PURCHASE, _("Purchases")
        BANK = ledger.BANK, _("Bank")
        CASH = ledger.CASH, _("Cash")
        GENERAL = ledger.GENERAL, _("General")
        CLOSING = ledger.CLOSING, _("Closing")

    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)

    class Meta:
        verbose_name = _("journal")
        verbose_name_plural = _("journals")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="accounting_journal_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class FiscalYear(CompanyOwned):
    class State(models.TextChoices):
        OPEN = ledger.OPEN, _("Open")
        CLOSED = ledger.CLOSED, _("Closed")

    name = models.CharField(_("name"), max_length=20)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=ledger.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("fiscal year")
        verbose_name_plural = _("fiscal years")
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["company", "start"], name="accounting_fiscalyear_start_unique"),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="accounting_fiscalyear_dates"),
        ]

    def __str__(self) -> str:
        return self.name


class Period(models.Model):
    """A month (or the year's span) of a fiscal year; closing one forbids posting in it."""

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.CASCADE, related_name="periods")
    number = models.PositiveSmallIntegerField(_("number"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    state = models.CharField(_("state"), max_length=8, choices=FiscalYear.State.choices, default=ledger.OPEN)

    class Meta:
        verbose_name = _("period")
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "number"], name="accounting_period_number_unique"),
        ]


class Entry(CompanyOwned):
    """A journal entry. Numbered when posted, gapless per journal and fiscal year and in date order
    (`SAL/2026/000123`)."""

    class State(models.TextChoices):
        DRAFT = ledger.DRAFT, _("Draft")
        POSTED = ledger.POSTED, _("Posted")

    class Kind(models.TextChoices):
        NORMAL = ledger.NORMAL, _("Normal")
        OPENING = ledger.OPENING, _("Opening")
        REGULARISATION = ledger.REGULARISATION, _("Regularisation (result)")
        CLOSING = ledger.CLOSING_ENTRY, _("Closing")

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=ledger.DRAFT)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=ledger.NORMAL)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(_("number"), max_length=32, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    #: The document that caused the entry, as its model label (`invoicing.invoice`), id and number.
    origin_model = models.CharField(max_length=60, blank=True)
    origin_id = models.PositiveBigIntegerField(null=True, blank=True)
    origin_number = models.CharField(_("document"), max_length=60, blank=True)
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals",
        verbose_name=_("reverses"),
    )  # fmt: skip
    total = models.DecimalField(_("total"), **AMOUNT)
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        permissions = [("post_entry", "Can post and reverse journal entries")]
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "fiscal_year", "sequence"], name="accounting_entry_number_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "origin_model", "origin_id"], name="accounting_entry_origin"),
            models.Index(fields=["company", "date"], name="accounting_entry_date"),
        ]

    def __str__(self) -> str:
        return self.number or str(_("Draft entry"))


class EntryLine(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="lines")
    # Copies of the entry's company, date, journal and state: each report is one indexed statement on lines.
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="+")
    posted = models.BooleanField(default=False)
    #: The entry's kind copied too: the trial balance leaves closing entries out, the P&L regularisation.
    kind = models.CharField(max_length=16, default=ledger.NORMAL)
    position = models.PositiveIntegerField(default=0)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    debit = models.DecimalField(_("debit"), **AMOUNT)
    credit = models.DecimalField(_("credit"), **AMOUNT)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["entry", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(debit__gte=0) & Q(credit__gte=0), name="accounting_line_positive"
            ),
            models.CheckConstraint(condition=Q(debit=0) | Q(credit=0), name="accounting_line_one_side"),
        ]
        indexes = [
            models.Index(fields=["company", "account", "date"], name="accounting_line_account_date"),
            models.Index(fields=["company", "date"], name="accounting_line_date"),
            models.Index(fields=["company", "party", "account"], name="accounting_line_party"),
        ]

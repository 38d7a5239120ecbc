"""Collection and payment: the company's bank accounts, the due amounts (vencimientos) an invoice or a
supplier invoice leaves when posted, the payments and receipts matched to them, SEPA direct-debit mandates
and remittances, reminders, and imported bank statements (docs/modules/payments.md).

The sub-ledger agrees with the books: a customer's open due amounts less its unapplied payments equal its
balance on its receivable account (4300), because every amount that moves one moves the other in the same
transaction (a payment posts 572 against 430 for its whole amount; matching only allocates it)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nexo.accounting.models import Account, Entry
from nexo.core.models import Company, CompanyOwned
from nexo.parties.models import Party

AMOUNT = {"max_digits": 18, "decimal_places": 2, "default": 0}


class Direction(models.TextChoices):
    RECEIVABLE = "receivable", _("Receivable")  # a customer owes us
    PAYABLE = "payable", _("Payable")  # we owe a supplier


class BankAccount(CompanyOwned):
    """One of the company's bank accounts: its IBAN, the ledger account it posts to (572x) and, for SEPA
    direct debits, the creditor identifier the bank gave the company."""

    name = models.CharField(_("name"), max_length=100)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("account")
    )
    creditor_id = models.CharField(_("SEPA creditor identifier"), max_length=35, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("bank account")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "iban"], name="payments_bank_account_iban_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class DueAmount(CompanyOwned):
    """What a posted document leaves to collect or to pay on one date. `amount` carries the document's sign
    (a credit note's is negative); `paid` is what payments have allocated to it."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        PARTIAL = "partial", _("Partially paid")
        PAID = "paid", _("Paid")
        REMITTED = "remitted", _("Remitted")
        RETURNED = "returned", _("Returned")

    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+", verbose_name=_("party"))
    #: The account the document posted the amount to (the party's 4300 or 4000, or its own).
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    origin_model = models.CharField(max_length=60)
    origin_id = models.PositiveBigIntegerField()
    origin_number = models.CharField(_("document"), max_length=60)
    installment = models.PositiveSmallIntegerField(_("installment"), default=1)
    installments = models.PositiveSmallIntegerField(default=1)
    document_date = models.DateField(_("document date"))
    due_date = models.DateField(_("due date"))
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    paid = models.DecimalField(_("paid"), **AMOUNT)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    #: The reminder level last sent (0: none; 1 first, 2 second, 3 final notice).
    reminder_level = models.PositiveSmallIntegerField(_("reminder level"), default=0)

    class Meta:
        verbose_name = _("due amount")
        verbose_name_plural = _("due amounts")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["company", "direction", "state", "due_date"], name="payments_due_open_idx"),
            models.Index(fields=["company", "party", "state"], name="payments_due_party_idx"),
            models.Index(fields=["company", "origin_model", "origin_id"], name="payments_due_origin_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.origin_number} {self.installment}/{self.installments}"

    @property
    def remaining(self):
        return self.amount - self.paid


class Payment(CompanyOwned):
    """Money received from a customer or paid to a supplier (or an offset of a credit note against invoices,
    of amount zero). Posted at once with its entry; matched to due amounts through allocations; what it does
    not allocate stays on the party's account as a credit (`amount - applied`)."""

    class Method(models.TextChoices):
        TRANSFER = "transfer", _("Transfer")
        CASH = "cash", _("Cash")
        CARD = "card", _("Card")
        DIRECT_DEBIT = "direct_debit", _("SEPA direct debit")
        OFFSET = "offset", _("Offset")

    class State(models.TextChoices):
        POSTED = "posted", _("Posted")
        REVERSED = "reversed", _("Reversed")

    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    number = models.CharField(_("number"), max_length=30)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+", verbose_name=_("party"))
    date = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=14, choices=Method.choices, default=Method.TRANSFER)
    bank_account = models.ForeignKey(
        BankAccount, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("bank account"),
    )  # fmt: skip
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    applied = models.DecimalField(_("applied"), **AMOUNT)
    reference = models.CharField(_("reference"), max_length=140, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.POSTED)
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reversal_entry = models.ForeignKey(
        Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: The remittance line it collected (SEPA), if any.
    remittance_line = models.OneToOneField(
        "payments.RemittanceLine", on_delete=models.PROTECT, null=True, blank=True, related_name="payment"
    )

    class Meta:
        verbose_name = _("payment")
        ordering = ["-date", "-pk"]
        permissions = [("reverse_payment", "Can reverse a payment")]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="payments_payment_number_unique"),
        ]
        indexes = [models.Index(fields=["company", "party", "state"], name="payments_pay_party_idx")]

    def __str__(self) -> str:
        return self.number


class Allocation(models.Model):
    """Part of a payment matched to a due amount (negative on a credit note's due amount in an offset)."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    due = models.ForeignKey(DueAmount, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("amount"), **AMOUNT)
    #: When the allocation takes effect (aging at a date): its payment's date, or the day a credit left on
    #: the party's account was applied later.
    date = models.DateField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("allocation")
        indexes = [models.Index(fields=["due"], name="payments_alloc_due_idx")]


class Mandate(CompanyOwned):
    """A customer's SEPA direct-debit mandate: the account it allows the company to charge."""

    class Scheme(models.TextChoices):
        CORE = "CORE", _("Core")
        B2B = "B2B", _("B2B (business to business)")

    class SequenceType(models.TextChoices):
        FIRST = "FRST", _("First")
        RECURRING = "RCUR", _("Recurring")

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+", verbose_name=_("customer"))
    reference = models.CharField(_("mandate reference"), max_length=35)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    signed_on = models.DateField(_("signature date"))
    scheme = models.CharField(_("scheme"), max_length=4, choices=Scheme.choices, default=Scheme.CORE)
    #: The sequence type of its next collection: FRST until one has been collected, then RCUR.
    sequence_type = models.CharField(
        _("sequence type"), max_length=4, choices=SequenceType.choices, default=SequenceType.FIRST
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("mandate")
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "reference"], name="payments_mandate_reference_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Remittance(CompanyOwned):
    """A SEPA direct-debit remittance (remesa): due amounts charged on one date through one bank account,
    sent to the bank as a pain.008 file. Posting it records a payment per line and one bank entry."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        POSTED = "posted", _("Posted")

    number = models.CharField(_("number"), max_length=30)
    bank_account = models.ForeignKey(
        BankAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("bank account")
    )
    charge_date = models.DateField(_("charge date"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    total = models.DecimalField(_("total"), **AMOUNT)
    message_id = models.CharField(max_length=35, blank=True)
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("remittance")
        ordering = ["-charge_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="payments_remittance_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number


class RemittanceLine(models.Model):
    """One due amount charged in a remittance, under a mandate; returned by the bank with a reason code."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        COLLECTED = "collected", _("Collected")
        RETURNED = "returned", _("Returned")

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    remittance = models.ForeignKey(Remittance, on_delete=models.CASCADE, related_name="lines")
    due = models.ForeignKey(DueAmount, on_delete=models.PROTECT, related_name="remittance_lines")
    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **AMOUNT)
    sequence_type = models.CharField(max_length=4, choices=Mandate.SequenceType.choices)
    end_to_end_id = models.CharField(max_length=35)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    return_reason = models.CharField(_("return reason"), max_length=4, blank=True)
    returned_on = models.DateField(null=True, blank=True)
    return_entry = models.ForeignKey(Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("remittance line")
        ordering = ["pk"]


class Reminder(models.Model):
    """A reminder sent for an overdue due amount: its level (first, second, final notice), when and to whom."""

    class Level(models.IntegerChoices):
        FIRST = 1, _("First reminder")
        SECOND = 2, _("Second reminder")
        FINAL = 3, _("Final notice")

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    due = models.ForeignKey(DueAmount, on_delete=models.PROTECT, related_name="reminders")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    date = models.DateField(_("date"))
    sent_to = models.CharField(_("sent to"), max_length=254, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("reminder")
        ordering = ["-date", "-pk"]


class BankStatement(CompanyOwned):
    """An imported bank statement (CSV, Norma 43 or CAMT.053) of one bank account."""

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        NORMA43 = "norma43", _("Norma 43 (AEB 43)")
        CAMT053 = "camt053", _("CAMT.053 (ISO 20022)")

    bank_account = models.ForeignKey(
        BankAccount, on_delete=models.PROTECT, related_name="+", verbose_name=_("bank account")
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("to"), null=True, blank=True)
    opening_balance = models.DecimalField(_("opening balance"), max_digits=18, decimal_places=2, null=True)
    closing_balance = models.DecimalField(_("closing balance"), max_digits=18, decimal_places=2, null=True)
    line_count = models.PositiveIntegerField(_("lines"), default=0)

    class Meta:
        verbose_name = _("bank statement")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.bank_account} {self.start or ''} - {self.end or ''}"


class StatementLine(models.Model):
    """One movement of a statement (positive: money in). Matched once: to a payment it created, or posted
    to an account (bank charges); never both, never twice."""

    class State(models.TextChoices):
        OPEN = "open", _("To match")
        MATCHED = "matched", _("Matched")
        POSTED = "posted", _("Posted to an account")

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField(_("line in the file"))
    date = models.DateField(_("date"))
    value_date = models.DateField(_("value date"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), **AMOUNT)
    reference = models.CharField(_("reference"), max_length=140, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    counterparty = models.CharField(_("counterparty"), max_length=140, blank=True)
    counterparty_iban = models.CharField(_("counterparty IBAN"), max_length=34, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    matched_at = models.DateTimeField(null=True, blank=True)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("statement line")
        ordering = ["statement", "line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment"],
                condition=Q(payment__isnull=False),
                name="payments_statement_line_payment_once",
            ),
        ]
        indexes = [models.Index(fields=["company", "state"], name="payments_line_open_idx")]


__all__ = [
    "AMOUNT",
    "Allocation",
    "BankAccount",
    "BankStatement",
    "Direction",
    "DueAmount",
    "Mandate",
    "Payment",
    "Reminder",
    "Remittance",
    "RemittanceLine",
    "StatementLine",
]

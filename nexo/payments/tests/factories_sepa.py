"""What the SEPA tests build on: the company's bank account with its creditor identifier, customers with a
billing address, invoices posted through invoicing (so their entry and due amounts are real), mandates, and
the figures the tests compare: a party's 4300 balance and its open due amounts."""

from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from nexo.accounting.models import Account, EntryLine
from nexo.accounting.services.ledger import journal_of
from nexo.invoicing import services as invoicing
from nexo.invoicing.services import InvoiceLineInput
from nexo.parties.services import party_create
from nexo.payments.models import BankAccount, DueAmount, Mandate
from nexo.payments.rules.sepa import creditor_id_for
from nexo.payments.services import sepa

D = Decimal
BANK_IBAN = "ES9121000418450200051332"
#: Debtors' IBANs (valid, with their national check digits) and the BIC their bank code names.
IBANS = ("ES0221000418410123456789", "ES0321000418401111111111", "ES5321000418402222222222")
ADDRESS = {"street": "Calle Colón 12", "postal_code": "46004", "city": "Valencia", "kind": "billing"}


def books(company) -> dict[str, Account]:
    """The company's books set up (PGC chart, journals, this year); code → account."""
    journal_of(company, "GEN")
    return {account.code: account for account in Account.objects.filter(company=company)}


def bank_account(company, *, creditor_id: str | None = None, name: str = "CaixaBank", iban: str = BANK_IBAN):
    books(company)
    return BankAccount.objects.create(
        company=company, name=name, iban=iban, bic="", account=Account.objects.get(company=company, code="572"),
        creditor_id=creditor_id_for("ES", company.tax_id) if creditor_id is None else creditor_id,
    )  # fmt: skip


def customer(company, by, name: str, tax_id: str):
    return party_create(
        company=company, by=by, name=name, tax_id=tax_id, addresses=[ADDRESS], status="customer", country="ES"
    )


def posted_invoice(company, by, party, net: str = "100.00", day: date | None = None):
    """An invoice of one line at 21 % VAT (net 100.00 → 121.00 due), posted: its entry and due amount."""
    draft = invoicing.invoice_create(
        company=company, by=by, party_id=party.pk, date=day or timezone.localdate(),
        lines=[InvoiceLineInput(None, "Mantenimiento mensual", D("1"), D(net), vat_rate=D("21"))],
    )  # fmt: skip
    return invoicing.invoice_post(company=company, by=by, invoice_id=draft.pk)


def due_of(invoice) -> DueAmount:
    return DueAmount.objects.get(origin_model="invoicing.invoice", origin_id=invoice.pk)


def mandate(company, by, party, reference: str, iban: str = IBANS[0], **fields) -> Mandate:
    options = {"signed_on": date(2025, 1, 15), "bic": "", "scheme": "CORE"} | fields
    return sepa.mandate_save(
        company=company, by=by, party_id=party.pk, reference=reference, iban=iban, **options
    )


def balance_4300(company, party) -> Decimal:
    """The party's balance (debit minus credit) on the receivable account 4300, posted lines."""
    figures = EntryLine.objects.filter(
        company=company, account__code="4300", party=party, posted=True
    ).aggregate(debit=Sum("debit"), credit=Sum("credit"))
    return (figures["debit"] or D(0)) - (figures["credit"] or D(0))


def open_dues(company, party) -> Decimal:
    """What the party's due amounts have left to pay (remitted ones are still owed)."""
    return sum(
        (due.amount - due.paid for due in DueAmount.objects.filter(company=company, party=party)),
        D("0.00"),
    )

"""Payment terms: the standard ones every company starts with, a term as the pure rules' TermSpec, the term
that applies to a party (its own, else the company's default) and the split of a document's total into due
amounts (docs/modules/payments.md)."""

from datetime import date as Date
from decimal import Decimal

from django.db import transaction

from nexo.accounting.models import AccountingSettings, PartyAccounting, PaymentTerm, PaymentTermLine
from nexo.accounting.rules.payment_terms import Installment, TermSpec, parse_payment_days, split
from nexo.accounting.services.ledger import settings_of
from nexo.core.models import Company

CUSTOMER, SUPPLIER = "customer", "supplier"
#: (Spanish name, English name, end of month, payment days, ((days, percent or None: equal part), …))
STANDARD_TERMS = (
    ("Contado", "Cash", False, "", ((0, None),)),
    ("30 días", "30 days", False, "", ((30, None),)),
    ("60 días", "60 days", False, "", ((60, None),)),
    ("30 días fin de mes", "30 days end of month", True, "", ((30, None),)),
    ("30-60-90 días", "30-60-90 days", False, "", ((30, None), (60, None), (90, None))),
    ("50 % a 30 días, 50 % a 60 días", "50% at 30 days, 50% at 60 days", False, "",
     ((30, Decimal(50)), (60, Decimal(50)))),
    ("30 días, días de pago 5 y 20", "30 days, paid on the 5th and 20th", False, "5,20", ((30, None),)),
)  # fmt: skip
DEFAULT_TERM = "30 días"


def payment_terms_setup(company: Company) -> None:
    """The standard terms of a new company (idempotent), and "30 días" as its default."""
    with transaction.atomic():
        existing = set(PaymentTerm.objects.filter(company=company).values_list("name", flat=True))
        for name, name_en, end_of_month, payment_days, installments in STANDARD_TERMS:
            if name in existing:
                continue
            term = PaymentTerm.objects.create(
                company=company,
                name=name,
                name_en=name_en,
                end_of_month=end_of_month,
                payment_days=payment_days,
            )
            PaymentTermLine.objects.bulk_create(
                PaymentTermLine(term=term, position=position, days=days, percent=percent)
                for position, (days, percent) in enumerate(installments)
            )
        settings = settings_of(company)
        if settings.default_term_id is None:
            settings.default_term = PaymentTerm.objects.filter(company=company, name=DEFAULT_TERM).first()
            AccountingSettings.objects.filter(pk=settings.pk).update(default_term=settings.default_term)


def term_spec(term: PaymentTerm, lines=None) -> TermSpec:
    """The term as the pure rules read it (`lines`: its PaymentTermLines when already read)."""
    rows = list(lines if lines is not None else term.lines.all())
    return TermSpec(
        installments=tuple(Installment(row.days, row.percent) for row in rows) or (Installment(0),),
        end_of_month=term.end_of_month,
        payment_days=parse_payment_days(term.payment_days),
    )


def term_label(term: PaymentTerm | None, language: str = "es") -> str:
    """The term's name in a language (`es` or `en`), for documents and pages; "" without a term."""
    if term is None:
        return ""
    return (term.name_en or term.name) if language.startswith("en") else term.name


def party_terms(company: Company, party_id: int) -> tuple[PaymentTerm | None, PaymentTerm | None, int | None]:
    """(its term as customer, as supplier, its holiday month), each falling back to the company's default
    term; two queries."""
    default = settings_of(company).default_term
    own = (
        PartyAccounting.objects.select_related("customer_term", "supplier_term")
        .filter(party_id=party_id)
        .first()
    )
    if own is None:
        return default, default, None
    return own.customer_term or default, own.supplier_term or default, own.holiday_month


def term_of_party(company: Company, party_id: int, side: str = CUSTOMER) -> PaymentTerm | None:
    customer, supplier, _holiday = party_terms(company, party_id)
    return customer if side == CUSTOMER else supplier


def due_split(
    term: PaymentTerm | None, total: Decimal, start: Date, holiday_month: int | None = None
) -> list[tuple[Date, Decimal]]:
    """A document's due amounts: (due date, amount) per installment of its term (no term: all on `start`)."""
    if term is None:
        return [(start, total)]
    return split(total, start, term_spec(term), holiday_month)


__all__ = [
    "CUSTOMER",
    "DEFAULT_TERM",
    "STANDARD_TERMS",
    "SUPPLIER",
    "due_split",
    "party_terms",
    "payment_terms_setup",
    "term_label",
    "term_of_party",
    "term_spec",
]

"""The demo customers' payment terms: most pay at the company's default (30 days), a few on terms of their
own, so the demo's quotations, orders and invoices (and their due amounts) show several kinds."""

from nexo.accounting.models import PartyAccounting, PaymentTerm
from nexo.core.models import Company
from nexo.parties.models import Party

#: (the customer's index among the demo customers by name, its standard term, its holiday month)
OWN_TERMS = (
    (0, "30-60-90 días", None),
    (2, "30 días, días de pago 5 y 20", 8),  # pays on the 5th and the 20th, nothing in August
    (4, "Contado", None),
    (6, "30 días fin de mes", None),
    (8, "50 % a 30 días, 50 % a 60 días", None),
)


def demo_customer_terms(company: Company, customers: list[Party]) -> int:
    """Give some customers their own term (the standard terms accounting made); returns how many. Only the
    term and the holiday month are written: a credit limit another demo set stays."""
    terms = {term.name: term for term in PaymentTerm.objects.filter(company=company, active=True)}
    given = 0
    for index, name, holiday_month in OWN_TERMS:
        if index >= len(customers) or name not in terms:
            continue
        PartyAccounting.objects.update_or_create(
            party=customers[index], defaults={"customer_term": terms[name], "holiday_month": holiday_month}
        )
        given += 1
    return given

"""The standard payment terms of a company made by a bare fixture (accounting's set-up never ran for it)."""

from nexo.accounting.models import PaymentTerm
from nexo.accounting.services.payment_terms import payment_terms_setup
from nexo.core.models import Company


def standard_terms(company: Company) -> dict[str, PaymentTerm]:
    """The company's terms by name ("Contado", "30 días", "30-60-90 días"…), "30 días" its default."""
    payment_terms_setup(company)
    return {term.name: term for term in PaymentTerm.objects.filter(company=company)}

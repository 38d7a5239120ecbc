"""The payment term a document names: one of the company's active terms (accounting.PaymentTerm), chosen on
the quotation and carried to the order and the invoice. A term chosen before it was deactivated stays on the
document that has it, but nothing new can choose it."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from nexo.accounting.models import PaymentTerm
from nexo.accounting.services.payment_terms import term_label
from nexo.core.errors import ValidationFailed
from nexo.core.models import Company
from nexo.core.validation import MAX_ID

#: The term's name in the active language (pickers and pages; documents render in their own language).
term_name = term_label


def payment_term_of(
    company: Company | int, term_id, *, field: str = "payment_term", current_id: int | None = None
) -> PaymentTerm | None:
    """The term of that id (None for none): the company's and active, or the one the document already has
    (`current_id`); anything else is a field error on `field`. One query."""
    if term_id in (None, ""):
        return None
    try:
        pk = int(term_id)
    except (TypeError, ValueError):
        pk = 0
    found = None
    if 0 < pk <= MAX_ID:
        terms = PaymentTerm.objects.filter(company=company, pk=pk)
        found = terms.filter(Q(active=True) | Q(pk=current_id or 0)).first()
    if found is None:
        raise ValidationFailed.on(field, _("Choose an active payment term of the company."))
    return found


def terms_to_choose(company: Company, current_id: int | None = None) -> QuerySet[PaymentTerm]:
    """What a document's term picker offers: the company's active terms, and the one it has."""
    return PaymentTerm.objects.filter(Q(active=True) | Q(pk=current_id or 0), company=company).order_by(
        "name"
    )


__all__ = ["payment_term_of", "term_name", "terms_to_choose"]

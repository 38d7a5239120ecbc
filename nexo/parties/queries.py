"""Read side of parties: querysets that never cause N+1 queries."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from nexo.core.models import Company
from nexo.core.rules import fold
from nexo.parties.models import Contact, Party


def parties_of(company: Company) -> QuerySet[Party]:
    return Party.objects.filter(company=company).defer("search_text")


def party_search(word: str) -> Q:
    """A word found, regardless of case and accents, in the name, trade name, tax id, e-mail or city."""
    word = fold(word)
    condition = Q(search_text__contains=word)
    compact = "".join(ch for ch in word if ch.isalnum())
    if compact and compact != word:  # "B-12.345.674" typed the way it is printed
        condition |= Q(search_text__contains=compact)
    return condition


def party_detail(company: Company, party_id: int) -> Party:
    """A party of this company with its addresses and contacts; another company's id is a 404."""
    return get_object_or_404(
        Party.objects.filter(company=company)
        .select_related("created_by", "updated_by")
        .prefetch_related("addresses", "contacts"),
        pk=party_id,
    )


def party_counts(company: Company) -> dict[str, int]:
    """Leads, customers and suppliers of a company, in one query."""
    return Party.objects.filter(company=company, is_active=True).aggregate(
        leads=Count("pk", filter=Q(status=Party.Status.LEAD)),
        customers=Count("pk", filter=Q(status=Party.Status.CUSTOMER)),
        suppliers=Count("pk", filter=Q(is_supplier=True)),
    )


def email_address_of(party: Party) -> str:
    """Where a document for the party goes unless the sender says otherwise: its primary contact's e-mail
    (else its first contact with one), else the party's own address."""
    contact = (
        Contact.objects.filter(party_id=party.pk)
        .exclude(email="")
        .order_by("-is_primary", "name", "id")
        .values_list("email", flat=True)
        .first()
    )
    return contact or party.email

"""Read side of parties: querysets that never cause N+1 queries."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from nexo.core.models import Company
from nexo.parties.models import Address, Party


def parties_of(company: Company) -> QuerySet[Party]:
    """Parties of a company, each with the city of its default address."""
    default_city = (
        Address.objects.filter(party=OuterRef("pk")).order_by("-is_default", "id").values("city")[:1]
    )
    return Party.objects.filter(company=company).annotate(city=Subquery(default_city))


def party_search(word: str) -> Q:
    """A word found in the name, trade name, tax id, e-mail or the city of any address."""
    in_city = Exists(Address.objects.filter(party=OuterRef("pk"), city__icontains=word))
    return (
        Q(name__icontains=word)
        | Q(trade_name__icontains=word)
        | Q(tax_id__icontains=word.replace(" ", "").replace("-", ""))
        | Q(email__icontains=word)
        | in_city
    )


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

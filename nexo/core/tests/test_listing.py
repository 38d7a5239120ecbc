"""The list pattern: a sort declared newest first runs oldest first when reversed, never `--field`."""

import pytest
from django.db.models import Q
from django.test import RequestFactory

from nexo.core.listing import ListPage, Sort
from nexo.core.models import Company


@pytest.mark.django_db
def test_a_sort_declared_descending_runs_ascending_when_reversed(company, other_company):
    listing = ListPage(
        search=lambda word: Q(name__icontains=word),
        sorts={"name": Sort("Name", ("-name",))},
        default_sort="name",
    )
    factory = RequestFactory()
    newest_first = listing.apply(factory.get("/", {"sort": "name"}), Company.objects.all())
    oldest_first = listing.apply(factory.get("/", {"sort": "-name"}), Company.objects.all())
    names = sorted(Company.objects.values_list("name", flat=True))
    assert [c.name for c in oldest_first.rows] == names
    assert [c.name for c in newest_first.rows] == names[::-1]
    assert oldest_first.descending and oldest_first.sort == "name"

"""The global search: what it finds and how (case, accents, a tax id as typed, numbers), only what the user may
see and only in their company, refused input, the page, the API, the top bar's box, and one query per kind."""

import re
from datetime import date

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from nexo.conftest import ApiClient
from nexo.core.errors import ValidationFailed
from nexo.core.models import User
from nexo.crm import services as crm
from nexo.insight.services.search import search, searchable_kinds, tax_id_text
from nexo.insight.tests.factories_party360 import *  # noqa: F403
from nexo.insight.tests.factories_party360 import D, pile_of_records
from nexo.inventory.services import settings_of as inventory_settings
from nexo.invoicing.models import Invoice, SupplierInvoice
from nexo.parties.models import Party
from nexo.parties.services import party_create
from nexo.purchasing.models import PurchaseOrder

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(english):
    """Labels are asserted in English; the Spanish catalogue has its own test."""


@pytest.fixture
def supplier_documents(company, salesperson):
    """A supplier with a purchase order PC-2026-00007 and its invoice FAC-778 (ours FR-2026-000003)."""
    supplier = party_create(
        company=company, by=salesperson, name="Iluminación Levante, S.A.", is_supplier=True
    )
    order = PurchaseOrder.objects.create(
        company=company, number="PC-2026-00007", supplier=supplier, date=date(2026, 11, 4), currency="EUR",
        warehouse=inventory_settings(company).default_warehouse,
    )  # fmt: skip
    invoice = SupplierInvoice.objects.create(
        company=company, party=supplier, supplier_number="FAC-778", number="FR-2026-000003", year=2026,
        date=date(2026, 11, 6), currency="EUR",
    )  # fmt: skip
    return order, invoice


def _found(results, kind) -> list[str]:
    return [hit.title for group in results.groups if group.kind == kind for hit in group.hits]


def _ids(results, kind) -> list[int]:
    return [hit.record_id for group in results.groups if group.kind == kind for hit in group.hits]


# What it finds


def test_a_party_is_found_by_name_whatever_the_case_and_accents_and_by_its_tax_id_as_typed(
    company, story, salesperson
):
    climate = party_create(company=company, by=salesperson, name="Climatización Álvarez, S.L.")
    assert _found(search(company, None, "reformas TURIA"), "party") == ["Reformas Turia, S.L."]
    assert _ids(search(company, None, "climatizacion alvarez"), "party") == [climate.pk]
    assert _ids(search(company, None, "CLIMATIZACIÓN"), "party") == [climate.pk]
    for typed in ("B46000014", "ES B-46000014", "es-b 4600.0014", "46000014"):
        assert _ids(search(company, None, typed), "party") == [story.party.pk], typed
    assert tax_id_text("ES B-46.000.014") == "B46000014"


def test_items_opportunities_and_documents_are_found_by_their_code_title_or_number(
    company, story, supplier_documents
):
    _purchase, supplier_invoice = supplier_documents
    assert _found(search(company, None, "led-18"), "item") == ["LED-18 · Artículo LED-18"]
    assert _found(search(company, None, "artículo led"), "item") == ["LED-18 · Artículo LED-18"]
    assert _found(search(company, None, "NAVE"), "opportunity") == ["Ampliación nave"]
    assert _found(search(company, None, "reforma ofi"), "opportunity") == ["Reforma oficinas"]
    numbers = {
        "invoice": story.order_invoice.number, "quotation": story.quotation.number, "order": story.order.number,
        "delivery": story.delivery.number, "payment": story.payment.number, "purchase_order": "PC-2026-00007",
    }  # fmt: skip
    for kind, number in numbers.items():
        assert _found(search(company, None, number.lower()), kind) == [number], kind
    assert _found(search(company, None, story.credit_note.number), "invoice") == [story.credit_note.number]
    assert _found(search(company, None, "F-2026-00000"), "invoice") == [
        story.order_invoice.number, story.service_invoice.number,
    ]  # fmt: skip
    # A supplier invoice by our number or by the supplier's.
    assert _ids(search(company, None, "fac-778"), "supplier_invoice") == [supplier_invoice.pk]
    assert _found(search(company, None, "FR-2026-000003"), "supplier_invoice") == ["FR-2026-000003 (FAC-778)"]
    # Each hit says what tells it apart and links to its page.
    (group,) = [
        group for group in search(company, None, story.order_invoice.number).groups if group.kind == "invoice"
    ]
    (hit,) = group.hits
    assert hit.url == reverse("invoicing:invoice_view", args=[story.order_invoice.pk])
    assert hit.subtitle == "Reformas Turia, S.L. · 12/11/2026 · Posted"
    assert group.label == "Invoices and credit notes"


def test_each_user_finds_only_the_kinds_and_records_they_may_see(
    company, story, supplier_documents, make_user, warehouse_user, salesperson
):
    assert searchable_kinds(salesperson) == (
        "party", "item", "opportunity", "quotation", "order", "delivery", "invoice", "payment",
    )  # fmt: skip
    assert _found(search(company, salesperson, "PC-2026-00007"), "purchase_order") == []
    assert _found(search(company, warehouse_user, story.order_invoice.number), "invoice") == []
    assert _found(search(company, warehouse_user, story.order.number), "order") == [story.order.number]
    colleague = make_user("ventas2", "sales")
    crm.opportunity_create(
        company=company, by=colleague, party_id=story.party.pk, title="Nave de un colega", owner_id=colleague.pk,
        amount=D("10.00"), expected_close=date(2027, 1, 1),
    )  # fmt: skip
    assert _found(search(company, salesperson, "nave"), "opportunity") == ["Ampliación nave"]
    assert sorted(_found(search(company, colleague, "nave"), "opportunity")) == ["Nave de un colega"]
    assert len(_found(search(company, None, "nave"), "opportunity")) == 2


def test_another_companys_records_never_appear(company, other_company, story, salesperson):
    stranger = Party.objects.create(company=other_company, name="Reformas Turia, S.L.", tax_id="B46000014")
    Invoice.objects.create(
        company=other_company, party=stranger, date=date(2026, 11, 12), currency="EUR", state=Invoice.State.POSTED,
        series="F", year=2026, sequence=2, number=story.order_invoice.number, posted_at=timezone.now(),
    )  # fmt: skip
    for typed in ("Reformas Turia", "B46000014", story.order_invoice.number):
        results = search(company, salesperson, typed)
        assert stranger.pk not in _ids(results, "party"), typed
        assert _ids(results, "invoice") in ([], [story.order_invoice.pk]), typed
    assert _ids(search(company, salesperson, story.order_invoice.number), "invoice") == [
        story.order_invoice.pk
    ]


def test_a_short_text_finds_nothing_and_a_huge_or_controlled_one_is_refused(company, story):
    for typed in ("", "   ", "F", None):
        results = search(company, None, typed)
        assert (results.searched, results.groups, results.count) == (False, (), 0)
    for typed in ("x" * 10_000, "x" * 101, "F-2026\x07", "F\x00", "a\tb"):
        with pytest.raises(ValidationFailed) as refused:
            search(company, None, typed)
        assert refused.value.errors[0]["field"] == "q"
    assert search(company, None, "  reformas    turia ").text == "reformas turia"


def test_a_kind_with_more_hits_than_the_limit_links_to_its_list(company, accountant, make_user):
    manager = make_user("gerente", "manager")
    party = party_create(company=company, by=manager, name="Muchos, S.L.")
    pile_of_records(company, party, manager, 12)
    (group,) = [
        group for group in search(company, manager, "X-", limit_per_kind=8).groups if group.kind == "invoice"
    ]
    assert len(group.hits) == 8
    assert group.more_url == reverse("invoicing:invoice_list") + "?q=X-"
    (whole,) = [
        group for group in search(company, manager, "X-", limit_per_kind=20).groups if group.kind == "invoice"
    ]
    assert (len(whole.hits), whole.more_url) == (12, None)


def test_the_search_reads_one_query_per_kind_whatever_it_finds(
    company, accountant, make_user, django_assert_max_num_queries
):
    manager = make_user("gerente", "manager")
    few = party_create(company=company, by=manager, name="Pocos, S.L.")
    many = party_create(company=company, by=manager, name="Muchos, S.L.")
    pile_of_records(company, few, manager, 1)
    pile_of_records(company, many, manager, 30)
    search(company, manager, "warm-up")  # the permissions, cached on the user
    with CaptureQueriesContext(connection) as one:
        search(company, manager, f"-{few.pk}-")
    with django_assert_max_num_queries(len(one)):
        assert search(company, manager, f"-{many.pk}-").count == 5 * 8  # quotations … payments: 8 each
    assert len(one) == 10  # one per kind


# The page, the API, the top bar's box


def _page(client, **params):
    response = client.get(reverse("insight:search"), params, HTTP_ACCEPT_LANGUAGE="en")
    return response, re.sub(r"\s+", " ", response.content.decode())


def test_the_page_groups_the_hits_and_says_what_is_wrong_with_a_query(company, story, sales_client):
    response, page = _page(sales_client, q=story.order_invoice.number)
    assert response.status_code == 200
    assert re.findall(r'data-kind="(\w+)"', page) == ["invoice"]
    assert f'href="{reverse("invoicing:invoice_view", args=[story.order_invoice.pk])}"' in page
    assert 'role="search"' in page and f'value="{story.order_invoice.number}"' in page

    response, page = _page(sales_client, q="reformas")
    assert re.findall(r'data-kind="(\w+)"', page) == ["party"]

    response, page = _page(sales_client, q="x" * 10_000)
    assert response.status_code == 422 and "Type at most 100 characters." in page and 'role="alert"' in page
    response, page = _page(sales_client, q="abc\x00")
    assert response.status_code == 422 and "Type letters, digits and punctuation only." in page
    response, page = _page(sales_client, q="F")
    assert response.status_code == 200 and "Type at least 2 characters." in page
    response, page = _page(sales_client, q="zzzz-nothing")
    assert "Nothing found for “zzzz-nothing”." in page


def test_the_api_answers_the_groups_and_refuses_bad_text_with_a_problem(company, story, sales_user):
    api = ApiClient(sales_user)
    body = api.get("/insight/search", q=story.payment.number).json()
    assert (body["q"], body["searched"], body["count"]) == (story.payment.number, True, 1)
    assert body["groups"] == [{
        "kind": "payment", "label": body["groups"][0]["label"], "more_url": None,
        "hits": [{"id": story.payment.pk, "title": story.payment.number, "subtitle": body["groups"][0]["hits"][0]["subtitle"],
                  "url": reverse("payments:payment_view", args=[story.payment.pk])}],
    }]  # fmt: skip
    assert api.get("/insight/search", q="F").json() == {"q": "F", "searched": False, "count": 0, "groups": []}
    for typed in ("x" * 10_000, "F-2026\x07"):
        refused = api.get("/insight/search", q=typed)
        assert refused.status_code == 422 and refused["Content-Type"].startswith("application/problem+json")
    assert api.get("/insight/search", q="reformas", limit=0).status_code == 422


def test_the_api_never_shows_another_companys_records(company, other_company, story, make_user):
    outsider = make_user("ajeno", "manager", companies=[other_company])
    body = ApiClient(outsider).get("/insight/search", q="reformas").json()
    assert body["count"] == 0


def test_every_page_has_the_search_box_in_its_top_bar_unless_no_module_offers_a_search(
    sales_client, monkeypatch
):
    page = sales_client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    box = re.search(r'<form class="shell-search" role="search" method="get" action="([^"]+)"', page)
    assert box and box.group(1) == reverse("insight:search")
    assert 'aria-keyshortcuts="/"' in page and '<label class="visually-hidden" for="shell-search">' in page
    monkeypatch.setattr(type(apps.get_app_config("insight")), "search_url", lambda self, request: None)
    page = sales_client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "shell-search" not in page


def test_a_user_without_a_company_gets_no_box(client, roles):
    client.force_login(User.objects.create_user(username="suelto", password="secret-pass-1"))
    assert "shell-search" not in client.get(reverse("profile")).content.decode()

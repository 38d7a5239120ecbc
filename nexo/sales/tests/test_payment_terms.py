"""The payment term chosen on a quotation (the customer's own, else the company's default), carried to its
order, chosen again on a direct order, printed on the PDF in the customer's language; another company's or
an inactive term is refused wherever it is sent."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nexo.accounting.models import PartyAccounting
from nexo.conftest import ApiClient
from nexo.core.errors import ValidationFailed
from nexo.parties.services import party_create
from nexo.sales import documents, services
from nexo.sales.models import Quotation
from nexo.sales.services.direct_orders import sales_order_create
from nexo.sales.tests.terms_helpers import standard_terms
from nexo.sales.tests.test_documents import pdf_text


@pytest.fixture
def terms(company):
    return standard_terms(company)


@pytest.fixture
def boss(make_user):
    return make_user("jefa", "manager")


def _line(stocked_items) -> list[dict]:
    return [{"item_id": stocked_items["fifo"].pk, "quantity": "2"}]


def _field_of(failure: ValidationFailed) -> list[str]:
    return list(failure.field_messages())


def test_a_new_quotation_takes_the_customers_term_else_the_companys_default(company, sales_user, lead, terms):
    plain = services.quotation_create(company=company, by=sales_user, party_id=lead.pk)
    assert plain.payment_term == terms["30 días"]  # the lead has no term of its own: the company's default
    PartyAccounting.objects.create(party=lead, customer_term=terms["30-60-90 días"])
    own = services.quotation_create(company=company, by=sales_user, party_id=lead.pk)
    assert own.payment_term == terms["30-60-90 días"]
    chosen = services.quotation_create(
        company=company, by=sales_user, party_id=lead.pk, payment_term_id=terms["Contado"].pk
    )
    assert chosen.payment_term == terms["Contado"]  # chosen: the customer's is left aside
    other = party_create(company=company, by=sales_user, name="Obras Norte, S.L.")
    assert (
        services.quotation_create(company=company, by=sales_user, party_id=other.pk).payment_term
        == (terms["30 días"])
    )  # whichever party is quoted, its own term (none: the default)


def test_a_company_without_terms_quotes_without_one(company, sales_user, lead):
    assert services.quotation_create(company=company, by=sales_user, party_id=lead.pk).payment_term is None


def test_another_companys_or_an_inactive_term_is_refused_and_nothing_changes(
    company, other_company, sales_user, lead, terms
):
    foreign = standard_terms(other_company)["Contado"]
    retired = terms["60 días"]
    retired.active = False
    retired.save()
    for term_id in (foreign.pk, retired.pk, 987654, "x"):
        with pytest.raises(ValidationFailed) as refused:
            services.quotation_create(
                company=company, by=sales_user, party_id=lead.pk, payment_term_id=term_id
            )
        assert _field_of(refused.value) == ["payment_term"]
    assert not Quotation.objects.exists()
    quotation = services.quotation_create(company=company, by=sales_user, party_id=lead.pk)
    with pytest.raises(ValidationFailed):
        services.quotation_update(
            company=company, by=sales_user, quotation_id=quotation.pk, payment_term_id=foreign.pk
        )
    assert Quotation.objects.get(pk=quotation.pk).payment_term == terms["30 días"]
    # A term deactivated after it was chosen stays on the quotation that has it.
    Quotation.objects.filter(pk=quotation.pk).update(payment_term=retired)
    kept = services.quotation_update(
        company=company, by=sales_user, quotation_id=quotation.pk, payment_term_id=retired.pk, notes="Igual"
    )
    assert (kept.payment_term, kept.notes) == (retired, "Igual")


def test_the_order_of_an_accepted_quotation_keeps_its_term(company, sales_user, lead, stocked_items, terms):
    quotation = services.quotation_create(
        company=company, by=sales_user, party_id=lead.pk, lines=_line(stocked_items),
        payment_term_id=terms["50 % a 30 días, 50 % a 60 días"].pk,
    )  # fmt: skip
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    order = services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)
    assert order.payment_term == terms["50 % a 30 días, 50 % a 60 días"]
    revised = services.quotation_create(company=company, by=sales_user, party_id=lead.pk)
    assert revised.payment_term == terms["30 días"]


def test_a_direct_order_takes_the_customers_term_unless_one_is_chosen(
    company, other_company, boss, lead, stocked_items, terms
):
    PartyAccounting.objects.create(party=lead, customer_term=terms["30 días fin de mes"])
    order = sales_order_create(company=company, by=boss, party_id=lead.pk, lines=_line(stocked_items))
    assert order.payment_term == terms["30 días fin de mes"]
    chosen = sales_order_create(
        company=company,
        by=boss,
        party_id=lead.pk,
        lines=_line(stocked_items),
        payment_term_id=terms["Contado"].pk,
    )
    assert chosen.payment_term == terms["Contado"]
    with pytest.raises(ValidationFailed) as refused:
        sales_order_create(
            company=company, by=boss, party_id=lead.pk, lines=_line(stocked_items),
            payment_term_id=standard_terms(other_company)["Contado"].pk,
        )  # fmt: skip
    assert _field_of(refused.value) == ["payment_term"]


# The API


def test_the_api_round_trips_the_term_and_refuses_anothers(
    api, company, other_company, lead, stocked_items, terms, make_user
):
    created = api.post("/quotations", {"party_id": lead.pk, "lines": _line(stocked_items)})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["payment_term_id"], body["payment_term"]) == (terms["30 días"].pk, "30 días")
    assert "payment_terms" not in body
    chosen = api.patch(f"/quotations/{body['id']}", {"payment_term_id": terms["30-60-90 días"].pk}).json()
    assert (chosen["payment_term_id"], chosen["payment_term"]) == (terms["30-60-90 días"].pk, "30-60-90 días")
    foreign = standard_terms(other_company)["Contado"]
    refused = api.patch(f"/quotations/{body['id']}", {"payment_term_id": foreign.pk})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "payment_term_id"
    assert api.get(f"/quotations/{body['id']}").json()["payment_term"] == "30-60-90 días"
    cleared = api.patch(f"/quotations/{body['id']}", {"payment_term_id": None}).json()
    assert (cleared["payment_term_id"], cleared["payment_term"]) == (None, None)
    refused = api.post("/quotations", {"party_id": lead.pk, "payment_term_id": foreign.pk})
    assert refused.status_code == 422 and Quotation.objects.count() == 1

    boss = ApiClient(make_user("jefa", "manager"))
    made = boss.post(
        "/sales-orders",
        {"party_id": lead.pk, "lines": _line(stocked_items), "payment_term_id": terms["Contado"].pk},
    )
    assert made.status_code == 201, made.content
    order = made.json()
    assert (order["payment_term_id"], order["payment_term"]) == (terms["Contado"].pk, "Contado")
    assert "payment_terms" not in order
    assert boss.get(f"/sales-orders/{order['id']}").json()["payment_term"] == "Contado"
    refused = boss.post(
        "/sales-orders", {"party_id": lead.pk, "lines": _line(stocked_items), "payment_term_id": foreign.pk}
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "payment_term_id"


def test_reading_a_quotation_or_an_order_costs_no_query_for_its_term(
    api, company, lead, stocked_items, terms
):
    with_term = api.post("/quotations", {"party_id": lead.pk, "lines": _line(stocked_items)}).json()
    without = api.post("/quotations", {"party_id": lead.pk, "lines": _line(stocked_items)}).json()
    Quotation.objects.filter(pk=without["id"]).update(payment_term=None)
    api.get(f"/quotations/{without['id']}")  # warm caches (content types, the token)
    counts = []
    for quotation in (with_term, without):
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"/quotations/{quotation['id']}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# Pages


def test_the_editor_offers_the_companys_active_terms_and_refuses_others(
    sales_client, company, other_company, sales_user, lead, terms
):
    quotation = services.quotation_create(company=company, by=sales_user, party_id=lead.pk)
    retired = terms["60 días"]
    retired.active = False
    retired.save()
    page = sales_client.get(reverse("sales:quotation_view", args=[quotation.pk]))
    field = page.context["header_form"]["payment_term"]
    offered = {choice.instance.name for choice, _label in field.field.choices if choice}
    assert "30-60-90 días" in offered and "60 días" not in offered
    assert field.value() == terms["30 días"].pk
    header = {
        "date": quotation.date.isoformat(), "valid_until": quotation.valid_until.isoformat(),
        "price_list": "", "warehouse": quotation.warehouse_id, "notes": "", "document_discount": "0",
    }  # fmt: skip
    url = reverse("sales:quotation_header", args=[quotation.pk])
    foreign = standard_terms(other_company)["Contado"]
    for term_id in (foreign.pk, retired.pk):
        refused = sales_client.post(url, header | {"payment_term": term_id}, headers={"HX-Request": "true"})
        assert refused.status_code == 422
    assert Quotation.objects.get(pk=quotation.pk).payment_term == terms["30 días"]
    chosen = sales_client.post(
        url, header | {"payment_term": terms["Contado"].pk}, headers={"HX-Request": "true"}
    )
    assert chosen.status_code == 200
    assert Quotation.objects.get(pk=quotation.pk).payment_term == terms["Contado"]


def test_a_sent_quotation_and_its_order_show_the_terms_name(
    company, sales_user, make_user, lead, stocked_items, terms
):
    quotation = services.quotation_create(
        company=company, by=sales_user, party_id=lead.pk, lines=_line(stocked_items),
        payment_term_id=terms["30-60-90 días"].pk,
    )  # fmt: skip
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    reader = Client()
    reader.force_login(make_user("lector", "manager", language="en"))
    page = reader.get(reverse("sales:quotation_view", args=[quotation.pk])).content.decode()
    assert 'id="quotation-payment-term">30-60-90 days<' in page  # the page speaks its reader's language
    order = services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)
    page = reader.get(reverse("sales:order_view", args=[order.pk])).content.decode()
    assert 'id="order-payment-term">30-60-90 days<' in page


def test_the_pdf_prints_the_term_in_the_customers_language(company, sales_user, lead, terms):
    quotation = services.quotation_create(
        company=company, by=sales_user, party_id=lead.pk, payment_term_id=terms["30 días fin de mes"].pk,
        lines=[{"description": "Montaje", "quantity": "1", "unit_price": "100"}],
    )  # fmt: skip
    (spanish,) = pdf_text(documents.quotation_pdf(quotation))
    assert "forma de pago 30 días fin de mes" in " ".join(spanish.lower().split())
    (english,) = pdf_text(documents.quotation_pdf(quotation, language="en"))
    assert "payment terms 30 days end of month" in " ".join(english.lower().split())


def test_the_settings_page_names_the_default_term_and_has_no_text_for_it(company, manager_user, terms):
    client = Client()
    client.force_login(manager_user)
    page = client.get(reverse("sales:settings"))
    html = page.content.decode()
    assert page.status_code == 200 and 'name="payment_terms"' not in html
    assert "(30 days)" in html or "(30 días)" in html

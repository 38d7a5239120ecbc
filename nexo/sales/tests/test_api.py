"""Quotations and sales orders through /api/v1: created with their lines in one request, read with every
computed figure, changed line by line, sent, accepted, rejected, revised, cancelled and printed.

`lead`, `opportunity` (owned by `sales_user`) and `stocked_items` (one item per valuation method, receipts
10 @ 5.00 and 10 @ 6.00, list price 9.00, a supplier price of 7.00) come from the sales conftest.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from nexo.catalog import services as catalog_services
from nexo.catalog.models import TaxCategory
from nexo.crm import services as crm
from nexo.crm.models import Opportunity
from nexo.parties.models import Party
from nexo.parties.services import party_create
from nexo.sales import documents, services
from nexo.sales.models import Quotation, QuotationLine, SalesOrder
from nexo.sales.tests.terms_helpers import standard_terms

D = Decimal


def fields_of(response) -> set[str]:
    return {error["field"] for error in response.json()["errors"]}


def create(api, body) -> dict:
    response = api.post("/quotations", body)
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def fifo_quotation(api, opportunity, stocked_items):
    """The issue's figure: a FIFO item, 15 units at 9.00 less 10 %."""
    return create(
        api,
        {
            "opportunity_id": opportunity.pk,
            "lines": [{"item_id": stocked_items["fifo"].pk, "quantity": "15", "discount": "10"}],
        },
    )


def sent(api, quotation: dict) -> dict:
    response = api.post(f"/quotations/{quotation['id']}/send", {"email": False})
    assert response.status_code == 200, response.content
    return response.json()


# Creating and reading


def test_create_with_lines_and_read_back_every_figure(api, lead, opportunity, fifo_quotation):
    quotation = fifo_quotation
    (line,) = quotation["lines"]
    assert (line["unit_cost"], line["cost_source"]) == ("5.333333", "fifo")
    assert (line["net"], line["margin"], line["margin_percent"]) == ("121.50", "41.50", "34.16")
    assert (line["list_price"], line["unit_price"], line["price_locked"]) == ("9.000000", "9.000000", False)
    assert line["price_rule"] is None and line["price_rule_text"]  # no rule: the base price, said in words
    assert (line["quantity"], line["discount"], line["tax_rate"]) == ("15.0000", "10.00", "21.00")
    assert (line["gross_net"], line["document_discount"], line["cost"]) == ("121.50", "0.00", "80.00")
    assert (line["min_margin"], line["below_min_margin"]) == ("20.00", False)
    assert [(part["quantity"], part["unit_cost"], part["source"]) for part in line["cost_parts"]] == [
        ("10.0000", "5.000000", "fifo"),
        ("5.0000", "6.000000", "fifo"),
    ]
    assert all(part["date"] for part in line["cost_parts"])
    average = line["cost_comparison"]["average"]
    assert (average["unit_cost"], average["cost"], average["margin"]) == ("5.500000", "82.50", "39.00")
    assert set(line["cost_comparison"]) == {"average", "fifo", "last_purchase", "supplier_price"}
    assert line["cost_comparison"]["fifo"]["margin"] == "41.50"
    assert line["cost_comparison"]["supplier_price"]["unit_cost"] == "7.000000"
    assert (quotation["gross_net"], quotation["discount_amount"], quotation["net"]) == (
        "121.50",
        "0.00",
        "121.50",
    )
    assert quotation["taxes"] == [{"rate": "21.00", "base": "121.50", "tax": "25.52"}]
    assert (quotation["tax"], quotation["total"], quotation["cost"]) == ("25.52", "147.02", "80.00")
    assert (quotation["margin"], quotation["margin_percent"]) == ("41.50", "34.16")
    assert (quotation["state"], quotation["version"], quotation["currency"]) == ("draft", 1, "EUR")
    assert (quotation["party_id"], quotation["opportunity_id"]) == (lead.pk, opportunity.pk)
    assert quotation["sales_order_id"] is None and quotation["revision_of_id"] is None
    assert quotation["salesperson_username"] == "ventas" and quotation["number"].startswith("P-")
    read = api.get(f"/quotations/{quotation['id']}")
    assert read.status_code == 200 and read.json() == quotation


def test_the_rule_that_gave_the_price_is_shown(api, company, sales_user, catalog, lead, stocked_items):
    rule = catalog_services.price_rule_create(
        company=company, price_list_id=catalog.default_price_list_id, by=sales_user, scope="item",
        item_id=stocked_items["average"].pk, method="fixed", value=D("8.50"), min_quantity=D(10),
    )  # fmt: skip
    quotation = create(
        api,
        {
            "party_id": lead.pk,
            "lines": [
                {"item_id": stocked_items["average"].pk, "quantity": "12"},
                {"item_id": stocked_items["average"].pk, "quantity": "2"},
            ],
        },
    )
    bulk, few = quotation["lines"]
    assert (bulk["unit_price"], bulk["price_rule"]) == ("8.500000", rule.pk)
    assert (few["unit_price"], few["price_rule"]) == ("9.000000", None)
    assert bulk["price_rule_text"] != few["price_rule_text"]
    assert bulk["unit_cost"] == "5.500000" and bulk["cost_source"] == "average"


def test_a_price_typed_by_hand_is_locked_until_it_is_cleared(api, lead, stocked_items):
    quotation = create(
        api,
        {"party_id": lead.pk, "lines": [{"item_id": stocked_items["last_purchase"].pk, "quantity": "4", "unit_price": "8.00"}]},
    )  # fmt: skip
    (line,) = quotation["lines"]
    assert (line["unit_price"], line["list_price"], line["price_locked"]) == ("8.000000", "9.000000", True)
    assert (line["unit_cost"], line["cost_source"]) == ("6.000000", "last_purchase")
    url = f"/quotations/{quotation['id']}/lines/{line['id']}"
    changed = api.patch(url, {"quantity": "6"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["lines"][0]["unit_price"] == "8.000000"
    assert changed.json()["lines"][0]["net"] == "48.00"
    unlocked = api.patch(url, {"unit_price": None}).json()["lines"][0]
    assert (unlocked["unit_price"], unlocked["price_locked"], unlocked["net"]) == ("9.000000", False, "54.00")


def test_a_document_discount_is_spread_and_free_text_lines_have_no_cost(api, lead, stocked_items):
    quotation = create(
        api,
        {
            "party_id": lead.pk,
            "document_discount": "5",
            "notes": "Entrega en obra",
            "lines": [
                {"item_id": stocked_items["average"].pk, "quantity": "10"},
                {"description": "Transporte y montaje", "quantity": "1", "unit_price": "60"},
            ],
        },
    )
    goods, transport = quotation["lines"]
    assert (quotation["gross_net"], quotation["discount_amount"], quotation["net"]) == (
        "150.00",
        "7.50",
        "142.50",
    )
    assert (quotation["document_discount"], quotation["notes"]) == ("5.00", "Entrega en obra")
    assert (goods["document_discount"], transport["document_discount"]) == ("4.50", "3.00")
    assert (transport["item_id"], transport["unit_cost"], transport["cost"]) == (None, None, "0.00")
    assert transport["cost_comparison"] == {} and transport["cost_parts"] == []
    assert D(goods["margin"]) + D(transport["margin"]) == D(quotation["margin"])


def test_a_line_s_tax_category_is_chosen_and_shown(api, company, lead, stocked_items):
    reduced = TaxCategory.objects.get(company=company, code="reducido")
    general = TaxCategory.objects.get(company=company, code="general")
    quotation = create(api, {"party_id": lead.pk, "lines": [
        {"description": "Transporte", "quantity": "1", "unit_price": "100"},
        {"description": "Manual", "quantity": "1", "unit_price": "100", "tax_category_id": reduced.pk},
    ]})  # fmt: skip
    transport, manual = quotation["lines"]
    assert (transport["tax_category_id"], transport["tax_rate"]) == (general.pk, "21.00")
    assert (manual["tax_category_id"], manual["tax_rate"]) == (reduced.pk, "10.00")
    assert (quotation["tax"], quotation["total"]) == ("31.00", "231.00")

    url = f"/quotations/{quotation['id']}/lines/{transport['id']}"
    changed = api.patch(url, {"tax_category_id": reduced.pk})
    assert changed.status_code == 200, changed.content
    assert changed.json()["tax"] == "20.00"
    refused = api.patch(url, {"tax_category_id": 999_999})
    assert refused.status_code == 422 and fields_of(refused) == {"tax_category_id"}
    assert api.get(f"/quotations/{quotation['id']}").json()["tax"] == "20.00"


def test_an_idempotency_key_replays_the_creation(api, lead, stocked_items):
    body = {"party_id": lead.pk, "lines": [{"item_id": stocked_items["fifo"].pk, "quantity": "3"}]}
    first = api.post("/quotations", body, headers={"Idempotency-Key": "quote-1"})
    again = api.post("/quotations", body, headers={"Idempotency-Key": "quote-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert Quotation.objects.count() == 1 and QuotationLine.objects.count() == 1


def test_the_list_filters_searches_and_orders(api, company, sales_user, lead, opportunity, stocked_items):
    other = party_create(company=company, by=sales_user, name="Obras Norte, S.A.")
    mine = create(api, {"opportunity_id": opportunity.pk, "lines": [{"item_id": stocked_items["fifo"].pk, "quantity": "1"}]})  # fmt: skip
    theirs = create(api, {"party_id": other.pk, "lines": [{"description": "Visita", "quantity": "1", "unit_price": "50"}]})  # fmt: skip
    sent(api, theirs)

    def ids(**params):
        response = api.get("/quotations", **params)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert set(ids()) == {mine["id"], theirs["id"]}
    assert ids(state="sent") == [theirs["id"]]
    assert ids(party_id=lead.pk) == [mine["id"]]
    assert ids(opportunity_id=opportunity.pk) == [mine["id"]]
    assert ids(q="norte") == [theirs["id"]]
    assert ids(q=theirs["number"]) == [theirs["id"]]
    assert ids(ordering="net") == [mine["id"], theirs["id"]]
    assert ids(ordering="-net", limit=1) == [theirs["id"]]
    listed = api.get("/quotations", party_id=other.pk).json()
    assert listed["count"] == 1 and listed["items"][0]["net"] == "50.00"
    assert listed["items"][0]["party_name"] == "Obras Norte, S.A."
    assert api.get("/quotations", state="signed").status_code == 422


# Changing a draft


def test_lines_are_added_changed_and_removed_with_the_totals(api, lead, stocked_items):
    quotation = create(api, {"party_id": lead.pk, "lines": [{"item_id": stocked_items["fifo"].pk, "quantity": "5"}]})  # fmt: skip
    url = f"/quotations/{quotation['id']}/lines"
    added = api.post(url, {"item_id": stocked_items["average"].pk, "quantity": "10", "discount": "10"})
    assert added.status_code == 201, added.content
    first, second = added.json()["lines"]
    assert (second["position"], second["net"], second["unit_cost"]) == (2, "81.00", "5.500000")
    assert added.json()["net"] == "126.00"  # 45.00 + 81.00
    changed = api.patch(f"{url}/{first['id']}", {"quantity": "15", "discount": "10"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["lines"][0]["unit_cost"] == "5.333333"  # costed again for the new quantity
    assert changed.json()["net"] == "202.50"
    removed = api.delete(f"{url}/{second['id']}")
    assert removed.status_code == 200 and [line["id"] for line in removed.json()["lines"]] == [first["id"]]
    assert removed.json()["net"] == "121.50"
    assert api.delete(f"{url}/{second['id']}").status_code == 404
    bad = api.post(url, {"item_id": 987654, "quantity": "1"})
    assert bad.status_code == 422 and fields_of(bad) == {"item_id"}
    bad = api.patch(f"{url}/{first['id']}", {"description": ""})
    assert bad.status_code == 200  # an item line keeps the item's name
    assert QuotationLine.objects.count() == 1


def test_patch_changes_the_header_and_replaces_the_lines(api, company, lead, stocked_items):
    cash = standard_terms(company)["Contado"]
    quotation = create(api, {"party_id": lead.pk, "lines": [{"item_id": stocked_items["fifo"].pk, "quantity": "5"}]})  # fmt: skip
    response = api.patch(
        f"/quotations/{quotation['id']}",
        {
            "valid_until": "2099-12-31",
            "payment_term_id": cash.pk,
            "document_discount": "10",
            "lines": [
                {"item_id": stocked_items["average"].pk, "quantity": "2"},
                {"description": "Portes", "quantity": "1", "unit_price": "20"},
            ],
        },
    )
    assert response.status_code == 200, response.content
    changed = response.json()
    assert (changed["valid_until"], changed["payment_term_id"], changed["document_discount"]) == (
        "2099-12-31", cash.pk, "10.00",
    )  # fmt: skip
    assert changed["payment_term"] == "Contado" and "payment_terms" not in changed
    assert [line["description"] for line in changed["lines"]][1] == "Portes"
    assert (changed["gross_net"], changed["net"]) == ("38.00", "34.20")
    assert QuotationLine.objects.count() == 2
    for field in ("notes", "date", "warehouse_id", "lines"):
        refused = api.patch(f"/quotations/{quotation['id']}", {field: None})
        assert refused.status_code == 422 and fields_of(refused) == {field}


# Bad input: a clear 4xx naming the field, and nothing created


@pytest.fixture
def theirs(other_company, sales_user):
    return party_create(company=other_company, by=sales_user, name="Ajena, S.L.")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": [{"item_id": 987654, "quantity": "1"}]}, "lines.0.item_id"),
        ({"party_id": 987654}, "party_id"),
        ({"party_id": "theirs"}, "party_id"),
        ({"opportunity_id": 987654}, "opportunity_id"),
        ({"lines": [{"description": "x", "quantity": "0", "unit_price": "1"}]}, "lines.0.quantity"),
        ({"lines": [{"description": "x", "quantity": "-2", "unit_price": "1"}]}, "lines.0.quantity"),
        ({"lines": [{"description": "x", "quantity": 2, "unit_price": "1"}]}, "lines.0.quantity"),
        ({"lines": [{"description": "x", "quantity": "1", "unit_price": "1", "discount": "100.01"}]}, "lines.0.discount"),
        ({"lines": [{"description": "x", "quantity": "1", "unit_price": "1", "discount": "150"}]}, "lines.0.discount"),
        ({"lines": [{"quantity": "1", "unit_price": "1"}]}, "lines.0.description"),
        ({"lines": [{"description": "x", "quantity": "1"}]}, "lines.0.unit_price"),
        ({"date": "2026-05-01", "valid_until": "2026-04-01"}, "valid_until"),
        ({"document_discount": "101"}, "document_discount"),
        ({"warehouse_id": 987654}, "warehouse_id"),
        ({"price_list_id": 987654}, "price_list_id"),
        ({"salesperson_id": 987654}, "salesperson_id"),
        ({"colour": "blue"}, "colour"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field_and_creates_nothing(api, lead, stocked_items, theirs, change, field):
    body = {"party_id": lead.pk, "lines": [{"item_id": stocked_items["fifo"].pk, "quantity": "1"}]}
    body |= {key: theirs.pk if value == "theirs" else value for key, value in change.items()}
    response = api.post("/quotations", body)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert fields_of(response) == {field}
    assert response.json()["detail"]
    assert not Quotation.objects.exists() and not QuotationLine.objects.exists()


def test_a_sent_quotation_is_never_edited(api, fifo_quotation, stocked_items):
    quotation = sent(api, fifo_quotation)
    line = quotation["lines"][0]
    base = f"/quotations/{quotation['id']}"
    attempts = [
        api.patch(base, {"notes": "otra cosa"}),
        api.patch(base, {"lines": []}),
        api.post(f"{base}/lines", {"item_id": stocked_items["fifo"].pk, "quantity": "1"}),
        api.patch(f"{base}/lines/{line['id']}", {"quantity": "2"}),
        api.delete(f"{base}/lines/{line['id']}"),
        api.post(f"{base}/send", {"email": False}),
    ]
    for response in attempts:
        assert response.status_code == 409, response.content
        assert response["Content-Type"] == "application/problem+json" and response.json()["detail"]
    assert api.get(base).json() == quotation


# Actions


def test_sending_mails_the_pdf_and_accepting_wins_the_opportunity(
    api, lead, opportunity, fifo_quotation, mailoutbox
):
    quotation_id = fifo_quotation["id"]
    response = api.post(f"/quotations/{quotation_id}/send", {"message": "Adjunto el presupuesto."})
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["sent_to"]) == ("sent", "compras@turia.es")
    (message,) = mailoutbox
    assert message.body == "Adjunto el presupuesto." and message.attachments[0][1].startswith(b"%PDF")

    accepted = api.post(f"/quotations/{quotation_id}/accept")
    assert accepted.status_code == 201, accepted.content
    order = accepted.json()
    assert (order["quotation_id"], order["party_id"], order["opportunity_id"]) == (
        quotation_id, lead.pk, opportunity.pk,
    )  # fmt: skip
    assert (order["net"], order["margin"], order["cost"], order["state"]) == (
        "121.50",
        "41.50",
        "80.00",
        "confirmed",
    )
    (line,) = order["lines"]
    assert (line["unit_cost"], line["cost_source"], line["margin"]) == ("5.333333", "fifo", "41.50")
    assert line["quotation_line_id"] == fifo_quotation["lines"][0]["id"]
    opportunity.refresh_from_db()
    lead.refresh_from_db()
    assert (opportunity.status, opportunity.amount) == (Opportunity.Status.WON, D("121.50"))
    assert lead.status == Party.Status.CUSTOMER
    read = api.get(f"/quotations/{quotation_id}").json()
    assert (read["state"], read["sales_order_id"]) == ("accepted", order["id"])
    assert api.get(f"/sales-orders/{order['id']}").json() == order
    listed = api.get("/sales-orders", quotation_id=quotation_id).json()
    assert listed["count"] == 1 and listed["items"][0]["number"] == order["number"]

    again = api.post(f"/quotations/{quotation_id}/accept")
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    assert SalesOrder.objects.count() == 1
    for verb, body in [("reject", {"reason": "x"}), ("cancel", {}), ("revise", None)]:
        assert api.post(f"/quotations/{quotation_id}/{verb}", body).status_code == 409


def test_accepting_a_draft_or_a_second_quotation_of_a_won_opportunity_is_refused(
    api, opportunity, stocked_items, fifo_quotation
):
    draft = api.post(f"/quotations/{fifo_quotation['id']}/accept")
    assert draft.status_code == 409 and fifo_quotation["number"] in draft.json()["detail"]
    other = create(api, {"opportunity_id": opportunity.pk, "lines": [{"item_id": stocked_items["average"].pk, "quantity": "1"}]})  # fmt: skip
    sent(api, fifo_quotation)
    sent(api, other)
    assert api.post(f"/quotations/{other['id']}/accept").status_code == 201
    assert api.get(f"/quotations/{fifo_quotation['id']}").json()["state"] == "cancelled"  # superseded
    assert api.post(f"/quotations/{fifo_quotation['id']}/accept").status_code == 409
    assert SalesOrder.objects.count() == 1
    lone = sent(api, create(api, {"party_id": other["party_id"], "lines": [{"description": "Visita", "quantity": "1", "unit_price": "50"}]}))  # fmt: skip
    assert api.post(f"/quotations/{lone['id']}/accept").status_code == 201
    twice = api.post(f"/quotations/{lone['id']}/accept")
    assert twice.status_code == 409 and lone["number"] in twice.json()["detail"]
    assert SalesOrder.objects.count() == 2


def test_sending_needs_an_address_and_changes_nothing_without_one(api, lead, fifo_quotation, mailoutbox):
    Party.objects.filter(pk=lead.pk).update(email="")
    response = api.post(f"/quotations/{fifo_quotation['id']}/send", {})
    assert response.status_code == 422 and fields_of(response) == {"to"}
    assert api.get(f"/quotations/{fifo_quotation['id']}").json()["state"] == "draft" and not mailoutbox
    assert api.post(f"/quotations/{fifo_quotation['id']}/send", {"to": "obra@turia.es"}).status_code == 200
    assert mailoutbox[0].to == ["obra@turia.es"]


def test_rejecting_the_last_quotation_loses_the_opportunity(api, opportunity, fifo_quotation):
    sent(api, fifo_quotation)
    url = f"/quotations/{fifo_quotation['id']}/reject"
    blank = api.post(url, {"reason": "  "})
    assert blank.status_code == 422 and fields_of(blank) == {"reason"}
    assert api.post(url, {}).status_code == 422
    response = api.post(url, {"reason": "Precio alto"})
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["close_reason"]) == ("rejected", "Precio alto")
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.lost_reason) == ("lost", "Precio alto")


def test_reject_and_revise_answers_the_new_version(api, opportunity, fifo_quotation):
    sent(api, fifo_quotation)
    response = api.post(f"/quotations/{fifo_quotation['id']}/reject", {"reason": "Plazo", "revise": True})
    assert response.status_code == 200, response.content
    revision = response.json()
    assert (revision["number"], revision["version"], revision["state"]) == (
        fifo_quotation["number"],
        2,
        "draft",
    )
    assert revision["revision_of_id"] == fifo_quotation["id"]
    assert revision["lines"][0]["unit_cost"] == "5.333333" and revision["net"] == "121.50"
    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.OPEN


def test_revise_versions_and_cancel(api, fifo_quotation):
    original = sent(api, fifo_quotation)
    revised = api.post(f"/quotations/{original['id']}/revise")
    assert revised.status_code == 201, revised.content
    revision = revised.json()
    assert (revision["version"], revision["revision_of_id"], revision["state"]) == (
        2,
        original["id"],
        "draft",
    )
    assert api.get(f"/quotations/{original['id']}").json()["state"] == "superseded"
    assert api.post(f"/quotations/{original['id']}/revise").status_code == 409  # a newer version exists
    versions = api.get(f"/quotations/{revision['id']}/versions").json()
    assert versions["count"] == 2 and [item["version"] for item in versions["items"]] == [1, 2]
    assert api.get(f"/quotations/{original['id']}/versions").json() == versions
    cancelled = api.post(f"/quotations/{revision['id']}/cancel", {"reason": "Ya no interesa"})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["close_reason"] == "Ya no interesa"
    assert api.post(f"/quotations/{revision['id']}/cancel", {}).status_code == 409


# Who sees what


@pytest.fixture
def colleague(make_user):
    return make_user("colega", "sales")


def test_a_colleagues_quotation_is_not_found(
    api, api_as, colleague, manager_user, fifo_quotation, stocked_items
):
    theirs = api_as(colleague)
    base = f"/quotations/{fifo_quotation['id']}"
    assert theirs.get(base).status_code == 404
    assert theirs.get("/quotations").json()["count"] == 0
    for response in [
        theirs.patch(base, {"notes": "x"}),
        theirs.post(f"{base}/lines", {"item_id": stocked_items["fifo"].pk, "quantity": "1"}),
        theirs.patch(f"{base}/lines/{fifo_quotation['lines'][0]['id']}", {"quantity": "1"}),
        theirs.delete(f"{base}/lines/{fifo_quotation['lines'][0]['id']}"),
        theirs.post(f"{base}/send", {"email": False}),
        theirs.post(f"{base}/accept"),
        theirs.post(f"{base}/reject", {"reason": "x"}),
        theirs.post(f"{base}/revise"),
        theirs.post(f"{base}/cancel", {}),
        theirs.get(f"{base}/pdf"),
        theirs.get(f"{base}/versions"),
    ]:
        assert response.status_code == 404, response.content
    assert api.get(base).json() == fifo_quotation  # nothing changed
    assert api_as(manager_user).get(base).status_code == 200
    assert api_as(manager_user).get("/quotations").json()["count"] == 1


def test_the_owner_of_the_opportunity_sees_a_colleagues_quotation_on_it(
    api, api_as, company, colleague, opportunity, stocked_items
):
    quotation = services.quotation_create(
        company=company, by=colleague, opportunity_id=opportunity.pk,
        lines=[{"item_id": stocked_items["fifo"].pk, "quantity": "1"}],
    )  # fmt: skip
    assert api.get(f"/quotations/{quotation.pk}").status_code == 200
    assert api_as(colleague).get(f"/quotations/{quotation.pk}").status_code == 200


def test_quoting_a_colleagues_opportunity_is_refused(api_as, colleague, opportunity, stocked_items):
    response = api_as(colleague).post(
        "/quotations",
        {"opportunity_id": opportunity.pk, "lines": [{"item_id": stocked_items["fifo"].pk, "quantity": "1"}]},
    )
    assert response.status_code == 422 and fields_of(response) == {"opportunity_id"}
    assert not Quotation.objects.exists()


def test_another_companys_records_are_not_found(api, api_as, manager_user, other_company, theirs):
    quotation = services.quotation_create(
        company=other_company, by=manager_user, party_id=theirs.pk,
        lines=[{"description": "Visita", "quantity": "1", "unit_price": "50"}],
    )  # fmt: skip
    services.quotation_mark_sent(company=other_company, by=manager_user, quotation_id=quotation.pk)
    order = services.quotation_accept(company=other_company, by=manager_user, quotation_id=quotation.pk)
    manager = api_as(manager_user)  # a member of both companies, working in the first
    for client in (api, manager):
        assert client.get(f"/quotations/{quotation.pk}").status_code == 404
        assert client.get(f"/quotations/{quotation.pk}/pdf").status_code == 404
        assert client.post(f"/quotations/{quotation.pk}/cancel", {}).status_code == 404
        assert client.get(f"/sales-orders/{order.pk}").status_code == 404
        assert client.get("/sales-orders").json()["count"] == 0
    assert api_as(manager_user, other_company).get(f"/sales-orders/{order.pk}").status_code == 200


def test_roles_without_the_permission_are_refused(api_as, make_user, fifo_quotation, lead):
    warehouse = api_as(make_user("mozo", "warehouse"))
    assert warehouse.get("/quotations").status_code == 403
    assert warehouse.get(f"/quotations/{fifo_quotation['id']}").status_code == 403
    accounting = api_as(make_user("contable", "accounting"))
    assert accounting.get(f"/quotations/{fifo_quotation['id']}").status_code == 200  # reads everyone's
    refused = accounting.post("/quotations", {"party_id": lead.pk})
    assert refused.status_code == 403
    assert accounting.post(f"/quotations/{fifo_quotation['id']}/cancel", {}).status_code == 403
    assert Client().get("/api/v1/quotations").status_code == 401


# Printing


def test_the_pdf_is_a_pdf_without_costs_or_margins(api, fifo_quotation, monkeypatch):
    """pypdf is not installed here, so the check reads the HTML the PDF was printed from."""
    printed = []
    html_of = documents.quotation_html

    def recorded(quotation, **options):
        printed.append(html_of(quotation, **options))
        return printed[-1]

    monkeypatch.setattr(documents, "quotation_html", recorded)
    response = api.get(f"/quotations/{fifo_quotation['id']}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{fifo_quotation["number"]}-v1.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    (html,) = printed
    assert fifo_quotation["number"] in html and "121,50" in html  # the net, in Spanish
    # The unit cost, the cost, the margin and its %, and the average basis' cost and margin: in either notation.
    for secret in ("5,333", "5.333", "80,00", "80.00", "41,50", "41.50", "34,16", "34.16", "82,50", "39,00"):
        assert secret not in html, secret


# Queries do not grow with the lines


def test_creating_and_reading_take_the_same_queries_for_10_and_50_lines(
    api, lead, stocked_items, make_item, receive, django_assert_max_num_queries
):
    items = list(stocked_items.values())
    for n in range(12):
        item = make_item(f"N-{n}", valuation_method=("fifo", "average", "last_purchase")[n % 3])
        receive(item, 30, "4.00", date(2026, 1, 5))
        items.append(item)

    def lines(count):
        return [
            {"item_id": items[n % len(items)].pk, "quantity": str(1 + n % 25), "discount": str(n % 3)}
            | ({"unit_price": "8.75"} if n % 7 == 0 else {})
            for n in range(count)
        ]

    api.post("/quotations", {"party_id": lead.pk, "lines": lines(2)})  # warm the caches: settings, sequences
    # One bound for both sizes. On SQLite Django splits an INSERT into batches of 999 parameters (38 lines),
    # so 50 lines may take one more statement than 10; PostgreSQL inserts them in one.
    counted = {}
    for count in (10, 50):
        with django_assert_max_num_queries(40) as created:
            response = api.post("/quotations", {"party_id": lead.pk, "lines": lines(count)})
        assert response.status_code == 201 and len(response.json()["lines"]) == count
        with django_assert_max_num_queries(7) as read:
            assert len(api.get(f"/quotations/{response.json()['id']}").json()["lines"]) == count
        counted[count] = (len(created.captured_queries), len(read.captured_queries))
    assert counted[50][0] - counted[10][0] <= 1 and counted[50][1] == counted[10][1]


# The contract


def test_decimals_are_strings_in_the_schema(db):
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    line = schemas["QuotationLineOut"]["properties"]
    for name in ("unit_cost", "net", "margin", "quantity", "unit_price"):
        assert "string" in str(line[name]), name
    assert schemas["QuotationLineIn"]["properties"]["quantity"]["type"] == "string"
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert (
        "application/pdf"
        in paths["/api/v1/quotations/{quotation_id}/pdf"]["get"]["responses"]["200"]["content"]
    )
    for verb in ("send", "accept", "reject", "revise", "cancel"):
        assert f"/api/v1/quotations/{{quotation_id}}/{verb}" in paths


def test_an_opportunity_closed_meanwhile_is_a_conflict(api, company, sales_user, opportunity, stocked_items):
    crm.opportunity_lose(company=company, opportunity_id=opportunity.pk, by=sales_user, reason="Otra obra")
    response = api.post(
        "/quotations",
        {"opportunity_id": opportunity.pk, "lines": [{"item_id": stocked_items["fifo"].pk, "quantity": "1"}]},
    )
    assert response.status_code == 409 and not Quotation.objects.exists()


def test_amounts_too_large_to_store_are_refused(api, lead, stocked_items):
    huge = {"description": "Obra", "quantity": "999999999", "unit_price": "999999999"}
    response = api.post("/quotations", {"party_id": lead.pk, "lines": [huge]})
    assert response.status_code == 422 and fields_of(response) == {"lines.0.quantity"}
    quotation = create(api, {"party_id": lead.pk, "lines": [{"item_id": stocked_items["fifo"].pk, "quantity": "1"}]})  # fmt: skip
    added = api.post(f"/quotations/{quotation['id']}/lines", huge)
    assert added.status_code == 422 and fields_of(added) == {"quantity"}
    assert api.get("/quotations").json()["count"] == 1 and QuotationLine.objects.count() == 1


def test_a_margin_percent_too_large_to_store_is_refused(api, lead, make_item, receive):
    """1 unit at 0.01 of an item costing 1,500.00 would be a margin of -14,999,900 %: more than the column
    holds. It is refused by name (before, SQLite stored it and every list of quotations failed after)."""
    dear = make_item("CARO", base_price="2000.00", valuation_method="average")
    receive(dear, 5, "1500.00", date(2026, 1, 1))
    response = api.post(
        "/quotations",
        {"party_id": lead.pk, "lines": [{"item_id": dear.pk, "quantity": "1", "unit_price": "0.01"}]},
    )
    assert response.status_code == 422 and fields_of(response) == {"lines.0.unit_price"}
    free = create(
        api, {"party_id": lead.pk, "lines": [{"item_id": dear.pk, "quantity": "1", "unit_price": "0"}]}
    )
    assert free["lines"][0]["margin_percent"] is None and free["lines"][0]["below_min_margin"] is True
    assert api.get("/quotations").json()["count"] == 1


# Costs that tell the truth


def test_a_line_costed_from_fifo_and_a_supplier_price_lists_both_sources(api, opportunity, stocked_items):
    # 20 in stock (10 @ 5.00, 10 @ 6.00), 5 more at the supplier's 7.00: 145.00 for 25.
    body = create(
        api,
        {
            "opportunity_id": opportunity.pk,
            "lines": [{"item_id": stocked_items["fifo"].pk, "quantity": "25"}],
        },
    )
    line = body["lines"][0]
    assert line["cost_source"] == "fifo"
    assert line["cost_sources"] == ["fifo", "supplier_price"]
    assert [part["source"] for part in line["cost_parts"]] == ["fifo", "fifo", "supplier_price"]
    assert (
        sum(Decimal(part["value"]) for part in line["cost_parts"])
        == Decimal(line["cost"])
        == Decimal("145.00")
    )


def test_the_supplier_basis_without_a_supplier_price_has_no_cost(api, opportunity, make_item, receive):
    item = make_item("NO-SUPPLIER", base_price="9.00", valuation_method="fifo")
    receive(item, 10, "5.00")
    body = create(api, {"opportunity_id": opportunity.pk, "lines": [{"item_id": item.pk, "quantity": "2"}]})
    line = body["lines"][0]
    assert line["cost_sources"] == ["fifo"]
    supplier = line["cost_comparison"]["supplier_price"]
    assert supplier["unit_cost"] is None and supplier["cost"] is None and supplier["margin"] is None
    assert supplier["margin_percent"] is None and supplier["source"] == "none"
    assert line["cost_comparison"]["fifo"]["unit_cost"] == "5.000000"

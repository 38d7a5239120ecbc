"""The delivery notes' API: read, validate with chosen quantities and a backorder, return, cancel what an
order still has to deliver; the order's fulfilment figures; who may do what, bad input as problem+json, and
a fixed number of queries whatever the lines.

Stock (fixture `stocked_items`): each item received 10 @ 5.00 then 10 @ 6.00 (20 on hand; average 5.50)."""

import pytest
from django.utils import timezone

from nexo.conftest import ApiClient
from nexo.sales import services
from nexo.sales.models import Delivery

TODAY = timezone.localdate()
PROBLEM = "application/problem+json"


def fields_of(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


@pytest.fixture
def clerk(warehouse_user):
    return ApiClient(warehouse_user)


@pytest.fixture
def accept(company, sales_user, make_quotation):
    def make(lines):
        quotation = make_quotation(lines)
        services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
        return services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)

    return make


@pytest.fixture
def order(accept, stocked_items, make_item):
    fitting = make_item("SV-MONTAJE", base_price="40.00", kind="service")
    return accept([
        {"item_id": stocked_items["fifo"].pk, "quantity": "15"},
        {"item_id": stocked_items["average"].pk, "quantity": "30"},
        {"item_id": fitting.pk, "quantity": "1"},
    ])  # fmt: skip


@pytest.fixture
def draft(order):
    return order.deliveries.get()


def _line_ids(body) -> dict[str, int]:
    return {line["item_sku"]: line["id"] for line in body["lines"]}


def test_a_draft_reads_with_what_is_on_hand_for_each_line(clerk, draft, order):
    response = clerk.get(f"/deliveries/{draft.pk}")
    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["state"], body["kind"], body["order_number"]) == (
        f"AL-{TODAY.year}-00001",
        "draft",
        "delivery",
        order.number,
    )
    assert [
        (line["item_sku"], line["quantity"], line["available"], line["unit_cost"]) for line in body["lines"]
    ] == [
        ("Q-FIFO", "15.0000", "20.0000", None),
        ("Q-AVERAGE", "30.0000", "20.0000", None),
    ]
    listed = clerk.get("/deliveries", order_id=order.pk, state="draft", kind="delivery").json()
    assert [item["id"] for item in listed["items"]] == [draft.pk] and listed["count"] == 1
    assert clerk.get("/deliveries", state="done").json()["count"] == 0


def test_validating_part_leaves_a_backorder_and_the_order_shows_its_fulfilment(clerk, api, draft, order):
    lines = _line_ids(clerk.get(f"/deliveries/{draft.pk}").json())
    response = clerk.post(
        f"/deliveries/{draft.pk}/validate",
        {
            "lines": [
                {"line_id": lines["Q-FIFO"], "quantity": "12"},
                {"line_id": lines["Q-AVERAGE"], "quantity": "20"},
            ]
        },
    )
    assert response.status_code == 200
    body = response.json()
    # FIFO: 10 @ 5.00 + 2 @ 6.00 = 62.00; average: 20 @ 5.50 = 110.00.
    assert [
        (line["item_sku"], line["quantity"], line["unit_cost"], line["cost"])
        for line in body["delivery"]["lines"]
    ] == [
        ("Q-FIFO", "12.0000", "5.166667", "62.00"),
        ("Q-AVERAGE", "20.0000", "5.500000", "110.00"),
    ]
    assert (body["delivery"]["state"], body["delivery"]["cost"]) == ("done", "172.00")
    backorder = body["backorder"]
    assert (backorder["state"], backorder["backorder_of_id"]) == ("draft", draft.pk)
    assert [(line["item_sku"], line["quantity"]) for line in backorder["lines"]] == [
        ("Q-FIFO", "3.0000"),
        ("Q-AVERAGE", "10.0000"),
    ]
    read = api.get(f"/sales-orders/{order.pk}").json()
    assert (read["delivery_state"], read["invoice_state"]) == ("partial", "to_invoice")
    assert [(entry["number"], entry["state"], entry["kind"]) for entry in read["deliveries"]] == [
        (f"AL-{TODAY.year}-00001", "done", "delivery"),
        (f"AL-{TODAY.year}-00002", "draft", "delivery"),
    ]
    figures = [
        (line["description"], line["delivered"], line["to_deliver"], line["to_invoice"], line["cancelled"])
        for line in read["lines"]
    ]
    assert figures == [
        ("Artículo Q-FIFO", "12.0000", "3.0000", "12.0000", "0.0000"),
        ("Artículo Q-AVERAGE", "20.0000", "10.0000", "20.0000", "0.0000"),
        ("Artículo SV-MONTAJE", "0.0000", "0.0000", "1.0000", "0.0000"),
    ]


def test_a_return_comes_back_at_its_cost_and_cancel_remaining_releases_the_rest(
    clerk, api, boss_api, company, draft, order
):
    done = clerk.post(f"/deliveries/{draft.pk}/validate", {}).json()["delivery"]  # everything available
    fifo = _line_ids(done)["Q-FIFO"]
    response = clerk.post(
        f"/deliveries/{draft.pk}/return",
        {"lines": [{"line_id": fifo, "quantity": "3"}], "reason": "Rotura"},
        headers={"Idempotency-Key": "devolucion-1"},
    )
    assert response.status_code == 201
    note = response.json()
    replayed = clerk.post(
        f"/deliveries/{draft.pk}/return",
        {"lines": [{"line_id": fifo, "quantity": "3"}], "reason": "Rotura"},
        headers={"Idempotency-Key": "devolucion-1"},
    )
    assert (replayed.status_code, replayed.json()["id"]) == (201, note["id"])
    assert Delivery.objects.filter(kind="return").count() == 1
    # 15 left at 80.00 (5.333333 a unit): 3 come back at that cost.
    assert (note["kind"], note["return_of_id"], note["reason"], note["cost"]) == (
        "return",
        draft.pk,
        "Rotura",
        "16.00",
    )
    assert [(line["returned_line_id"], line["quantity"], line["unit_cost"]) for line in note["lines"]] == [
        (fifo, "3.0000", "5.333333")
    ]
    # The sales role may not validate nor take returns; it may cancel what remains of its order.
    assert (
        api.post(
            f"/deliveries/{draft.pk}/return", {"lines": [{"line_id": fifo, "quantity": "1"}], "reason": "x"}
        ).status_code
        == 403
    )
    cancelled = api.post(f"/sales-orders/{order.pk}/cancel-remaining")
    assert cancelled.status_code == 200
    body = cancelled.json()
    assert (body["state"], body["delivery_state"]) == ("confirmed", "delivered")
    average = next(line for line in body["lines"] if line["description"] == "Artículo Q-AVERAGE")
    assert (average["delivered"], average["cancelled"], average["to_deliver"]) == (
        "20.0000",
        "10.0000",
        "0.0000",
    )
    fifo_line = next(line for line in body["lines"] if line["description"] == "Artículo Q-FIFO")
    assert (fifo_line["returned"], fifo_line["to_invoice"]) == ("3.0000", "12.0000")
    again = api.post(f"/sales-orders/{order.pk}/cancel-remaining")
    assert again.status_code == 409 and again["Content-Type"] == PROBLEM
    assert Delivery.objects.filter(order=order, state="cancelled").count() == 1


@pytest.fixture
def boss_api(make_user, company):
    return ApiClient(make_user("jefa", "manager"))


def test_bad_input_is_a_problem_and_changes_nothing(clerk, api, other_company, draft, manager_user):
    lines = _line_ids(clerk.get(f"/deliveries/{draft.pk}").json())
    fifo, average = lines["Q-FIFO"], lines["Q-AVERAGE"]
    for body, status, fields in (
        ({"lines": [{"line_id": fifo, "quantity": "16"}]}, 422, ["lines.0.quantity"]),  # more than the line
        (
            {"lines": [{"line_id": average, "quantity": "0"}, {"line_id": fifo, "quantity": "-1"}]},
            422,
            ["lines.1.quantity"],
        ),
        (
            {"lines": [{"line_id": fifo, "quantity": "1"}, {"line_id": fifo, "quantity": "2"}]},
            422,
            ["lines.1.line_id"],
        ),
        ({"lines": [{"line_id": 999999, "quantity": "1"}]}, 422, ["lines.0.quantity"]),
        ({"lines": [{"line_id": fifo, "quantity": "0"}]}, 409, []),  # nothing delivered: a backorder of all
        ({"lines": [{"line_id": average, "quantity": "25"}]}, 409, []),  # 20 on hand
        ({"lines": [{"line_id": fifo, "quantity": "1"}], "surprise": True}, 422, ["surprise"]),
    ):
        response = clerk.post(f"/deliveries/{draft.pk}/validate", body)
        assert (response.status_code, response["Content-Type"]) == (status, PROBLEM), body
        if fields:
            assert fields_of(response) == fields, body
    assert api.post(f"/deliveries/{draft.pk}/validate", {}).status_code == 403  # the sales role reads only
    assert api.get(f"/deliveries/{draft.pk}").status_code == 200
    other = ApiClient(manager_user, other_company)
    assert other.get(f"/deliveries/{draft.pk}").status_code == 404
    assert other.post(f"/deliveries/{draft.pk}/validate", {}).status_code == 404
    # Its moves go with it: inventory's API refuses posting or cancelling one alone.
    move_id = draft.lines.values_list("move_id", flat=True).first()
    for action in ("done", "cancel"):
        alone = clerk.post(f"/stock-moves/{move_id}/{action}", {})
        assert alone.status_code == 409 and draft.number in alone.json()["detail"]
    draft.refresh_from_db()
    assert draft.state == "draft" and Delivery.objects.count() == 1
    assert clerk.post(f"/deliveries/{draft.pk}/validate", {}).status_code == 200
    twice = clerk.post(f"/deliveries/{draft.pk}/validate", {})
    assert twice.status_code == 409 and draft.number in twice.json()["detail"]
    refused = clerk.post(
        f"/deliveries/{draft.pk}/return", {"lines": [{"line_id": fifo, "quantity": "16"}], "reason": "x"}
    )
    assert (refused.status_code, fields_of(refused)) == (422, ["lines.0.quantity"])
    empty = clerk.post(
        f"/deliveries/{draft.pk}/return", {"lines": [{"line_id": fifo, "quantity": "1"}], "reason": " "}
    )
    assert (empty.status_code, fields_of(empty)) == (422, ["reason"])


@pytest.mark.parametrize("count", [2, 8])
def test_reading_and_validating_read_a_fixed_number_of_queries(
    clerk, accept, make_item, receive, django_assert_max_num_queries, count
):
    items = [make_item(f"N-{index}", base_price="9.00", valuation_method="average") for index in range(count)]
    for item in items:
        receive(item, 5, "4.00")
    order = accept([{"item_id": item.pk, "quantity": "5"} for item in items])
    draft = order.deliveries.get()
    with django_assert_max_num_queries(12):
        assert clerk.get(f"/deliveries/{draft.pk}").status_code == 200
    # Inventory's ledger writes the valuation entries of every move posted in one statement.
    with django_assert_max_num_queries(51) as captured:
        assert clerk.post(f"/deliveries/{draft.pk}/validate", {}).status_code == 200
    ledger = [query for query in captured.captured_queries if "inventory_valuationentry" in query["sql"]]
    assert len(ledger) == 1

"""`core.api.Endpoints` and `fields_named`: the plumbing every endpoint shares, tested on its own and
through the parties API (the first module written with it)."""

import re

import pytest
from django.test import RequestFactory
from ninja import Router, Status

from nexo.core.api import IDEMPOTENCY_NOTE, Endpoints, StrictSchema, fields_named
from nexo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

# Input schemas shaped like the modules' ones: ids named `x_id`, lines nested in a list, an optional part.


class LineIn(StrictSchema):
    item_id: int
    quantity: str
    description: str = ""


class DeliveryIn(StrictSchema):
    warehouse_id: int
    city: str = ""


class OrderIn(StrictSchema):
    party_id: int
    notes: str = ""
    lines: list[LineIn] = []
    delivery: DeliveryIn | None = None


class DuplicateLead(ValidationFailed):
    """A subclass a caller catches by name (as the CRM's duplicate party), with more than the field."""


def fields_after(schema, renames, *fields) -> list[str]:
    """The field names a service's errors on `fields` come out with."""
    with pytest.raises(ValidationFailed) as failure, fields_named(schema, renames):
        raise ValidationFailed.from_fields({field: ["Wrong."] for field in fields})
    return [error["field"] for error in failure.value.errors]


# fields_named


@pytest.mark.parametrize(
    ("service_field", "api_field"),
    [
        ("party", "party_id"),  # the schema has party_id and no party
        ("party_id", "party_id"),
        ("notes", "notes"),  # the schema's own name
        ("reason", "reason"),  # nothing to go by: unchanged
        ("lines", "lines"),
        ("lines.0.item", "lines.0.item_id"),  # nested in a list
        ("lines.12.item", "lines.12.item_id"),
        ("lines.0.quantity", "lines.0.quantity"),
        ("lines.0.unit", "lines.0.unit"),  # no unit_id in the line either
        ("delivery.warehouse", "delivery.warehouse_id"),  # nested in an optional part
        ("delivery.city", "delivery.city"),
        ("item", "item"),  # item_id is a line's, not the order's
    ],
)
def test_a_services_field_is_named_as_the_input_schema_names_it(service_field, api_field):
    assert fields_after(OrderIn, None, service_field) == [api_field]


def test_without_a_schema_nothing_is_renamed():
    assert fields_after(None, None, "party", "lines.0.item") == ["party", "lines.0.item"]


def test_explicit_renames_come_first_and_the_automatic_rule_does_the_rest():
    # A mapping, as the CRM's lost reason reported on the stage it was moving to.
    assert fields_after(OrderIn, {"reason": "stage_id"}, "reason", "party", "notes") == [
        "stage_id",
        "party_id",
        "notes",
    ]

    # A function, as a single-line body whose service speaks of the quotation's lines.
    def single_line(field: str) -> str:
        return re.sub(r"^lines\.\d+\.", "", field)

    assert fields_after(LineIn, single_line, "lines.0.item_id", "lines.0.quantity", "item") == [
        "item_id",
        "quantity",
        "item_id",  # unchanged by the function: the automatic rule applies
    ]


def test_the_exception_keeps_its_class_and_what_its_errors_carry():
    raised = DuplicateLead(
        "Reformas Turia already has this e-mail.",
        errors=[{"field": "party", "message": "Already a party.", "existing_id": 9}],
    )
    with pytest.raises(DuplicateLead) as failure, fields_named(OrderIn):
        raise raised
    assert failure.value is raised
    assert failure.value.errors == [{"field": "party_id", "message": "Already a party.", "existing_id": 9}]
    assert failure.value.detail == "Reformas Turia already has this e-mail."  # a sentence: kept


def test_a_detail_that_only_listed_the_fields_lists_the_new_names():
    with pytest.raises(ValidationFailed) as failure, fields_named(OrderIn):
        raise ValidationFailed.from_fields({"party": ["Unknown party."], "lines.0.item": ["Unknown item."]})
    expected = "party_id: Unknown party.; lines.0.item_id: Unknown item."
    assert failure.value.detail == str(failure.value) == expected

    with pytest.raises(ValidationFailed) as failure, fields_named(OrderIn):
        raise ValidationFailed.on("party", "Unknown party.")
    assert (failure.value.detail, failure.value.errors) == (
        "Unknown party.",
        [{"field": "party_id", "message": "Unknown party."}],
    )


def test_other_errors_and_success_pass_through_untouched():
    conflict = Conflict("The order is confirmed.", errors=[{"field": "party", "message": "Closed."}])
    with pytest.raises(Conflict) as failure, fields_named(OrderIn):
        raise conflict
    assert failure.value is conflict and conflict.errors == [{"field": "party", "message": "Closed."}]
    with fields_named(OrderIn):
        answer = 42
    assert answer == 42


# The decorator, called directly


@pytest.fixture
def request_of(company):
    def make(user, method="post"):
        request = getattr(RequestFactory(), method)("/api/v1/orders")
        request.user, request.company = user, company
        return request

    return make


def test_the_decorator_checks_the_permission_then_the_visibility_then_runs_the_handler(
    request_of, sales_user, warehouse_user
):
    endpoints, calls = Endpoints(Router()), []

    def visible(request, order_id):
        calls.append(("visible", order_id))
        if order_id != 1:
            raise NotFound("No such order.")

    @endpoints.patch(
        "/orders/{order_id}", None, perm="parties.change_party", visible=visible, summary="Change an order"
    )
    def order_update(request, order_id: int, payload: OrderIn):
        calls.append(("handler", order_id))
        raise ValidationFailed.on("lines.0.item", "Unknown item.")

    with pytest.raises(Forbidden):  # the warehouse role reads parties but does not change them
        order_update(request_of(warehouse_user), order_id=1, payload=None)
    assert calls == []
    with pytest.raises(NotFound):
        order_update(request_of(sales_user), order_id=2, payload=None)
    assert calls == [("visible", 2)]
    with pytest.raises(ValidationFailed) as failure:
        order_update(request_of(sales_user), order_id=1, payload=None)
    assert calls == [("visible", 2), ("visible", 1), ("handler", 1)]
    assert failure.value.errors[0]["field"] == "lines.0.item_id"  # named after the handler's payload


def test_the_decorator_reads_what_the_handler_made_and_answers_its_status(request_of, sales_user):
    endpoints = Endpoints(Router())

    @endpoints.get(
        "/orders/{order_id}",
        dict,
        perm="parties.view_party",
        read=lambda r, pk: {"id": pk},
        summary="An order",
    )
    def order_read(request, order_id: int):
        return order_id

    @endpoints.post(
        "/orders",
        dict,
        perm="parties.add_party",
        read=lambda r, pk: {"id": pk},
        idempotent=True,
        summary="New order",
    )
    def order_create(request):
        return 7

    @endpoints.delete("/orders/{order_id}", None, perm="parties.change_party", summary="Delete an order")
    def order_delete(request, order_id: int):
        return None

    assert order_read(request_of(sales_user, "get"), order_id=5) == {"id": 5}
    created = order_create(request_of(sales_user))
    assert (type(created), created.status_code, created.value) == (Status, 201, {"id": 7})
    deleted = order_delete(request_of(sales_user, "delete"), order_id=5)
    assert (deleted.status_code, deleted.value) == (204, None)


def test_visible_needs_a_record_in_the_path():
    with pytest.raises(TypeError):
        Endpoints(Router()).get(
            "/orders", None, perm="parties.view_party", visible=lambda r, pk: None, summary="Orders"
        )


# Through the parties API


def test_without_the_permission_the_answer_is_403_and_nothing_is_made(api_as, warehouse_user):
    storekeeper = api_as(warehouse_user)  # reads parties, may not add them
    response = storekeeper.post("/parties", {"name": "Reformas Turia, S.L."})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Forbidden"
    assert storekeeper.get("/parties").json()["count"] == 0


def test_another_companys_party_is_404_on_an_endpoint_that_checks_visibility(
    api, api_as, manager_user, other_company
):
    theirs = api_as(manager_user, other_company).post("/parties", {"name": "Otra Cliente, S.A."}).json()
    response = api.get(f"/parties/{theirs['id']}/history")
    assert response.status_code == 404
    assert response.json()["detail"] == "No such party."
    assert api_as(manager_user, other_company).get(f"/parties/{theirs['id']}/history").status_code == 200
    ours = api.post("/parties", {"name": "Reformas Turia, S.L."}).json()
    assert api.get(f"/parties/{ours['id']}/history").status_code == 200


def test_the_same_idempotency_key_replays_the_same_body_and_creates_nothing_new(api):
    key = {"Idempotency-Key": "alta-turia-1"}
    first = api.post("/parties", {"name": "Reformas Turia, S.L."}, headers=key)
    again = api.post("/parties", {"name": "Reformas Turia, S.L."}, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert api.get("/parties").json()["count"] == 1

    # A handler that returns the record itself: the response schema writes the stored answer.
    party_id = first.json()["id"]
    key = {"Idempotency-Key": "contacto-marta-1"}
    contact = {"name": "Marta Climent", "email": "marta@reformasturia.es"}
    first = api.post(f"/parties/{party_id}/contacts", contact, headers=key)
    again = api.post(f"/parties/{party_id}/contacts", contact, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert first.json()["name"] == "Marta Climent" and first.json()["is_primary"]
    assert [saved["id"] for saved in api.get(f"/parties/{party_id}").json()["contacts"]] == [
        first.json()["id"]
    ]


def test_deleting_answers_204_with_no_body(api):
    party = api.post("/parties", {"name": "Reformas Turia, S.L.", "contacts": [{"name": "Marta"}]}).json()
    contact_id = party["contacts"][0]["id"]
    response = api.delete(f"/parties/{party['id']}/contacts/{contact_id}")
    assert response.status_code == 204
    assert response.content == b""
    assert api.get(f"/parties/{party['id']}").json()["contacts"] == []


def test_the_openapi_document_shows_the_statuses_and_the_idempotency_note(api):
    paths = api.get("/openapi.json").json()["paths"]
    create, read = paths["/api/v1/parties"]["post"], paths["/api/v1/parties/{party_id}"]["get"]
    assert "201" in create["responses"] and "200" in read["responses"]
    assert create["description"].count(IDEMPOTENCY_NOTE) == 1
    assert IDEMPOTENCY_NOTE not in (read.get("description") or "")
    deleting = paths["/api/v1/parties/{party_id}/contacts/{contact_id}"]["delete"]
    assert "204" in deleting["responses"]

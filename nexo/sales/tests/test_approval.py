"""A manager's approval of a quotation with a line under its minimum margin, when the company asks for it
(docs/decisions/0008-quotation-approval.md): refused sending until approved, approved or refused with a
note (services, API, pages), voided by a change to the lines; and the confirmation before accepting.

`stocked_items` (sales conftest): list price 9.00, costs 5.00 then 6.00, minimum margin 20 %; a line at
5.50 is under it, one at the list price is not.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from nexo.conftest import ApiClient
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.states import state_history
from nexo.sales import services
from nexo.sales.models import Quotation, SalesOrder

CHEAP = "5.50"  # 3 units costing 5.00: a 9 % margin, under the item's 20 %


@pytest.fixture(autouse=True)
def _users_read_english(sales_user, manager_user):
    for user in (sales_user, manager_user):
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def approval_required(company):
    settings = services.settings_of(company)
    settings.margin_approval = True
    settings.save()
    return settings


@pytest.fixture
def cheap(make_quotation, stocked_items):
    return make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "3", "unit_price": CHEAP}])


@pytest.fixture
def manager_client(manager_user):
    client = Client()
    client.force_login(manager_user)
    return client


def _url(name, *args):
    return reverse(f"sales:{name}", args=args)


# Services


def test_sending_waits_for_a_manager_only_when_the_company_asks(
    company, sales_user, manager_user, cheap, make_quotation, stocked_items, approval_required
):
    assert cheap.lines.get().below_min_margin and services.awaits_approval(cheap)
    with pytest.raises(Conflict, match="a manager must approve it before it is sent"):
        services.quotation_send(company=company, by=sales_user, quotation_id=cheap.pk)
    with pytest.raises(Conflict, match="a manager must approve it"):
        services.quotation_mark_sent(company=company, by=sales_user, quotation_id=cheap.pk)
    cheap.refresh_from_db()
    assert cheap.state == "draft" and cheap.email_status == ""

    fair = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "3"}])
    assert not services.awaits_approval(fair)
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=fair.pk)

    approval_required.margin_approval = False
    approval_required.save()
    assert not services.awaits_approval(cheap)


def test_a_manager_approves_with_a_note_and_it_may_be_sent(
    company, sales_user, manager_user, cheap, approval_required, mailoutbox
):
    approved = services.quotation_approve(
        company=company, by=manager_user, quotation_id=cheap.pk, note="Cliente estratégico"
    )
    assert (approved.approval, approved.approval_by, approved.approval_note) == (
        "approved", manager_user, "Cliente estratégico",
    )  # fmt: skip
    assert approved.approval_at is not None and not services.awaits_approval(approved)
    assert [(c.from_state, c.to_state, c.by) for c in state_history(approved, "approval")] == [
        ("undecided", "approved", manager_user)
    ]
    services.quotation_send(company=company, by=sales_user, quotation_id=cheap.pk)
    assert Quotation.objects.get(pk=cheap.pk).state == "sent" and len(mailoutbox) == 1


def test_a_refusal_needs_a_note_and_keeps_it_from_being_sent(
    company, sales_user, manager_user, cheap, approval_required
):
    with pytest.raises(ValidationFailed) as missing:
        services.quotation_refuse_approval(company=company, by=manager_user, quotation_id=cheap.pk, note=" ")
    assert missing.value.errors[0]["field"] == "note"
    refused = services.quotation_refuse_approval(
        company=company, by=manager_user, quotation_id=cheap.pk, note="Sube el precio"
    )
    assert refused.approval == "refused" and services.awaits_approval(refused)
    with pytest.raises(Conflict, match="a manager refused it"):
        services.quotation_mark_sent(company=company, by=sales_user, quotation_id=cheap.pk)
    # The manager may change their mind.
    services.quotation_approve(company=company, by=manager_user, quotation_id=cheap.pk)
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=cheap.pk)


def test_a_change_to_the_lines_after_approval_needs_approval_again(
    company, sales_user, manager_user, cheap, stocked_items, approval_required
):
    services.quotation_approve(company=company, by=manager_user, quotation_id=cheap.pk)
    line = cheap.lines.get()
    # The same values again (the editor saves as one types): nothing changed, the approval holds.
    services.quotation_line_update(
        company=company, by=sales_user, quotation_id=cheap.pk, line_id=line.pk, quantity="3"
    )
    assert Quotation.objects.get(pk=cheap.pk).approval == "approved"
    services.quotation_line_update(
        company=company, by=sales_user, quotation_id=cheap.pk, line_id=line.pk, unit_price="5.10"
    )
    quotation = Quotation.objects.get(pk=cheap.pk)
    assert quotation.approval == "undecided" and services.awaits_approval(quotation)
    assert [(c.to_state, c.by) for c in state_history(quotation, "approval")] == [
        ("approved", manager_user), ("undecided", sales_user),
    ]  # fmt: skip
    with pytest.raises(Conflict):
        services.quotation_mark_sent(company=company, by=sales_user, quotation_id=cheap.pk)
    # A new line, a document discount: changes to the lines too.
    services.quotation_approve(company=company, by=manager_user, quotation_id=cheap.pk)
    services.quotation_line_add(
        company=company,
        by=sales_user,
        quotation_id=cheap.pk,
        item_id=stocked_items["average"].pk,
        quantity="1",
    )
    assert Quotation.objects.get(pk=cheap.pk).approval == "undecided"
    services.quotation_approve(company=company, by=manager_user, quotation_id=cheap.pk)
    services.quotation_update(company=company, by=sales_user, quotation_id=cheap.pk, document_discount="5")
    assert Quotation.objects.get(pk=cheap.pk).approval == "undecided"
    # Notes are not the lines.
    services.quotation_approve(company=company, by=manager_user, quotation_id=cheap.pk)
    services.quotation_update(company=company, by=sales_user, quotation_id=cheap.pk, notes="Entrega en obra")
    assert Quotation.objects.get(pk=cheap.pk).approval == "approved"


def test_only_a_draft_under_its_minimum_margin_is_decided_on(
    company, sales_user, manager_user, cheap, make_quotation, stocked_items, approval_required
):
    fair = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "3"}])
    with pytest.raises(Conflict, match="needs no approval"):
        services.quotation_approve(company=company, by=manager_user, quotation_id=fair.pk)
    services.quotation_approve(company=company, by=manager_user, quotation_id=cheap.pk)
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=cheap.pk)
    with pytest.raises(Conflict, match="only a draft is approved or refused"):
        services.quotation_refuse_approval(company=company, by=manager_user, quotation_id=cheap.pk, note="x")


def test_a_revision_starts_undecided(company, sales_user, manager_user, cheap, approval_required):
    services.quotation_approve(company=company, by=manager_user, quotation_id=cheap.pk, note="Vale")
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=cheap.pk)
    revision = services.quotation_revise(company=company, by=sales_user, quotation_id=cheap.pk)
    assert (revision.approval, revision.approval_by, revision.approval_note) == ("undecided", None, "")
    assert services.awaits_approval(revision)


def test_only_managers_have_the_permission(roles):
    holders = {group.name for group in Group.objects.filter(permissions__codename="approve_quotation")}
    assert holders == {"manager", "admin"}


# API


def test_api_approve_and_refuse(
    api, company, manager_user, sales_user, cheap, approval_required, opportunity
):
    body = api.get(f"/quotations/{cheap.pk}").json()
    assert (body["approval"], body["awaiting_approval"]) == ("undecided", True)
    refused = api.post(f"/quotations/{cheap.pk}/send", {"email": False}, headers={"Accept-Language": "en"})
    assert refused.status_code == 409
    assert "a manager must approve it" in refused.json()["detail"]
    assert api.post(f"/quotations/{cheap.pk}/approve", {}).status_code == 403  # a salesperson may not

    manager = ApiClient(manager_user, company)
    no_note = manager.post(f"/quotations/{cheap.pk}/refuse-approval", {"note": ""})
    assert no_note.status_code == 422 and no_note.json()["errors"][0]["field"] == "note"
    refusal = manager.post(f"/quotations/{cheap.pk}/refuse-approval", {"note": "Sube el precio"})
    assert refusal.status_code == 200, refusal.content
    assert (refusal.json()["approval"], refusal.json()["approval_note"]) == ("refused", "Sube el precio")
    approved = manager.post(f"/quotations/{cheap.pk}/approve", {"note": "Cliente clave"})
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert (body["approval"], body["approval_by_id"], body["awaiting_approval"]) == (
        "approved", manager_user.pk, False,
    )  # fmt: skip
    assert api.post(f"/quotations/{cheap.pk}/send", {"email": False}).status_code == 200
    assert manager.post(f"/quotations/{cheap.pk}/approve", {}).status_code == 409  # no longer a draft
    assert manager.post("/quotations/999999/approve", {}).status_code == 404


# Pages


def test_the_page_shows_the_wait_and_the_manager_decides(
    sales_client, manager_client, cheap, approval_required, manager_user
):
    page = sales_client.get(_url("quotation_view", cheap.pk)).content.decode()
    assert "Waiting for a manager's approval" in page and 'id="awaiting-approval"' in page
    assert 'id="send-toggle"' not in page and 'id="mark-sent"' not in page
    assert 'id="approve"' not in page  # the salesperson has no such button
    assert sales_client.post(_url("quotation_approve", cheap.pk)).status_code == 403

    page = manager_client.get(_url("quotation_view", cheap.pk)).content.decode()
    assert 'id="approve"' in page and 'id="refuse-approval"' in page
    refused = manager_client.post(_url("quotation_refuse_approval", cheap.pk), {"note": ""})
    assert refused.status_code == 422 and refused.context["approval_form"].errors["note"]
    response = manager_client.post(
        _url("quotation_approve", cheap.pk), {"note": "Cliente clave"}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == [f"Quotation {cheap} approved."]
    page = response.content.decode()
    assert "Approved by gerente on" in page and "Cliente clave" in page and 'id="send-toggle"' in page


def test_marking_sent_is_refused_with_a_message_on_the_page(sales_client, cheap, approval_required):
    response = sales_client.post(_url("quotation_mark_sent", cheap.pk), follow=True)
    assert any("a manager must approve it" in str(m) for m in response.context["messages"])
    assert Quotation.objects.get(pk=cheap.pk).state == "draft"


def test_accepting_on_a_page_asks_first(sales_client, company, sales_user, make_quotation, stocked_items):
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "3"}])
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    page = sales_client.get(_url("quotation_view", quotation.pk)).content.decode()
    assert f'href="{_url("quotation_accept", quotation.pk)}" id="accept"' in page
    confirm = sales_client.get(_url("quotation_accept", quotation.pk))
    text = confirm.content.decode()
    assert confirm.status_code == 200 and 'id="accept-confirm"' in text
    assert "reserves the stock of 1 line in the warehouse" in text
    assert not SalesOrder.objects.exists()  # asking changes nothing
    response = sales_client.post(_url("quotation_accept", quotation.pk))
    assert response.status_code == 302 and SalesOrder.objects.get().quotation_id == quotation.pk


def test_the_settings_page_is_for_managers(sales_client, manager_client, company):
    assert sales_client.get(_url("settings")).status_code == 403
    assert 'id="sales-settings"' not in sales_client.get(_url("quotation_list")).content.decode()
    assert 'id="sales-settings"' in manager_client.get(_url("quotation_list")).content.decode()
    page = manager_client.get(_url("settings"))
    assert page.status_code == 200 and 'name="margin_approval"' in page.content.decode()
    bad = manager_client.post(_url("settings"), {"quotation_validity_days": "0"})
    assert bad.status_code == 422 and bad.context["form"].errors["quotation_validity_days"]
    manager_client.post(
        _url("settings"),
        {"quotation_validity_days": "15", "margin_approval": "on"},
    )
    settings = services.settings_of(company)
    assert (settings.quotation_validity_days, settings.margin_approval) == (15, True)
    assert Decimal(settings.quotation_validity_days) == 15

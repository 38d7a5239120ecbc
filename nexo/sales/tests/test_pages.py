"""The quotation pages: list, quick start, the editor's live fragments, the actions, versions, orders, the
panels on party and opportunity pages; who may see what; a fixed number of queries whatever the lines."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nexo.catalog.models import Item, TaxCategory
from nexo.crm import services as crm
from nexo.crm.models import Opportunity
from nexo.inventory.models import StockMove
from nexo.parties.services import party_create
from nexo.purchasing import services as purchasing
from nexo.sales import services
from nexo.sales.models import Quotation, QuotationLine, SalesOrder
from nexo.sales.tests.terms_helpers import standard_terms

D = Decimal
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _pages_in_english(sales_user):
    """The salesperson reads the pages in English (numbers as 1,234.50), so the figures can be asserted."""
    sales_user.language = "en"
    sales_user.save(update_fields=["language"])


@pytest.fixture
def quotation(stocked_items, make_quotation):
    """FIFO 15 @ 9.00 less 10 % (cost 5.333333, margin 41.50) and average 10 @ 9.00 (cost 5.50)."""
    return make_quotation([
        {"item_id": stocked_items["fifo"].pk, "quantity": "15", "discount": "10"},
        {"item_id": stocked_items["average"].pk, "quantity": "10"},
    ])  # fmt: skip


def _lines(quotation):
    return list(quotation.lines.order_by("position"))


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


def _url(name, *args):
    return reverse(f"sales:{name}", args=args)


# The list


def test_the_list_shows_number_party_state_net_and_margin_and_filters(sales_client, quotation, company):
    response = sales_client.get(_url("quotation_list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        quotation.number in page and "v1" in page and "Reformas Turia" in page and "Reforma oficinas" in page
    )
    assert "36.17 %" in page  # margin % of the quotation: 76.50 on 211.50
    assert (
        sales_client.get(_url("quotation_list"), {"q": quotation.number})
        .context["listing"]
        .page.paginator.count
        == 1
    )
    assert (
        sales_client.get(_url("quotation_list"), {"q": "nobody"}).context["listing"].page.paginator.count == 0
    )
    assert (
        sales_client.get(_url("quotation_list"), {"state": "sent"}).context["listing"].page.paginator.count
        == 0
    )
    later = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert (
        sales_client.get(_url("quotation_list"), {"date_from": later}).context["listing"].page.paginator.count
        == 0
    )
    fragment = sales_client.get(_url("quotation_list"), {"q": quotation.number}, headers=HTMX)
    assert fragment.templates[0].name == "sales/_quotation_results.html"


def test_a_salesperson_has_no_salesperson_filter_a_manager_has(sales_client, manager_user, quotation):
    names = [f.name for f, _v in sales_client.get(_url("quotation_list")).context["listing"].filters]
    assert names == ["state", "attention"]
    manager = _client_for(manager_user)
    names = [f.name for f, _v in manager.get(_url("quotation_list")).context["listing"].filters]
    assert names == ["state", "attention", "salesperson"]


def test_the_list_reads_a_fixed_number_of_queries(
    sales_client, stocked_items, make_quotation, django_assert_max_num_queries
):
    make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "1"}])
    with django_assert_max_num_queries(12) as few:
        sales_client.get(_url("quotation_list"))
    for _index in range(12):
        make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "1"}])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(sales_client.get(_url("quotation_list")).context["listing"].rows) == 13


# Creating


def test_a_quotation_is_started_from_its_opportunity_and_opens_in_the_editor(
    sales_client, opportunity, stock
):
    url = _url("quotation_create") + f"?opportunity={opportunity.pk}"
    page = sales_client.get(url)
    assert page.status_code == 200 and "Reforma oficinas" in page.content.decode()
    response = sales_client.post(url, {"party": opportunity.party_id, "opportunity": opportunity.pk,
                                       "date": timezone.localdate().isoformat(), "valid_until": ""})  # fmt: skip
    quotation = Quotation.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("quotation_view", quotation.pk)
    assert (quotation.party_id, quotation.opportunity_id, quotation.state) == (
        opportunity.party_id,
        opportunity.pk,
        "draft",
    )


def test_a_quotation_is_started_from_a_party_with_errors_shown(sales_client, lead, stock):
    url = _url("quotation_create") + f"?party={lead.pk}"
    assert sales_client.get(url).status_code == 200
    today = timezone.localdate()
    bad = sales_client.post(url, {"party": lead.pk, "date": today.isoformat(),
                                  "valid_until": (today - timedelta(days=1)).isoformat()})  # fmt: skip
    assert bad.status_code == 422 and bad.context["form"].errors["valid_until"]
    assert not Quotation.objects.exists()
    sales_client.post(url, {"party": lead.pk, "date": today.isoformat()})
    assert Quotation.objects.get().opportunity_id is None


def test_a_colleagues_opportunity_cannot_be_quoted(make_user, opportunity, stock):
    other = _client_for(make_user("ventas2", "sales"))
    url = _url("quotation_create") + f"?opportunity={opportunity.pk}"
    assert other.get(url).status_code == 404
    response = other.post(_url("quotation_create"), {"party": opportunity.party_id, "opportunity": opportunity.pk,
                                                      "date": timezone.localdate().isoformat()})  # fmt: skip
    assert response.status_code == 422 and not Quotation.objects.exists()


# The editor


def test_the_editor_shows_lines_with_price_cost_source_and_margin(sales_client, quotation):
    response = sales_client.get(_url("quotation_view", quotation.pk))
    page = response.content.decode()
    fifo, _average = _lines(quotation)
    assert response.status_code == 200 and response.context["editable"]
    assert f'id="line-{fifo.pk}-quantity"' in page and 'value="15"' in page
    assert "5.3333" in page and "5.333333" not in page  # unit costs with 4 decimals
    assert "FIFO" in page and "Average" in page  # and their source
    assert "121.50" in page and "41.50" in page and "34.16" in page  # net, margin and margin %
    assert 'id="new-line-form"' in page and 'id="add-line"' in page and 'id="quotation-totals"' in page
    assert "Receipt" in page or "10" in page  # the cost parts


def test_changing_a_quantity_answers_with_only_that_line_and_the_totals(sales_client, quotation):
    fifo, average = _lines(quotation)
    response = sales_client.post(_url("line_update", quotation.pk, fifo.pk), {"quantity": "10"}, headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 200 and "quotationChanged" in response["HX-Trigger"]
    assert f'<tr id="line-{fifo.pk}"' in page and 'hx-swap-oob="true"' in page
    assert f'id="line-{average.pk}' not in page  # the other line is not sent again
    assert 'id="quotation-totals"' in page and 'id="lines-editor"' not in page
    fifo.refresh_from_db()
    # 10 units: all from the first FIFO layer at 5.00; 10 x 9.00 less 10 % = 81.00, margin 31.00.
    assert (fifo.quantity, fifo.unit_cost, fifo.net, fifo.margin) == (D(10), D(5), D("81.00"), D("31.00"))
    assert "81.00" in page and "31.00" in page
    quotation.refresh_from_db()
    assert quotation.net == D("171.00") and "171.00" in page


def test_a_refused_change_keeps_what_was_typed_and_shows_the_error(sales_client, quotation):
    fifo, _average = _lines(quotation)
    response = sales_client.post(_url("line_update", quotation.pk, fifo.pk), {"quantity": "-3"}, headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 422
    assert 'value="-3"' in page and 'aria-invalid="true"' in page and "greater than zero" in page
    assert 'id="quotation-totals"' not in page
    fifo.refresh_from_db()
    assert fifo.quantity == D(15)
    discount = sales_client.post(
        _url("line_update", quotation.pk, fifo.pk), {"discount": "120"}, headers=HTMX
    )
    assert discount.status_code == 422 and "between 0 and 100" in discount.content.decode()
    unknown = sales_client.post(_url("line_update", quotation.pk, fifo.pk), {"item": "NOPE"}, headers=HTMX)
    assert unknown.status_code == 422 and "NOPE" in unknown.content.decode()


def test_a_typed_price_is_locked_shown_beside_the_list_price_and_can_be_unlocked(sales_client, quotation):
    fifo, _average = _lines(quotation)
    url = _url("line_update", quotation.pk, fifo.pk)
    page = sales_client.post(url, {"unit_price": "8.5"}, headers=HTMX).content.decode()
    fifo.refresh_from_db()
    assert fifo.price_locked and fifo.unit_price == D("8.5") and fifo.list_price == D(9)
    assert "by hand" in page and "list 9.00" in page and "unlock" in page
    sales_client.post(url, {"quantity": "12"}, headers=HTMX)
    fifo.refresh_from_db()
    assert fifo.unit_price == D("8.5")  # a new quantity keeps a typed price
    page = sales_client.post(url, {"unit_price": ""}, headers=HTMX).content.decode()
    fifo.refresh_from_db()
    assert not fifo.price_locked and fifo.unit_price == D(9) and "by hand" not in page


def test_numbers_are_read_in_the_readers_language(sales_client, quotation, sales_user):
    sales_user.language = "es"
    sales_user.save()
    fifo, _average = _lines(quotation)
    page = sales_client.post(
        _url("line_update", quotation.pk, fifo.pk), {"quantity": "12,5"}, headers=HTMX
    ).content.decode()
    fifo.refresh_from_db()
    assert fifo.quantity == D("12.5") and 'value="12,5"' in page


def test_lines_are_added_by_sku_or_as_free_text_and_deleted(sales_client, quotation, stocked_items):
    url = _url("line_add", quotation.pk)
    sku = stocked_items["last_purchase"].sku
    response = sales_client.post(url, {"item": sku.lower(), "description": "", "quantity": "5", "unit_price": "",
                                       "discount": ""}, headers=HTMX)  # fmt: skip
    page = response.content.decode()
    added = quotation.lines.order_by("-position").first()
    assert response.status_code == 200 and added.item.sku == sku and not added.price_locked
    assert 'hx-swap-oob="beforeend:#line-rows"' in page and f'id="line-{added.pk}"' in page
    assert 'id="new-line"' in page and 'id="quotation-totals"' in page
    free = sales_client.post(url, {"item": "", "description": "Montaje", "quantity": "2", "unit_price": "250"},
                             headers=HTMX)  # fmt: skip
    assert free.status_code == 200
    assert quotation.lines.filter(description="Montaje", item=None, unit_price=D(250)).exists()
    bad = sales_client.post(url, {"item": "", "description": "Sin precio", "quantity": "1", "unit_price": ""},
                            headers=HTMX)  # fmt: skip
    text = bad.content.decode()
    assert bad.status_code == 422 and 'value="Sin precio"' in text and "needs a price" in text
    assert quotation.lines.count() == 4
    deleted = sales_client.post(_url("line_delete", quotation.pk, added.pk), headers=HTMX)
    assert (
        deleted.status_code == 200
        and f'id="line-{added.pk}" hx-swap-oob="delete"' in deleted.content.decode()
    )
    assert quotation.lines.count() == 3


def test_a_line_s_tax_category_is_picked_in_the_editor(sales_client, company, quotation):
    reduced = TaxCategory.objects.get(company=company, code="reducido")
    general = TaxCategory.objects.get(company=company, code="general")
    editor = sales_client.get(_url("quotation_view", quotation.pk)).content.decode()
    assert (
        'id="new-line-tax_category"' in editor
        and f'<option value="{reduced.pk}" title="IVA reducido">10 %' in editor
    )

    # A free-text line with no category chosen pays the general rate; one can be picked for the new line.
    url = _url("line_add", quotation.pk)
    sales_client.post(url, {"item": "", "description": "Transporte", "quantity": "1", "unit_price": "100",
                            "tax_category": ""}, headers=HTMX)  # fmt: skip
    sales_client.post(url, {"item": "", "description": "Manual", "quantity": "1", "unit_price": "50",
                            "tax_category": str(reduced.pk)}, headers=HTMX)  # fmt: skip
    transport = quotation.lines.get(description="Transporte")
    manual = quotation.lines.get(description="Manual")
    assert (transport.tax_category_id, transport.tax_rate) == (general.pk, D(21))
    assert (manual.tax_category_id, manual.tax_rate) == (reduced.pk, D(10))

    # Changed on the row: the rate, the row and the totals come back.
    before = Quotation.objects.get(pk=quotation.pk).tax
    response = sales_client.post(
        _url("line_update", quotation.pk, transport.pk), {"tax_category": str(reduced.pk)}, headers=HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="quotation-totals"' in page
    assert re.search(rf'<option value="{reduced.pk}" title="IVA reducido" selected>10 %', page)
    assert Quotation.objects.get(pk=quotation.pk).tax == before - D("11.00")  # 100.00 at 10 % not 21 %
    refused = sales_client.post(
        _url("line_update", quotation.pk, transport.pk), {"tax_category": "999999"}, headers=HTMX
    )
    assert refused.status_code == 422 and "Unknown tax category." in refused.content.decode()
    assert QuotationLine.objects.get(pk=transport.pk).tax_category_id == reduced.pk


def test_a_document_discount_moves_the_other_lines_figures_too(sales_client, quotation, sales_user, company):
    fifo, average = _lines(quotation)
    thirty_days = standard_terms(company)["30 días"]
    header = {"date": quotation.date.isoformat(), "valid_until": quotation.valid_until.isoformat(),
              "price_list": quotation.price_list_id or "", "warehouse": quotation.warehouse_id,
              "payment_term": thirty_days.pk, "notes": "", "document_discount": "3.33"}  # fmt: skip
    response = sales_client.post(_url("quotation_header", quotation.pk), header, headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="line-rows" hx-swap-oob="true"' in page  # every line's share moved: the lines come back
    quotation.refresh_from_db()
    assert quotation.document_discount == D("3.33") and quotation.payment_term == thirty_days
    # 3.33 % of 211.50 is 7.04, of which the average line bears 3.00; of 171.00 it is 5.69, of which 2.99:
    # one line's change moved the other's share, and only that line's figure cells come back.
    response = sales_client.post(_url("line_update", quotation.pk, fifo.pk), {"quantity": "10"}, headers=HTMX)
    page = response.content.decode()
    assert f'<td class="num col-net" id="line-{average.pk}-net" hx-swap-oob="true">' in page
    assert f'<tr id="line-{average.pk}"' not in page
    average.refresh_from_db()
    assert average.net == D("87.01") and "87.01" in page
    bad = sales_client.post(_url("quotation_header", quotation.pk), header | {"document_discount": "150"},
                            headers=HTMX)  # fmt: skip
    assert bad.status_code == 422 and 'value="150"' in bad.content.decode()


def test_the_cost_comparison_shows_every_basis_with_the_lines_net(sales_client, quotation):
    response = sales_client.get(_url("comparison", quotation.pk), headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    for text in ("Average", "FIFO", "Last purchase", "Best supplier price", "5.50", "7.00", "39.00"):
        assert text in page
    fifo_line = response.context["rows"][0]
    assert [cell["margin"] for cell in fifo_line["cells"]] == [D("39.00"), D("41.50"), D("31.50"), D("16.50")]
    assert [cell["is_used"] for cell in fifo_line["cells"]] == [False, True, False, False]


def test_the_item_picker_offers_skus_and_names(sales_client, stocked_items):
    page = sales_client.get(_url("item_options"), {"q": "fifo"}, headers=HTMX).content.decode()
    assert '<option value="Q-FIFO">' in page and "Q-AVERAGE" not in page


# Who may see and do what


def test_a_salesperson_never_sees_a_colleagues_quotation(make_user, quotation):
    other = _client_for(make_user("ventas2", "sales"))
    fifo, _average = _lines(quotation)
    assert other.get(_url("quotation_view", quotation.pk)).status_code == 404
    assert other.post(_url("line_update", quotation.pk, fifo.pk), {"quantity": "1"}).status_code == 404
    assert other.post(_url("quotation_mark_sent", quotation.pk)).status_code == 404
    assert other.get(_url("quotation_pdf", quotation.pk)).status_code == 404
    assert other.get(_url("quotation_list")).context["listing"].page.paginator.count == 0
    fifo.refresh_from_db()
    assert fifo.quantity == 15


def test_the_opportunity_owner_sees_a_colleagues_quotation_of_it(
    make_user, company, opportunity, stock, sales_user
):
    colleague = make_user("ventas2", "sales")
    crm.opportunity_update(
        company=company, opportunity_id=opportunity.pk, by=sales_user, owner_id=colleague.pk
    )
    quotation = services.quotation_create(company=company, by=sales_user, opportunity_id=opportunity.pk)
    assert _client_for(colleague).get(_url("quotation_view", quotation.pk)).status_code == 200


def test_another_companys_quotation_is_not_found(make_user, other_company, quotation, roles):
    outsider = make_user("fuera", "manager", companies=[other_company])
    client = _client_for(outsider)
    assert client.get(_url("quotation_view", quotation.pk)).status_code == 404
    assert client.get(_url("comparison", quotation.pk)).status_code == 404


def test_accounting_reads_quotations_but_changes_nothing(make_user, quotation):
    accountant = _client_for(make_user("contable", "accounting"))
    fifo, _average = _lines(quotation)
    page = accountant.get(_url("quotation_view", quotation.pk))
    assert page.status_code == 200 and not page.context["editable"]
    assert 'class="line-input' not in page.content.decode() and "mark-sent" not in page.content.decode()
    assert accountant.post(_url("line_update", quotation.pk, fifo.pk), {"quantity": "1"}).status_code == 403
    assert accountant.post(_url("quotation_mark_sent", quotation.pk)).status_code == 403
    assert accountant.get(_url("quotation_create")).status_code == 403
    assert accountant.get(_url("quotation_list")).context["listing"].page.paginator.count == 1


# Actions


def test_send_by_e_mail_then_accept_gives_the_order(sales_client, quotation, mailoutbox, opportunity):
    bad = sales_client.post(_url("quotation_send", quotation.pk), {"to": "not-an-address", "message": ""})
    assert bad.status_code == 422 and bad.context["send_form"].errors["to"]
    page = sales_client.get(_url("quotation_view", quotation.pk)).content.decode()
    assert 'value="compras@turia.es"' in page  # the party's e-mail by default
    sales_client.post(_url("quotation_send", quotation.pk), {"to": "compras@turia.es", "message": "Hola"})
    quotation.refresh_from_db()
    assert quotation.state == "sent" and mailoutbox[0].to == ["compras@turia.es"]
    sent_page = sales_client.get(_url("quotation_view", quotation.pk))
    assert not sent_page.context["editable"] and 'id="accept"' in sent_page.content.decode()
    fifo, _average = _lines(quotation)
    refused = sales_client.post(_url("line_update", quotation.pk, fifo.pk), {"quantity": "1"}, headers=HTMX)
    assert refused["HX-Refresh"] == "true"
    response = sales_client.post(_url("quotation_accept", quotation.pk))
    order = SalesOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("order_view", order.pk)
    opportunity.refresh_from_db()
    assert opportunity.status == Opportunity.Status.WON and opportunity.amount == quotation.net
    again = sales_client.post(_url("quotation_accept", quotation.pk), follow=True)
    assert any("already" in str(message) for message in again.context["messages"])
    assert SalesOrder.objects.count() == 1


def test_mark_sent_reject_and_revise(sales_client, quotation, opportunity):
    sales_client.post(_url("quotation_mark_sent", quotation.pk))
    quotation.refresh_from_db()
    assert quotation.state == "sent"
    bad = sales_client.post(_url("quotation_reject", quotation.pk), {"reason": ""})
    assert bad.status_code == 422 and bad.context["show_reject"]
    response = sales_client.post(_url("quotation_reject", quotation.pk), {"reason": "Caro", "revise": "on"})
    revision = Quotation.objects.get(number=quotation.number, version=2)
    assert response["Location"] == _url("quotation_view", revision.pk)
    assert revision.state == "draft" and Quotation.objects.get(pk=quotation.pk).state == "rejected"
    opportunity.refresh_from_db()
    assert opportunity.status == "open"
    page = sales_client.get(_url("quotation_view", revision.pk)).content.decode()
    assert "v2" in page and _url("quotation_compare", revision.pk) in page


def test_reject_without_revising_loses_the_opportunity(sales_client, quotation, opportunity):
    sales_client.post(_url("quotation_mark_sent", quotation.pk))
    sales_client.post(_url("quotation_reject", quotation.pk), {"reason": "Se van con otro"})
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.lost_reason) == ("lost", "Se van con otro")


def test_accepting_a_draft_is_refused_with_a_message(sales_client, quotation):
    response = sales_client.post(_url("quotation_accept", quotation.pk), follow=True)
    assert any("draft" in str(message) for message in response.context["messages"])
    assert not SalesOrder.objects.exists()


def test_revise_and_cancel(sales_client, quotation):
    sales_client.post(_url("quotation_revise", quotation.pk))
    revision = Quotation.objects.get(version=2)
    assert Quotation.objects.get(pk=quotation.pk).state == "superseded"
    sales_client.post(_url("quotation_cancel", revision.pk), {"reason": "Duplicado"})
    revision.refresh_from_db()
    assert (revision.state, revision.close_reason) == ("cancelled", "Duplicado")
    page = sales_client.get(_url("quotation_view", revision.pk)).content.decode()
    assert "Duplicado" in page and 'id="revise"' in page


def test_the_pdf_downloads(sales_client, quotation):
    response = sales_client.get(_url("quotation_pdf", quotation.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        response.content.startswith(b"%PDF")
        and f"{quotation.number}-v1.pdf" in response["Content-Disposition"]
    )


def test_two_versions_are_compared_line_by_line(sales_client, quotation, company, sales_user, stocked_items):
    revision = services.quotation_revise(company=company, by=sales_user, quotation_id=quotation.pk)
    fifo, average = _lines(revision)
    services.quotation_line_update(company=company, by=sales_user, quotation_id=revision.pk, line_id=fifo.pk,
                                   quantity="20")  # fmt: skip
    services.quotation_line_delete(
        company=company, by=sales_user, quotation_id=revision.pk, line_id=average.pk
    )
    services.quotation_line_add(company=company, by=sales_user, quotation_id=revision.pk,
                                item_id=stocked_items["last_purchase"].pk, quantity="3")  # fmt: skip
    response = sales_client.get(_url("quotation_compare", revision.pk))
    assert response.status_code == 200
    assert [row.change for row in response.context["rows"]] == ["changed", "added", "removed"]
    assert response.context["rows"][0].changed == {"quantity", "gross_net"}
    assert response.context["counts"] == {"added": 1, "removed": 1, "changed": 1}
    page = response.content.decode()
    assert "<del>15</del> → <ins>20</ins>" in page


# Orders and panels


def test_the_order_shows_quoted_costs_and_links_back(
    sales_client, quotation, company, sales_user, opportunity, warehouse_user
):
    services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    order = services.quotation_accept(company=company, by=sales_user, quotation_id=quotation.pk)
    listing = sales_client.get(_url("order_list"))
    assert listing.status_code == 200 and order.number in listing.content.decode()
    page = sales_client.get(_url("order_view", order.pk)).content.decode()
    assert "5.3333" in page and "5.333333" not in page and "41.50" in page and "34.16" in page
    assert _url("quotation_view", quotation.pk) in page
    assert reverse("crm:opportunity_view", args=[opportunity.pk]) in page
    warehouse = _client_for(warehouse_user)
    assert warehouse.get(_url("order_view", order.pk)).status_code == 200
    assert warehouse.get(_url("quotation_view", quotation.pk)).status_code == 403
    # Its stocked lines are reserved on its draft delivery note: the order links to those planned
    # deliveries (their moves name the order beside the delivery note), which list them.
    reservations = f"{reverse('inventory:move_list')}?q={order.number}&amp;origin=delivery"
    assert f'href="{reservations}"' in page
    moves = warehouse.get(reservations.replace("&amp;", "&")).content.decode()
    (delivery,) = order.deliveries.all()
    planned = StockMove.objects.filter(origin_type="delivery", origin_id=delivery.pk, state="draft")
    assert planned.count() == 2  # the FIFO and the average line
    for move in planned:
        assert reverse("inventory:move_view", args=[move.pk]) in moves


def test_the_opportunity_page_lists_its_quotations_and_starts_a_new_one(sales_client, quotation, opportunity):
    page = sales_client.get(reverse("crm:opportunity_view", args=[opportunity.pk])).content.decode()
    assert 'id="opportunity-quotations"' in page and quotation.number in page
    assert f"{_url('quotation_create')}?opportunity={opportunity.pk}" in page


def test_the_party_page_lists_its_quotations(sales_client, quotation, lead):
    page = sales_client.get(reverse("parties:party_view", args=[lead.pk])).content.decode()
    assert 'id="party-sales"' in page and quotation.number in page
    assert f"{_url('quotation_create')}?party={lead.pk}" in page


# A fixed number of queries, whatever the number of lines


@pytest.fixture
def many_items(company, make_item, receive):
    items = []
    for index in range(8):
        item = make_item(
            f"M-{index:02d}", base_price="10.00", valuation_method=("fifo", "average")[index % 2]
        )
        receive(item, 50, "4.00", date(2026, 1, 1))
        items.append(item)
    return items


def _quotation_of(make_quotation, items, count):
    return make_quotation(
        [{"item_id": items[n % len(items)].pk, "quantity": str(1 + n % 7)} for n in range(count)]
    )


def test_the_editor_reads_the_same_queries_for_5_and_40_lines(
    sales_client, make_quotation, many_items, django_assert_max_num_queries
):
    small = _quotation_of(make_quotation, many_items, 5)
    big = _quotation_of(make_quotation, many_items, 40)
    sales_client.get(_url("quotation_view", small.pk))  # warm caches (content types, session)
    with django_assert_max_num_queries(21) as small_queries:  # 20, and the payment term picker's options
        assert sales_client.get(_url("quotation_view", small.pk)).status_code == 200
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        assert sales_client.get(_url("quotation_view", big.pk)).status_code == 200


def test_a_line_update_reads_the_same_queries_for_5_and_40_lines(
    sales_client, make_quotation, many_items, django_assert_max_num_queries
):
    small = _quotation_of(make_quotation, many_items, 5)
    big = _quotation_of(make_quotation, many_items, 40)

    def change(quotation, quantity):
        line = quotation.lines.order_by("position").first()
        response = sales_client.post(
            _url("line_update", quotation.pk, line.pk), {"quantity": quantity}, headers=HTMX
        )
        assert response.status_code == 200

    change(small, "9")  # warm caches (content types, session)
    with django_assert_max_num_queries(30) as small_queries:
        change(small, "8")  # a new quantity: priced and costed again
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        change(big, "8")


def test_no_item_of_another_company_can_be_quoted(sales_client, quotation, other_company, roles):
    from nexo.catalog import services as catalog_services

    catalog_services.catalog_setup(company=other_company)
    assert not Item.objects.filter(company=other_company).exists()
    fifo, _average = _lines(quotation)
    response = sales_client.post(
        _url("line_update", quotation.pk, fifo.pk), {"item": "NOT-OURS"}, headers=HTMX
    )
    assert response.status_code == 422
    assert re.search(r"NOT-OURS", response.content.decode())
    assert QuotationLine.objects.get(pk=fifo.pk).item_id == fifo.item_id


def test_a_lead_party_is_made_customer_on_acceptance_visible_on_its_page(
    sales_client, company, sales_user, stock
):
    party = party_create(company=company, by=sales_user, name="Nueva, S.L.")
    quotation = services.quotation_create(
        company=company, by=sales_user, party_id=party.pk, lines=[{"description": "Servicio", "quantity": "1",
                                                                    "unit_price": "100"}]
    )  # fmt: skip
    sales_client.post(_url("quotation_mark_sent", quotation.pk))
    sales_client.post(_url("quotation_accept", quotation.pk))
    party.refresh_from_db()
    assert party.status == "customer"


# Costs that tell the truth


def test_a_line_partly_from_stock_says_fifo_and_supplier_and_its_detail_adds_up(
    sales_client, stocked_items, make_quotation
):
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "25"}])  # 20 in stock
    page = sales_client.get(_url("quotation_view", quotation.pk)).content.decode()
    assert "FIFO + Supplier price" in page and "FIFO+SUPP" in page
    assert "5.8000" in page  # 145.00 / 25, with 4 decimals
    assert "€50.00" in page and "€60.00" in page and "€35.00" in page and "€145.00" in page  # parts, line
    comparison = sales_client.get(_url("comparison", quotation.pk), headers=HTMX)
    cells = comparison.context["rows"][0]["cells"]
    assert [cell["is_used"] for cell in cells] == [False, True, False, False]
    assert cells[1]["source"] == "FIFO + Supplier price" and cells[1]["cost"] == "5.8000"


def test_with_no_stock_only_the_supplier_basis_is_marked_used(
    sales_client, make_item, make_quotation, company, sales_user
):
    item = make_item("NO-STOCK", base_price="9.00", valuation_method="fifo")
    supplier = party_create(company=company, by=sales_user, name="Proveedor Dos", is_supplier=True)
    purchasing.supplier_price_create(
        company=company, by=sales_user, item_id=item.pk, supplier_id=supplier.pk, unit_price=D("4.00")
    )
    quotation = make_quotation([{"item_id": item.pk, "quantity": "3"}])
    cells = sales_client.get(_url("comparison", quotation.pk), headers=HTMX).context["rows"][0]["cells"]
    assert [cell["cost"] for cell in cells] == ["4.0000"] * 4  # every basis falls back to the supplier
    assert [cell["is_used"] for cell in cells] == [False, False, False, True]


def test_the_supplier_basis_without_a_price_says_no_price(sales_client, make_item, receive, make_quotation):
    item = make_item("NO-SUPPLIER", base_price="9.00", valuation_method="fifo")
    receive(item, 10, "5.00")
    quotation = make_quotation([{"item_id": item.pk, "quantity": "2"}])
    response = sales_client.get(_url("comparison", quotation.pk), headers=HTMX)
    supplier = response.context["rows"][0]["cells"][3]
    assert supplier["no_price"] and supplier["margin"] is None and not supplier["is_used"]
    assert "no price" in response.content.decode()
    assert "100.00 %" not in response.content.decode()


# The editor explains itself


def test_each_line_shows_its_price_rule_its_stock_available_and_a_keyboard_cost_detail(
    sales_client, quotation, stocked_items, company, sales_user
):
    supplier = party_create(company=company, by=sales_user, name="Proveedor Tres", is_supplier=True)
    order = purchasing.purchase_order_create(
        company=company, by=sales_user, supplier_id=supplier.pk,
        lines=[{"item_id": stocked_items["fifo"].pk, "quantity": D("7"), "unit_price": D("5.00")}],
    )  # fmt: skip
    purchasing.purchase_order_confirm(company=company, by=sales_user, order_id=order.pk)
    page = sales_client.get(_url("quotation_view", quotation.pk)).content.decode()
    fifo, average = _lines(quotation)
    assert fifo.price_rule_text and f'<div class="rule-note" id="line-{fifo.pk}-rule">' in page
    assert fifo.price_rule_text in page.split(f'id="line-{fifo.pk}-rule">')[1].split("</div>")[0]
    # 20 on hand, nothing reserved, 7 on order: 27 available for the FIFO item, 20 for the average one.
    assert re.search(rf'id="line-{fifo.pk}-available"[^>]*>avail\. 27 · <span class="on-order">\+7 on order</span><', page)
    assert re.search(rf'id="line-{average.pk}-available"[^>]*>avail\. 20<', page)
    # Reachable by keyboard, its name its visible text (the figure and basis) and then what it opens.
    assert 'summary tabindex="-1"' not in page and '<details class="cost-detail"><summary><span class="cost-value">' in page


def test_a_short_line_is_flagged_and_a_change_keeps_the_availability(sales_client, quotation):
    fifo, _average = _lines(quotation)
    response = sales_client.post(_url("line_update", quotation.pk, fifo.pk), {"quantity": "30"}, headers=HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(rf'class="stock-note is-short" id="line-{fifo.pk}-available"[^>]*>avail\. 20<', page)


def test_the_lines_net_is_before_the_document_discount_shown_in_the_totals(
    sales_client, quotation, company, sales_user
):
    services.quotation_update(
        company=company, by=sales_user, quotation_id=quotation.pk, document_discount=D("5")
    )
    fifo, _average = _lines(quotation)
    page = sales_client.get(_url("quotation_view", quotation.pk)).content.decode()
    cell = page.split(f'id="line-{fifo.pk}-net">')[1].split("</td>")[0]
    assert cell.startswith("€121.50")  # 15 x 9.00 less 10 %, the line's own net
    assert f"after disc. €{fifo.net}" in cell and fifo.net != D("121.50")
    assert "Discount 5 %" in page and 'id="total-discount"' in page


def test_a_line_change_updates_the_versions_panel(sales_client, quotation):
    fifo, _average = _lines(quotation)
    page = sales_client.get(_url("quotation_view", quotation.pk)).content.decode()
    assert f'<span class="num" id="version-{quotation.pk}-net">€211.50</span>' in page
    response = sales_client.post(_url("line_update", quotation.pk, fifo.pk), {"quantity": "10"}, headers=HTMX)
    quotation.refresh_from_db()
    assert (
        f'<span class="num" id="version-{quotation.pk}-net" hx-swap-oob="true">€{quotation.net}</span>'
        in response.content.decode()
    )


def test_clearing_a_hand_price_answers_the_list_price(sales_client, quotation):
    fifo, _average = _lines(quotation)
    sales_client.post(_url("line_update", quotation.pk, fifo.pk), {"unit_price": "8"}, headers=HTMX)
    response = sales_client.post(_url("line_update", quotation.pk, fifo.pk), {"unit_price": ""}, headers=HTMX)
    page = response.content.decode()
    fifo.refresh_from_db()
    assert not fifo.price_locked and fifo.unit_price == D("9.00")
    assert f'id="line-{fifo.pk}-unit_price" name="unit_price" value="9.00"' in page

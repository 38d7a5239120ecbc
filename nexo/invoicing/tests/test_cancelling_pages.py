"""Cancelling a posted invoice from its page, through POST /api/v1/invoices/{id}/cancel, and what the page,
the list and the PDF show of a cancelled invoice."""

import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from nexo.conftest import ApiClient
from nexo.invoicing import documents, services
from nexo.invoicing.models import Invoice
from nexo.invoicing.tests.customer_invoices import *  # noqa: F403 (the fixtures)
from nexo.invoicing.tests.customer_invoices import D
from nexo.sales.models import SalesOrderLine

REASON = "Emitida dos veces"


@pytest.fixture
def posted(hand_invoice, post):
    """F-2026-000001: 2 x 50.00 at 21 % and 1 x 10.00 at 10 %, total 132.00."""
    return post(hand_invoice([("2", "50.00", "21"), ("1", "10.00", "10")]))


@pytest.fixture
def accountant_client(accountant):
    accountant.language = "en"  # the pages in English: their messages are asserted so
    accountant.save(update_fields=["language"])
    client = Client()
    client.force_login(accountant)
    return client


def page_of(client, invoice) -> str:
    response = client.get(reverse("invoicing:invoice_view", args=[invoice.pk]))
    assert response.status_code == 200
    return response.content.decode()


def cancel_on_page(client, invoice, **fields):
    return client.post(reverse("invoicing:invoice_cancel", args=[invoice.pk]), fields, follow=True)


# The page


def test_the_accountant_cancels_an_invoice_on_its_page_and_the_page_shows_when_by_whom_and_why(
    accountant_client, posted
):
    page = page_of(accountant_client, posted)
    assert 'id="cancel-toggle"' in page and "Cancel invoice" in page and 'id="cancel-form"' in page

    response = cancel_on_page(accountant_client, posted, reason=REASON, confirm="on")

    assert response.redirect_chain[-1][0] == reverse("invoicing:invoice_view", args=[posted.pk])
    page = response.content.decode()
    assert "Invoice F-2026-000001 cancelled." in page
    assert (
        'data-state="cancelled"' in page
        and '<span class="badge badge-invoice-cancelled">Cancelled</span>' in page
    )
    assert re.search(
        r'id="cancellation">Cancelled on .+ by contable\. Reason: <span id="cancel-reason">', page
    )
    assert f'<span id="cancel-reason">{REASON}</span>' in page
    assert 'id="reversal-entry"' in page and 'id="cancelled-at"' in page
    # Nothing more to do with it: no second cancellation, no credit note, no e-mail.
    assert 'id="cancel-toggle"' not in page and 'id="create-credit-note"' not in page
    assert 'id="send-toggle"' not in page
    assert Invoice.objects.get(pk=posted.pk).state == "cancelled"


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({}, ["Say why the invoice is cancelled.", "Tick the box to confirm the cancellation."]),
        ({"reason": REASON}, ["Tick the box to confirm the cancellation."]),
        ({"reason": "   ", "confirm": "on"}, ["Say why the invoice is cancelled."]),
        ({"reason": "x" * 501, "confirm": "on"}, ["Ensure this value has at most 500 characters"]),
    ],
)
def test_a_missing_reason_or_confirmation_is_a_form_error_and_nothing_changes(
    accountant_client, posted, fields, errors
):
    response = accountant_client.post(reverse("invoicing:invoice_cancel", args=[posted.pk]), fields)
    assert response.status_code == 422
    page = response.content.decode()
    assert '<details class="popover-form cancel-form" open>' in page
    for error in errors:
        assert error in page
    assert Invoice.objects.get(pk=posted.pk).state == "posted"


def test_a_refusal_of_the_service_is_shown_as_a_message(company, accountant, accountant_client, posted, post):
    note = services.credit_note_create(company=company, by=accountant, invoice_id=posted.pk, reason="Rebaja")
    post(note)
    response = cancel_on_page(accountant_client, posted, reason=REASON, confirm="on")
    page = response.content.decode()
    assert "Credit note R-2026-000001 corrects invoice F-2026-000001: cancel the credit note first." in page
    assert Invoice.objects.get(pk=posted.pk).state == "posted"


def test_the_sales_role_reads_the_invoice_but_cannot_cancel_it(sales_client, posted):
    page = page_of(sales_client, posted)
    assert 'id="cancel-toggle"' not in page
    response = sales_client.post(
        reverse("invoicing:invoice_cancel", args=[posted.pk]), {"reason": REASON, "confirm": "on"}
    )
    assert response.status_code == 403
    assert Invoice.objects.get(pk=posted.pk).state == "posted"


def test_the_page_speaks_spanish(company, accountant, make_user, posted, hand_invoice, post):
    reader = Client()
    reader.force_login(make_user("contable-es", "accounting", language="es"))
    assert "Anular factura" in page_of(reader, posted) and "¿Por qué se anula?" in page_of(reader, posted)
    services.invoice_cancel(company=company, by=accountant, invoice_id=posted.pk, reason=REASON)
    page = page_of(reader, posted)
    assert '<span class="badge badge-invoice-cancelled">Anulada</span>' in page
    assert re.search(r'id="cancellation">Anulada el .+ por contable\. Motivo: ', page)


def test_a_draft_offers_no_cancellation(accountant_client, hand_invoice):
    draft = hand_invoice([("1", "10.00", "21")])
    assert 'id="cancel-toggle"' not in page_of(accountant_client, draft)


def test_the_list_filters_and_marks_cancelled_invoices(
    company, accountant, accountant_client, posted, hand_invoice
):
    services.invoice_cancel(company=company, by=accountant, invoice_id=posted.pk, reason=REASON)
    draft = hand_invoice([("1", "10.00", "21")])
    listing = reverse("invoicing:invoice_list")
    page = accountant_client.get(f"{listing}?state=cancelled").content.decode()
    assert "F-2026-000001" in page and '<span class="badge badge-invoice-cancelled">Cancelled</span>' in page
    assert f"Draft invoice {draft.pk}" not in page
    assert '<option value="cancelled" selected>Cancelled</option>' in page
    assert "F-2026-000001" not in accountant_client.get(f"{listing}?state=posted").content.decode()


def test_the_page_of_a_cancelled_invoice_reads_what_a_posted_ones_reads(
    company, accountant, accountant_client, posted
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert (
                accountant_client.get(reverse("invoicing:invoice_view", args=[posted.pk])).status_code == 200
            )
        return len(captured)

    before = queries()
    services.invoice_cancel(company=company, by=accountant, invoice_id=posted.pk, reason=REASON)
    assert queries() <= before  # no send form to fill in, nothing more read


# The PDF


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def test_the_pdf_of_a_cancelled_invoice_says_so_with_the_reason(company, accountant, customer, posted):
    printed = pdf_text(documents.invoice_pdf(posted))
    assert "ANULADA" not in printed and "VENCIMIENTOS" in printed
    services.invoice_cancel(company=company, by=accountant, invoice_id=posted.pk, reason=REASON)
    invoice = documents.printable_invoice(company, posted.pk)

    spanish = pdf_text(documents.invoice_pdf(invoice))
    assert "F-2026-000001" in spanish and "ANULADA" in spanish and f"Motivo: {REASON}" in spanish
    assert "se emitió por error" in spanish and "VENCIMIENTOS" not in spanish
    english = pdf_text(documents.invoice_pdf(invoice, language="en"))
    assert "CANCELLED" in english and f"Reason: {REASON}" in english and "issued by mistake" in english


# The API


@pytest.fixture
def api(accountant, company):
    client = ApiClient(accountant, company)
    client.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages are asserted in English
    return client


def test_the_api_cancels_a_posted_invoice_and_answers_with_it(api, accountant, posted):
    response = api.post(f"/invoices/{posted.pk}/cancel", {"reason": REASON})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["number"], body["cancel_reason"], body["cancelled_by_id"]) == (
        "cancelled", "F-2026-000001", REASON, accountant.pk,
    )  # fmt: skip
    assert body["cancelled_at"] and body["entry_number"] and body["reversal_entry_number"]
    assert body["reversal_entry_number"] != body["entry_number"]
    assert api.get("/invoices", state="cancelled").json()["count"] == 1


def test_the_api_answers_409_when_the_state_forbids_it(api, company, accountant, posted, hand_invoice):
    draft = hand_invoice([("1", "10.00", "21")])
    refused = api.post(f"/invoices/{draft.pk}/cancel", {"reason": REASON})
    assert refused.status_code == 409 and refused["Content-Type"] == "application/problem+json"
    assert "only a posted invoice is cancelled" in refused.json()["detail"]
    assert api.post(f"/invoices/{posted.pk}/cancel", {"reason": REASON}).status_code == 200
    again = api.post(f"/invoices/{posted.pk}/cancel", {"reason": REASON})
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    assert again.json()["detail"] == "Invoice F-2026-000001 is already cancelled."


@pytest.mark.parametrize(
    "body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 501}, {"reason": 7}]
)
def test_the_api_answers_422_for_a_bad_reason(api, posted, body):
    refused = api.post(f"/invoices/{posted.pk}/cancel", body)
    assert refused.status_code == 422 and refused["Content-Type"] == "application/problem+json"
    assert "reason" in {error["field"] for error in refused.json()["errors"]}
    assert Invoice.objects.get(pk=posted.pk).state == "posted"


def test_the_api_refuses_the_sales_role_and_another_companys_invoice(
    company, other_company, make_user, sales_user, posted
):
    assert (
        ApiClient(sales_user, company).post(f"/invoices/{posted.pk}/cancel", {"reason": REASON}).status_code
        == 403
    )
    stranger = make_user("ajeno", "accounting", companies=[other_company])
    answer = ApiClient(stranger, other_company).post(f"/invoices/{posted.pk}/cancel", {"reason": REASON})
    assert answer.status_code == 404
    assert Invoice.objects.get(pk=posted.pk).state == "posted"


def test_cancelling_through_the_api_reads_a_fixed_number_of_queries(
    api, company, customer, items, make_order, accountant, post, django_assert_max_num_queries
):
    order = make_order(
        customer, [(items["tile"], str(n), "10.00", "21") for n in range(1, 11)], delivered=["1"] * 10
    )
    posted = post(services.invoice_from_orders(company=company, by=accountant, order_ids=[order.pk]))
    with django_assert_max_num_queries(75):
        assert api.post(f"/invoices/{posted.pk}/cancel", {"reason": REASON}).status_code == 200
    assert set(SalesOrderLine.objects.filter(order=order).values_list("invoiced", flat=True)) == {D(0)}

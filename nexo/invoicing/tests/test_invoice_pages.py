"""The customer invoice pages: the list, one invoice, its billing address asked for before posting, its
e-mail, new invoices from orders and by hand, and credit notes."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from nexo.conftest import ApiClient
from nexo.invoicing.models import Invoice
from nexo.invoicing.tests import customer_invoices
from nexo.invoicing.tests.invoice_fixtures import RETAIL_TAXES, RETAIL_TOTALS, make_invoice, retail_lines
from nexo.parties.models import Address, Party
from nexo.sales.models import SalesOrderLine
from nexo.sales.tests.terms_helpers import standard_terms

# The invoicing services' own fixtures: customers with a billing address, items, orders as deliveries leave them.
make_customer, make_order, items = (
    customer_invoices.make_customer,
    customer_invoices.make_order,
    customer_invoices.items,
)


@pytest.fixture(autouse=True)
def _english(english):
    """Pages are read in English here; the Spanish catalogue has its own test."""


@pytest.fixture(autouse=True)
def _tasks_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _text(response) -> str:
    return response.content.decode()


# The list


def test_the_list_shows_invoices_and_credit_notes_with_their_totals_in_euros(
    accountant_client, retail_invoice, credit_note, service_draft
):
    page = _text(accountant_client.get(reverse("invoicing:invoice_list"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "F-2026-000007" in page and "R-2026-000001" in page and f"Draft invoice {service_draft.pk}" in page
    assert "€170.76" in page and "-€25.24" in page and "€1,210.00" in page
    assert "corrects F-2026-000007" in page
    # The sums of what the search found: 170.76 - 25.24 + 1,210.00 total; 170.76 - 25.24 + 1,060.00 due.
    assert "€1,355.52" in page and "€1,205.52" in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("state=draft", ["Draft invoice"], ["F-2026-000007", "R-2026-000001"]),
        ("kind=credit_note", ["R-2026-000001"], ["F-2026-000007\n", "Draft invoice"]),
        ("date_from=2026-03-16", ["R-2026-000001"], ["F-2026-000007</a>"]),
        ("q=turia", ["F-2026-000007", "R-2026-000001"], ["Draft invoice"]),
    ],
)
def test_the_list_filters_by_state_kind_date_and_text(
    accountant_client, retail_invoice, credit_note, service_draft, query, shown, hidden
):
    page = _text(accountant_client.get(f"{reverse('invoicing:invoice_list')}?{query}"))
    for text in shown:
        assert text in page
    for text in hidden:
        assert text not in page


def test_the_list_filters_by_customer(accountant_client, retail_invoice, service_draft, retailer, studio):
    page = _text(accountant_client.get(f"{reverse('invoicing:invoice_list')}?customer={studio.pk}"))
    assert "Draft invoice" in page and "F-2026-000007" not in page
    assert f'<option value="{retailer.pk}">Ferretería Turia, S.L.</option>' in page


def test_the_list_reads_a_fixed_number_of_queries(
    company, accountant_client, retailer, accountant, django_assert_max_num_queries
):
    for count in (2, 12):
        while Invoice.objects.count() < count:
            make_invoice(company, retailer, retail_lines(), RETAIL_TAXES, totals=RETAIL_TOTALS, by=accountant)
        with django_assert_max_num_queries(13):
            response = accountant_client.get(reverse("invoicing:invoice_list"))
        assert response.status_code == 200 and f"{count} records" in _text(response)


def test_the_list_answers_the_results_alone_to_htmx(accountant_client, retail_invoice):
    response = accountant_client.get(f"{reverse('invoicing:invoice_list')}?q=F-2026", HTTP_HX_REQUEST="true")
    page = _text(response)
    assert page.lstrip().startswith('<div id="list-results"') and "F-2026-000007" in page


# One invoice


def test_a_posted_invoice_shows_its_taxes_per_rate_with_recargo_and_its_actions(
    accountant_client, retail_invoice, credit_note
):
    page = _text(accountant_client.get(reverse("invoicing:invoice_view", args=[retail_invoice.pk])))
    # Base, rate, VAT, surcharge rate and surcharge of each rate; totals.
    for figure in (
        "€100.00",
        "21 %",
        "€21.00",
        "5.2 %",
        "€5.20",
        "€40.00",
        "10 %",
        "€4.00",
        "1.4 %",
        "€0.56",
    ):
        assert figure in page
    assert 'id="total-base">€140.00' in page and 'id="total-recargo">€5.76' in page
    assert 'id="total">€170.76' in page and 'id="amount-due">€170.76' in page
    assert "Operation date" in page and "Transferencia a 30 días" in page
    # Its credit note, the PDF, sending and a new credit note; nothing that changes it.
    assert reverse("invoicing:invoice_view", args=[credit_note.pk]) in page and "R-2026-000001" in page
    assert reverse("invoicing:invoice_pdf", args=[retail_invoice.pk]) in page
    assert 'id="send-invoice"' in page and "admin@turia.example" in page
    assert reverse("invoicing:credit_note_create", args=[retail_invoice.pk]) in page
    assert (
        'id="post-invoice"' not in page
        and 'id="edit-invoice"' not in page
        and 'id="delete-invoice"' not in page
    )


def test_a_credit_note_shows_the_invoice_it_corrects_and_its_reason(
    accountant_client, retail_invoice, credit_note
):
    page = _text(accountant_client.get(reverse("invoicing:invoice_view", args=[credit_note.pk])))
    assert "Corrects invoice" in page and reverse("invoicing:invoice_view", args=[retail_invoice.pk]) in page
    assert "Dos cajas llegaron dañadas" in page and 'id="total">-€25.24' in page
    assert 'id="create-credit-note"' not in page


def test_a_withholding_invoice_shows_the_irpf_and_the_amount_due(accountant_client, service_draft):
    page = _text(accountant_client.get(reverse("invoicing:invoice_view", args=[service_draft.pk])))
    assert "IRPF withholding 15 % on €1,000.00" in page and "\u2212€150.00" in page
    assert 'id="total">€1,210.00' in page and 'id="amount-due">€1,060.00' in page


def test_the_invoice_page_reads_a_fixed_number_of_queries_whatever_its_lines(
    company, accountant_client, retailer, accountant, django_assert_max_num_queries
):
    for count in (2, 10):
        invoice = make_invoice(
            company, retailer, retail_lines(count), RETAIL_TAXES, totals=RETAIL_TOTALS, number=("F", count),
            by=accountant,
        )  # fmt: skip
        with django_assert_max_num_queries(17):  # its journal entry, the payments and VERI*FACTU panels: one more each
            response = accountant_client.get(reverse("invoicing:invoice_view", args=[invoice.pk]))
        assert response.status_code == 200 and response.content.count(b'id="line-') == count


def test_another_companys_invoice_is_not_found(other_company, make_user, retail_invoice):
    outsider = make_user("ajeno", "accounting", companies=[other_company])
    client = Client()
    client.force_login(outsider)
    for name in ("invoice_view", "invoice_pdf", "credit_note_create", "invoice_edit"):
        assert client.get(reverse(f"invoicing:{name}", args=[retail_invoice.pk])).status_code == 404


def test_a_salesperson_reads_invoices_but_has_no_actions(sales_client, retail_invoice):
    page = _text(sales_client.get(reverse("invoicing:invoice_view", args=[retail_invoice.pk])))
    assert (
        "F-2026-000007" in page and 'id="send-invoice"' not in page and 'id="create-credit-note"' not in page
    )
    assert sales_client.get(reverse("invoicing:invoice_create")).status_code == 403
    assert sales_client.post(reverse("invoicing:invoice_send", args=[retail_invoice.pk])).status_code == 403


# Before posting: the billing address


def test_a_draft_for_a_customer_without_billing_address_asks_for_it_and_saves_it(
    accountant_client, service_draft, studio
):
    """An accountant may change parties? The role says so; the address goes through the parties service."""
    page = _text(accountant_client.get(reverse("invoicing:invoice_view", args=[service_draft.pk])))
    assert "The customer has no billing address" in page and 'id="billing-address-form"' in page
    assert 'id="post-invoice" disabled' in page
    url = reverse("invoicing:invoice_billing_address", args=[service_draft.pk])
    refused = accountant_client.post(
        url, {"billing-street": "", "billing-city": "Bilbao", "billing-country": "ES"}
    )
    assert refused.status_code == 422 and "This field is required." in _text(refused)
    assert not Address.objects.filter(party=studio).exists()
    saved = accountant_client.post(
        url,
        {"billing-street": "Gran Vía 1", "billing-postal_code": "48001", "billing-city": "Bilbao",
         "billing-province": "Bizkaia", "billing-country": "ES"},
    )  # fmt: skip
    assert saved.status_code == 302
    address = Address.objects.get(party=studio)
    assert (address.kind, address.street, address.city, address.is_default) == (
        "billing",
        "Gran Vía 1",
        "Bilbao",
        True,
    )
    page = _text(accountant_client.get(reverse("invoicing:invoice_view", args=[service_draft.pk])))
    assert 'id="billing-address-form"' not in page and 'id="post-invoice" disabled' not in page


def test_a_customer_without_tax_id_nor_address_gives_both_in_one_step_or_nothing_is_saved(
    accountant_client, service_draft, studio
):
    Party.objects.filter(pk=studio.pk).update(tax_id="")
    page = _text(accountant_client.get(reverse("invoicing:invoice_view", args=[service_draft.pk])))
    assert "The customer has no tax id nor billing address" in page and 'id="id_billing-tax_id"' in page
    url = reverse("invoicing:invoice_billing_address", args=[service_draft.pk])
    address = {"billing-street": "Gran Vía 1", "billing-city": "Bilbao", "billing-country": "ES"}
    refused = accountant_client.post(url, {**address, "billing-tax_id": "B12345678"})  # wrong check digit
    assert refused.status_code == 422 and "NIF/NIE/CIF" in _text(refused)
    assert not Address.objects.filter(party=studio).exists()  # the address waited for a valid tax id
    assert accountant_client.post(url, {**address, "billing-tax_id": "B97012348"}).status_code == 302
    studio.refresh_from_db()
    assert studio.tax_id == "B97012348" and Address.objects.get(party=studio).street == "Gran Vía 1"
    page = _text(accountant_client.get(reverse("invoicing:invoice_view", args=[service_draft.pk])))
    assert 'id="billing-address-form"' not in page


def test_a_draft_offers_edit_delete_post_and_pdf_but_no_sending(
    accountant_client, retailer, company, accountant
):
    draft = make_invoice(company, retailer, retail_lines(), RETAIL_TAXES, totals=RETAIL_TOTALS, by=accountant)
    page = _text(accountant_client.get(reverse("invoicing:invoice_view", args=[draft.pk])))
    assert 'id="post-invoice"' in page and 'id="edit-invoice"' in page and 'id="delete-invoice"' in page
    assert (
        'id="download-pdf"' in page and 'id="send-invoice"' not in page and "billing-address-form" not in page
    )


# Sending


def test_sending_a_posted_invoice_queues_it_and_the_task_mails_the_pdf(
    accountant_client, retail_invoice, django_capture_on_commit_callbacks
):
    url = reverse("invoicing:invoice_send", args=[retail_invoice.pk])
    with django_capture_on_commit_callbacks() as waiting:
        response = accountant_client.post(
            url, {"to": "facturas@turia.example", "message": "Adjunta la factura."}
        )
    assert response.status_code == 302 and not mail.outbox
    retail_invoice.refresh_from_db()
    assert retail_invoice.email_status == "queued"
    for callback in waiting:  # the commit: the task builds the PDF and mails it
        callback()
    retail_invoice.refresh_from_db()
    assert (retail_invoice.sent_to, retail_invoice.email_status) == ("facturas@turia.example", "sent")
    (email,) = mail.outbox
    assert email.to == ["facturas@turia.example"] and email.body == "Adjunta la factura."
    assert email.subject == "Factura F-2026-000007 de Suministros Prueba, S.L."
    (filename, content, mimetype) = email.attachments[0]
    assert (filename, mimetype) == ("F-2026-000007.pdf", "application/pdf") and content.startswith(b"%PDF")
    page = _text(accountant_client.get(reverse("invoicing:invoice_view", args=[retail_invoice.pk])))
    assert 'id="email-outcome" data-status="sent"' in page


def test_sending_refuses_a_bad_address_on_the_form(accountant_client, retail_invoice):
    response = accountant_client.post(
        reverse("invoicing:invoice_send", args=[retail_invoice.pk]), {"to": "nope"}
    )
    assert response.status_code == 422 and "Enter a valid email address." in _text(response)
    retail_invoice.refresh_from_db()
    assert retail_invoice.email_status == "" and not mail.outbox


def test_a_draft_cannot_be_sent(accountant_client, service_draft, accountant, company):
    response = accountant_client.post(
        reverse("invoicing:invoice_send", args=[service_draft.pk]), {"to": "a@b.example"}, follow=True
    )
    assert "Only a posted invoice can be sent" in _text(response) and not mail.outbox
    api = ApiClient(accountant, company)
    refused = api.post(f"/invoices/{service_draft.pk}/send", {"to": "a@b.example"})
    assert refused.status_code == 409 and refused["Content-Type"] == "application/problem+json"
    service_draft.refresh_from_db()
    assert service_draft.email_status == ""


def test_the_api_sends_a_posted_invoice_and_serves_its_pdf(
    accountant, company, other_company, retail_invoice, make_user, django_capture_on_commit_callbacks
):
    api = ApiClient(accountant, company)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/invoices/{retail_invoice.pk}/send", {})
    assert response.status_code == 200
    assert response.json() | {"email_sent_at": None} == {
        "id": retail_invoice.pk, "number": "F-2026-000007", "state": "posted", "sent_to": "admin@turia.example",
        "email_status": "queued", "email_error": "", "email_sent_at": None,
    }  # fmt: skip
    retail_invoice.refresh_from_db()
    assert retail_invoice.email_status == "sent" and mail.outbox[0].to == ["admin@turia.example"]
    assert api.post(f"/invoices/{retail_invoice.pk}/send", {"to": "nope"}).status_code == 422
    pdf = api.get(f"/invoices/{retail_invoice.pk}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    outsider = ApiClient(make_user("ajeno", "accounting", companies=[other_company]), other_company)
    assert outsider.get(f"/invoices/{retail_invoice.pk}/pdf").status_code == 404
    assert outsider.post(f"/invoices/{retail_invoice.pk}/send", {}).status_code == 404
    assert (
        ApiClient(make_user("vende", "sales")).post(f"/invoices/{retail_invoice.pk}/send", {}).status_code
        == 403
    )


# Credit notes: the form


def test_the_credit_note_form_lists_the_lines_with_what_was_credited(
    accountant_client, retail_invoice, credit_note
):
    page = _text(accountant_client.get(reverse("invoicing:credit_note_create", args=[retail_invoice.pk])))
    assert "Tornillos 4x40 (caja)" in page and 'name="reason"' in page and 'name="mode"' in page
    line = retail_invoice.lines.get(position=1)
    assert f'name="line_{line.pk}"' in page


def test_the_credit_note_form_refuses_bad_input_before_the_service(accountant_client, retail_invoice):
    url = reverse("invoicing:credit_note_create", args=[retail_invoice.pk])
    no_reason = accountant_client.post(url, {"reason": "", "mode": "total"})
    assert no_reason.status_code == 422 and "This field is required." in _text(no_reason)
    no_amount = accountant_client.post(url, {"reason": "Descuento", "mode": "amount", "amount": ""})
    assert no_amount.status_code == 422 and "Type the amount to credit." in _text(no_amount)
    no_lines = accountant_client.post(url, {"reason": "Roturas", "mode": "lines"})
    assert no_lines.status_code == 422 and "Type the quantity to credit of at least one line." in _text(
        no_lines
    )
    assert Invoice.objects.filter(kind="credit_note").count() == 0


def test_a_draft_or_a_credit_note_cannot_be_credited(accountant_client, credit_note, service_draft):
    for invoice in (credit_note, service_draft):
        response = accountant_client.get(reverse("invoicing:credit_note_create", args=[invoice.pk]))
        assert response.status_code == 302


# A new invoice by hand: the form's own checks


def test_the_invoice_form_refuses_bad_lines_before_the_service(accountant_client, retailer):
    response = accountant_client.post(
        reverse("invoicing:invoice_create"),
        {
            "party": retailer.pk, "date": "2026-03-15", "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
            "lines-0-description": "Portes", "lines-0-quantity": "-1", "lines-0-unit_price": "12",
            "lines-1-description": "Montaje", "lines-1-quantity": "abc",
        },
    )  # fmt: skip
    page = _text(response)
    assert response.status_code == 422
    assert "The quantity must be greater than zero." in page and "Enter a number." in page
    assert Invoice.objects.count() == 0


def test_more_lines_keeps_what_was_typed(accountant_client, retailer):
    response = accountant_client.post(
        reverse("invoicing:invoice_create"),
        {
            "party": retailer.pk, "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
            "lines-0-description": "Portes", "add_lines": "1",
        },
    )  # fmt: skip
    page = _text(response)
    assert response.status_code == 200 and 'value="Portes"' in page and 'name="lines-3-quantity"' in page
    assert 'role="alert"' not in page


def test_the_new_invoice_pages_open(accountant_client, retailer):
    assert accountant_client.get(reverse("invoicing:invoice_create")).status_code == 200
    page = _text(accountant_client.get(f"{reverse('invoicing:invoice_from_orders')}?party={retailer.pk}"))
    assert "has no order with anything left to invoice" in page


# The whole way through the pages, on the invoicing services


def test_an_invoice_from_orders_is_chosen_created_posted_and_credited_on_the_pages(
    accountant_client, make_customer, make_order, items, retailer
):
    """Two orders of the customer: tiles delivered 6 of 10 at 10.00 and 5 consultancy hours at 50.00; an
    order of another customer is not offered. The invoice bills 6 tiles (60.00) and 5 hours (250.00) at 21 %:
    VAT 65.10, total 375.10; then a credit note of 100.00 before taxes: -100.00 - 21.00 = -121.00."""
    customer = make_customer()
    tiles = make_order(customer, [(items["tile"], "10", "10.00", "21")], delivered=["6"])
    hours = make_order(customer, [(items["hour"], "5", "50.00", "21")])
    make_order(retailer, [(items["hour"], "1", "50.00", "21")])
    url = reverse("invoicing:invoice_from_orders")
    page = _text(accountant_client.get(f"{url}?party={customer.pk}"))
    assert tiles.number in page and hours.number in page and "PV-2026-00003" not in page
    assert "6 \u00d7 Artículo TILE-01" in page and "€60.00" in page and "€250.00" in page
    nothing = accountant_client.post(f"{url}?party={customer.pk}", {"date": "2026-03-05"})
    assert nothing.status_code == 422 and "Choose at least one order." in _text(nothing)
    created = accountant_client.post(
        f"{url}?party={customer.pk}", {"orders": [tiles.pk, hours.pk], "date": "2026-03-05"}
    )
    invoice = Invoice.objects.get()
    assert created.status_code == 302 and created["Location"] == reverse(
        "invoicing:invoice_view", args=[invoice.pk]
    )
    # What the draft holds is no longer offered.
    assert "has no order with anything left to invoice" in _text(
        accountant_client.get(f"{url}?party={customer.pk}")
    )
    page = _text(accountant_client.get(created["Location"]))
    assert tiles.number in page and hours.number in page and 'id="total">€375.10' in page
    posted = accountant_client.post(reverse("invoicing:invoice_post", args=[invoice.pk]), follow=True)
    invoice.refresh_from_db()
    assert invoice.state == "posted" and invoice.number == "F-2026-000001"
    assert "Invoice posted as F-2026-000001." in _text(posted)
    assert SalesOrderLine.objects.get(order=tiles).invoiced == D("6")
    # Nothing is left of the hours order; the tiles order has 4 to deliver but nothing to invoice.
    assert "has no order with anything left to invoice" in _text(
        accountant_client.get(f"{url}?party={customer.pk}")
    )
    credit = accountant_client.post(
        reverse("invoicing:credit_note_create", args=[invoice.pk]),
        {"reason": "Descuento por retraso", "mode": "amount", "amount": "100"},
    )
    note = Invoice.objects.get(kind="credit_note")
    assert credit.status_code == 302 and note.corrects_id == invoice.pk
    assert (note.base, note.vat, note.total) == (D("-100.00"), D("-21.00"), D("-121.00"))
    too_much = accountant_client.post(
        reverse("invoicing:credit_note_create", args=[invoice.pk]),
        {"reason": "Otra vez", "mode": "amount", "amount": "500"},
    )
    assert too_much.status_code == 422 and Invoice.objects.filter(kind="credit_note").count() == 1


def test_the_order_link_preselects_that_order(accountant_client, make_customer, make_order, items):
    customer = make_customer()
    first = make_order(customer, [(items["hour"], "1", "50.00", "21")])
    second = make_order(customer, [(items["hour"], "2", "50.00", "21")])
    page = _text(
        accountant_client.get(
            f"{reverse('invoicing:invoice_from_orders')}?party={customer.pk}&order={second.pk}"
        )
    )
    assert f'value="{second.pk}" id="order-{second.pk}" checked' in page
    assert f'value="{first.pk}" id="order-{first.pk}">' in page


def test_an_invoice_by_hand_is_saved_edited_and_deleted_on_the_pages(accountant_client, make_customer, items):
    """1 consultancy hour at 80.00 with 10 % off (72.00) and a line of shipping at 10.00, 21 %: 82.00 + 17.22."""
    customer = make_customer()
    cash = standard_terms(customer.company)["Contado"]
    form = {
        "party": customer.pk, "date": "2026-03-06", "payment_term": cash.pk, "notes": "",
        "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0",
        "lines-0-item": items["hour"].pk, "lines-0-quantity": "1", "lines-0-unit_price": "80",
        "lines-0-discount": "10",
        "lines-1-description": "Portes", "lines-1-quantity": "1", "lines-1-unit_price": "10",
        "lines-1-vat_rate": "21",
    }  # fmt: skip
    response = accountant_client.post(reverse("invoicing:invoice_create"), form)
    invoice = Invoice.objects.get()
    assert response.status_code == 302 and invoice.state == "draft" and invoice.payment_term == cash
    assert (invoice.base, invoice.vat, invoice.total) == (D("82.00"), D("17.22"), D("99.22"))
    edit_url = reverse("invoicing:invoice_edit", args=[invoice.pk])
    page = _text(accountant_client.get(edit_url))
    assert 'value="Portes"' in page and 'name="party"' not in page
    edited = accountant_client.post(
        edit_url,
        {"date": "2026-03-06", "payment_term": cash.pk, "notes": "Revisada", "lines-TOTAL_FORMS": "1",
         "lines-INITIAL_FORMS": "0", "lines-0-description": "Portes", "lines-0-quantity": "2",
         "lines-0-unit_price": "10", "lines-0-vat_rate": "21"},
    )  # fmt: skip
    invoice.refresh_from_db()
    assert edited.status_code == 302 and (invoice.base, invoice.total, invoice.notes) == (
        D("20.00"),
        D("24.20"),
        "Revisada",
    )
    accountant_client.post(reverse("invoicing:invoice_delete", args=[invoice.pk]))
    assert not Invoice.objects.exists()


def test_a_line_the_service_refuses_shows_its_error_on_its_row(accountant_client, make_customer):
    customer = make_customer()
    response = accountant_client.post(
        reverse("invoicing:invoice_create"),
        {"party": customer.pk, "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
         "lines-0-description": "Portes", "lines-0-quantity": "1", "lines-0-unit_price": "10"},
    )  # fmt: skip
    assert response.status_code == 422 and "Give the line&#x27;s VAT rate." in _text(response)
    assert not Invoice.objects.exists()


def test_posting_without_billing_address_says_so_then_posts_once_it_is_given(
    accountant_client, make_customer, items, company, accountant
):
    customer = make_customer(name="Estudio Sur, S.L.", addresses=())
    invoice = customer_invoices.services.invoice_create(
        company=company, by=accountant, party_id=customer.pk, date=date(2026, 3, 6),
        lines=[customer_invoices.InvoiceLineInput(items["hour"].pk, "Asesoría", D("2"), D("50"))],
    )  # fmt: skip
    refused = accountant_client.post(reverse("invoicing:invoice_post", args=[invoice.pk]), follow=True)
    assert "Estudio Sur, S.L. has no billing address: add one before posting." in _text(refused)
    assert 'id="billing-address-form"' in _text(refused)
    accountant_client.post(
        reverse("invoicing:invoice_billing_address", args=[invoice.pk]),
        {"billing-street": "Calle Sol 3", "billing-postal_code": "41001", "billing-city": "Sevilla",
         "billing-country": "ES"},
    )  # fmt: skip
    accountant_client.post(reverse("invoicing:invoice_post", args=[invoice.pk]))
    invoice.refresh_from_db()
    assert invoice.state == "posted" and invoice.party_address.startswith("Calle Sol 3\n41001 Sevilla")


def test_the_sales_order_page_offers_to_invoice_the_order(make_user, make_customer, make_order, items):
    customer = make_customer()
    order = make_order(customer, [(items["hour"], "2", "50.00", "21")])
    client = Client()
    client.force_login(make_user("jefe", "manager", language="en"))
    page = _text(client.get(reverse("sales:order_view", args=[order.pk])))
    link = f"{reverse('invoicing:invoice_from_orders')}?party={customer.pk}&amp;order={order.pk}"
    assert f'href="{link}" id="order-invoice"' in page

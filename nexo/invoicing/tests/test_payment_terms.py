"""The payment term of an invoice: the order's when drawn from orders, chosen on a draft (else the
customer's, when posted), printed with the due dates and amounts it splits the amount due into; a supplier
invoice chooses its term too. Another company's or an inactive term is refused and nothing changes."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nexo.accounting.models import PartyAccounting
from nexo.accounting.services.payment_terms import due_split
from nexo.conftest import ApiClient
from nexo.core.errors import ValidationFailed
from nexo.invoicing import documents, services
from nexo.invoicing.models import Invoice, SupplierInvoice
from nexo.invoicing.services import InvoiceLineInput
from nexo.invoicing.tests.customer_invoices import *  # noqa: F403 (the fixtures)
from nexo.invoicing.tests.customer_invoices import DAY
from nexo.invoicing.tests.test_invoice_pdf import pdf_text
from nexo.parties.services import party_create
from nexo.sales.models import SalesOrder
from nexo.sales.tests.terms_helpers import standard_terms


@pytest.fixture
def terms(company):
    return standard_terms(company)


@pytest.fixture
def foreign_term(other_company):
    return standard_terms(other_company)["Contado"]


@pytest.fixture
def books(accountant):
    return ApiClient(accountant)


def _lines() -> list[InvoiceLineInput]:
    return [InvoiceLineInput(None, "Montaje", D("1"), D("100.00"), vat_rate=D("21"))]  # 121.00 due


def test_an_invoice_drawn_from_orders_takes_the_orders_term(
    company, accountant, customer, items, make_order, post, terms
):
    order = make_order(customer, [(items["tile"], "10", "10.00", "21")], delivered=["10"])
    SalesOrder.objects.filter(pk=order.pk).update(payment_term=terms["30-60-90 días"])
    draft = services.invoice_from_orders(company=company, by=accountant, order_ids=[order.pk], date=DAY)
    assert (draft.payment_term, draft.payment_terms) == (terms["30-60-90 días"], "")
    posted = post(draft)
    assert (posted.payment_term, posted.payment_terms) == (terms["30-60-90 días"], "30-60-90 días")


def test_a_draft_chooses_its_term_else_it_is_posted_with_the_customers(
    company, accountant, customer, hand_invoice, post, terms, foreign_term
):
    retired = terms["60 días"]
    retired.active = False
    retired.save()
    for term_id in (foreign_term.pk, retired.pk, 987654):
        with pytest.raises(ValidationFailed) as refused:
            hand_invoice([("1", "10.00", "21")], payment_term_id=term_id)
        assert list(refused.value.field_messages()) == ["payment_term"]
    assert not Invoice.objects.exists()
    draft = hand_invoice([("1", "10.00", "21")], payment_term_id=terms["Contado"].pk)
    assert draft.payment_term == terms["Contado"]
    with pytest.raises(ValidationFailed):
        services.invoice_update(
            company=company, by=accountant, invoice_id=draft.pk, payment_term_id=foreign_term.pk
        )
    assert Invoice.objects.get(pk=draft.pk).payment_term == terms["Contado"]
    services.invoice_update(company=company, by=accountant, invoice_id=draft.pk, notes="Sin cambio de forma")
    assert Invoice.objects.get(pk=draft.pk).payment_term == terms["Contado"]  # not sent: kept
    services.invoice_update(company=company, by=accountant, invoice_id=draft.pk, payment_term_id=None)
    PartyAccounting.objects.create(party=customer, customer_term=terms["30 días fin de mes"])
    posted = post(Invoice.objects.get(pk=draft.pk))
    assert (posted.payment_term, posted.payment_terms) == (terms["30 días fin de mes"], "30 días fin de mes")


def test_the_api_round_trips_the_term_and_refuses_anothers(books, customer, terms, foreign_term):
    lines = [{"description": "Portes", "quantity": "1", "unit_price": "10.00", "vat_rate": "21"}]
    refused = books.post(
        "/invoices", {"party_id": customer.pk, "lines": lines, "payment_term_id": foreign_term.pk}
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "payment_term_id"
    assert not Invoice.objects.exists()
    made = books.post(
        "/invoices", {"party_id": customer.pk, "lines": lines, "payment_term_id": terms["Contado"].pk}
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["payment_term_id"], body["payment_term"], body["payment_terms"]) == (
        terms["Contado"].pk, "Contado", "",
    )  # fmt: skip
    refused = books.patch(f"/invoices/{body['id']}", {"payment_term_id": foreign_term.pk})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "payment_term_id"
    changed = books.patch(f"/invoices/{body['id']}", {"payment_term_id": terms["30 días"].pk}).json()
    assert (changed["payment_term_id"], changed["payment_term"]) == (terms["30 días"].pk, "30 días")
    posted = books.post(f"/invoices/{body['id']}/post").json()
    assert (posted["payment_term"], posted["payment_terms"]) == ("30 días", "30 días")


def test_reading_an_invoice_costs_no_query_for_its_term(books, hand_invoice, terms):
    with_term = hand_invoice([("1", "10.00", "21")], payment_term_id=terms["Contado"].pk)
    without = hand_invoice([("1", "10.00", "21")])
    books.get(f"/invoices/{without.pk}")  # warm caches (content types, the token)
    counts = []
    for invoice in (with_term, without):
        with CaptureQueriesContext(connection) as queries:
            assert books.get(f"/invoices/{invoice.pk}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


# The PDF


def test_a_posted_invoice_prints_its_term_and_due_amounts(company, customer, hand_invoice, post, terms):
    invoice = post(hand_invoice([("1", "100.00", "21")], payment_term_id=terms["30-60-90 días"].pk))
    assert invoice.amount_due == D("121.00")
    text = pdf_text(documents.invoice_pdf(documents.printable_invoice(company, invoice.pk), language="es"))
    assert "FORMA DE PAGO 30-60-90 días" in text and "VENCIMIENTOS" in text
    # 121.00 in three: 40.33, 40.33 and what is left, 40.34; 30, 60 and 90 days after 2 March.
    assert "1 de abril de 2026 40,33 €" in text and "1 de mayo de 2026 40,33 €" in text
    assert "31 de mayo de 2026 40,34 €" in text
    english = pdf_text(documents.invoice_pdf(invoice, language="en"))
    assert "PAYMENT TERMS 30-60-90 días" in english  # as it was posted, in the invoice's language
    assert "1 April 2026 €40.33" in english and "31 May 2026 €40.34" in english


def test_the_due_dates_skip_the_customers_holiday_month(company, customer, hand_invoice, post, terms):
    PartyAccounting.objects.create(party=customer, holiday_month=4)
    invoice = post(hand_invoice([("1", "100.00", "21")], payment_term_id=terms["30 días"].pk))
    ((day, amount),) = documents.due_amounts(invoice, invoice.payment_term)
    assert [(day, amount)] == due_split(terms["30 días"], D("121.00"), DAY, 4)
    assert day.month == 5 and amount == D("121.00")  # 1 April falls in the holiday month: moved out of it
    text = pdf_text(documents.invoice_pdf(invoice, language="es"))
    assert "1 de abril de 2026" not in text


def test_a_draft_prints_the_customers_term_it_will_be_posted_with(company, customer, hand_invoice, terms):
    PartyAccounting.objects.create(party=customer, customer_term=terms["50 % a 30 días, 50 % a 60 días"])
    draft = hand_invoice([("1", "100.00", "21")])
    text = pdf_text(documents.invoice_pdf(draft, language="es"))
    assert "FORMA DE PAGO 50 % a 30 días, 50 % a 60 días" in text
    assert "1 de abril de 2026 60,50 €" in text and "1 de mayo de 2026 60,50 €" in text


def test_a_credit_note_falls_due_on_its_date(company, accountant, hand_invoice, post, terms):
    invoice = post(hand_invoice([("1", "100.00", "21")], payment_term_id=terms["30-60-90 días"].pk))
    note = services.credit_note_create(
        company=company, by=accountant, invoice_id=invoice.pk, reason="Devolución"
    )
    assert note.payment_term == terms["30-60-90 días"]
    assert documents.due_amounts(note, note.payment_term) == [(note.date, note.amount_due)]


# Pages


def test_the_draft_form_offers_the_companys_active_terms_and_refuses_others(
    company, customer, terms, foreign_term, make_user
):
    client = Client()
    client.force_login(make_user("contable2", "accounting", language="en"))
    retired = terms["60 días"]
    retired.active = False
    retired.save()
    page = client.get(reverse("invoicing:invoice_create"))
    offered = {
        choice.instance for choice, _label in page.context["form"].fields["payment_term"].choices if choice
    }
    assert terms["30-60-90 días"] in offered and retired not in offered and foreign_term not in offered
    form = {
        "party": customer.pk, "date": "2026-03-06", "payment_term": foreign_term.pk, "notes": "",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
        "lines-0-description": "Portes", "lines-0-quantity": "1", "lines-0-unit_price": "10", "lines-0-vat_rate": "21",
    }  # fmt: skip
    refused = client.post(reverse("invoicing:invoice_create"), form)
    assert refused.status_code == 422 and refused.context["form"].errors["payment_term"]
    assert not Invoice.objects.exists()
    saved = client.post(reverse("invoicing:invoice_create"), form | {"payment_term": terms["Contado"].pk})
    invoice = Invoice.objects.get()
    assert saved.status_code == 302 and invoice.payment_term == terms["Contado"]
    page = client.get(reverse("invoicing:invoice_view", args=[invoice.pk])).content.decode()
    assert 'id="invoice-payment-term">Cash<' in page


# Supplier invoices


@pytest.fixture
def supplier(company, sales_user):
    return party_create(company=company, by=sales_user, name="Ferretería Mayorista, S.A.", is_supplier=True)


def _supplier_lines() -> list[dict]:
    return [{"description": "Martillos", "quantity": "2", "unit_price": "10.00", "vat_rate": "21"}]


def test_a_supplier_invoice_chooses_its_term_else_it_is_posted_with_the_suppliers(
    company, accountant, supplier, terms, foreign_term
):
    def create(number, **term):
        return services.supplier_invoice_create(
            company=company, by=accountant, party_id=supplier.pk, supplier_number=number, date=date(2026, 1, 20),
            lines=_supplier_lines(), **term,
        )  # fmt: skip

    with pytest.raises(ValidationFailed) as refused:
        create("A-1", payment_term_id=foreign_term.pk)
    assert list(refused.value.field_messages()) == ["payment_term"] and not SupplierInvoice.objects.exists()
    chosen = create("A-1", payment_term_id=terms["60 días"].pk)
    assert chosen.payment_term == terms["60 días"]
    changed = services.supplier_invoice_update(
        company=company, by=accountant, invoice_id=chosen.pk, payment_term_id=terms["Contado"].pk
    )
    assert changed.payment_term == terms["Contado"]
    PartyAccounting.objects.create(party=supplier, supplier_term=terms["30 días fin de mes"])
    plain = create("A-2")
    assert plain.payment_term is None
    posted = services.supplier_invoice_post(company=company, by=accountant, invoice_id=plain.pk)
    assert posted.payment_term == terms["30 días fin de mes"]


def test_the_supplier_invoice_api_round_trips_the_term(books, supplier, terms, foreign_term):
    body = {
        "party_id": supplier.pk,
        "supplier_number": "A-9",
        "date": "2026-01-20",
        "lines": _supplier_lines(),
    }
    refused = books.post("/supplier-invoices", body | {"payment_term_id": foreign_term.pk})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "payment_term_id"
    made = books.post("/supplier-invoices", body | {"payment_term_id": terms["30 días"].pk})
    assert made.status_code == 201, made.content
    assert (made.json()["payment_term_id"], made.json()["payment_term"]) == (terms["30 días"].pk, "30 días")
    changed = books.patch(f"/supplier-invoices/{made.json()['id']}", {"payment_term_id": None}).json()
    assert (changed["payment_term_id"], changed["payment_term"]) == (None, None)
    listed = books.get("/supplier-invoices").json()["items"][0]
    assert listed["payment_term_id"] is None

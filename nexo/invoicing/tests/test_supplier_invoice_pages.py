"""Supplier invoice pages: the list and its filters, one invoice beside its purchase orders, drawing one from
orders, typing one by hand, changing a draft, and the accept, post and delete buttons."""

# ruff: noqa: F811 -- the fixtures imported from supplier_fixtures are named as test arguments

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from nexo.invoicing import services
from nexo.invoicing.models import SupplierInvoice
from nexo.invoicing.tests.supplier_fixtures import (  # noqa: F401 (fixtures)
    _english,
    accountant,
    buyer,
    from_orders,
    items,
    other_supplier,
    received_order,
    supplier,
)


@pytest.fixture
def books(accountant):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(accountant)
    return client


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_drawn_from_an_order_shows_ordered_received_and_billed_then_posts(
    books, company, accountant, received_order
):
    order = received_order()
    order_page = books.get(reverse("purchasing:order_view", args=[order.pk])).content.decode()
    assert (
        f'href="/invoicing/supplier-invoices/from-orders/?order={order.pk}" id="record-supplier-invoice"'
        in order_page
    )
    chooser = books.get("/invoicing/supplier-invoices/from-orders/", {"order": order.pk})
    assert chooser.status_code == 200
    assert order.number in chooser.content.decode() and "checked" in chooser.content.decode()

    created = books.post(
        f"/invoicing/supplier-invoices/from-orders/?order={order.pk}",
        {"orders": [str(order.pk)], "supplier_number": "A-101", "date": "2026-01-20"},
    )
    invoice = SupplierInvoice.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/invoicing/supplier-invoices/{invoice.pk}/"

    shown = text(books.get(created["Location"]))
    assert "€129.00" in shown and "€152.90" in shown
    assert "Deductible VAT 21 % €100.00 €21.00" in shown and "Deductible VAT 10 % €29.00 €2.90" in shown

    edit = books.get(f"/invoicing/supplier-invoices/{invoice.pk}/edit/")
    assert edit.status_code == 200
    hammer, book = invoice.lines.order_by("position")
    changed = books.post(
        f"/invoicing/supplier-invoices/{invoice.pk}/edit/",
        {
            "supplier_number": "A-101", "date": "2026-01-20", "received_date": "", "notes": "",
            "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0",
            "lines-0-id": hammer.pk, "lines-0-description": hammer.description, "lines-0-quantity": "8",
            "lines-0-unit_price": "12.5", "lines-0-vat_rate": "21",
            "lines-1-id": book.pk, "lines-1-description": book.description, "lines-1-quantity": "4",
            "lines-1-unit_price": "7,50", "lines-1-vat_rate": "10",
            "lines-2-description": "Portes", "lines-2-quantity": "1", "lines-2-unit_price": "10", "lines-2-vat_rate": "21",
        },
    )  # fmt: skip
    assert changed.status_code == 302, text(changed)
    page = books.get(changed["Location"]).content.decode()
    assert 'class="differs"' in page and "unit price 7.50, ordered at 7.25" in page
    assert 'id="accept-differences"' in page

    books.post(f"/invoicing/supplier-invoices/{invoice.pk}/post/")
    assert SupplierInvoice.objects.get().state == "draft"
    books.post(f"/invoicing/supplier-invoices/{invoice.pk}/accept/")
    books.post(f"/invoicing/supplier-invoices/{invoice.pk}/post/")
    posted = SupplierInvoice.objects.get()
    # 100.00 + 10.00 at 21 % → 23.10; 30.00 at 10 % → 3.00
    assert (posted.state, posted.number, posted.base, posted.vat, posted.total) == (
        "posted", "FR-2026-000001", Decimal("140.00"), Decimal("26.10"), Decimal("166.10"),
    )  # fmt: skip
    assert "accepted by contable" in text(books.get(f"/invoicing/supplier-invoices/{invoice.pk}/"))


def test_typed_by_hand_with_a_wrong_row_keeps_what_was_typed(books, supplier):
    form = {
        "supplier": supplier.pk, "supplier_number": "2026/17", "date": "2026-03-01",
        "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
        "lines-0-description": "Asesoría", "lines-0-quantity": "1", "lines-0-unit_price": "1000",
        "lines-0-vat_rate": "121",
    }  # fmt: skip
    refused = books.post("/invoicing/supplier-invoices/new/", form)
    assert refused.status_code == 422
    assert (
        "A percentage from 0 to under 100" in refused.content.decode()
        and "Asesoría" in refused.content.decode()
    )
    saved = books.post(
        "/invoicing/supplier-invoices/new/", form | {"lines-0-vat_rate": "21", "lines-0-irpf_rate": "15"}
    )
    assert saved.status_code == 302
    assert SupplierInvoice.objects.get().amount_due == 1060


def test_a_duplicate_number_is_a_form_error(books, company, accountant, received_order):
    from_orders(company, accountant, received_order(), number="A-101")
    order = received_order()
    refused = books.post(
        "/invoicing/supplier-invoices/from-orders/",
        {"orders": [str(order.pk)], "supplier_number": "A-101", "date": "2026-01-20", "order": order.pk},
    )
    assert refused.status_code == 422 and "already recorded" in refused.content.decode()
    assert SupplierInvoice.objects.count() == 1


def test_the_list_filters_by_state_supplier_and_differences(
    books, company, accountant, received_order, other_supplier
):
    differing = from_orders(company, accountant, received_order(), number="A-1")
    line = differing.lines.order_by("position").first()
    services.supplier_invoice_update(
        company=company, by=accountant, invoice_id=differing.pk, lines=[{"id": line.pk, "unit_price": "13"}]
    )
    services.supplier_invoice_create(
        company=company, by=accountant, party_id=other_supplier.pk, supplier_number="B-1", date=date(2026, 2, 1),
        lines=[{"description": "Portes", "quantity": "1", "unit_price": "10", "vat_rate": "21"}],
    )  # fmt: skip
    listing = books.get("/invoicing/supplier-invoices/", {"differences": "yes"}).content.decode()
    assert "A-1" in listing and "B-1" not in listing
    listing = books.get("/invoicing/supplier-invoices/", {"supplier": other_supplier.pk}).content.decode()
    assert "B-1" in listing and "A-1" not in listing
    assert "Supplier invoices" in books.get("/").content.decode()


def test_a_buyer_sees_but_cannot_post_or_delete(company, accountant, buyer, received_order):
    invoice = from_orders(company, accountant, received_order())
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(buyer)
    page = client.get(f"/invoicing/supplier-invoices/{invoice.pk}/").content.decode()
    assert 'id="post-invoice"' not in page and 'id="delete-invoice"' not in page
    assert client.post(f"/invoicing/supplier-invoices/{invoice.pk}/post/").status_code == 403
    assert client.post(f"/invoicing/supplier-invoices/{invoice.pk}/delete/").status_code == 403


def test_a_draft_is_deleted_and_a_posted_one_is_not(books, company, accountant, received_order):
    draft = from_orders(company, accountant, received_order(), number="A-1")
    assert (
        books.post(f"/invoicing/supplier-invoices/{draft.pk}/delete/")["Location"]
        == "/invoicing/supplier-invoices/"
    )
    posted = from_orders(company, accountant, received_order(), number="A-2")
    books.post(f"/invoicing/supplier-invoices/{posted.pk}/post/")
    books.post(f"/invoicing/supplier-invoices/{posted.pk}/delete/")
    assert SupplierInvoice.objects.get().state == "posted"
    assert books.get(f"/invoicing/supplier-invoices/{posted.pk}/edit/").status_code == 302


def test_pages_take_the_same_queries_whatever_the_lines(
    books, company, accountant, received_order, django_assert_max_num_queries
):
    small = from_orders(company, accountant, received_order(), number="S-1")
    large = from_orders(company, accountant, received_order(extra_lines=8), number="L-1")
    for url in ("/invoicing/supplier-invoices/{}/", "/invoicing/supplier-invoices/{}/edit/"):
        with django_assert_max_num_queries(25) as few:
            assert books.get(url.format(small.pk)).status_code == 200
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert books.get(url.format(large.pk)).status_code == 200

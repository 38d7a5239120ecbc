"""Supplier invoices: drawn from purchase orders or typed by hand, checked against what was ordered and
received, posted with their deductible VAT per rate and our gapless number."""

# ruff: noqa: F811 -- the fixtures imported from supplier_fixtures are named as test arguments

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexo.accounting.services.ledger import journal_of
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.invoicing import services
from nexo.invoicing.models import SupplierInvoice, SupplierInvoiceLine
from nexo.invoicing.services.supplier_invoices import difference_text
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
from nexo.purchasing import services as purchasing
from nexo.tests.concurrency import at_once

D = Decimal


def lines_of(invoice):
    return list(SupplierInvoiceLine.objects.filter(invoice=invoice).order_by("position"))


def taxes_of(invoice):
    return [(tax.kind, tax.rate, tax.base, tax.amount) for tax in invoice.taxes.order_by("kind", "-rate")]


def test_an_invoice_from_an_order_bills_what_was_received_at_the_ordered_price_and_rate(
    company, accountant, received_order
):
    order = received_order()
    invoice = from_orders(company, accountant, order)

    assert invoice.state == "draft" and invoice.number == "" and invoice.year == 2026
    assert [
        (line.quantity, line.unit_price, line.net, line.vat_rate, line.difference)
        for line in lines_of(invoice)
    ] == [
        (D("8"), D("12.50"), D("100.00"), D("21.00"), ""),
        (D("4"), D("7.25"), D("29.00"), D("10.00"), ""),
    ]
    # 21 % of 100.00 and 10 % of 29.00
    assert taxes_of(invoice) == [
        ("vat", D("21.00"), D("100.00"), D("21.00")),
        ("vat", D("10.00"), D("29.00"), D("2.90")),
    ]
    invoice.refresh_from_db()
    assert (invoice.base, invoice.vat, invoice.total, invoice.amount_due) == (
        D("129.00"), D("23.90"), D("152.90"), D("152.90"),
    )  # fmt: skip


def test_a_price_difference_is_flagged_refuses_posting_until_accepted_then_posts(
    company, accountant, received_order
):
    invoice = from_orders(company, accountant, received_order())
    hammer, book = lines_of(invoice)
    services.supplier_invoice_update(
        company=company, by=accountant, invoice_id=invoice.pk,
        lines=[{"id": hammer.pk}, {"id": book.pk, "unit_price": "7.50"}],
    )  # fmt: skip
    hammer, book = lines_of(invoice)
    assert hammer.difference == ""
    assert difference_text(book.difference) == "unit price 7.50, ordered at 7.25"

    with pytest.raises(Conflict) as refused:
        services.supplier_invoice_post(company=company, by=accountant, invoice_id=invoice.pk)
    assert refused.value.errors == [
        {"field": "lines.1", "message": "Artículo PLAN-01: unit price 7.50, ordered at 7.25"}
    ]
    assert SupplierInvoice.objects.get(pk=invoice.pk).state == "draft"

    services.supplier_invoice_accept_differences(company=company, by=accountant, invoice_id=invoice.pk)
    posted = services.supplier_invoice_post(company=company, by=accountant, invoice_id=invoice.pk)

    posted.refresh_from_db()
    assert posted.differences_accepted_by == accountant and posted.differences_accepted_at is not None
    assert (posted.state, posted.number, posted.posted_by) == ("posted", "FR-2026-000001", accountant)
    # 4 x 7.50 = 30.00 at 10 % → 3.00; 100.00 at 21 % → 21.00
    assert taxes_of(posted) == [
        ("vat", D("21.00"), D("100.00"), D("21.00")),
        ("vat", D("10.00"), D("30.00"), D("3.00")),
    ]
    assert (posted.base, posted.vat, posted.total) == (D("130.00"), D("24.00"), D("154.00"))


def test_billing_more_than_received_is_a_quantity_difference(company, accountant, received_order):
    invoice = from_orders(company, accountant, received_order())
    hammer, book = lines_of(invoice)
    services.supplier_invoice_update(
        company=company,
        by=accountant,
        invoice_id=invoice.pk,
        lines=[{"id": hammer.pk, "quantity": "10"}, {"id": book.pk}],
    )
    assert difference_text(lines_of(invoice)[0].difference) == "bills 10, received and not yet invoiced 8"


def test_a_new_difference_after_accepting_needs_accepting_again(company, accountant, received_order):
    invoice = from_orders(company, accountant, received_order())
    hammer, book = lines_of(invoice)
    lines = [{"id": hammer.pk}, {"id": book.pk, "unit_price": "7.50"}]
    services.supplier_invoice_update(company=company, by=accountant, invoice_id=invoice.pk, lines=lines)
    services.supplier_invoice_accept_differences(company=company, by=accountant, invoice_id=invoice.pk)
    lines[0]["quantity"] = "9"
    changed = services.supplier_invoice_update(
        company=company, by=accountant, invoice_id=invoice.pk, lines=lines
    )
    assert changed.differences_accepted_at is None
    with pytest.raises(Conflict):
        services.supplier_invoice_post(company=company, by=accountant, invoice_id=invoice.pk)


def test_what_one_invoice_bills_is_not_drawn_again_and_a_second_bill_of_it_is_flagged(
    company, accountant, received_order
):
    order = received_order()
    first = from_orders(company, accountant, order, number="A-1")
    with pytest.raises(ValidationFailed) as nothing_left:
        from_orders(company, accountant, order, number="A-2")
    assert nothing_left.value.errors[0]["field"] == "order_ids"

    # The same goods typed again by hand on another draft linked to nothing: no check; but a copy of the
    # first draft's lines posted after it bills what is already invoiced.
    services.supplier_invoice_post(company=company, by=accountant, invoice_id=first.pk)
    hammer_line = lines_of(first)[0]
    second = SupplierInvoice.objects.create(
        company=company,
        party=first.party,
        supplier_number="A-3",
        date=date(2026, 1, 21),
        year=2026,
        currency="EUR",
    )
    SupplierInvoiceLine.objects.create(
        invoice=second, position=1, purchase_line=hammer_line.purchase_line, item=hammer_line.item, description="x",
        quantity=D("8"), unit_price=D("12.50"), net=D("100.00"), vat_rate=D("21"),
    )  # fmt: skip
    with pytest.raises(Conflict) as refused:
        services.supplier_invoice_post(company=company, by=accountant, invoice_id=second.pk)
    assert refused.value.errors[0]["message"] == "x: bills 8, received and not yet invoiced 0"


def test_a_duplicate_supplier_number_is_refused_for_the_same_supplier_and_year_only(
    company, accountant, supplier, other_supplier, received_order
):
    from_orders(company, accountant, received_order(), number="A-101")
    with pytest.raises(ValidationFailed) as duplicate:
        from_orders(company, accountant, received_order(), number=" a-101 ")
    assert duplicate.value.errors[0]["field"] == "supplier_number"
    assert "already recorded" in duplicate.value.errors[0]["message"]

    by_hand = {"lines": [{"description": "Portes", "quantity": "1", "unit_price": "10", "vat_rate": "21"}]}
    services.supplier_invoice_create(
        company=company,
        by=accountant,
        party_id=other_supplier.pk,
        supplier_number="A-101",
        date=date(2026, 2, 1),
        **by_hand,
    )
    services.supplier_invoice_create(
        company=company,
        by=accountant,
        party_id=supplier.pk,
        supplier_number="A-101",
        date=date(2027, 1, 2),
        **by_hand,
    )
    draft = services.supplier_invoice_create(
        company=company,
        by=accountant,
        party_id=supplier.pk,
        supplier_number="A-102",
        date=date(2026, 2, 1),
        **by_hand,
    )
    with pytest.raises(ValidationFailed) as renamed:
        services.supplier_invoice_update(
            company=company, by=accountant, invoice_id=draft.pk, supplier_number="A-101"
        )
    assert renamed.value.errors[0]["field"] == "supplier_number"
    assert SupplierInvoice.objects.filter(party=supplier, supplier_number="A-101").count() == 2


def test_a_professional_service_typed_by_hand_withholds_irpf(company, accountant, supplier):
    invoice = services.supplier_invoice_create(
        company=company, by=accountant, party_id=supplier.pk, supplier_number="2026/17", date=date(2026, 3, 1),
        lines=[{"description": "Asesoría fiscal, marzo", "quantity": "1", "unit_price": "1000", "vat_rate": "21", "irpf_rate": "15"}],
    )  # fmt: skip
    posted = services.supplier_invoice_post(company=company, by=accountant, invoice_id=invoice.pk)
    posted.refresh_from_db()
    assert (posted.base, posted.vat, posted.withholding, posted.total, posted.amount_due) == (
        D("1000.00"), D("210.00"), D("150.00"), D("1210.00"), D("1060.00"),
    )  # fmt: skip
    assert taxes_of(posted) == [
        ("irpf", D("15.00"), D("1000.00"), D("150.00")),
        ("vat", D("21.00"), D("1000.00"), D("210.00")),
    ]


def test_numbers_are_gapless_in_date_order_and_an_earlier_date_is_refused(company, accountant, supplier):
    def post(number, day):
        draft = services.supplier_invoice_create(
            company=company, by=accountant, party_id=supplier.pk, supplier_number=number, date=day,
            lines=[{"description": "Portes", "quantity": "1", "unit_price": "10", "vat_rate": "21"}],
        )  # fmt: skip
        return services.supplier_invoice_post(company=company, by=accountant, invoice_id=draft.pk)

    assert post("1", date(2026, 1, 10)).number == "FR-2026-000001"
    assert post("2", date(2026, 1, 12)).number == "FR-2026-000002"
    with pytest.raises(ValidationFailed) as earlier:
        post("3", date(2026, 1, 11))
    assert earlier.value.errors[0]["field"] == "date"
    assert post("4", date(2026, 1, 12)).number == "FR-2026-000003"
    assert post("5", date(2027, 1, 2)).number == "FR-2027-000001"
    assert SupplierInvoice.objects.get(supplier_number="3").state == "draft"


def test_a_posted_invoice_is_neither_changed_nor_deleted_nor_posted_again(
    company, accountant, received_order
):
    invoice = from_orders(company, accountant, received_order())
    services.supplier_invoice_post(company=company, by=accountant, invoice_id=invoice.pk)
    for action in (
        lambda: services.supplier_invoice_update(
            company=company, by=accountant, invoice_id=invoice.pk, notes="x"
        ),
        lambda: services.supplier_invoice_delete(company=company, by=accountant, invoice_id=invoice.pk),
        lambda: services.supplier_invoice_post(company=company, by=accountant, invoice_id=invoice.pk),
        lambda: services.supplier_invoice_accept_differences(
            company=company, by=accountant, invoice_id=invoice.pk
        ),
    ):
        with pytest.raises(Conflict):
            action()
    assert SupplierInvoice.objects.get(pk=invoice.pk).notes == ""


def test_a_draft_is_deleted_with_its_lines(company, accountant, received_order):
    invoice = from_orders(company, accountant, received_order())
    services.supplier_invoice_delete(company=company, by=accountant, invoice_id=invoice.pk)
    assert not SupplierInvoice.objects.exists() and not SupplierInvoiceLine.objects.exists()


def test_bad_input_is_a_field_error(company, other_company, accountant, supplier, received_order):
    order = received_order()
    for bad, field in (
        ({"order_ids": []}, "order_ids"),
        ({"order_ids": [order.pk + 1000]}, "order_ids"),
        ({"order_ids": [order.pk], "supplier_number": "  "}, "supplier_number"),
    ):
        with pytest.raises(ValidationFailed) as failure:
            services.supplier_invoice_from_orders(
                company=company, by=accountant, **({"supplier_number": "X", "date": date(2026, 1, 20)} | bad)
            )
        assert failure.value.errors[0]["field"] == field
    with pytest.raises(ValidationFailed) as no_lines:
        services.supplier_invoice_create(
            company=company,
            by=accountant,
            party_id=supplier.pk,
            supplier_number="X",
            date=date(2026, 1, 2),
            lines=[],
        )
    assert no_lines.value.errors[0]["field"] == "lines"
    with pytest.raises(ValidationFailed) as bad_rate:
        services.supplier_invoice_create(
            company=company, by=accountant, party_id=supplier.pk, supplier_number="X", date=date(2026, 1, 2),
            lines=[{"description": "x", "quantity": "1", "unit_price": "1", "vat_rate": "121"}],
        )  # fmt: skip
    assert bad_rate.value.errors[0]["field"] == "lines.0.vat_rate"
    with pytest.raises(NotFound):
        services.supplier_invoice_post(
            company=other_company, by=accountant, invoice_id=from_orders(company, accountant, order).pk
        )
    assert SupplierInvoice.objects.count() == 1


def test_another_suppliers_order_cannot_join_the_invoice(company, accountant, other_supplier, received_order):
    with pytest.raises(ValidationFailed) as mixed:
        from_orders(company, accountant, received_order(), received_order(party=other_supplier))
    assert mixed.value.errors[0]["message"] == "The purchase orders are of different suppliers."


def test_drawing_and_posting_take_the_same_queries_whatever_the_lines(company, accountant, received_order):
    counts = []
    journal_of(company, "GEN")  # the books set up, as a company's set-up leaves them
    ContentType.objects.get_for_model(SupplierInvoice)  # cached, as after any earlier posting
    for extra, number in ((0, "Q-1"), (6, "Q-2")):
        order = received_order(extra_lines=extra)
        with CaptureQueriesContext(connection) as drawn:
            invoice = from_orders(company, accountant, order, number=number)
        with CaptureQueriesContext(connection) as posted:
            services.supplier_invoice_post(company=company, by=accountant, invoice_id=invoice.pk)
        counts.append((len(drawn), len(posted)))
    assert counts[0] == counts[1]
    assert counts[0][0] <= 14 and counts[0][1] <= 45  # the journal entry included


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_supplier_invoices_posted_at_once_take_the_numbers_1_to_10_without_a_gap(
    company, accountant, supplier
):
    lines = [{"description": "Portes", "quantity": "1", "unit_price": "10", "vat_rate": "21"}]
    drafts = [
        services.supplier_invoice_create(
            company=company,
            by=accountant,
            party_id=supplier.pk,
            supplier_number=f"P-{n}",
            date=date(2026, 4, 1),
            lines=lines,
        )
        for n in range(10)
    ]
    results = at_once(
        [
            lambda pk=draft.pk: services.supplier_invoice_post(company=company, by=accountant, invoice_id=pk).sequence
            for draft in drafts
        ]
    )
    assert sorted(results, key=str) == sorted(range(1, 11), key=str)
    numbers = sorted(SupplierInvoice.objects.filter(state="posted").values_list("number", flat=True))
    assert numbers == [f"FR-2026-{n:06d}" for n in range(1, 11)]


def test_an_order_in_another_currency_is_invoiced_at_its_own_rate(
    company, accountant, buyer, supplier, items
):
    hammer, _book = items
    purchasing.exchange_rate_set(company=company, by=buyer, currency="USD", day=date(2026, 1, 1), rate="0.92")
    order = purchasing.purchase_order_create(
        company=company, by=buyer, supplier_id=supplier.pk, currency="USD", date=date(2026, 1, 5),
        lines=[{"item_id": hammer.pk, "quantity": "3", "unit_price": "10.00"}],
    )  # fmt: skip
    purchasing.purchase_order_confirm(company=company, by=buyer, order_id=order.pk)
    purchasing.purchase_order_receive(
        company=company,
        by=buyer,
        order_id=order.pk,
        quantities={order.lines.get().pk: "3"},
        date=date(2026, 1, 6),
    )
    # A later rate does not change what the goods cost when they came in.
    purchasing.exchange_rate_set(company=company, by=buyer, currency="USD", day=date(2026, 1, 15), rate="2")
    invoice = from_orders(company, accountant, order)
    assert (invoice.currency, invoice.exchange_rate, invoice.total) == ("USD", D("0.92"), D("36.30"))

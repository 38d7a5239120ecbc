"""Customer invoices: drafts from orders or typed by hand, posted with their taxes per rate, the customer as
it stood, a gapless number in date order, and the orders' invoiced quantities."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nexo.accounting.services.ledger import journal_of
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.invoicing import services
from nexo.invoicing.models import Invoice, InvoiceLine, InvoiceTax
from nexo.invoicing.services import InvoiceLineInput
from nexo.invoicing.tests.customer_invoices import *  # noqa: F403 (the fixtures)
from nexo.invoicing.tests.customer_invoices import DAY
from nexo.sales.models import SalesOrderLine
from nexo.sales.tests.terms_helpers import standard_terms

D = Decimal


def taxes_of(invoice):
    return [
        (tax.kind, tax.treatment, tax.rate, tax.recargo_rate, tax.base, tax.amount, tax.recargo)
        for tax in InvoiceTax.objects.filter(invoice=invoice).order_by("kind", "-rate")
    ]


# The figures


def test_three_lines_of_base_0_15_at_10_percent_are_taxed_0_05_on_their_sum(hand_invoice, post):
    posted = post(hand_invoice([("1", "0.15", "10")] * 3))
    assert (posted.base, posted.vat, posted.total, posted.amount_due) == (
        D("0.45"),
        D("0.05"),
        D("0.50"),
        D("0.50"),
    )
    assert taxes_of(posted) == [("vat", "domestic", D("10.00"), D("0.00"), D("0.45"), D("0.05"), D("0.00"))]
    assert posted.number == "F-2026-000001"


def test_a_customer_subject_to_recargo_pays_5_2_percent_beside_21_percent_vat(
    company, accountant, make_customer, items, post
):
    retailer = make_customer("Droguería Ruzafa", "B46000022", subject_to_recargo=True)
    draft = services.invoice_create(
        company=company, by=accountant, party_id=retailer.pk, date=DAY,
        lines=[InvoiceLineInput(items["tile"].pk, "", D("10"), D("10.00"))],
    )  # fmt: skip
    posted = post(draft)
    assert (posted.base, posted.vat, posted.recargo, posted.total) == (
        D("100.00"),
        D("21.00"),
        D("5.20"),
        D("126.20"),
    )
    assert taxes_of(posted) == [
        ("vat", "domestic", D("21.00"), D("5.20"), D("100.00"), D("21.00"), D("5.20"))
    ]
    line = InvoiceLine.objects.get(invoice=posted)
    assert (line.vat_rate, line.recargo_rate, line.irpf_rate) == (D("21.00"), D("5.20"), D("0.00"))


def test_a_professional_service_withheld_at_15_percent_leaves_1060_due(
    company, accountant, make_customer, items, post
):
    firm = make_customer("Constructora Levante, S.A.", "A46000030", withholds_irpf=True)
    draft = services.invoice_create(
        company=company, by=accountant, party_id=firm.pk, date=DAY,
        lines=[InvoiceLineInput(items["hour"].pk, "Consultancy", D("20"), D("50.00"))],
    )  # fmt: skip
    posted = post(draft)
    assert (posted.base, posted.vat, posted.total) == (D("1000.00"), D("210.00"), D("1210.00"))
    assert (posted.withholding, posted.amount_due) == (D("150.00"), D("1060.00"))
    assert taxes_of(posted) == [
        ("irpf", "", D("15.00"), D("0.00"), D("1000.00"), D("150.00"), D("0.00")),
        ("vat", "domestic", D("21.00"), D("0.00"), D("1000.00"), D("210.00"), D("0.00")),
    ]


def test_posting_snapshots_the_customer_and_a_later_change_of_the_party_leaves_the_invoice_alone(
    customer, hand_invoice, post
):
    posted = post(hand_invoice([("2", "50.00", "21")]))
    assert (posted.party_name, posted.party_tax_id, posted.party_country, posted.language) == (
        "Reformas Turia, S.L.", "B46000014", "ES", "es",
    )  # fmt: skip
    assert posted.party_address == "Calle Colón 12\n46004 Valencia"
    customer.name = "Otro nombre"
    customer.save()
    assert Invoice.objects.get(pk=posted.pk).party_name == "Reformas Turia, S.L."


def test_an_intra_eu_business_gets_exempt_goods_and_a_reverse_charged_service(
    company, accountant, make_customer, items, post
):
    buyer = make_customer(
        "Bauhaus GmbH", "DE100000008", eu_vat_valid=True, country="DE",
        addresses=[{"street": "Hauptstr. 1", "postal_code": "10115", "city": "Berlin", "country": "DE", "kind": "billing"}],
    )  # fmt: skip
    draft = services.invoice_create(
        company=company, by=accountant, party_id=buyer.pk, date=DAY,
        lines=[
            InvoiceLineInput(items["tile"].pk, "", D("10"), D("10.00")),
            InvoiceLineInput(items["hour"].pk, "", D("2"), D("50.00")),
        ],
    )  # fmt: skip
    posted = post(draft)
    assert (posted.base, posted.vat, posted.total, posted.treatment) == (
        D("200.00"),
        D("0.00"),
        D("200.00"),
        "mixed",
    )
    assert taxes_of(posted) == [
        ("vat", "eu_service_reverse_charge", D("0.00"), D("0.00"), D("100.00"), D("0.00"), D("0.00")),
        ("vat", "intra_eu_goods", D("0.00"), D("0.00"), D("100.00"), D("0.00"), D("0.00")),
    ]
    assert posted.party_address == "Hauptstr. 1\n10115 Berlin\nDE"


# From orders


def test_an_invoice_of_two_orders_bills_what_was_delivered_and_the_services_ordered(
    company, accountant, customer, items, make_order, post
):
    first = make_order(
        customer, [(items["tile"], "10", "10.00", "21"), (items["hour"], "2", "50.00", "21")], delivered=["6"]
    )
    second = make_order(
        customer, [(items["book"], "4", "20.00", "10")], delivered=["4"], unit_cost=D("12.00")
    )
    draft = services.invoice_from_orders(
        company=company, by=accountant, order_ids=[first.pk, second.pk], date=DAY
    )
    lines = list(InvoiceLine.objects.filter(invoice=draft).order_by("position"))
    assert [(line.quantity, line.net, line.vat_rate) for line in lines] == [
        (D("6.0000"), D("60.00"), D("21.00")),
        (D("2.0000"), D("100.00"), D("21.00")),
        (D("4.0000"), D("80.00"), D("10.00")),
    ]
    assert lines[0].description == "Artículo TILE-01 (PV-2026-00001)"
    assert (draft.state, draft.number, draft.base, draft.vat, draft.total) == (
        "draft", "", D("240.00"), D("41.60"), D("281.60"),
    )  # fmt: skip
    posted = post(draft)
    assert posted.number == "F-2026-000001"
    # Cost of goods: 6 tiles at 4.00, 4 books at 12.00, the service at its quoted 4.00 an hour.
    assert [line.cost for line in InvoiceLine.objects.filter(invoice=posted).order_by("position")] == [
        D("24.00"), D("8.00"), D("48.00"),
    ]  # fmt: skip
    assert posted.cost == D("80.00")
    tile, hour = SalesOrderLine.objects.filter(order=first).order_by("position")
    assert (tile.invoiced, tile.invoiced_net, hour.invoiced, hour.invoiced_net) == (
        D("6"), D("60.00"), D("2"), D("100.00"),
    )  # fmt: skip
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.invoice_state, first.invoiced_net, first.state) == ("partial", D("160.00"), "confirmed")
    assert (second.invoice_state, second.invoiced_net, second.state) == ("invoiced", D("80.00"), "done")


def test_nothing_is_invoiced_twice_a_draft_holds_its_quantities_and_the_rest_takes_the_remaining_net(
    company, accountant, customer, items, make_order, post
):
    # 3 tiles for 10.00 net: 3.33 + 3.33 would leave 3.34 for the last one.
    order = make_order(customer, [(items["tile"], "3", "3.333333", "21", "10.00")], delivered=["1"])
    first = services.invoice_from_orders(company=company, by=accountant, order_ids=[order.pk], date=DAY)
    with pytest.raises(Conflict, match="Nothing to invoice on PV-2026-00001"):
        services.invoice_from_orders(company=company, by=accountant, order_ids=[order.pk], date=DAY)
    line = SalesOrderLine.objects.get(order=order)
    make_order.deliver(order, [line], ["2"], D("4.00"))  # two more delivered: 3 in all
    SalesOrderLine.objects.filter(pk=line.pk).update(delivered=D("3"))
    second = services.invoice_from_orders(company=company, by=accountant, order_ids=[order.pk], date=DAY)
    assert InvoiceLine.objects.get(invoice=second).quantity == D("2")
    post(first)
    post(second)
    nets = [InvoiceLine.objects.get(invoice=invoice).net for invoice in (first, second)]
    assert nets == [D("3.33"), D("6.67")]
    line.refresh_from_db()
    assert (line.invoiced, line.invoiced_net) == (D("3"), D("10.00"))
    with pytest.raises(Conflict, match="Nothing to invoice"):
        services.invoice_from_orders(company=company, by=accountant, order_ids=[order.pk], date=DAY)


def test_orders_of_two_customers_or_of_another_company_are_refused_and_nothing_is_made(
    company, other_company, accountant, customer, make_customer, items, make_order
):
    mine = make_order(customer, [(items["tile"], "1", "10.00", "21")], delivered=["1"])
    theirs = make_order(
        make_customer("Otra", "B46000097"), [(items["tile"], "1", "10.00", "21")], delivered=["1"]
    )
    with pytest.raises(ValidationFailed, match="is of another customer") as refused:
        services.invoice_from_orders(company=company, by=accountant, order_ids=[mine.pk, theirs.pk])
    assert refused.value.errors[0]["field"] == "order_ids"
    with pytest.raises(ValidationFailed, match="No such sales order"):
        services.invoice_from_orders(company=other_company, by=accountant, order_ids=[mine.pk])
    with pytest.raises(ValidationFailed, match="at least one order"):
        services.invoice_from_orders(company=company, by=accountant, order_ids=[])
    assert not Invoice.objects.exists()


def test_posting_more_than_is_left_to_invoice_after_a_return_is_refused(
    company, accountant, customer, items, make_order, post
):
    order = make_order(customer, [(items["tile"], "5", "10.00", "21")], delivered=["5"])
    draft = services.invoice_from_orders(company=company, by=accountant, order_ids=[order.pk], date=DAY)
    SalesOrderLine.objects.filter(order=order).update(returned=D("2"))
    with pytest.raises(Conflict, match="more than is left to invoice"):
        post(draft)
    assert Invoice.objects.get(pk=draft.pk).state == "draft"
    assert SalesOrderLine.objects.get(order=order).invoiced == 0


# Bad input


def test_an_invoice_without_lines_is_not_posted(hand_invoice, post):
    draft = hand_invoice([])
    with pytest.raises(ValidationFailed, match="without lines") as refused:
        post(draft)
    assert refused.value.errors[0]["field"] == "lines"
    assert Invoice.objects.get(pk=draft.pk).state == "draft"


def test_a_customer_without_tax_id_or_billing_address_needs_them_unless_the_invoice_is_simplified(
    make_customer, hand_invoice, post
):
    no_tax_id = make_customer("Cliente de mostrador", "")
    no_address = make_customer("Sin dirección", "B46000048", addresses=())
    with pytest.raises(ValidationFailed, match="has no tax id"):
        post(hand_invoice([("1", "10.00", "21")], party=no_tax_id))
    with pytest.raises(ValidationFailed, match="has no billing address"):
        post(hand_invoice([("1", "10.00", "21")], party=no_address))
    simplified = post(hand_invoice([("1", "10.00", "21")], party=no_tax_id, simplified=True))
    assert (simplified.invoice_type, simplified.number, simplified.party_tax_id) == (
        "F2",
        "FS-2026-000001",
        "",
    )
    assert not Invoice.objects.filter(state="posted", invoice_type="F1").exists()


def test_a_simplified_invoice_over_400_euros_vat_included_is_refused(make_customer, hand_invoice, post):
    counter = make_customer("Cliente de mostrador", "")
    at_limit = post(hand_invoice([("1", "330.58", "21")], party=counter, simplified=True))
    assert at_limit.total == D("400.00")
    over = hand_invoice([("1", "330.59", "21")], party=counter, simplified=True)
    with pytest.raises(ValidationFailed, match=r"at most 400.00 € VAT included \(art. 4.1 a RD 1619/2012\)"):
        post(over)
    assert Invoice.objects.get(pk=over.pk).state == "draft"


def test_typed_lines_with_bad_figures_are_field_errors(company, accountant, customer, items):
    cases = [
        (InvoiceLineInput(None, "", D("1"), D("1"), vat_rate=D("21")), "lines.0.description"),
        (InvoiceLineInput(None, "x", D("0"), D("1"), vat_rate=D("21")), "lines.0.quantity"),
        (InvoiceLineInput(None, "x", D("1"), D("-1"), vat_rate=D("21")), "lines.0.unit_price"),
        (InvoiceLineInput(None, "x", D("1"), D("1"), D("101"), D("21")), "lines.0.discount"),
        (InvoiceLineInput(None, "x", D("1"), D("1")), "lines.0.vat_rate"),
        (InvoiceLineInput(None, "x", D("1"), D("1"), vat_rate=D("100")), "lines.0.vat_rate"),
        (InvoiceLineInput(999999, "x", D("1"), D("1")), "lines.0.item"),
    ]
    for line, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            services.invoice_create(company=company, by=accountant, party_id=customer.pk, lines=[line])
        assert refused.value.errors[0]["field"] == field
    with pytest.raises(ValidationFailed) as refused:
        services.invoice_create(company=company, by=accountant, party_id=999999, lines=[])
    assert refused.value.errors[0]["field"] == "party"
    assert not Invoice.objects.exists()


def test_a_line_takes_its_items_sale_tax_when_no_rate_is_typed(company, accountant, customer, items):
    draft = services.invoice_create(
        company=company, by=accountant, party_id=customer.pk, date=DAY,
        lines=[InvoiceLineInput(items["book"].pk, "", D("1"), D("20.00"), D("10"))],
    )  # fmt: skip
    line = InvoiceLine.objects.get(invoice=draft)
    assert (line.description, line.vat_rate, line.net) == ("Artículo BOOK-01", D("10.00"), D("18.00"))
    assert (draft.vat, draft.total) == (D("1.80"), D("19.80"))


# Drafts only


def test_a_draft_changes_and_goes_away_but_a_posted_invoice_does_neither(
    company, accountant, hand_invoice, post
):
    draft = hand_invoice([("1", "10.00", "21")])
    thirty_days = standard_terms(company)["30 días"]
    changed = services.invoice_update(
        company=company, by=accountant, invoice_id=draft.pk, notes="Obra Ruzafa", payment_term_id=thirty_days.pk,
        lines=[InvoiceLineInput(None, "Portes", D("2"), D("15.00"), vat_rate=D("21"))],
    )  # fmt: skip
    assert (changed.notes, changed.base, changed.total) == ("Obra Ruzafa", D("30.00"), D("36.30"))
    assert Invoice.objects.get(pk=draft.pk).payment_term == thirty_days
    assert list(InvoiceLine.objects.filter(invoice=draft).values_list("description", flat=True)) == ["Portes"]
    other = hand_invoice([("1", "10.00", "21")])
    services.invoice_delete(company=company, by=accountant, invoice_id=other.pk)
    assert not Invoice.objects.filter(pk=other.pk).exists()
    posted = post(draft)
    with pytest.raises(Conflict, match="is posted: it cannot be changed"):
        services.invoice_update(company=company, by=accountant, invoice_id=posted.pk, notes="x")
    with pytest.raises(Conflict, match="is posted: it cannot be deleted"):
        services.invoice_delete(company=company, by=accountant, invoice_id=posted.pk)
    with pytest.raises(Conflict, match="already posted"):
        post(posted)
    assert Invoice.objects.get(pk=posted.pk).notes == "Obra Ruzafa"


def test_another_companys_invoice_is_not_found(other_company, accountant, hand_invoice):
    draft = hand_invoice([("1", "10.00", "21")])
    with pytest.raises(NotFound):
        services.invoice_delete(company=other_company, by=accountant, invoice_id=draft.pk)
    with pytest.raises(NotFound):
        services.invoice_post(company=other_company, by=accountant, invoice_id=draft.pk)


# Queries


@pytest.mark.parametrize("count", [2, 10])
def test_posting_from_an_order_takes_the_same_queries_whatever_its_number_of_lines(
    count, company, accountant, customer, items, make_order, post
):
    order = make_order(customer, [(items["tile"], "1", "10.00", "21")] * count, delivered=["1"] * count)
    draft = services.invoice_from_orders(company=company, by=accountant, order_ids=[order.pk], date=DAY)
    journal_of(company, "GEN")  # the books set up, as a company's set-up leaves them
    with CaptureQueriesContext(connection) as queries:
        post(draft)
    # 49, and the VERI*FACTU record: the settings, the chain's head (created on the first record), the VAT
    # groups, the record and the head's update.
    assert len(queries) <= 53, "\n".join(query["sql"][:150] for query in queries)


@pytest.mark.parametrize("count", [2, 10])
def test_drafting_from_an_order_and_by_hand_take_the_same_queries_whatever_the_lines(
    count, company, accountant, customer, items, make_order, django_assert_max_num_queries
):
    order = make_order(customer, [(items["tile"], "1", "10.00", "21")] * count, delivered=["1"] * count)
    with django_assert_max_num_queries(12):
        services.invoice_from_orders(company=company, by=accountant, order_ids=[order.pk], date=DAY)
    lines = [InvoiceLineInput(items["tile"].pk, "", D("1"), D("10.00"))] * count
    with django_assert_max_num_queries(12):
        services.invoice_create(company=company, by=accountant, party_id=customer.pk, date=DAY, lines=lines)


def test_a_new_company_gets_its_invoicing_series(db):
    from nexo.core.services import company_create
    from nexo.invoicing.models import InvoicingSettings

    made = company_create(name="Nueva, S.L.", tax_id="B46000063")
    settings = InvoicingSettings.objects.get(company=made)
    assert (settings.invoice_series, settings.credit_note_series, settings.simplified_series) == (
        "F",
        "R",
        "FS",
    )


def test_an_issuer_without_its_address_cannot_post_an_invoice(company, hand_invoice, post):
    draft = hand_invoice([("1", "100.00", "21")])
    company.street = ""
    company.save(update_fields=["street"])
    with pytest.raises(Conflict, match="tax id and address"):
        post(draft)
    draft.refresh_from_db()
    assert (draft.state, draft.number) == (Invoice.State.DRAFT, "")
    company.street = "Calle de la Industria, 24"
    company.save(update_fields=["street"])
    assert post(draft).number.startswith("F-")

"""Every posted customer invoice, credit note and supplier invoice makes its journal entry in the same
transaction, linked both ways; the accounts come from the party, the items' categories (their parents, then
the company defaults) and the taxes. Every entry below is computed by hand."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nexo.accounting.models import Account, Entry, EntryLine, PartyAccounting
from nexo.accounting.services.ledger import journal_of, lock_date_set
from nexo.catalog.models import Item
from nexo.catalog.services import category_create
from nexo.core.errors import ValidationFailed
from nexo.invoicing import services
from nexo.invoicing.models import CategoryAccounts, Invoice, InvoiceLine, SupplierInvoice
from nexo.invoicing.services import InvoiceLineInput
from nexo.invoicing.services.entries import document_entries
from nexo.invoicing.tests.customer_invoices import *  # noqa: F403 (the fixtures)
from nexo.invoicing.tests.customer_invoices import DAY

D = Decimal


def entry_of(document, model="invoicing.invoice"):
    entries = Entry.objects.filter(origin_model=model, origin_id=document.pk)
    assert entries.count() == 1
    return entries.get()


def lines_of(entry):
    """(account code, debit, credit, party id or None, description) per line, in order."""
    return [
        (line.account.code, line.debit, line.credit, line.party_id, line.description)
        for line in EntryLine.objects.filter(entry=entry).select_related("account").order_by("position")
    ]


def amounts_of(entry):
    return [(code, debit, credit, party) for code, debit, credit, party, _text in lines_of(entry)]


@pytest.fixture
def shop(make_customer):
    """A retailer in the recargo regime that withholds IRPF on professional services."""
    return make_customer("Ferretería Ruzafa, S.L.", "B46000022", subject_to_recargo=True, withholds_irpf=True)


def typed(company, accountant, party, lines, day=DAY):
    return services.invoice_create(
        company=company, by=accountant, party_id=party.pk, date=day,
        lines=[InvoiceLineInput(item.pk, "", D(quantity), D(price)) for item, quantity, price in lines],
    )  # fmt: skip


@pytest.fixture
def mixed_invoice(company, accountant, shop, items, post):
    """10 tiles at 10.00 (21 % + 5.2 %), 2 books at 20.00 (10 % + 1.4 %), 3 hours of consultancy at 50.00
    (a service: 21 %, no recargo, IRPF 15 %): base 290.00, VAT 21.00 + 31.50 + 4.00, recargo 5.20 + 0.56,
    withholding 22.50, total 352.26, amount due 329.76."""
    draft = typed(
        company,
        accountant,
        shop,
        [(items["tile"], "10", "10"), (items["book"], "2", "20"), (items["hour"], "3", "50")],
    )
    posted = post(draft)
    assert (posted.base, posted.vat, posted.recargo, posted.withholding, posted.total, posted.amount_due) == (
        D("290.00"), D("56.50"), D("5.76"), D("22.50"), D("352.26"), D("329.76"),
    )  # fmt: skip
    return posted


def test_an_invoice_with_two_vat_rates_recargo_and_irpf_posts_its_entry(company, mixed_invoice, shop):
    entry = entry_of(mixed_invoice)
    assert (entry.journal.code, entry.number, entry.date, entry.state) == (
        "VEN", "VEN/2026/000001", DAY, "posted",
    )  # fmt: skip
    assert (entry.origin_model, entry.origin_id, entry.origin_number) == (
        "invoicing.invoice", mixed_invoice.pk, "F-2026-000001",
    )  # fmt: skip
    assert entry.description == "Invoice F-2026-000001 · Ferretería Ruzafa, S.L."
    assert amounts_of(entry) == [
        ("4300", D("329.76"), D("0"), shop.pk),  # the customer: the amount due
        ("473", D("22.50"), D("0"), shop.pk),  # the IRPF it withholds from us
        ("700", D("0"), D("140.00"), None),  # goods: tiles and books
        ("705", D("0"), D("150.00"), None),  # the consultancy: services
        ("4770", D("0"), D("52.50"), None),  # VAT 21 %: 21.00 on goods + 31.50 on the service
        ("4770", D("0"), D("4.00"), None),  # VAT 10 %
        ("4771", D("0"), D("5.20"), None),  # recargo 5.2 %
        ("4771", D("0"), D("0.56"), None),  # recargo 1.4 %
    ]
    assert [text for *_rest, text in lines_of(entry)][3:] == [
        "Invoice F-2026-000001 · Ferretería Ruzafa, S.L.", "VAT 21 %", "VAT 10 %",
        "Equivalence surcharge 5.2 %", "Equivalence surcharge 1.4 %",
    ]  # fmt: skip
    assert entry.total == D("352.26")
    assert document_entries(company, "invoicing.invoice", [mixed_invoice.pk]) == {mixed_invoice.pk: [entry]}


def test_a_credit_note_posts_the_reverse_with_sales_returns(
    company, accountant, mixed_invoice, shop, items, post
):
    tile = InvoiceLine.objects.get(invoice=mixed_invoice, item=items["tile"])
    hour = InvoiceLine.objects.get(invoice=mixed_invoice, item=items["hour"])
    draft = services.credit_note_create(
        company=company, by=accountant, invoice_id=mixed_invoice.pk, reason="Devolución",
        quantities={tile.pk: D("2"), hour.pk: D("1")},
    )  # fmt: skip
    note = post(draft)
    # Tiles -20.00: VAT -4.20, recargo -1.04; one hour -50.00: VAT -10.50, IRPF -7.50.
    assert (note.base, note.vat, note.recargo, note.withholding, note.amount_due) == (
        D("-70.00"), D("-14.70"), D("-1.04"), D("-7.50"), D("-78.24"),
    )  # fmt: skip
    entry = entry_of(note)
    assert (entry.number, entry.description) == (
        "VEN-R/2026/000001", "Credit note R-2026-000001 · Ferretería Ruzafa, S.L.",
    )  # fmt: skip
    assert amounts_of(entry) == [
        ("4300", D("0"), D("78.24"), shop.pk),
        ("473", D("0"), D("7.50"), shop.pk),
        ("7080", D("20.00"), D("0"), None),  # goods returned
        ("705", D("50.00"), D("0"), None),  # a service corrected: its own income account
        ("4770", D("14.70"), D("0"), None),
        ("4771", D("1.04"), D("0"), None),
    ]
    receivable = EntryLine.objects.filter(account__code="4300", party=shop).aggregate(
        debit=Sum("debit"), credit=Sum("credit")
    )
    assert receivable["debit"] - receivable["credit"] == D("329.76") - D("78.24")


@pytest.fixture
def supplier(company, sales_user):
    from nexo.parties.services import party_create

    return party_create(company=company, by=sales_user, name="Asesores Levante, S.L.P.", is_supplier=True)


def test_a_supplier_invoice_with_withholding_posts_its_entry(company, accountant, supplier, items):
    draft = services.supplier_invoice_create(
        company=company, by=accountant, party_id=supplier.pk, supplier_number="2026/117", date=date(2026, 3, 4),
        lines=[
            {"description": "Asesoría fiscal del trimestre", "quantity": D("1"), "unit_price": D("1000"),
             "vat_rate": D("21"), "irpf_rate": D("15")},
            {"item_id": items["book"].pk, "quantity": D("3"), "unit_price": D("12.40"), "vat_rate": D("10")},
        ],
    )  # fmt: skip
    posted = services.supplier_invoice_post(company=company, by=accountant, invoice_id=draft.pk)
    # 1,000.00 at 21 % withheld 15 %, 37.20 at 10 %: VAT 210.00 + 3.72, IRPF 150.00, due 1,100.92.
    assert (posted.base, posted.vat, posted.withholding, posted.amount_due) == (
        D("1037.20"), D("213.72"), D("150.00"), D("1100.92"),
    )  # fmt: skip
    entry = entry_of(posted, "invoicing.supplierinvoice")
    assert (entry.journal.code, entry.number, entry.date) == ("COM", "COM/2026/000001", date(2026, 3, 4))
    assert entry.description == f"Supplier invoice {posted.number} (2026/117) · Asesores Levante, S.L.P."
    assert amounts_of(entry) == [
        ("600", D("1037.20"), D("0"), None),
        ("472", D("210.00"), D("0"), None),
        ("472", D("3.72"), D("0"), None),
        ("4751", D("0"), D("150.00"), supplier.pk),  # the IRPF we withhold, owed to the tax office
        ("4000", D("0"), D("1100.92"), supplier.pk),
    ]


def test_a_supplier_invoice_in_another_currency_posts_at_its_rate(company, accountant, supplier):
    draft = services.supplier_invoice_create(
        company=company, by=accountant, party_id=supplier.pk, supplier_number="US-9", date=date(2026, 3, 4),
        currency="USD", exchange_rate=D("0.9"),
        lines=[
            {"description": "Part A", "quantity": D("1"), "unit_price": D("33.33"), "vat_rate": D("21")},
            {"description": "Part B", "quantity": D("1"), "unit_price": D("10.01"), "vat_rate": D("21")},
            {"description": "Part C", "quantity": D("1"), "unit_price": D("0.05"), "vat_rate": D("21")},
        ],
    )  # fmt: skip
    posted = services.supplier_invoice_post(company=company, by=accountant, invoice_id=draft.pk)
    assert (posted.base, posted.vat, posted.amount_due) == (D("43.39"), D("9.11"), D("52.50"))
    # In euros: VAT 9.11 x 0.9 = 8.199 → 8.20, due 52.50 x 0.9 = 47.25; the lines 29.997 → 30.00, 9.009 →
    # 9.01 and 0.045 → 0.05 make 39.06, but the purchases take what balances, 47.25 - 8.20 = 39.05.
    assert amounts_of(entry_of(posted, "invoicing.supplierinvoice")) == [
        ("600", D("39.05"), D("0"), None),
        ("472", D("8.20"), D("0"), None),
        ("4000", D("0"), D("47.25"), supplier.pk),
    ]


def test_a_posting_refused_by_the_lock_date_leaves_the_invoice_a_draft_without_entry(
    company, accountant, customer, items, post
):
    lock_date_set(company=company, by=accountant, lock_date=DAY)
    draft = typed(company, accountant, customer, [(items["tile"], "1", "10")])
    with pytest.raises(ValidationFailed, match="locked up to 2026-03-02"):
        post(draft)
    draft.refresh_from_db()
    assert (draft.state, draft.number, draft.base) == ("draft", "", D("10.00"))
    assert not Entry.objects.filter(company=company).exists()
    # Unlocked, it posts with the series' first number: the refused posting took none.
    lock_date_set(company=company, by=accountant, lock_date=None)
    assert post(draft).number == "F-2026-000001"
    assert entry_of(draft).number == "VEN/2026/000001"


def test_a_party_with_its_own_receivable_account_posts_to_it(company, accountant, customer, items, post):
    journal_of(company, "GEN")  # the books set up: the chart loaded
    parent = Account.objects.get(company=company, code="4300")
    own = Account.objects.create(
        company=company,
        code="43000007",
        name="Reformas Turia",
        parent=parent,
        nature="asset",
        needs_party=True,
    )
    PartyAccounting.objects.create(party=customer, receivable=own)
    posted = post(typed(company, accountant, customer, [(items["tile"], "2", "10")]))
    assert amounts_of(entry_of(posted)) == [
        ("43000007", D("24.20"), D("0"), customer.pk),
        ("700", D("0"), D("20.00"), None),
        ("4770", D("0"), D("4.20"), None),
    ]


def test_a_category_without_accounts_takes_its_parents_then_the_defaults(
    company, accountant, customer, sales_user, items, post
):
    hardware = category_create(company=company, by=sales_user, name="Ferretería")
    screws = category_create(company=company, by=sales_user, name="Tornillería", parent_id=hardware.pk)
    tools = category_create(company=company, by=sales_user, name="Herramientas")
    Item.objects.filter(pk=items["tile"].pk).update(category=screws)
    Item.objects.filter(pk=items["book"].pk).update(category=tools)
    journal_of(company, "GEN")  # the books set up: the chart loaded
    sales = Account.objects.get(company=company, code="700")
    own = Account.objects.create(
        company=company, code="7001", name="Ventas de ferretería", parent=sales, nature="income"
    )
    purchases = Account.objects.get(company=company, code="600")
    bought = Account.objects.create(
        company=company, code="6001", name="Compras de tornillería", parent=purchases, nature="expense"
    )
    CategoryAccounts.objects.create(company=company, category=hardware, sales_account=own)
    # The screws' own row names a purchase account only: their sales come from the parent.
    CategoryAccounts.objects.create(company=company, category=screws, purchase_account=bought)
    posted = post(
        typed(company, accountant, customer, [(items["tile"], "3", "10"), (items["book"], "1", "20")])
    )
    assert amounts_of(entry_of(posted)) == [
        ("4300", D("58.30"), D("0"), customer.pk),
        ("7001", D("0"), D("30.00"), None),  # screws → Ferretería's 7001
        ("700", D("0"), D("20.00"), None),  # tools have none: the default
        ("4770", D("0"), D("6.30"), None),
        ("4770", D("0"), D("2.00"), None),
    ]


def test_the_mappings_are_read_in_one_query_whatever_the_lines(
    company, accountant, customer, items, make_item, post, django_assert_max_num_queries
):
    from nexo.invoicing.services.entries import mappings_of

    more = [make_item(f"EXTRA-{n}") for n in range(6)]
    journal_of(company, "GEN")  # the books set up: the chart loaded
    for chosen in ([items["tile"]], [items["tile"], items["book"], items["hour"], *more]):
        with django_assert_max_num_queries(1):
            found = mappings_of(
                company, side="sale", party_id=customer.pk, item_ids=[item.pk for item in chosen]
            )
        assert found.defaults["sales"] and found.party_name == customer.name


def test_the_invoice_page_and_api_link_the_entry(company, accountant, mixed_invoice, api_as, client):
    entry = entry_of(mixed_invoice)
    body = api_as(accountant).get(f"/invoices/{mixed_invoice.pk}").json()
    assert (body["entry_id"], body["entry_number"]) == (entry.pk, "VEN/2026/000001")
    client.force_login(accountant)
    page = client.get(reverse("invoicing:invoice_view", args=[mixed_invoice.pk])).content.decode()
    assert 'id="journal-entry"' in page and "VEN/2026/000001" in page
    assert f"/accounting/entries/{entry.pk}/" in page


def test_a_draft_shows_no_entry(company, accountant, customer, items, api_as, client):
    draft = typed(company, accountant, customer, [(items["tile"], "1", "10")])
    body = api_as(accountant).get(f"/invoices/{draft.pk}").json()
    assert (body["entry_id"], body["entry_number"]) == (None, "")
    client.force_login(accountant)
    page = client.get(reverse("invoicing:invoice_view", args=[draft.pk])).content.decode()
    assert 'id="journal-entry"' not in page


def test_the_supplier_invoice_page_and_api_link_the_entry(company, accountant, supplier, api_as, client):
    draft = services.supplier_invoice_create(
        company=company, by=accountant, party_id=supplier.pk, supplier_number="77", date=date(2026, 3, 4),
        lines=[{"description": "Asesoría", "quantity": D("1"), "unit_price": D("100"), "vat_rate": D("21")}],
    )  # fmt: skip
    posted = services.supplier_invoice_post(company=company, by=accountant, invoice_id=draft.pk)
    entry = entry_of(posted, "invoicing.supplierinvoice")
    body = api_as(accountant).get(f"/supplier-invoices/{posted.pk}").json()
    assert (body["entry_id"], body["entry_number"]) == (entry.pk, "COM/2026/000001")
    client.force_login(accountant)
    page = client.get(reverse("invoicing:supplier_invoice_view", args=[posted.pk])).content.decode()
    assert 'id="journal-entry"' in page and "COM/2026/000001" in page


# The invariant: a party's balance on its receivable account is its posted invoices' amount due less its
# credit notes' (the credit notes' amount due is negative).

money = st.decimals(min_value=D("0.01"), max_value=D("999.99"), places=2)
invoice_lines = st.lists(
    st.tuples(st.sampled_from(["tile", "book", "hour"]), st.integers(1, 9), money), min_size=1, max_size=4
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(documents=st.lists(st.tuples(invoice_lines, st.integers(0, 9)), min_size=1, max_size=3))
def test_a_partys_receivable_balance_is_its_invoices_less_its_credit_notes(
    company, accountant, shop, items, post, documents
):
    with transaction.atomic():
        savepoint = transaction.savepoint()
        for lines, credited in documents:
            invoice = post(
                typed(company, accountant, shop, [(items[name], str(q), str(p)) for name, q, p in lines])
            )
            first = InvoiceLine.objects.filter(invoice=invoice).order_by("position").first()
            if credited and credited <= first.quantity:
                note = services.credit_note_create(
                    company=company, by=accountant, invoice_id=invoice.pk, reason="Devolución",
                    quantities={first.pk: D(credited)},
                )  # fmt: skip
                # Dated as the invoices: the sales journal numbers its entries in date order.
                services.invoice_update(company=company, by=accountant, invoice_id=note.pk, date=DAY)
                post(note)
        posted = Invoice.objects.filter(company=company, party=shop, state="posted")
        due = posted.aggregate(due=Sum("amount_due"))["due"]
        receivable = EntryLine.objects.filter(company=company, account__code="4300", party=shop).aggregate(
            debit=Sum("debit"), credit=Sum("credit")
        )
        assert receivable["debit"] - receivable["credit"] == due
        for entry in Entry.objects.filter(company=company):
            sums = EntryLine.objects.filter(entry=entry).aggregate(debit=Sum("debit"), credit=Sum("credit"))
            assert sums["debit"] == sums["credit"] == entry.total
        assert Entry.objects.filter(company=company).count() == posted.count()
        transaction.savepoint_rollback(savepoint)


def test_no_supplier_invoice_posts_without_its_entry(company, accountant, supplier):
    lock_date_set(company=company, by=accountant, lock_date=date(2026, 3, 31))
    draft = services.supplier_invoice_create(
        company=company, by=accountant, party_id=supplier.pk, supplier_number="88", date=date(2026, 3, 4),
        lines=[{"description": "Asesoría", "quantity": D("1"), "unit_price": D("100"), "vat_rate": D("21")}],
    )  # fmt: skip
    with pytest.raises(ValidationFailed, match="locked up to 2026-03-31"):
        services.supplier_invoice_post(company=company, by=accountant, invoice_id=draft.pk)
    assert SupplierInvoice.objects.get(pk=draft.pk).state == "draft"
    assert not Entry.objects.filter(company=company).exists()

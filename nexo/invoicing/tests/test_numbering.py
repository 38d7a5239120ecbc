"""Numbers and immutability: gapless numbers in date order per series and year (also when 20 invoices are
posted at once on PostgreSQL), and database triggers that refuse any change to a posted invoice, customer or
supplier, on SQLite and PostgreSQL alike."""

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from nexo.core.models import Sequence
from nexo.invoicing import services
from nexo.invoicing.models import Invoice, InvoiceLine, InvoiceTax, SupplierInvoice, SupplierInvoiceLine
from nexo.invoicing.tests.customer_invoices import *  # noqa: F403 (the fixtures)
from nexo.invoicing.tests.customer_invoices import DAY
from nexo.tests.concurrency import at_once

D = Decimal


def test_numbers_are_gapless_per_series_and_year_and_follow_the_dates(company, hand_invoice, post, make_customer):
    # Numbering runs into next year here; a VERI*FACTU record refuses an invoice dated after today (AEAT
    # error 1112), so the company keeps none in this test (the compliance module's model, read by its label).
    apps.get_model("compliance", "ComplianceSettings").objects.update_or_create(
        company=company, defaults={"verifactu_enabled": False}
    )
    first = post(hand_invoice([("1", "10.00", "21")], day=date(2026, 3, 2)))
    same_day = post(hand_invoice([("1", "10.00", "21")], day=date(2026, 3, 2)))
    later = hand_invoice([("1", "10.00", "21")], day=date(2026, 3, 9))
    earlier = hand_invoice([("1", "10.00", "21")], day=date(2026, 3, 5))
    post(later)
    with pytest.raises(Exception, match="already has an invoice posted on 2026-03-09") as refused:
        post(earlier)
    assert refused.value.errors[0]["field"] == "date"
    assert Invoice.objects.get(pk=earlier.pk).state == "draft"
    # The refused posting gave no number away: the next one takes 4.
    assert Sequence.objects.get(series="F", year=2026).last_number == 3
    next_year = post(hand_invoice([("1", "10.00", "21")], day=date(2027, 1, 4)))
    counter = make_customer("Cliente de mostrador", "")
    simplified = post(
        hand_invoice([("1", "10.00", "21")], party=counter, simplified=True, day=date(2026, 1, 2))
    )
    assert [first.number, same_day.number, Invoice.objects.get(pk=later.pk).number] == [
        "F-2026-000001", "F-2026-000002", "F-2026-000003",
    ]  # fmt: skip
    assert (next_year.number, simplified.number) == ("F-2027-000001", "FS-2026-000001")
    assert (first.series, first.year, first.sequence) == ("F", 2026, 1)


def test_a_company_can_name_its_series(company, hand_invoice, post):
    settings = services.settings_of(company)
    settings.invoice_series = "A"
    settings.save()
    assert post(hand_invoice([("1", "10.00", "21")])).number == "A-2026-000001"


# The triggers: a raw statement, past the services, is refused by the database.


def refused(sql, params):
    with (
        pytest.raises(IntegrityError, match="posted invoice"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


@pytest.fixture
def posted(hand_invoice, post):
    return post(hand_invoice([("2", "50.00", "21"), ("1", "10.00", "10")]))


def _check_triggers_refuse_changes_to_a_posted_invoice(posted, draft):
    table, lines, taxes = (model._meta.db_table for model in (Invoice, InvoiceLine, InvoiceTax))
    line = InvoiceLine.objects.filter(invoice=posted).first()
    for column, value in (("total", "1.00"), ("number", "F-2026-999999"), ("party_name", "Otro"), ("state", "draft"),
                          ("date", "2026-01-01"), ("notes", "cambiado")):  # fmt: skip
        refused(f'UPDATE {table} SET "{column}" = %s WHERE id = %s', [value, posted.pk])
    refused(f"DELETE FROM {table} WHERE id = %s", [posted.pk])
    refused(f"UPDATE {lines} SET net = %s WHERE id = %s", ["1.00", line.pk])
    refused(f"DELETE FROM {lines} WHERE id = %s", [line.pk])
    refused(f"UPDATE {lines} SET invoice_id = %s WHERE invoice_id = %s", [posted.pk, draft.pk])
    refused(
        f"INSERT INTO {lines} (invoice_id, position, description, quantity, unit_price, discount, net, vat_rate, "
        "recargo_rate, irpf_rate, treatment, cost) VALUES (%s, 9, 'x', 1, 1, 0, 1, 21, 0, 0, 'domestic', 0)",
        [posted.pk],
    )
    refused(f"UPDATE {taxes} SET amount = %s WHERE invoice_id = %s", ["0.00", posted.pk])
    refused(f"DELETE FROM {taxes} WHERE invoice_id = %s", [posted.pk])
    refused(
        f"INSERT INTO {taxes} (invoice_id, kind, treatment, rate, recargo_rate, base, amount, recargo) "
        "VALUES (%s, 'vat', 'domestic', 4, 0, 1, 0.04, 0)",
        [posted.pk],
    )
    # What is not legal content may change: the e-mail's record.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET sent_to = %s, email_status = %s, email_error = %s WHERE id = %s",
            ["cliente@turia.es", "failed", "buzón lleno", posted.pk],
        )
    # A draft is free.
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {lines} SET net = %s WHERE invoice_id = %s", ["1.00", draft.pk])
        cursor.execute(f"DELETE FROM {lines} WHERE invoice_id = %s", [draft.pk])
        cursor.execute(f"DELETE FROM {taxes} WHERE invoice_id = %s", [draft.pk])
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [draft.pk])
    after = Invoice.objects.get(pk=posted.pk)
    assert (after.total, after.number, after.state, after.sent_to) == (
        D("132.00"), posted.number, "posted", "cliente@turia.es",
    )  # fmt: skip
    assert InvoiceLine.objects.filter(invoice=posted).count() == 2
    assert InvoiceTax.objects.filter(invoice=posted).count() == 2


def _check_triggers_refuse_changes_to_a_posted_supplier_invoice(company, accountant, customer):
    invoice = SupplierInvoice.objects.create(
        company=company, party=customer, supplier_number="FV-77", date=DAY, year=2026, currency="EUR",
        state="posted", series="FR", sequence=1, number="FR-2026-000001", base=D("10.00"), total=D("12.10"),
    )  # fmt: skip
    table, lines = SupplierInvoice._meta.db_table, SupplierInvoiceLine._meta.db_table
    refused(f"UPDATE {table} SET total = %s WHERE id = %s", ["1.00", invoice.pk])
    refused(f"DELETE FROM {table} WHERE id = %s", [invoice.pk])
    refused(
        f"INSERT INTO {lines} (invoice_id, position, description, quantity, unit_price, discount, net, vat_rate, "
        "recargo_rate, irpf_rate, difference) VALUES (%s, 1, 'x', 1, 1, 0, 1, 21, 0, 0, '')",
        [invoice.pk],
    )
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET updated_at = updated_at WHERE id = %s", [invoice.pk])
    assert SupplierInvoice.objects.get(pk=invoice.pk).total == D("12.10")


def test_sqlite_triggers_refuse_any_change_to_a_posted_invoice(posted, hand_invoice):
    _check_triggers_refuse_changes_to_a_posted_invoice(posted, hand_invoice([("1", "10.00", "21")]))


def test_sqlite_triggers_refuse_any_change_to_a_posted_supplier_invoice(company, accountant, customer):
    _check_triggers_refuse_changes_to_a_posted_supplier_invoice(company, accountant, customer)


def test_the_triggers_guard_every_legal_column_of_the_invoice(db):
    """SQLite's trigger names the columns it guards (a column added later must be added to it); PostgreSQL's
    compares the whole row less the free columns, so it guards new columns too."""
    free = {"sent_to", "email_status", "email_error", "email_sent_at", "updated_at"}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                ["invoicing_invoice_posted_update"],
            )
            sql = cursor.fetchone()[0]
            for field in Invoice._meta.concrete_fields:
                guarded = f'NEW."{field.column}" IS NOT OLD."{field.column}"' in sql
                assert guarded is (field.column not in free), field.column
        else:
            cursor.execute(
                "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = %s",
                ["invoicing_invoice_posted_guard"],
            )
            definition = cursor.fetchone()[0]
            assert all(f"'{column}'" in definition for column in free)
            assert "invoicing_invoice_issued_guard(" in definition  # migration 0005: posted → cancelled only
            cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'invoicing_invoice_issued_guard'")
            source = cursor.fetchone()[0]
            assert "(to_jsonb(NEW) - TG_ARGV) IS DISTINCT FROM (to_jsonb(OLD) - TG_ARGV)" in source
            assert "(to_jsonb(NEW) - TG_ARGV - cancelling) IS NOT DISTINCT FROM" in source


@pytest.mark.postgres
def test_postgresql_triggers_refuse_any_change_to_a_posted_invoice(posted, hand_invoice):
    _check_triggers_refuse_changes_to_a_posted_invoice(posted, hand_invoice([("1", "10.00", "21")]))


@pytest.mark.postgres
def test_postgresql_triggers_refuse_any_change_to_a_posted_supplier_invoice(company, accountant, customer):
    _check_triggers_refuse_changes_to_a_posted_supplier_invoice(company, accountant, customer)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_invoices_posted_at_once_take_the_numbers_1_to_20_without_a_gap(
    company, accountant, customer, items, make_order
):
    # Each from its own order (so the orders' locks do not queue them): only the series' number does.
    drafts = []
    for _n in range(20):
        order = make_order(
            customer,
            [(items["tile"], "1", "10.00", "21"), (items["hour"], "1", "50.00", "21")],
            delivered=["1"],
        )
        drafts.append(
            services.invoice_from_orders(company=company, by=accountant, order_ids=[order.pk], date=DAY)
        )
    results = at_once(
        [
            lambda pk=draft.pk: services.invoice_post(company=company, by=accountant, invoice_id=pk).sequence
            for draft in drafts
        ]
    )
    assert sorted(results, key=str) == sorted(range(1, 21), key=str)
    numbers = sorted(Invoice.objects.filter(state="posted").values_list("number", flat=True))
    assert numbers == [f"F-2026-{n:06d}" for n in range(1, 21)]
    assert Sequence.objects.get(company=company, series="F", year=2026).last_number == 20

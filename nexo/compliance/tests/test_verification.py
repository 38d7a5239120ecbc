"""Verifying the chain: tampering with the records by raw SQL — a changed amount, a deleted record, an
inserted record, a changed XML — is each detected at the right record, by the service, the command and
the page. The tamperer first sets the immutability triggers aside, as a database owner could."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from nexo.compliance.models import BillingRecord
from nexo.compliance.services.verification import verify_records

D = Decimal
TABLE = BillingRecord._meta.db_table


@pytest.fixture
def chain(company, hand_invoice, post):
    """Four posted invoices: records 1 to 4 of the company's chain."""
    for price in ("10.00", "20.00", "30.00", "40.00"):
        post(hand_invoice([("1", price, "21")]))
    return list(BillingRecord.objects.filter(company=company).order_by("position"))


def tamper(sql: str, params=()):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The foreign keys' checks wait for the end of the test's transaction; run them now, or the
            # table cannot be altered while they are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE "{TABLE}" DISABLE TRIGGER USER')
        else:
            cursor.execute(f'DROP TRIGGER "{TABLE}_no_update"')
            cursor.execute(f'DROP TRIGGER "{TABLE}_no_delete"')
        cursor.execute(sql, params)


def only_problem(company):
    (report,) = verify_records(company)
    assert not report.intact
    return report.problem


def test_an_intact_chain_verifies(company, chain):
    (report,) = verify_records(company)
    assert (report.intact, report.records, report.issuer_tax_id) == (True, 4, "B46123451")


def test_a_changed_amount_is_detected_at_its_record(company, chain):
    tamper(f"UPDATE {TABLE} SET total = %s WHERE id = %s", ["36.00", chain[2].pk])
    problem = only_problem(company)
    assert (problem.position, problem.record_id) == (3, chain[2].pk)
    assert "hash does not match its fields" in problem.reason


def test_a_deleted_record_is_detected_at_the_next_one(company, chain):
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [chain[1].pk])
    problem = only_problem(company)
    assert (problem.position, problem.record_id) == (3, chain[2].pk)
    assert "Record 2 is missing" in problem.reason


def test_deleting_the_last_record_is_detected_by_the_chain_head(company, chain):
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [chain[3].pk])
    problem = only_problem(company)
    assert "names 4 records but 3 were found" in problem.reason


def test_an_inserted_record_is_detected(company, chain):
    """A forged record at the end (an anulación of the last invoice) linked to the last real one: the chain's
    head knows 4 records."""
    last = chain[3]
    columns = [
        "company_id", "chain_id", "position", "kind", "invoice_id", "issuer_tax_id", "invoice_number",
        "issue_date", "invoice_type", "total_tax", "total", "previous_hash", "generated_at",
        "generated_at_text", "hash", "xml",
    ]  # fmt: skip
    values = [
        last.company_id, last.chain_id, 5, "anulacion", last.invoice_id, last.issuer_tax_id, last.invoice_number,
        last.issue_date, "", None, None, last.hash, last.generated_at, last.generated_at_text,
        last.hash, last.xml,
    ]  # fmt: skip
    placeholders = ", ".join(["%s"] * len(columns))
    tamper(f"INSERT INTO {TABLE} ({', '.join(columns)}) VALUES ({placeholders})", values)
    problem = only_problem(company)
    assert problem.position == 5


def test_a_record_inserted_in_the_middle_breaks_the_next_link(company, chain):
    """Positions moved up by one to make room: the record after the forged one no longer links to it."""
    tamper(
        f"UPDATE {TABLE} SET position = position + 10 WHERE position >= 3 AND chain_id = %s",
        [chain[0].chain_id],
    )
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET position = position - 9 WHERE position >= 13")
    forged = chain[1]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (company_id, chain_id, position, kind, invoice_id, issuer_tax_id, invoice_number, "
            "issue_date, invoice_type, total_tax, total, previous_hash, generated_at, generated_at_text, hash, xml) "
            "SELECT company_id, chain_id, 3, 'anulacion', invoice_id, issuer_tax_id, invoice_number, issue_date, "
            f"'', NULL, NULL, hash, generated_at, generated_at_text, hash, xml FROM {TABLE} WHERE id = %s",
            [forged.pk],
        )
    problem = only_problem(company)
    assert problem.position == 3


def test_a_changed_xml_is_detected(company, chain):
    xml = chain[0].xml.replace("<sum1:ImporteTotal>12.10<", "<sum1:ImporteTotal>1.10<")
    assert xml != chain[0].xml
    tamper(f"UPDATE {TABLE} SET xml = %s WHERE id = %s", [xml, chain[0].pk])
    problem = only_problem(company)
    assert (problem.position, "XML does not match") == (1, "XML does not match")
    assert "XML does not match" in problem.reason


def test_the_command_reports_the_first_broken_record_and_fails(company, chain, capsys):
    call_command("verifactu", "verify")
    assert "4 records, intact" in capsys.readouterr().out
    tamper(f"UPDATE {TABLE} SET issue_date = %s WHERE id = %s", [date(2026, 1, 1), chain[1].pk])
    with pytest.raises(CommandError, match="1 chain"):
        call_command("verifactu", "verify", "--company", str(company.pk))
    assert "BROKEN at record 2" in capsys.readouterr().out


@pytest.mark.postgres
def test_postgresql_tampering_is_detected(company, chain):
    tamper(f"UPDATE {TABLE} SET total_tax = %s WHERE id = %s", ["0.00", chain[0].pk])
    assert only_problem(company).position == 1

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from nexo.accounting.models import Entry, EntryLine
from nexo.accounting.services import ledger as services
from nexo.accounting.services.ledger import LineInput
from nexo.core.errors import Conflict, ValidationFailed

pytestmark = pytest.mark.django_db

D = Decimal


def _sale(books, customer, amount="100.00"):
    base = D(amount)
    return [
        LineInput(books["4300"].pk, debit=base * D("1.21"), party_id=customer.pk),
        LineInput(books["700"].pk, credit=base),
        LineInput(books["4770"].pk, credit=base * D("0.21")),
    ]


def test_record_posts_numbered_entry(company, books, customer, sales_user):
    entry = services.entry_record(
        company=company, by=sales_user, journal="VEN", date=date(2026, 3, 1), lines=_sale(books, customer)
    )
    assert entry.state == "posted"
    assert entry.number == "VEN/2026/000001"
    assert entry.total == D("121.00")
    lines = list(EntryLine.objects.filter(entry=entry))
    assert [line.posted for line in lines] == [True, True, True]
    second = services.entry_record(
        company=company, by=sales_user, journal="VEN", date=date(2026, 3, 1), lines=_sale(books, customer)
    )
    assert second.number == "VEN/2026/000002"


def test_unbalanced_refused(company, books, customer, sales_user):
    lines = _sale(books, customer)
    lines[1].credit = D("99.99")
    with pytest.raises(ValidationFailed, match="does not balance"):
        services.entry_record(
            company=company, by=sales_user, journal="VEN", date=date(2026, 3, 1), lines=lines
        )
    assert not Entry.objects.exists()


def test_view_account_and_party_refused(company, books, customer, sales_user):
    lines = _sale(books, customer)
    lines[1].account_id = books["70"].pk
    with pytest.raises(ValidationFailed, match="view account"):
        services.entry_record(
            company=company, by=sales_user, journal="VEN", date=date(2026, 3, 1), lines=lines
        )
    lines = _sale(books, customer)
    lines[0].party_id = None
    with pytest.raises(ValidationFailed, match="needs a party"):
        services.entry_record(
            company=company, by=sales_user, journal="VEN", date=date(2026, 3, 1), lines=lines
        )


def test_date_order_and_lock(company, books, customer, sales_user):
    services.entry_record(
        company=company, by=sales_user, journal="VEN", date=date(2026, 3, 2), lines=_sale(books, customer)
    )
    with pytest.raises(ValidationFailed, match="date order"):
        services.entry_record(
            company=company, by=sales_user, journal="VEN", date=date(2026, 3, 1), lines=_sale(books, customer)
        )
    services.lock_date_set(company=company, by=sales_user, lock_date=date(2026, 3, 31))
    with pytest.raises(ValidationFailed, match="locked"):
        services.entry_record(
            company=company,
            by=sales_user,
            journal="VEN",
            date=date(2026, 3, 31),
            lines=_sale(books, customer),
        )


def test_posted_entry_never_changes_in_database(company, books, customer, sales_user):
    entry = services.entry_record(
        company=company, by=sales_user, journal="VEN", date=date(2026, 3, 1), lines=_sale(books, customer)
    )
    for statement in (
        "UPDATE accounting_entry SET description = 'x' WHERE id = %s",
        "DELETE FROM accounting_entry WHERE id = %s",
        "UPDATE accounting_entryline SET debit = debit + 1 WHERE entry_id = %s",
        "DELETE FROM accounting_entryline WHERE entry_id = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.pk])
    assert EntryLine.objects.filter(entry=entry).count() == 3


def test_manual_draft_post_and_reverse(company, books, customer, sales_user):
    journal = services.journal_of(company, "GEN")
    draft = services.entry_create(
        company=company, by=sales_user, journal_id=journal.pk, date=date(2026, 4, 1),
        lines=[LineInput(books["626"].pk, debit=D("12.10")), LineInput(books["572"].pk, credit=D("12.00"))],
    )  # fmt: skip
    assert draft.state == "draft"
    with pytest.raises(ValidationFailed, match="does not balance"):
        services.entry_post(company=company, by=sales_user, entry_id=draft.pk)
    services.entry_update(
        company=company, by=sales_user, entry_id=draft.pk, journal_id=journal.pk, date=date(2026, 4, 1),
        lines=[LineInput(books["626"].pk, debit=D("12.10")), LineInput(books["572"].pk, credit=D("12.10"))],
    )  # fmt: skip
    posted = services.entry_post(company=company, by=sales_user, entry_id=draft.pk)
    assert posted.number == "GEN/2026/000001"
    with pytest.raises(Conflict):
        services.entry_delete(company=company, by=sales_user, entry_id=draft.pk)
    reversal = services.entry_reverse(company=company, by=sales_user, entry_id=draft.pk)
    assert reversal.reverses_id == draft.pk
    assert [(line.debit, line.credit) for line in reversal.lines.order_by("position")] == [
        (D("0.00"), D("12.10")),
        (D("12.10"), D("0.00")),
    ]
    with pytest.raises(Conflict, match="already reversed"):
        services.entry_reverse(company=company, by=sales_user, entry_id=draft.pk)

"""Journal entries: create and edit drafts, post (balanced, in an open period after the lock date, numbered
gapless per journal and fiscal year in date order), reverse. The modules above post their documents' entries
through `entry_record`, in their own transaction, with the document named as the entry's origin.

Constant queries whatever the number of lines: accounts and parties are read once for the whole entry, the
lines are written with one INSERT."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.accounting.models import Account, AccountingSettings, Entry, EntryLine, FiscalYear, Journal, Period
from nexo.accounting.rules import ledger
from nexo.core import plainsql
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.rules import round_money
from nexo.core.services import sequence_next
from nexo.core.states import state_change
from nexo.core.validation import MAX_ID, decimal_of, locked
from nexo.parties.models import Party

ZERO = ledger.ZERO
MAX_LINES = 2000


@dataclass
class LineInput:
    """One line as typed or computed: an account, one side's amount, and a party where the account needs one."""

    account_id: int
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    party_id: int | None = None
    description: str = ""


@dataclass(frozen=True)
class Origin:
    """The document that caused an entry: its model label (`invoicing.invoice`), id and number."""

    model: str
    id: int
    number: str


def settings_of(company: Company) -> AccountingSettings:
    found, _created = AccountingSettings.objects.get_or_create(company=company)
    return found


def journal_of(company: Company, code: str) -> Journal:
    # Plain SQL: every posting reads its journal, and building the ORM query cost more than running it.
    found = next(
        iter(plainsql.select(Journal, ("company_id = %s AND code = %s", [company.pk, code]), limit=1)), None
    )
    if found is None and not Journal.objects.filter(company=company).exists():
        # A company made before accounting was installed (or by a bare fixture): set its books up now.
        from nexo.accounting.services.setup import accounting_setup

        accounting_setup(company)
        found = Journal.objects.filter(company=company, code=code).first()
    if found is None:
        # A standard journal added to Nexo after the company was set up.
        from nexo.accounting.services.setup import JOURNALS

        for standard, name, name_en, kind in JOURNALS:
            if standard == code:
                found, _created = Journal.objects.get_or_create(
                    company=company, code=code, defaults={"name": name, "name_en": name_en, "kind": kind}
                )
    if found is None:
        raise Conflict(_("%(company)s has no journal %(code)s.") % {"company": company.name, "code": code})
    return found


def _year_with_checks(company: Company, on: Date) -> FiscalYear | None:
    """The year holding `on`, with whether the date's period is closed and the lock date: one plain SQL
    statement (every posting runs it)."""
    year_table = plainsql.quoted(FiscalYear._meta.db_table)
    period_table = plainsql.quoted(Period._meta.db_table)
    settings_table = plainsql.quoted(AccountingSettings._meta.db_table)
    end = plainsql.quoted("end")  # a reserved word
    with plainsql.connection_now().cursor() as cursor:
        cursor.execute(
            f"SELECT {plainsql.columns(FiscalYear, 'y')}, "  # noqa: S608 (names from the models)
            f"EXISTS (SELECT 1 FROM {period_table} p WHERE p.fiscal_year_id = y.id AND p.start <= %s "
            f"AND p.{end} >= %s AND p.state = %s), "
            f"(SELECT s.lock_date FROM {settings_table} s WHERE s.company_id = %s) "
            f"FROM {year_table} y WHERE y.company_id = %s AND y.start <= %s AND y.{end} >= %s",
            [on, on, ledger.CLOSED, company.pk, company.pk, on, on],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    width = len(FiscalYear._meta.concrete_fields)
    year = plainsql.from_row(FiscalYear, row[:width])
    year.period_closed = bool(row[width])
    lock_date = row[width + 1]
    year.lock_date = Date.fromisoformat(lock_date) if isinstance(lock_date, str) else lock_date
    return year


def fiscal_year_at(
    company: Company, on: Date, *, for_posting: bool = True, create: bool = False
) -> FiscalYear:
    """The fiscal year holding a date; for posting it must be open, its period open, and the date after the
    lock date. Documents' entries (`create`) open the calendar year they fall in when it does not exist yet."""
    year = _year_with_checks(company, on)
    if year is None and create:
        from nexo.accounting.services.fiscal_years import fiscal_year_ensure

        fiscal_year_ensure(company, on.year)
        return fiscal_year_at(company, on, for_posting=for_posting)
    if year is None:
        raise ValidationFailed.on(
            "date", _("No fiscal year covers %(date)s: create it first.") % {"date": on.isoformat()}
        )
    if not for_posting:
        return year
    if year.state != ledger.OPEN:
        raise ValidationFailed.on(
            "date", _("Fiscal year %(year)s is closed: nothing can be posted in it.") % {"year": year.name}
        )
    if year.period_closed:
        raise ValidationFailed.on(
            "date",
            _("The period of %(date)s is closed: nothing can be posted in it.") % {"date": on.isoformat()},
        )
    lock_date = year.lock_date
    if lock_date is not None and on <= lock_date:
        raise ValidationFailed.on(
            "date",
            _("The books are locked up to %(lock)s: date the entry after it.")
            % {"lock": lock_date.isoformat()},
        )
    return year


def _checked_lines(company: Company, lines: Sequence[LineInput], *, balanced: bool = True) -> list[LineInput]:
    """Amounts, accounts and parties of the lines, read in one query each; a clear field error otherwise."""
    if not lines:
        raise ValidationFailed.on("lines", _("An entry needs lines: at least one debit and one credit."))
    if len(lines) > MAX_LINES:
        raise ValidationFailed.on("lines", _("An entry has at most %(count)s lines.") % {"count": MAX_LINES})
    for position, line in enumerate(lines):
        field = f"lines[{position}]"
        line.debit = decimal_of(line.debit if line.debit is not None else ZERO, f"{field}.debit")
        line.credit = decimal_of(line.credit if line.credit is not None else ZERO, f"{field}.credit")
        try:
            ledger.check_amounts(line.debit, line.credit)
        except ledger.EntryProblem as problem:
            message = {
                "negative": _("Amounts cannot be negative: put the amount on the other side."),
                "both_sides": _("A line is either a debit or a credit, not both."),
                "cents": _("Amounts are in cents: at most two decimals."),
            }[str(problem)]
            raise ValidationFailed.on(field, message) from problem
        if abs(line.debit) >= Decimal("1e15") or abs(line.credit) >= Decimal("1e15"):
            raise ValidationFailed.on(field, _("The amount is too large."))
        line.description = (line.description or "").strip()[:200]
        if not isinstance(line.account_id, int) or not 0 < line.account_id <= MAX_ID:
            raise ValidationFailed.on(f"{field}.account", _("Choose an account."))
        if line.party_id is not None and not 0 < line.party_id <= MAX_ID:
            raise ValidationFailed.on(f"{field}.party", _("Choose a party of this company."))
    accounts = {
        account.pk: account
        for account in plainsql.select(
            Account,
            plainsql.both(
                ("company_id = %s", [company.pk]), plainsql.among("id", {line.account_id for line in lines})
            ),
            order_by=(),
        )
    }
    party_ids = {line.party_id for line in lines if line.party_id is not None}
    parties = set()
    if party_ids:
        where, params = plainsql.both(("company_id = %s", [company.pk]), plainsql.among("id", party_ids))
        with plainsql.connection_now().cursor() as cursor:
            cursor.execute(f"SELECT id FROM {plainsql.quoted(Party._meta.db_table)} WHERE {where}", params)  # noqa: S608
            parties = {found for (found,) in cursor.fetchall()}
    for position, line in enumerate(lines):
        field = f"lines[{position}]"
        account = accounts.get(line.account_id)
        if account is None:
            raise ValidationFailed.on(f"{field}.account", _("Choose an account of this company."))
        if account.is_view:
            raise ValidationFailed.on(
                f"{field}.account",
                _("%(account)s is a view account that groups others: post to one of its accounts.")
                % {"account": account},
            )
        if not account.active:
            raise ValidationFailed.on(
                f"{field}.account", _("%(account)s is inactive.") % {"account": account}
            )
        if line.party_id is not None and line.party_id not in parties:
            raise ValidationFailed.on(f"{field}.party", _("Choose a party of this company."))
        if account.needs_party and line.party_id is None:
            raise ValidationFailed.on(
                f"{field}.party", _("%(account)s needs a party on every line.") % {"account": account}
            )
    if balanced and ledger.unbalanced_by(lines) != ZERO:
        raise ValidationFailed.on(
            "lines",
            _("The entry does not balance: debits exceed credits by %(difference)s.")
            % {"difference": round_money(ledger.unbalanced_by(lines))},
        )
    if not any(line.debit or line.credit for line in lines):
        raise ValidationFailed.on("lines", _("The entry has no amounts."))
    return list(lines)


def _number(company: Company, entry: Entry, journal: Journal, year: FiscalYear) -> None:
    """The next number of the journal in the fiscal year; the date-order check runs under that number's row
    lock, so the last posted date it reads cannot move until the transaction ends."""
    sequence = sequence_next(company_id=company.pk, series=f"entry:{journal.code}"[:20], year=year.start.year)
    with plainsql.connection_now().cursor() as cursor:
        cursor.execute(
            f"SELECT MAX(date) FROM {plainsql.quoted(Entry._meta.db_table)} "  # noqa: S608 (the table from the model)
            "WHERE journal_id = %s AND fiscal_year_id = %s AND state = %s",
            [journal.pk, year.pk, ledger.POSTED],
        )
        last = cursor.fetchone()[0]
    if isinstance(last, str):  # SQLite answers an aggregate's date as text
        last = Date.fromisoformat(last)
    if last is not None and entry.date < last:
        raise ValidationFailed.on(
            "date",
            _(
                "Journal %(journal)s already has entries dated %(last)s: entries are numbered in date order, "
                "so date this one on or after that day."
            )
            % {"journal": journal.code, "last": last.isoformat()},
        )
    entry.sequence = sequence
    entry.number = ledger.entry_number(journal.code, year.start.year, sequence)


def _line_rows(
    company: Company, entry: Entry, lines: Sequence[LineInput], *, posted: bool
) -> list[EntryLine]:
    return [
        EntryLine(
            entry=entry, company=company, date=entry.date, journal_id=entry.journal_id, posted=posted,
            kind=entry.kind, position=position, account_id=line.account_id, party_id=line.party_id,
            debit=line.debit, credit=line.credit, description=line.description,
        )
        for position, line in enumerate(lines)
    ]  # fmt: skip


def entry_record(
    *,
    company: Company,
    by: User | None,
    journal: Journal | str,
    date: Date,
    lines: Sequence[LineInput],
    description: str = "",
    origin: Origin | None = None,
    kind: str = ledger.NORMAL,
    reverses: Entry | None = None,
) -> Entry:
    """Create and post an entry at once: the automatic entries of documents, reversals, closing entries.
    Runs in the caller's transaction (or its own), so a document and its entry land together."""
    with transaction.atomic():
        if isinstance(journal, str):
            journal = journal_of(company, journal)
        year = fiscal_year_at(company, date, create=True)
        lines = _checked_lines(company, lines)
        now = timezone.now()
        entry = Entry(
            company=company, journal=journal, fiscal_year=year, date=date, state=ledger.POSTED, kind=kind,
            description=(description or "").strip()[:200], reverses=reverses,
            total=sum((line.debit for line in lines), ZERO), posted_at=now, posted_by=by, created_by=by,
            updated_by=by,
        )  # fmt: skip
        if origin is not None:
            entry.origin_model, entry.origin_id, entry.origin_number = (
                origin.model,
                origin.id,
                origin.number[:60],
            )
        _number(company, entry, journal, year)
        # The entry lands as a draft, its lines next, its state last: the database refuses any line added to
        # a posted entry (migration 0002).
        entry.state = ledger.DRAFT
        plainsql.insert(Entry, [entry])
        plainsql.insert(EntryLine, _line_rows(company, entry, lines, posted=True))
        entry.state = ledger.POSTED
        plainsql.update(Entry, [entry], ("state",))
        return entry


def _draft_fields(company: Company, journal_id, date, description: str) -> tuple[Journal, FiscalYear, str]:
    if not isinstance(journal_id, int) or not 0 < journal_id <= MAX_ID:
        raise ValidationFailed.on("journal", _("Choose a journal."))
    journal = Journal.objects.filter(company=company, pk=journal_id).first()
    if journal is None:
        raise ValidationFailed.on("journal", _("Choose a journal of this company."))
    if not isinstance(date, Date):
        raise ValidationFailed.on("date", _("Enter a valid date."))
    year = fiscal_year_at(company, date, for_posting=False)
    return journal, year, (description or "").strip()[:200]


def entry_create(
    *,
    company: Company,
    by: User,
    journal_id: int,
    date: Date,
    lines: Sequence[LineInput],
    description: str = "",
) -> Entry:
    """A manual entry as a draft (lines checked: a draft never holds a line that could not be posted,
    except that it may not balance yet)."""
    with transaction.atomic():
        journal, year, description = _draft_fields(company, journal_id, date, description)
        lines = _draft_lines(company, lines)
        entry = Entry(
            company=company, journal=journal, fiscal_year=year, date=date, description=description,
            total=sum((line.debit for line in lines), ZERO), created_by=by, updated_by=by,
        )  # fmt: skip
        entry.save()
        EntryLine.objects.bulk_create(_line_rows(company, entry, lines, posted=False))
        return entry


def _draft_lines(company: Company, lines: Sequence[LineInput]) -> list[LineInput]:
    """The checks of posting, but a draft may be left unbalanced while it is being written."""
    return _checked_lines(company, lines, balanced=False)


def locked_entry(company: Company, entry_id: int) -> Entry:
    return locked(Entry, company=company, pk=entry_id, missing=_("No such journal entry."))


def _draft(company: Company, entry_id: int) -> Entry:
    entry = locked_entry(company, entry_id)
    if entry.state != ledger.DRAFT:
        raise Conflict(
            _("Entry %(number)s is posted: it never changes. Reverse it instead.") % {"number": entry.number}
        )
    return entry


def entry_update(
    *,
    company: Company,
    by: User,
    entry_id: int,
    journal_id: int,
    date: Date,
    lines: Sequence[LineInput],
    description: str = "",
) -> Entry:
    with transaction.atomic():
        entry = _draft(company, entry_id)
        journal, year, description = _draft_fields(company, journal_id, date, description)
        lines = _draft_lines(company, lines)
        entry.journal, entry.fiscal_year, entry.date, entry.description = journal, year, date, description
        entry.total = sum((line.debit for line in lines), ZERO)
        entry.updated_by = by
        entry.save()
        EntryLine.objects.filter(entry=entry).delete()
        EntryLine.objects.bulk_create(_line_rows(company, entry, lines, posted=False))
        return entry


def entry_delete(*, company: Company, by: User, entry_id: int) -> None:
    with transaction.atomic():
        entry = _draft(company, entry_id)
        EntryLine.objects.filter(entry=entry).delete()
        entry.delete()


def entry_post(*, company: Company, by: User, entry_id: int) -> Entry:
    """Post a draft: balanced, in an open period after the lock date, numbered in date order."""
    with transaction.atomic():
        entry = _draft(company, entry_id)
        journal = Journal.objects.get(pk=entry.journal_id)
        year = fiscal_year_at(company, entry.date)
        stored = list(EntryLine.objects.filter(entry=entry).order_by("position", "pk"))
        _checked_lines(
            company,
            [
                LineInput(line.account_id, line.debit, line.credit, line.party_id, line.description)
                for line in stored
            ],
        )
        _number(company, entry, journal, year)
        entry.fiscal_year = year
        entry.posted_at, entry.posted_by, entry.updated_by = timezone.now(), by, by
        # Lines first: once the entry is posted the database refuses any change to them.
        EntryLine.objects.filter(entry=entry).update(posted=True, date=entry.date, kind=entry.kind)
        state_change(entry, ledger.POSTED, lifecycle=ledger.ENTRY_LIFECYCLE, by=by)
        entry.save()
        return entry


def entry_reverse(
    *,
    company: Company,
    by: User,
    entry_id: int,
    date: Date | None = None,
    description: str = "",
    from_document: bool = False,
) -> Entry:
    """A posted entry's reversing entry (debits and credits swapped), posted, referring to the original.
    An entry made by a document is corrected through that document (a credit note), not here, unless the
    document's own service asks (`from_document`)."""
    with transaction.atomic():
        original = locked_entry(company, entry_id)
        if original.state != ledger.POSTED:
            raise Conflict(_("Only a posted entry can be reversed; a draft can be edited or deleted."))
        if original.origin_model and not from_document:
            raise Conflict(
                _("Entry %(number)s was made by %(document)s: correct the document instead.")
                % {"number": original.number, "document": original.origin_number}
            )
        if Entry.objects.filter(reverses=original).exists():
            raise Conflict(_("Entry %(number)s is already reversed.") % {"number": original.number})
        if original.reverses_id is not None:
            raise Conflict(_("Entry %(number)s is itself a reversal.") % {"number": original.number})
        on = date or original.date
        if on < original.date:
            raise ValidationFailed.on("date", _("A reversal cannot be dated before the entry it reverses."))
        lines = [
            LineInput(line.account_id, line.credit, line.debit, line.party_id, line.description)
            for line in EntryLine.objects.filter(entry=original).order_by("position", "pk")
        ]
        origin = (
            Origin(original.origin_model, original.origin_id, original.origin_number)
            if original.origin_model
            else None
        )
        return entry_record(
            company=company, by=by, journal=Journal.objects.get(pk=original.journal_id), date=on, lines=lines,
            description=description or _("Reversal of %(number)s") % {"number": original.number},
            origin=origin, kind=original.kind, reverses=original,
        )  # fmt: skip


def entries_of(company: Company, origin_model: str, origin_ids: Sequence[int]) -> dict[int, list[Entry]]:
    """The entries each document caused, in one query: document id → its entries, oldest first."""
    found: dict[int, list[Entry]] = {}
    for entry in Entry.objects.filter(
        company=company, origin_model=origin_model, origin_id__in=list(origin_ids)
    ).order_by("date", "pk"):
        found.setdefault(entry.origin_id, []).append(entry)
    return found


def lock_date_set(*, company: Company, by: User, lock_date: Date | None) -> AccountingSettings:
    """Lock the books up to a date (nothing posted on or before it, by any path); None unlocks."""
    with transaction.atomic():
        settings = AccountingSettings.objects.select_for_update().get(pk=settings_of(company).pk)
        if lock_date is not None and not isinstance(lock_date, Date):
            raise ValidationFailed.on("lock_date", _("Enter a valid date."))
        settings.lock_date = lock_date
        settings.save(update_fields=["lock_date"])
        return settings

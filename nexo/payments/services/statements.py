"""Bank statements: imported whole or not at all (a broken line refuses the file, naming its line), each line
proposed a match among the open due amounts (`rules.matching`), then confirmed — the payment recorded and
matched through `payments.payment_record` — or posted to an account (bank charges, interest). A line is
settled once: its row lock and its state refuse a second confirmation; unmatching reverses its payment (or
its entry) and leaves it open again."""

from datetime import date as Date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.accounting.models import Account
from nexo.accounting.services.ledger import LineInput, Origin, entry_record, entry_reverse
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.validation import locked
from nexo.invoicing.models import SupplierInvoice
from nexo.parties.models import Party
from nexo.payments.formats import bank_csv, camt053, norma43
from nexo.payments.formats.statement import (
    FORMATS,
    ParsedStatement,
    ParseError,
    compact_iban,
    detect_format,
    gettext_noop,
)
from nexo.payments.models import (
    BankAccount,
    BankStatement,
    Direction,
    DueAmount,
    Mandate,
    Payment,
    StatementLine,
)
from nexo.payments.rules.matching import SURE, LineFacts, Matcher, OpenDue, Proposal, allocations
from nexo.payments.services.dues import PAYABLE_STATES, SUPPLIER_INVOICE
from nexo.payments.services.payments import Match, payment_record, payment_reverse

#: A statement of a year of a busy account is a few thousand lines; these keep a request's memory bounded.
MAX_BYTES = 5 * 1024 * 1024
MAX_LINES = 50_000
READERS = {
    BankStatement.Format.CSV: bank_csv,
    BankStatement.Format.NORMA43: norma43,
    BankStatement.Format.CAMT053: camt053,
}
LINE_MODEL = "payments.statementline"


def _parse_failure(error: ParseError) -> ValidationFailed:
    message = _(error.message) % error.params if error.params else _(error.message)
    if error.line_number:
        message = _("Line %(line)s: %(message)s") % {"line": error.line_number, "message": message}
    return ValidationFailed.on("file", message)


def statement_parse(content: bytes, format: str | None = None) -> tuple[str, ParsedStatement]:
    """The file read in its format (sniffed when not given); a ValidationFailed naming the broken line."""
    if not content:
        raise ValidationFailed.on("file", _("The file is empty."))
    if len(content) > MAX_BYTES:
        raise ValidationFailed.on(
            "file", _("The file is too large (%(size)s MB at most).") % {"size": MAX_BYTES // (1024 * 1024)}
        )
    if format and format not in FORMATS:
        raise ValidationFailed.on("format", _("Choose CSV, Norma 43 or CAMT.053."))
    try:
        format = format or detect_format(content)
        parsed = READERS[format].parse(content)
    except ParseError as error:
        raise _parse_failure(error) from None
    if not parsed.lines:
        raise ValidationFailed.on("file", _("The file has no movements."))
    if len(parsed.lines) > MAX_LINES:
        raise ValidationFailed.on(
            "file", _("The file has more than %(count)s movements: split it.") % {"count": MAX_LINES}
        )
    for line in parsed.lines:
        if not Date(1900, 1, 1) <= line.date <= Date(9000, 12, 31):
            raise _parse_failure(ParseError(line.line_number, gettext_noop("The date is out of range.")))
    return format, parsed


def _fingerprint(rows) -> list[tuple]:
    return sorted(
        (day, Decimal(amount).quantize(Decimal("0.01")), reference) for day, amount, reference in rows
    )


def _already_imported(bank: BankAccount, parsed: ParsedStatement) -> BankStatement | None:
    """A statement of the same account with the same movements (date, amount, reference), if any."""
    candidates = list(
        BankStatement.objects.filter(
            company_id=bank.company_id, bank_account=bank, line_count=len(parsed.lines), start=parsed.start,
            end=parsed.end,
        )
    )  # fmt: skip
    if not candidates:
        return None
    mine = _fingerprint((line.date, line.amount, line.reference) for line in parsed.lines)
    theirs: dict[int, list] = {}
    for statement_id, day, amount, reference in StatementLine.objects.filter(
        statement__in=candidates
    ).values_list("statement_id", "date", "amount", "reference"):
        theirs.setdefault(statement_id, []).append((day, amount, reference))
    for statement in candidates:
        if _fingerprint(theirs.get(statement.pk, [])) == mine:
            return statement
    return None


def statement_import(
    *,
    company: Company,
    by: User | None,
    bank_account_id: int,
    file_name: str,
    content: bytes,
    format: str | None = None,
) -> BankStatement:
    """Import a bank statement file of one of the company's bank accounts, all its lines or none."""
    bank = (
        BankAccount.objects.filter(company=company, pk=bank_account_id).first() if bank_account_id else None
    )
    if bank is None:
        raise ValidationFailed.on("bank_account", _("Choose a bank account of this company."))
    format, parsed = statement_parse(content, format)
    if parsed.iban and parsed.iban != compact_iban(bank.iban):
        raise ValidationFailed.on(
            "file",
            _("The file is a statement of %(iban)s, not of %(account)s.")
            % {"iban": parsed.iban, "account": f"{bank.name} ({bank.iban})"},
        )
    with transaction.atomic():
        # One import of an account at a time.
        locked(BankAccount, company=company, pk=bank.pk, missing=_("Choose a bank account of this company."))
        duplicate = _already_imported(bank, parsed)
        if duplicate is not None:
            raise Conflict(
                _("This file was already imported on %(date)s (statement %(id)s).")
                % {"date": timezone.localtime(duplicate.created_at).strftime("%d/%m/%Y"), "id": duplicate.pk}
            )
        statement = BankStatement.objects.create(
            company=company, bank_account=bank, format=format, file_name=(file_name or "")[:200],
            start=parsed.start, end=parsed.end, opening_balance=parsed.opening, closing_balance=parsed.closing,
            line_count=len(parsed.lines), created_by=by, updated_by=by,
        )  # fmt: skip
        StatementLine.objects.bulk_create(
            [
                StatementLine(
                    company=company,
                    statement=statement,
                    line_number=line.line_number,
                    date=line.date,
                    value_date=line.value_date,
                    amount=line.amount,
                    reference=line.reference[:140],
                    description=line.description[:300],
                    counterparty=line.counterparty[:140],
                    counterparty_iban=line.counterparty_iban[:34],
                )
                for line in parsed.lines
            ],
            batch_size=2000,
        )
        return statement


def statements_counted(company: Company) -> QuerySet[BankStatement]:
    """The company's bank statements, each with `matched`: its lines matched or posted."""
    return BankStatement.objects.filter(company=company).annotate(
        matched=Count("lines", filter=~Q(lines__state=StatementLine.State.OPEN))
    )


def statement_get(company: Company, statement_id) -> BankStatement:
    try:
        found = (
            statements_counted(company).filter(pk=int(statement_id)).select_related("bank_account").first()
        )
    except (TypeError, ValueError, OverflowError):
        found = None
    if found is None:
        raise NotFound(_("No such bank statement."))
    return found


# Proposals


def matcher_of(company: Company) -> Matcher:
    """The company's open due amounts indexed for proposals, with what names their parties: five queries
    whatever their number."""
    open_dues = DueAmount.objects.filter(company=company, state__in=PAYABLE_STATES)
    rows = list(
        open_dues.values_list(
            "pk",
            "direction",
            "party_id",
            "origin_model",
            "origin_id",
            "origin_number",
            "due_date",
            "amount",
            "paid",
        )
    )
    supplier_numbers = dict(
        SupplierInvoice.objects.filter(
            company=company,
            pk__in=Subquery(open_dues.filter(origin_model=SUPPLIER_INVOICE).values("origin_id")),
        ).values_list("pk", "supplier_number")
    )
    dues = [
        OpenDue(
            id=pk,
            direction=direction,
            party_id=party_id,
            document=f"{model}:{origin_id}",
            number=number,
            due_date=due_date,
            remaining=amount - paid,
            other_numbers=(supplier_numbers.get(origin_id, ""),) if model == SUPPLIER_INVOICE else (),
        )
        for pk, direction, party_id, model, origin_id, number, due_date, amount, paid in rows
    ]
    names: dict[int, list[str]] = {}
    for pk, name, trade_name in Party.objects.filter(
        company=company, pk__in=Subquery(open_dues.values("party_id"))
    ).values_list("pk", "name", "trade_name"):
        names[pk] = [name, trade_name]
    ibans: dict[str, set[int]] = {}
    for party_id, iban in Mandate.objects.filter(company=company).values_list("party_id", "iban"):
        ibans.setdefault(compact_iban(iban), set()).add(party_id)
    learned = StatementLine.objects.filter(company=company, payment__isnull=False).exclude(
        counterparty_iban=""
    )
    for party_id, iban in learned.values_list("payment__party_id", "counterparty_iban").order_by().distinct():
        ibans.setdefault(iban, set()).add(party_id)
    return Matcher(dues, party_names=names, party_ibans=ibans)


def _facts(line: StatementLine) -> LineFacts:
    return LineFacts(
        id=line.pk, amount=line.amount, date=line.date, text=f"{line.reference} {line.description} {line.counterparty}",
        counterparty=line.counterparty, counterparty_iban=line.counterparty_iban,
    )  # fmt: skip


def proposals_of(matcher: Matcher, lines) -> dict[int, Proposal]:
    """line id → its proposal, for the open ones among `lines` (the names of their parties: `matcher.party_names`)."""
    found = {}
    for line in lines:
        if line.state == StatementLine.State.OPEN:
            proposal = matcher.propose(_facts(line))
            if proposal is not None:
                found[line.pk] = proposal
    return found


def _open_lines(company: Company, statement_id) -> list[StatementLine]:
    statement = statement_get(company, statement_id)
    return list(
        StatementLine.objects.filter(statement=statement, state=StatementLine.State.OPEN).only(
            "pk", "amount", "date", "reference", "description", "counterparty", "counterparty_iban", "state"
        )
    )


def statement_proposals(company: Company, statement_id) -> dict[int, Proposal]:
    """line id → its proposed match, for the statement's open lines."""
    return proposals_of(matcher_of(company), _open_lines(company, statement_id))


# Settling a line


def _locked_line(company: Company, line_id) -> StatementLine:
    return locked(StatementLine, company=company, pk=line_id, missing=_("No such statement line."))


def _open(line: StatementLine) -> None:
    if line.state != StatementLine.State.OPEN:
        raise Conflict(
            _("Line %(line)s is already %(state)s: a line is matched once.")
            % {"line": line.line_number, "state": line.get_state_display().lower()}
        )


def line_confirm(
    *,
    company: Company,
    by: User | None,
    line_id: int,
    due_ids: list[int] | None = None,
    party_id: int | None = None,
    keep_credit: bool = False,
) -> StatementLine:
    """Confirm a line: a receipt (money in) or a payment (money out) of its amount on its date through the
    statement's bank account, matched to `due_ids` (its proposal's when not given) in due-date order up to
    the amount; `party_id` and no due amounts: all of it stays as the party's credit."""
    with transaction.atomic():
        line = _locked_line(company, line_id)
        _open(line)
        if not line.amount:
            raise ValidationFailed.on("line", _("A line of zero moves no money: nothing to match."))
        statement = BankStatement.objects.get(pk=line.statement_id)
        direction = Direction.RECEIVABLE if line.amount > 0 else Direction.PAYABLE
        if due_ids is None and party_id is None:
            proposal = matcher_of(company).propose(_facts(line))
            if proposal is None:
                raise ValidationFailed.on(
                    "dues", _("No proposal for this line: choose the due amounts it pays.")
                )
            due_ids = list(proposal.due_ids)
        due_ids = [int(due_id) for due_id in due_ids or []]
        dues = list(DueAmount.objects.filter(company=company, pk__in=due_ids).order_by("due_date", "pk"))
        if len(dues) != len(set(due_ids)):
            raise ValidationFailed.on("dues", _("Choose due amounts of this company."))
        if any(due.direction != direction for due in dues):
            raise ValidationFailed.on(
                "dues",
                _("Money in pays what customers owe; money out, what is owed to suppliers."),
            )
        parties = {due.party_id for due in dues}
        if len(parties) > 1:
            raise ValidationFailed.on("dues", _("Choose due amounts of one party."))
        party = parties.pop() if parties else party_id
        if party is None:
            raise ValidationFailed.on("party", _("Choose the party, or the due amounts the line pays."))
        if party_id is not None and int(party_id) != party:
            raise ValidationFailed.on("party", _("The due amounts chosen are another party's."))
        amount = abs(line.amount)
        parts = allocations(((due.pk, due.amount - due.paid) for due in dues), amount)
        payment = payment_record(
            company=company, by=by, direction=direction, party_id=party, date=line.date, amount=amount,
            method=Payment.Method.TRANSFER, bank_account_id=statement.bank_account_id,
            allocations=[Match(due_id, part) for due_id, part in parts],
            reference=line.reference or line.description, keep_credit=keep_credit,
        )  # fmt: skip
        line.payment, line.state = payment, StatementLine.State.MATCHED
        line.matched_at, line.matched_by = timezone.now(), by
        line.save(update_fields=["payment", "state", "matched_at", "matched_by"])
        return line


def line_post(
    *,
    company: Company,
    by: User | None,
    line_id: int,
    account_id: int,
    description: str = "",
    party_id: int | None = None,
) -> StatementLine:
    """Post a line no due amount explains to an account (bank charges 626, interest 769…): an entry in the
    bank journal, the bank account's 572x against that account."""
    with transaction.atomic():
        line = _locked_line(company, line_id)
        _open(line)
        if not line.amount:
            raise ValidationFailed.on("line", _("A line of zero moves no money: nothing to post."))
        statement = BankStatement.objects.select_related("bank_account").get(pk=line.statement_id)
        account = Account.objects.filter(company=company, pk=account_id).first() if account_id else None
        if account is None:
            raise ValidationFailed.on("account", _("Choose an account of this company."))
        if account.pk == statement.bank_account.account_id:
            raise ValidationFailed.on(
                "account", _("Choose the account the movement goes to, not the bank's.")
            )
        text = " ".join((description or line.description or line.reference).split())[:200]
        amount = abs(line.amount)
        bank_side = (amount, Decimal("0.00")) if line.amount > 0 else (Decimal("0.00"), amount)
        entry = entry_record(
            company=company, by=by, journal="BAN", date=line.date,
            lines=[
                LineInput(statement.bank_account.account_id, *bank_side, None, text),
                LineInput(account.pk, bank_side[1], bank_side[0], party_id, text),
            ],
            description=text or _("Bank statement line %(line)s") % {"line": line.line_number},
            origin=Origin(LINE_MODEL, line.pk, f"{statement.bank_account.name} {line.line_number}"[:60]),
        )  # fmt: skip
        line.entry, line.state = entry, StatementLine.State.POSTED
        line.matched_at, line.matched_by = timezone.now(), by
        line.save(update_fields=["entry", "state", "matched_at", "matched_by"])
        return line


def line_unmatch(*, company: Company, by: User, line_id: int) -> StatementLine:
    """Undo a line's match: its payment reversed (which frees the line), or its entry reversed."""
    with transaction.atomic():
        line = _locked_line(company, line_id)
        if line.state == StatementLine.State.OPEN:
            raise Conflict(_("Line %(line)s is not matched.") % {"line": line.line_number})
        if line.payment_id:
            payment_reverse(company=company, by=by, payment_id=line.payment_id)
        elif line.entry_id:
            entry_reverse(company=company, by=by, entry_id=line.entry_id, from_document=True)
        StatementLine.objects.filter(pk=line.pk).update(
            state=StatementLine.State.OPEN, payment=None, entry=None, matched_at=None, matched_by=None
        )
        line.refresh_from_db()
        return line


def lines_confirm_all(
    *, company: Company, by: User | None, statement_id: int, min_score: int = SURE
) -> list[StatementLine]:
    """Confirm every open line whose proposal scores at least `min_score` and pays exactly what its due
    amounts have left; each in its own transaction, so one refused line leaves the others confirmed (and
    the payment and entry number sequences are not held locked for the whole statement)."""
    lines = _open_lines(company, statement_id)
    amounts = {line.pk: abs(line.amount) for line in lines}
    confirmed, taken = [], set()
    for line_id, proposal in sorted(proposals_of(matcher_of(company), lines).items()):
        if proposal.score < min_score or proposal.amount != amounts[line_id] or taken & set(proposal.due_ids):
            continue
        try:
            confirmed.append(
                line_confirm(company=company, by=by, line_id=line_id, due_ids=list(proposal.due_ids))
            )
        except (ValidationFailed, Conflict):
            continue
        taken |= set(proposal.due_ids)
    return confirmed


__all__ = [
    "MAX_BYTES",
    "MAX_LINES",
    "line_confirm",
    "line_post",
    "line_unmatch",
    "lines_confirm_all",
    "matcher_of",
    "proposals_of",
    "statement_get",
    "statement_import",
    "statement_parse",
    "statement_proposals",
    "statements_counted",
]

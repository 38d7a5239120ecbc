"""The ledger reports through the API: the trial balance (sumas y saldos), the general ledger with its running
balance and the journal, with the filters of their pages; amounts as decimal strings. The figures are the
pages' own (`accounting.services.reports`)."""

from datetime import date
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Schema

from nexo.accounting.services import reports
from nexo.core.api import Endpoints, Limit, MoneyOut, Offset, QueryId

endpoints = Endpoints()

ReportDay = Annotated[date | None, Query(description="YYYY-MM-DD")]
Level = Literal["1", "2", "3", "4", "posting"]
Prefix = Annotated[str, Query(max_length=16, pattern=r"^\d*$", description="Accounts whose code starts so")]
RENAMES = {"from": "date_from", "prefix": "code_prefix"}
RANGE_NOTE = (
    "`date_from` and `date_to` (both included) default to the current fiscal year to date; `date_from` after "
    "`date_to` answers 422. Closing entries inside the range are left out unless `include_closing=true`. "
    "Only posted entries count."
)


def _filter(request: HttpRequest, **options) -> reports.LedgerFilter:
    return reports.ledger_filter(request.company, today=timezone.localdate(), **options)


class ReportRangeOut(Schema):
    date_from: date
    date_to: date
    include_closing: bool


def _range(flt: reports.LedgerFilter) -> dict:
    return {"date_from": flt.start, "date_to": flt.end, "include_closing": flt.include_closing}


# Trial balance


class TrialBalanceRowOut(Schema):
    code: str = Field(description="The account's code, or the code prefix of a rolled-up row; empty for the "
                      "row of earlier years' results never regularised")  # fmt: skip
    name: str
    account_id: int | None = Field(description="The account at the posting level; null for a rolled-up row")
    opening: MoneyOut = Field(description="Debit minus credit before `date_from` (income and expense accounts: "
                              "from the start of that fiscal year only)")  # fmt: skip
    debit: MoneyOut
    credit: MoneyOut
    closing: MoneyOut = Field(description="opening + debit - credit")
    debit_balance: MoneyOut
    credit_balance: MoneyOut


class TrialBalanceTotalOut(Schema):
    opening: MoneyOut
    debit: MoneyOut
    credit: MoneyOut
    debit_balance: MoneyOut
    credit_balance: MoneyOut


class TrialBalanceOut(ReportRangeOut):
    level: str
    rows: list[TrialBalanceRowOut]
    total: TrialBalanceTotalOut = Field(description="debit equals credit, and debit_balance credit_balance")


def _balance_row(row: reports.BalanceRow) -> dict:
    return {
        "code": row.code, "name": row.name, "account_id": row.account_id, "opening": row.opening,
        "debit": row.debit, "credit": row.credit, "closing": row.closing, "debit_balance": row.debit_balance,
        "credit_balance": row.credit_balance,
    }  # fmt: skip


@endpoints.get(
    "/accounting/reports/trial-balance",
    TrialBalanceOut,
    perm="accounting.view_entry",
    renames=RENAMES,
    summary="Trial balance (sumas y saldos) over a date range at an account level",
    description="Per account (`level=posting`) or per code prefix of 1 to 4 digits: the opening balance, the "
    "range's debits and credits and the closing balance split into debit and credit columns. Rows without "
    f"any figure are left out unless `show_zero=true`. {RANGE_NOTE}",
)
def trial_balance_read(
    request: HttpRequest,
    date_from: ReportDay = None,
    date_to: ReportDay = None,
    level: Level = "posting",
    journal_id: QueryId = None,
    code_prefix: Prefix = "",
    include_closing: bool = False,
    show_zero: bool = False,
):
    flt = _filter(
        request, start=date_from, end=date_to, journal_id=journal_id, prefix=code_prefix,
        include_closing=include_closing,
    )  # fmt: skip
    report = reports.trial_balance(flt, level=level, show_zero=show_zero)
    return {
        **_range(flt),
        "level": level,
        "rows": [_balance_row(row) for row in report.all_rows],
        "total": {
            "opening": report.total.opening, "debit": report.total.debit, "credit": report.total.credit,
            "debit_balance": report.total_debit_balance, "credit_balance": report.total_credit_balance,
        },
    }  # fmt: skip


# General ledger


class GeneralLedgerLineOut(Schema):
    id: int
    date: date
    entry_id: int
    entry_number: str
    journal_code: str
    description: str
    party_id: int | None
    party_name: str
    debit: MoneyOut
    credit: MoneyOut
    balance: MoneyOut = Field(description="The account's running balance after this line")
    origin_model: str = Field(
        description="The document that caused the entry, as a model label; empty if none"
    )
    origin_id: int | None
    origin_number: str


class GeneralLedgerAccountOut(Schema):
    account_id: int
    code: str
    name: str
    opening: MoneyOut
    debit: MoneyOut
    credit: MoneyOut
    closing: MoneyOut
    line_count: int = Field(description="The account's lines in the range, whichever page is read")
    lines: list[GeneralLedgerLineOut] = Field(description="The account's lines on this page")


class GeneralLedgerOut(ReportRangeOut):
    count: int = Field(description="Lines in the range (the page is `offset`, `limit` of them)")
    debit: MoneyOut
    credit: MoneyOut
    accounts: list[GeneralLedgerAccountOut]


@endpoints.get(
    "/accounting/reports/general-ledger",
    GeneralLedgerOut,
    perm="accounting.view_entry",
    renames=RENAMES,
    summary="General ledger: each account's lines with its running balance",
    description="Lines by account code, then date, entry and position; `limit` and `offset` page the lines "
    "(each account keeps its opening, sums and closing for the whole range). `account_id`, `code_prefix`, "
    f"`party_id` and `journal_id` narrow it; another company's id answers 404. {RANGE_NOTE}",
)
def general_ledger_read(
    request: HttpRequest,
    date_from: ReportDay = None,
    date_to: ReportDay = None,
    account_id: QueryId = None,
    code_prefix: Prefix = "",
    party_id: QueryId = None,
    journal_id: QueryId = None,
    include_closing: bool = False,
    limit: Limit = 100,
    offset: Offset = 0,
):
    flt = _filter(
        request, start=date_from, end=date_to, account_id=account_id, prefix=code_prefix, party_id=party_id,
        journal_id=journal_id, include_closing=include_closing,
    )  # fmt: skip
    report = reports.general_ledger(flt, offset=offset, limit=limit)
    accounts = [
        {
            "account_id": part.account_id, "code": part.code, "name": part.name, "opening": part.opening,
            "debit": part.debit, "credit": part.credit, "closing": part.closing, "line_count": part.line_count,
            "lines": [vars(line) for line in part.lines],
        }
        for part in report.accounts
    ]  # fmt: skip
    return {**_range(flt), "count": report.line_count, "debit": report.debit, "credit": report.credit,
            "accounts": accounts}  # fmt: skip


# Journal


class JournalReportLineOut(Schema):
    account_id: int
    account_code: str
    account_name: str
    party_name: str
    description: str
    debit: MoneyOut
    credit: MoneyOut


class JournalReportEntryOut(Schema):
    id: int
    number: str
    date: date
    journal_code: str
    kind: str
    description: str
    origin_model: str
    origin_id: int | None
    origin_number: str
    lines: list[JournalReportLineOut]


class JournalReportOut(ReportRangeOut):
    count: int = Field(description="Entries in the range (the page is `offset`, `limit` of them)")
    debit: MoneyOut = Field(description="Of every entry in the range")
    credit: MoneyOut
    items: list[JournalReportEntryOut]


@endpoints.get(
    "/accounting/reports/journal",
    JournalReportOut,
    perm="accounting.view_entry",
    renames=RENAMES,
    summary="Journal: the posted entries of a date range with their lines, in date and number order",
    description="`journal_id` keeps one journal's entries (another company's answers 404). The range's "
    "dates default to the current fiscal year to date; `date_from` after `date_to` answers 422.",
)
def journal_report_read(
    request: HttpRequest,
    date_from: ReportDay = None,
    date_to: ReportDay = None,
    journal_id: QueryId = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    flt = _filter(request, start=date_from, end=date_to, journal_id=journal_id, include_closing=True)
    report = reports.journal_report(flt, offset=offset, limit=limit)
    items = [
        {**{key: value for key, value in vars(entry).items() if key != "lines"},
         "lines": [vars(line) for line in entry.lines]}
        for entry in report.entries
    ]  # fmt: skip
    return {**_range(flt), "count": report.entry_count, "debit": report.debit, "credit": report.credit,
            "items": items}  # fmt: skip

"""/accounting/reports/profit-and-loss and /accounting/reports/balance-sheet: the financial statements in the
layout of the company's chart template (the PGC PYMES models by default), each line with its figure, the
comparison a year earlier, and the accounts that feed it. The same service as the pages."""

from datetime import date
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Schema

from nexo.accounting.services import statements
from nexo.core.api import Endpoints, MoneyOut

endpoints = Endpoints()

StatementDay = Annotated[date | None, Query(description="YYYY-MM-DD")]


class StatementAccountOut(Schema):
    id: int
    code: str
    name: str = Field(description="In the request's language where the chart has it")
    amount: MoneyOut
    previous: MoneyOut


class StatementLineOut(Schema):
    key: str = Field(
        description="The line's key in the layout (e.g. `assets.B.II.1`, `liabilities.A-1.VII`, `D`)"
    )
    label: str
    level: int = Field(description="Indentation: 0 for a heading or grand total")
    section: str = Field(
        description="`assets` or `liabilities` in the balance sheet; empty in the profit and loss"
    )
    is_total: bool = Field(description="A total of other lines (else fed by accounts)")
    prefixes: list[str] = Field(
        description="The account code prefixes that feed the line; `-` marks an account that reduces it, "
        "`@debit`/`@credit` one taken only with that balance"
    )
    amount: MoneyOut = Field(description="Assets, equity and liabilities positive; in the profit and loss, income "
                             "positive and expenses negative")  # fmt: skip
    previous: MoneyOut
    accounts: list[StatementAccountOut]


class StatementOut(Schema):
    statement: str = Field(description="`profit_and_loss` or `balance_sheet`")
    template: str = Field(description="The chart template whose layout is used (`pgc_pymes`, `generic`)")
    date_from: date | None = Field(description="The range's first day (null for the balance sheet)")
    date_to: date = Field(description="The range's last day, or the balance sheet's date")
    previous_from: date | None
    previous_to: date = Field(description="The comparison: the same range a year earlier, or the previous fiscal "
                              "year's end")  # fmt: skip
    result: MoneyOut = Field(description="The result of the year (profit positive)")
    previous_result: MoneyOut
    lines: list[StatementLineOut]
    unassigned: list[StatementAccountOut] = Field(
        description="Accounts with a balance that fit no line of the layout (left out of the totals)"
    )


def _body(statement: statements.Statement) -> dict:
    return {
        "statement": statement.statement,
        "template": statement.template,
        "date_from": statement.start,
        "date_to": statement.end,
        "previous_from": statement.previous_start,
        "previous_to": statement.previous_end,
        "result": statement.result.amount,
        "previous_result": statement.result.previous,
        "lines": statement.lines,
        "unassigned": statement.unassigned,
    }


@endpoints.get(
    "/accounting/reports/profit-and-loss",
    StatementOut,
    perm="accounting.view_entry",
    summary="Profit and loss account for a range, beside the same range a year earlier",
    description="Both days included; the current fiscal year to date by default. Regularisation entries are left "
    "out. `date_from` after `date_to` answers 422.",
)
def profit_and_loss_read(request: HttpRequest, date_from: StatementDay = None, date_to: StatementDay = None):
    default_from, today = statements.default_range(request.company)
    return _body(
        statements.profit_and_loss(
            request.company, date_from=date_from or default_from, date_to=date_to or today
        )
    )


@endpoints.get(
    "/accounting/reports/balance-sheet",
    StatementOut,
    perm="accounting.view_entry",
    summary="Balance sheet at a date, beside the previous fiscal year's end",
    description="Today by default. The closing entries of the date's fiscal year are left out; the result of the "
    "year (129 and the income and expense balances not yet regularised) sits under equity, so the assets total "
    "equals the equity and liabilities total.",
)
def balance_sheet_read(request: HttpRequest, date: StatementDay = None):
    _default_from, today = statements.default_range(request.company)
    return _body(statements.balance_sheet(request.company, at=date or today))

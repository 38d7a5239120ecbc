"""/payments/aging and /payments/overdue: what was owed at a date, by party in the five buckets with the
credits and the totals (also as a CSV or XLSX file), and the overdue due amounts with their days late and
last reminder. The figures are the pages' own (`services.aging`)."""

from datetime import date
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Schema

from nexo.core.api import Endpoints, Limit, MoneyOut, Offset, QueryId
from nexo.payments.services.aging import aging, overdue
from nexo.payments.views.aging import aging_download

endpoints = Endpoints()

Day = Annotated[date | None, Query(description="YYYY-MM-DD; today if missing")]
DirectionIn = Literal["receivable", "payable"]
RENAMES = {"party": "party_id"}
AT_NOTE = (
    "At a date: the due amounts of documents dated on or before it, less the payments dated on or before it "
    "(a payment reversed later counts until its reversal's date; a credit applied later counts from the day "
    "it was applied). Another company's `party_id` answers 422."
)
FILE_RESPONSE = {
    "responses": {
        "200": {
            "description": "JSON, or the report as a file when `format` is given",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/AgingOut"}},
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        }
    }
}


class AgingRowOut(Schema):
    party_id: int | None = Field(description="null on the total")
    party_name: str
    not_due: MoneyOut
    days_1_30: MoneyOut
    days_31_60: MoneyOut
    days_61_90: MoneyOut
    over_90: MoneyOut
    credits: MoneyOut = Field(
        description="Payments not matched and credit notes not offset: zero or negative"
    )
    total: MoneyOut = Field(description="The sum of the buckets and the credits: the open balance at `at`")


class AgingOut(Schema):
    at: date
    direction: str
    rows: list[AgingRowOut]
    total: AgingRowOut


def _row(row) -> dict:
    not_due, days_1_30, days_31_60, days_61_90, over_90 = row.buckets
    return {
        "party_id": row.party_id, "party_name": row.party_name, "not_due": not_due, "days_1_30": days_1_30,
        "days_31_60": days_31_60, "days_61_90": days_61_90, "over_90": over_90, "credits": row.credits,
        "total": row.total,
    }  # fmt: skip


@endpoints.get(
    "/payments/aging",
    AgingOut,
    perm="payments.view_dueamount",
    renames=RENAMES,
    summary="Aging at a date: by party, not due, 1-30, 31-60, 61-90 and over 90 days overdue",
    description=f"Parties with nothing open are left out. `format=csv` or `xlsx` answers the same table as a "
    f"file (a total row last). {AT_NOTE}",
    openapi_extra=FILE_RESPONSE,
)
def aging_read(
    request: HttpRequest,
    at: Day = None,
    direction: DirectionIn = "receivable",
    party_id: QueryId = None,
    format: Literal["csv", "xlsx"] | None = None,
):
    day = at or timezone.localdate()
    report = aging(request.company, at=day, direction=direction, party_id=party_id)
    if format:
        return aging_download(report, format, company=request.company)
    return {"at": day, "direction": direction, "rows": [_row(row) for row in report.rows],
            "total": _row(report.total)}  # fmt: skip


class OverdueOut(Schema):
    id: int
    party_id: int
    party_name: str
    origin_model: str
    origin_id: int
    origin_number: str
    installment: int
    installments: int
    document_date: date
    due_date: date
    currency: str
    amount: MoneyOut
    remaining: MoneyOut = Field(description="What was left to pay at `at`")
    state: str
    days_late: int
    reminder_level: int = Field(description="The level of the last reminder sent on or before `at` (0: none)")
    last_reminder_date: date | None
    current_level: int = Field(description="The due amount's reminder level now: the next one is one above")


class OverdueListOut(Schema):
    at: date
    count: int
    items: list[OverdueOut]


@endpoints.get(
    "/payments/overdue",
    OverdueListOut,
    perm="payments.view_dueamount",
    renames=RENAMES,
    summary="The due amounts overdue at a date, by party and due date",
    description=f"Those at least `min_days` past their due date with something left to pay. {AT_NOTE}",
)
def overdue_read(
    request: HttpRequest,
    at: Day = None,
    direction: DirectionIn = "receivable",
    party_id: QueryId = None,
    min_days: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Limit = 100,
    offset: Offset = 0,
):
    day = at or timezone.localdate()
    found = overdue(
        request.company, at=day, direction=direction, party_id=party_id, min_days=min_days, limit=limit,
        offset=offset,
    )  # fmt: skip
    return {"at": day, "count": found.count, "items": [vars(item) for item in found.items]}

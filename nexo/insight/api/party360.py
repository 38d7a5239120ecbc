"""/insight/parties/{party_id}: a party's 360° figures and timeline, the same service as the page
(nexo.insight.services.party360)."""

from datetime import date as Date
from datetime import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema

from nexo.core.api import Endpoints, MoneyOut, PercentOut, RecordId
from nexo.insight.services import party360 as services

endpoints = Endpoints()
Kind = Literal[
    "activity",
    "opportunity",
    "quotation",
    "order",
    "delivery",
    "invoice",
    "payment",
    "reminder",
    "purchase_order",
    "supplier_invoice",
]


def _party_visible(request: HttpRequest, party_id: int) -> None:
    services.party_of(request.company, party_id)


class Party360PartyOut(Schema):
    id: int
    name: str
    tax_id: str
    status: str = Field(description="lead or customer")
    is_supplier: bool


class Party360BalanceOut(Schema):
    open_balance: MoneyOut = Field(
        description="What the party owes today, as its position in payments shows it"
    )
    overdue: MoneyOut = Field(description="Left to pay on due amounts that fell due before today")
    overdue_count: int
    credit_limit: MoneyOut | None = Field(description="null: no limit")
    available_credit: MoneyOut | None = Field(description="Credit limit less open balance and open orders")
    over_limit: bool


class Party360SalesOut(Schema):
    lifetime_revenue: MoneyOut = Field(description="Posted invoices less credit notes, taxable bases")
    lifetime_margin: MoneyOut | None = Field(
        description="That revenue less the cost of goods the same documents carry; null for a role that does "
        "not see margins"
    )
    margin_percent: PercentOut | None = Field(description="Margin over revenue; null without revenue")


class Party360PipelineOut(Schema):
    open_count: int = Field(description="Open opportunities the user may see")
    open_amount: MoneyOut = Field(description="Their expected amounts")
    weighted_amount: MoneyOut = Field(description="Their expected amounts times their probabilities")


class Party360ActivityOut(Schema):
    id: int
    kind: str = Field(description="call, meeting, email or task")
    subject: str
    due_at: datetime
    overdue: bool
    url: str | None = Field(description="Its opportunity's page, else its form")


class Party360ItemOut(Schema):
    date: Date
    kind: str = Field(description="The timeline kind: activity, opportunity, quotation, order, delivery, invoice, "
                      "payment or reminder")  # fmt: skip
    id: int = Field(description="The record's id (a reminder's own)")
    label: str = Field(description="What the record is, in the reader's language (a call, a credit note)")
    number: str = Field(description="A document's number, an opportunity's or activity's title")
    state: str
    state_label: str
    amount: MoneyOut | None = Field(description="A document's total, an opportunity's expected amount, a "
                                    "payment's amount, a reminded due amount; null for activities and deliveries")  # fmt: skip
    currency: str
    detail: str
    url: str | None = Field(description="The record's page")
    flow_url: str | None = Field(description="The record's document flow, for the kinds that have one")


class Party360Out(Schema):
    party: Party360PartyOut
    date: Date = Field(description="The day the figures are for (today)")
    currency: str
    figures_shown: list[str] = Field(
        description="The figures the user may see: balance, revenue, margin, pipeline, next_activity; the "
        "others are null"
    )
    balance: Party360BalanceOut | None
    sales: Party360SalesOut | None
    pipeline: Party360PipelineOut | None
    next_activity: Party360ActivityOut | None = Field(description="null: none pending, or not shown")
    kinds: list[str] = Field(description="The kinds of record the user may see on the timeline")
    timeline: list[Party360ItemOut] = Field(description="Newest first")


def _body(overview: services.PartyOverview) -> dict:
    party, balance, sales, pipeline, activity = (
        overview.party, overview.balance, overview.sales, overview.pipeline, overview.next_activity,
    )  # fmt: skip
    return {
        "party": {
            "id": party.pk, "name": party.name, "tax_id": party.tax_id, "status": party.status,
            "is_supplier": party.is_supplier,
        },
        "date": overview.today,
        "currency": overview.currency,
        "figures_shown": sorted(overview.shown),
        "balance": balance and {
            "open_balance": balance.open_balance, "overdue": balance.overdue, "overdue_count": balance.overdue_count,
            "credit_limit": balance.credit_limit, "available_credit": balance.available_credit,
            "over_limit": balance.over_limit,
        },
        "sales": sales and {
            "lifetime_revenue": sales.revenue, "lifetime_margin": sales.margin, "margin_percent": sales.margin_percent,
        },
        "pipeline": pipeline and {
            "open_count": pipeline.open_count, "open_amount": pipeline.open_amount,
            "weighted_amount": pipeline.weighted_amount,
        },
        "next_activity": activity and {
            "id": activity.record_id, "kind": activity.kind, "subject": activity.subject, "due_at": activity.due_at,
            "overdue": activity.overdue, "url": activity.url,
        },
        "kinds": list(overview.kinds),
        "timeline": [
            {
                "date": item.date, "kind": item.kind, "id": item.record_id, "label": item.label,
                "number": item.number, "state": item.state, "state_label": item.state_label, "amount": item.amount,
                "currency": item.currency, "detail": item.detail, "url": item.url, "flow_url": item.flow_url,
            }
            for item in overview.timeline
        ],
    }  # fmt: skip


@endpoints.get(
    "/insight/parties/{party_id}",
    Party360Out,
    perm="parties.view_party",
    visible=_party_visible,
    summary="A party's 360° view: its figures and its timeline",
    description="Open balance and overdue amount (as its position in payments), credit limit and what is left of "
    "it, lifetime revenue and margin (posted invoices less credit notes), open opportunities and their weighted "
    "amount, the next pending activity; and the newest records done with it (activities, opportunities, "
    "quotations, sales orders, delivery notes, invoices and credit notes, payments, reminders, purchase orders, "
    "supplier invoices). Each figure and "
    "kind only for a role that may see that data. Another company's party answers 404.",
)
def party_360(
    request: HttpRequest,
    party_id: RecordId,
    kind: Annotated[Kind | None, Query(description="Only this kind on the timeline")] = None,
    limit: Annotated[
        int, Query(ge=1, le=services.MAX_TIMELINE, description="How many records the timeline holds")
    ] = services.DEFAULT_TIMELINE,
):
    overview = services.party_overview(
        request.company, party_id, user=request.user, timeline_limit=limit, kinds=[kind] if kind else None
    )
    return _body(overview)

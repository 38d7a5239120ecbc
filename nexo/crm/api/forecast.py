"""/forecast: the open opportunities' weighted and best-case figures by month and owner, and what was won."""

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Schema

from nexo.core.api import Endpoints, MoneyOut, QueryId
from nexo.crm import queries, rules

endpoints = Endpoints()


class ForecastFigures(Schema):
    weighted: MoneyOut = Field(description="Sum of amount * probability %")
    best_case: MoneyOut = Field(description="Sum of the amounts")
    count: int = Field(description="Open opportunities counted")


class ForecastCellOut(ForecastFigures):
    month: str = Field(description="YYYY-MM of the expected close")
    owner: str = Field(description="The owner's username")


class ForecastMonthOut(ForecastFigures):
    month: str


class ForecastOwnerOut(ForecastFigures):
    owner: str


class ForecastOut(Schema):
    as_of: date
    months: list[str]
    owners: list[str]
    cells: list[ForecastCellOut] = Field(description="One per month and owner with open opportunities")
    by_month: list[ForecastMonthOut]
    by_owner: list[ForecastOwnerOut]
    total: ForecastFigures
    won_this_month: MoneyOut = Field(description="Amount won since the first of this month")
    won_this_quarter: MoneyOut = Field(description="Amount won since the quarter began")


def _figures(cell: rules.ForecastCell) -> dict:
    return {"weighted": cell.weighted, "best_case": cell.best_case, "count": cell.count}


@endpoints.get(
    "/forecast",
    ForecastOut,
    perm="crm.view_opportunity",
    summary="Forecast of the open opportunities by expected close month and owner",
    description="Weighted is amount * probability %; best case is the amount. Each figure is its exact sum "
    "rounded half-up once, so a total may differ by a cent from the sum of the rounded cells it covers. "
    "A salesperson's forecast covers their own opportunities.",
)
def forecast(request: HttpRequest, owner_id: QueryId = None):
    figures = rules.forecast(queries.forecast_lines(request.user, request.company, owner_id=owner_id))
    today = timezone.localdate()

    def won_since(start: date) -> Decimal:
        won = queries.won_between(request.user, request.company, start, today, owner_id=owner_id)
        return won["amount"] or Decimal(0)

    return {
        "as_of": today,
        "months": figures.months,
        "owners": figures.owners,
        "cells": [
            {"month": month, "owner": owner, **_figures(cell)}
            for (month, owner), cell in sorted(figures.cells.items())
        ],
        "by_month": [{"month": month, **_figures(figures.by_month[month])} for month in figures.months],
        "by_owner": [{"owner": owner, **_figures(figures.by_owner[owner])} for owner in figures.owners],
        "total": _figures(figures.total),
        "won_this_month": won_since(today.replace(day=1)),
        "won_this_quarter": won_since(rules.quarter_start(today)),
    }

"""/insight/dashboards/{name}: a dashboard's panels as data (the page's tables and figures, not its charts),
with the page's filters and defaults (`views.dashboards`)."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema

from nexo.catalog.models import Category
from nexo.core.api import Endpoints, QueryId
from nexo.core.errors import ValidationFailed
from nexo.core.rules import round_money
from nexo.crm.queries import sales_users
from nexo.insight import formats
from nexo.insight.services.dashboards import DASHBOARDS, KINDS, MONEY, PERCENT, Cell, Filters, Panel
from nexo.insight.views.dashboards import (
    PeriodRefused,
    build_panels,
    column_kinds,
    dashboard_of,
    resolve_period,
)

endpoints = Endpoints()

Day = Annotated[date | None, Query(description="YYYY-MM-DD")]
Kind = Literal[KINDS]  # type: ignore[valid-type]
CellOut = str | int | None
KIND_NOTE = (
    "money: a decimal string with 2 decimals in the company's currency; percent: 0-100, a decimal string with 2 "
    "decimals; count: an integer; number and days: a decimal string; date: YYYY-MM-DD; text: a string. An empty "
    "cell or figure is null."
)


class ColumnOut(Schema):
    label: str
    kind: Kind = Field(description=KIND_NOTE)


class FigureOut(Schema):
    label: str
    kind: Kind = Field(description=KIND_NOTE)
    value: CellOut


class PanelOut(Schema):
    key: str = Field(description="The panel's name, as the page's `?panel=<key>&format=csv` export names it")
    title: str
    columns: list[ColumnOut]
    rows: list[list[CellOut]] = Field(description="Each row's cells, in the columns' order, written by kind")
    figures: list[FigureOut] = Field(description="The single figures shown above the chart")
    note: str = Field(description="What the panel counts, and which filters it leaves aside")


class DashboardOut(Schema):
    name: str
    date_from: date
    date_to: date
    salesperson: int | None
    category: int | None
    panels: list[PanelOut]


def cell_out(value: Cell, kind: str) -> CellOut:
    """A value as JSON writes it: decimals as strings (money and percentages with 2 decimals), dates ISO."""
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, Decimal):
        return f"{round_money(value, 2):f}" if kind in (MONEY, PERCENT) else f"{value:f}"
    if isinstance(value, int):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def panel_out(panel: Panel) -> dict:
    kinds = column_kinds(panel)
    figures = []
    for label, value in panel.figures.items():
        kind = panel.figure_kinds.get(label) or formats.kind_of(value)
        figures.append({"label": str(label), "kind": kind, "value": cell_out(value, kind)})
    return {
        "key": panel.key,
        "title": str(panel.title),
        "columns": [
            {"label": str(label), "kind": kind} for label, kind in zip(panel.columns, kinds, strict=False)
        ],
        "rows": [
            [cell_out(value, kind) for value, kind in zip(row, kinds, strict=False)] for row in panel.rows
        ],
        "figures": figures,
        "note": str(panel.note),
    }


def _filters(request: HttpRequest, dashboard, date_from, date_to, salesperson, category) -> Filters:
    user, company = request.user, request.company
    try:
        first, last = resolve_period(date_from, date_to, timezone.localdate())
    except PeriodRefused as refused:
        raise ValidationFailed.on(refused.field, refused.message) from refused
    if dashboard.own_figures_only(user):
        if salesperson not in (None, user.pk):
            raise PermissionDenied(_("You see only your own figures on this dashboard."))
        salesperson = user.pk
    elif salesperson is not None and not sales_users(company).filter(pk=salesperson).exists():
        raise ValidationFailed.on("salesperson", _("Unknown salesperson."))
    if category is not None and not Category.objects.filter(company=company, pk=category).exists():
        raise ValidationFailed.on("category", _("Unknown category."))
    return Filters(date_from=first, date_to=last, salesperson_id=salesperson, category_id=category)


@endpoints.get(
    "/insight/dashboards/{name}",
    DashboardOut,
    perm=(),
    summary="A dashboard's panels: each one's table, figures and note",
    description=(
        f"`name` is one of {', '.join(DASHBOARDS)}; each needs its own permission (403 otherwise). The period "
        "is inclusive; without dates, the year so far; a missing start is the 1 January of the end's year. At "
        "most 60 months. `salesperson` (a user of the company who may own opportunities) and `category` (an "
        "item category, with those under it) narrow the figures where they mean something; each panel's note "
        "says where they do not. A salesperson who does not see every opportunity gets their own figures "
        "(another salesperson: 403). Unknown salesperson or category, or a wrong period: 422."
    ),
)
def dashboard_read(
    request: HttpRequest,
    name: str,
    date_from: Day = None,
    date_to: Day = None,
    salesperson: QueryId = None,
    category: QueryId = None,
):
    dashboard = dashboard_of(request, name)
    filters = _filters(request, dashboard, date_from, date_to, salesperson, category)
    panels = build_panels(dashboard, request.company, filters)
    return {
        "name": dashboard.name, "date_from": filters.date_from, "date_to": filters.date_to,
        "salesperson": filters.salesperson_id, "category": filters.category_id,
        "panels": [panel_out(panel) for panel in panels],
    }  # fmt: skip

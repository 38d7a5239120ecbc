"""The dashboard pages, one address per dashboard (/insight/dashboards/<name>/): the filters (a period, a
salesperson, an item category), then each panel as its figures, its chart and the table it draws; each
table as a CSV file (`?panel=<key>&format=csv`) and the whole dashboard as an XLSX workbook
(`?format=xlsx`), both through nexo.core.exports, which quotes formula-like text.

The panels come from the dashboard's module (`services.dashboards`), the same the API answers. A filter
typed wrong is a form error and the default is shown instead; a salesperson who does not see every
opportunity sees their own figures only (`Dashboard.own_figures_for`)."""

import io
import re
from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.catalog.models import Category
from nexo.core.exports import CONTENT_TYPES, Report, report_response, safe_text
from nexo.core.models import Company, User
from nexo.core.permissions import page
from nexo.crm.queries import sales_users
from nexo.crm.views.forecast import add_months
from nexo.insight import formats
from nexo.insight.services.dashboards import DASHBOARDS, Dashboard, Filters, Panel

DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FIRST_DAY, LAST_DAY = Date(1900, 1, 1), Date(9998, 12, 31)
#: The longest period a dashboard draws: its monthly charts would have more bars than anyone reads.
MAX_PERIOD_MONTHS = 60
TITLES = {
    "sales": gettext_lazy("Sales dashboard"),
    "margin": gettext_lazy("Margin dashboard"),
    "stock": gettext_lazy("Purchasing and stock dashboard"),
    "finance": gettext_lazy("Finance dashboard"),
}


def person(user: User) -> str:
    return user.get_full_name() or user.username


def default_period(today: Date) -> tuple[Date, Date]:
    """The year so far."""
    return today.replace(month=1, day=1), today


def quick_periods(today: Date) -> list[tuple[str, Date, Date]]:
    """The periods offered as one click: this month, this quarter, this year, the last 12 months."""
    month = today.replace(day=1)
    quarter = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    return [
        (_("This month"), month, add_months(month, 1) - timedelta(days=1)),
        (_("This quarter"), quarter, add_months(quarter, 3) - timedelta(days=1)),
        (_("This year"), today.replace(month=1, day=1), today.replace(month=12, day=31)),
        (_("Last 12 months"), add_months(month, -11), today),
    ]


def months_spanned(first: Date, last: Date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


class PeriodRefused(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def resolve_period(first: Date | None, last: Date | None, today: Date) -> tuple[Date, Date]:
    """The period asked: a missing start is the 1 January of the end's year, a missing end today (or the end of
    the start's year, for a start still to come). PeriodRefused names the field at fault: a date out of
    1900-9998, an end before the start, more than MAX_PERIOD_MONTHS months."""
    for field, day in (("date_from", first), ("date_to", last)):
        if day and not FIRST_DAY <= day <= LAST_DAY:
            raise PeriodRefused(field, _("Choose a date between 1900 and 9998."))
    if first and last and first > last:
        raise PeriodRefused("date_to", _("The period cannot end before it starts."))
    asked_last = last
    first = first or (last or today).replace(month=1, day=1)
    last = last or (today if first <= today else first.replace(month=12, day=31))
    if months_spanned(first, last) > MAX_PERIOD_MONTHS:
        raise PeriodRefused(
            "date_to" if asked_last else "date_from",
            _("Choose a period of at most %(count)d months.") % {"count": MAX_PERIOD_MONTHS},
        )
    return first, last


class DashboardFilterForm(forms.Form):
    """The period (inclusive), a salesperson and a category, each optional; the choices are this company's."""

    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DAY)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DAY)

    def __init__(self, data, *, today: Date, people: list[User] | None, categories: list[tuple[int, str]]):
        super().__init__(data)
        self.today = today
        if people is not None:
            self.fields["salesperson"] = forms.TypedChoiceField(
                label=gettext_lazy("Salesperson"), required=False, coerce=int, empty_value=None,
                choices=[("", _("Everyone")), *((str(user.pk), person(user)) for user in people)],
            )  # fmt: skip
        self.fields["category"] = forms.TypedChoiceField(
            label=gettext_lazy("Item category"), required=False, coerce=int, empty_value=None,
            choices=[("", _("All categories")), *((str(pk), name) for pk, name in categories)],
        )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if self.errors.keys() & {"date_from", "date_to"}:
            return cleaned
        try:
            cleaned["period"] = resolve_period(cleaned.get("date_from"), cleaned.get("date_to"), self.today)
        except PeriodRefused as refused:
            self.add_error(refused.field, refused.message)
        return cleaned


@dataclass
class Asked:
    form: DashboardFilterForm
    filters: Filters
    own_only: bool
    people: dict[int, str]
    categories: dict[int, str]


def filters_asked(request: HttpRequest, dashboard: Dashboard) -> Asked:
    """The filters as given, each wrong or missing one replaced by its default (the year so far, everyone,
    every category); a salesperson limited to their own figures has the salesperson filter set to them."""
    user, company = request.user, request.company
    today = timezone.localdate()
    own_only = dashboard.own_figures_only(user)
    people = None if own_only else list(sales_users(company))
    categories = list(
        Category.objects.filter(company=company).order_by("full_name", "id").values_list("pk", "full_name")
    )
    form = DashboardFilterForm(request.GET, today=today, people=people, categories=categories)
    form.is_valid()
    values = form.cleaned_data
    first, last = values.get("period") or default_period(today)
    salesperson = user.pk if own_only else values.get("salesperson")
    category = values.get("category")
    form.data = form.data.copy()
    form.data["date_from"], form.data["date_to"] = first.isoformat(), last.isoformat()
    return Asked(
        form=form,
        filters=Filters(date_from=first, date_to=last, salesperson_id=salesperson, category_id=category),
        own_only=own_only,
        people={user.pk: person(user)} if own_only else {person_.pk: person(person_) for person_ in people},
        categories=dict(categories),
    )


def dashboard_of(request: HttpRequest, name: str) -> Dashboard:
    """The dashboard called `name` if the user may open it: 404 for no such dashboard, 403 without its
    permission."""
    dashboard = DASHBOARDS.get(name)
    if dashboard is None:
        raise Http404(_("No such dashboard."))
    if not request.user.has_perm(dashboard.permission):
        raise PermissionDenied(_("Your role does not allow this."))
    return dashboard


def build_panels(dashboard: Dashboard, company: Company, filters: Filters) -> list[Panel]:
    """The dashboard's panels; a dashboard whose module is not installed is not there (404)."""
    try:
        build = dashboard.build
    except ModuleNotFoundError as missing:
        if missing.name and missing.name.endswith(f".{dashboard.module}"):
            raise Http404(_("No such dashboard.")) from missing
        raise
    return build(company, filters)


# What the page shows of a panel


def column_kinds(panel: Panel) -> list[str]:
    """Each column's kind: as the panel says, else by the first value found in it."""
    kinds = []
    for index in range(len(panel.columns)):
        if index < len(panel.kinds):
            kinds.append(panel.kinds[index])
            continue
        values = (row[index] for row in panel.rows if index < len(row) and row[index] is not None)
        kinds.append(formats.kind_of(next(values, None)))
    return kinds


@dataclass
class ShownCell:
    text: str
    numeric: bool
    negative: bool = False


@dataclass
class ShownPanel:
    key: str
    title: str
    chart: SafeString
    note: str
    figures: list[tuple[str, str]]
    columns: list[ShownCell]
    rows: list[list[ShownCell]]
    csv_url: str


def shown(panel: Panel, currency: str, query: QueryDict) -> ShownPanel:
    kinds = column_kinds(panel)
    rows = [
        [
            ShownCell(
                formats.cell_text(value, kind, currency), formats.is_numeric(kind),
                negative=isinstance(value, Decimal | int) and not isinstance(value, bool) and value < 0,
            )
            for value, kind in zip(row, kinds, strict=False)
        ]
        for row in panel.rows
    ]  # fmt: skip
    figures = [
        (
            label,
            formats.cell_text(value, panel.figure_kinds.get(label) or formats.kind_of(value), currency)
            or "—",
        )
        for label, value in panel.figures.items()
    ]
    params = query.copy()
    params["panel"], params["format"] = panel.key, "csv"
    return ShownPanel(
        key=panel.key,
        title=panel.title,
        chart=mark_safe(panel.chart),  # noqa: S308 - nexo.insight.charts escapes every text it draws
        note=panel.note,
        figures=figures,
        columns=[
            ShownCell(str(label), formats.is_numeric(kind))
            for label, kind in zip(panel.columns, kinds, strict=False)
        ],
        rows=rows,
        csv_url="?" + params.urlencode(),
    )


# Files


def _file_name(dashboard: Dashboard, filters: Filters, part: str = "") -> str:
    return "-".join(
        filter(
            None,
            ("dashboard", dashboard.name, part, filters.date_from.isoformat(), filters.date_to.isoformat()),
        )
    )


def _sheet_title(title: str, taken: set[str]) -> str:
    """A worksheet name: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    name, number = base, 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.casefold())
    return name


def workbook_bytes(title: str, subtitle: list[str], panels: list[Panel]) -> bytes:
    """The dashboard as a workbook: one sheet per panel, its table and then its figures (text quoted as
    every export quotes it: nexo.core.exports.safe_text)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for panel in panels:
        sheet = workbook.create_sheet(_sheet_title(panel.title, taken))
        sheet.append([safe_text(panel.title)])
        sheet.append([safe_text(" · ".join([str(title), *subtitle]))])
        sheet.append([])
        sheet.append([safe_text(str(column)) for column in panel.columns])
        for row in panel.rows:
            sheet.append(["" if value is None else safe_text(value) for value in row])
        if panel.figures:
            sheet.append([])
            for label, value in panel.figures.items():
                sheet.append([safe_text(str(label)), "" if value is None else safe_text(value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def subtitle_of(asked: Asked) -> list[str]:
    filters = asked.filters
    lines = [
        _("%(first)s to %(last)s")
        % {
            "first": date_format(filters.date_from, "SHORT_DATE_FORMAT"),
            "last": date_format(filters.date_to, "SHORT_DATE_FORMAT"),
        }
    ]
    if filters.salesperson_id:
        lines.append(_("Salesperson: %(name)s") % {"name": asked.people.get(filters.salesperson_id, "")})
    if filters.category_id:
        lines.append(_("Category: %(name)s") % {"name": asked.categories.get(filters.category_id, "")})
    return lines


def _download(
    request: HttpRequest, dashboard: Dashboard, asked: Asked, panels: list[Panel], fmt: str
) -> HttpResponse:
    title, subtitle = str(TITLES.get(dashboard.name, dashboard.name)), subtitle_of(asked)
    if fmt == "xlsx":
        response = HttpResponse(workbook_bytes(title, subtitle, panels), content_type=CONTENT_TYPES["xlsx"])
        response["Content-Disposition"] = (
            f'attachment; filename="{_file_name(dashboard, asked.filters)}.xlsx"'
        )
        return response
    panel = next((panel for panel in panels if panel.key == request.GET.get("panel")), None)
    if panel is None:
        raise Http404(_("No such panel."))
    report = Report(
        title=panel.title,
        columns=[str(column) for column in panel.columns],
        rows=panel.rows,
        subtitle=subtitle,
    )
    language = (request.LANGUAGE_CODE or "es")[:2]
    return report_response(
        report, "csv", filename=_file_name(dashboard, asked.filters, panel.key), company=request.company,
        language=language,
    )  # fmt: skip


# The page


def _quick_links(request: HttpRequest, filters: Filters) -> list[dict]:
    links = []
    for label, first, last in quick_periods(timezone.localdate()):
        params = request.GET.copy()
        for name in ("panel", "format"):
            params.pop(name, None)
        params["date_from"], params["date_to"] = first.isoformat(), last.isoformat()
        links.append({
            "label": label, "url": "?" + params.urlencode(),
            "current": (first, last) == (filters.date_from, filters.date_to),
        })  # fmt: skip
    return links


@page()
def dashboard_page(request: HttpRequest, name: str) -> HttpResponse:
    dashboard = dashboard_of(request, name)
    asked = filters_asked(request, dashboard)
    panels = build_panels(dashboard, request.company, asked.filters)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return _download(request, dashboard, asked, panels, fmt)
    query = request.GET.copy()
    for parameter in ("panel", "format"):
        query.pop(parameter, None)
    query["date_from"], query["date_to"] = (
        asked.filters.date_from.isoformat(),
        asked.filters.date_to.isoformat(),
    )
    xlsx = query.copy()
    xlsx["format"] = "xlsx"
    form = asked.form
    context = {
        "title": TITLES.get(dashboard.name, dashboard.name),
        "dashboard": dashboard,
        "subtitle": subtitle_of(asked),
        "form": form,
        "filter_fields": [form[field] for field in ("date_from", "date_to", "salesperson", "category") if field in form.fields],
        "own_only": asked.own_only,
        "quick_links": _quick_links(request, asked.filters),
        "panels": [shown(panel, request.company.currency, query) for panel in panels],
        "xlsx_url": "?" + xlsx.urlencode(),
    }  # fmt: skip
    return render(request, "insight/dashboard.html", context)


urlpatterns = [
    path(f"dashboards/{name}/", dashboard_page, {"name": name}, name=f"dashboard_{name}")
    for name in DASHBOARDS
]

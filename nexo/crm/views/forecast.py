"""The forecast page: weighted and best case by expected close month and owner, and what was won against it."""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.core.models import User
from nexo.core.permissions import page
from nexo.crm import queries, rules

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
DEFAULT_MONTHS = 12
MAX_MONTHS = 60  # a longer range makes a table nobody reads


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after (or before) `month`'s."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_end(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def months_between(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def display_name(user: User) -> str:
    return user.get_full_name() or user.username


class MonthInput(forms.TextInput):
    input_type = "month"


class MonthField(forms.CharField):
    """A month typed as YYYY-MM (what <input type="month"> sends), cleaned to its first day."""

    widget = MonthInput

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = MONTH_PATTERN.match(value)
        if match is None or not 1 <= int(match[2]) <= 12 or not 1900 <= int(match[1]) <= 9000:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."), code="invalid")
        return date(int(match[1]), int(match[2]), 1)


class ForecastFilterForm(forms.Form):
    """Owner (for those who see everyone) and the months shown; a wrong value falls back to the default."""

    def __init__(self, data, *, this_month: date, owners: list[User] | None):
        super().__init__(data)
        self.this_month = this_month
        if owners is not None:
            self.fields["owner"] = forms.TypedChoiceField(
                label=gettext_lazy("Owner"),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", _("Everyone")), *((str(user.pk), display_name(user)) for user in owners)],
            )
        self.fields["from"] = MonthField(label=gettext_lazy("From"), required=False)
        self.fields["to"] = MonthField(label=gettext_lazy("To"), required=False)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("from"), cleaned.get("to")
        if "from" in self.errors or "to" in self.errors:
            return cleaned
        first = first or self.this_month
        last = last or add_months(first, DEFAULT_MONTHS - 1)
        if last < first:
            self.add_error("to", _("The last month cannot come before the first."))
        elif (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
            self.add_error("to", _("Show at most %(count)d months.") % {"count": MAX_MONTHS})
        return cleaned

    def period(self) -> tuple[date, date]:
        """First and last month shown: the valid choice, or from this month on for a year."""
        if self.errors.keys() & {"from", "to"}:
            return self.this_month, add_months(self.this_month, DEFAULT_MONTHS - 1)
        first = self.cleaned_data.get("from") or self.this_month
        return first, self.cleaned_data.get("to") or add_months(first, DEFAULT_MONTHS - 1)

    def owner_id(self) -> int | None:
        return self.cleaned_data.get("owner") if "owner" in self.fields else None


@dataclass
class Column:
    username: str
    name: str
    user_id: int | None
    total: rules.ForecastCell


@dataclass
class Row:
    month: date
    cells: list[rules.ForecastCell]
    total: rules.ForecastCell
    overdue: bool
    current: bool


@dataclass
class Achievement:
    """What was won in a period against the weighted forecast still open for it."""

    first: date
    last: date
    won: Decimal
    won_count: int
    forecast: rules.ForecastCell


def _closing_between(lines: list[rules.ForecastLine], first: date, last: date) -> rules.ForecastCell:
    return rules.forecast(line for line in lines if first <= line.expected_close <= last).total


def _achievement(request: HttpRequest, lines, first: date, last: date, owner_id: int | None) -> Achievement:
    won = queries.won_between(request.user, request.company, first, last, owner_id=owner_id)
    return Achievement(
        first=first,
        last=last,
        won=won["amount"] or Decimal(0),
        won_count=won["count"] or 0,
        forecast=_closing_between(lines, first, last),
    )


def _columns(table: rules.Forecast, people: list[User], always: set[str]) -> list[Column]:
    users = {user.username: user for user in people}
    usernames = set(table.owners) | always
    missing = usernames - users.keys()  # an owner who has left the sales team still has a column
    if missing:
        users.update((user.username, user) for user in User.objects.filter(username__in=missing))
    columns = [
        Column(
            username=username,
            name=display_name(users[username]) if username in users else username,
            user_id=users[username].pk if username in users else None,
            total=table.by_owner.get(username, rules.ForecastCell()),
        )
        for username in usernames
    ]
    columns.sort(key=lambda column: (column.name.casefold(), column.username))
    return columns


@page("crm.view_opportunity")
def forecast_page(request: HttpRequest) -> HttpResponse:
    user, company = request.user, request.company
    today = timezone.localdate()
    this_month = today.replace(day=1)
    everyone = queries.sees_everyone(user)
    people = list(queries.sales_users(company)) if everyone else [user]
    form = ForecastFilterForm(request.GET, this_month=this_month, owners=people if everyone else None)
    form.is_valid()
    first, last = form.period()
    owner_id = form.owner_id()

    lines = queries.forecast_lines(user, company, owner_id=owner_id)
    # Open opportunities whose close date has passed stay in the forecast (flagged): they are still expected.
    shown = [
        line
        for line in lines
        if line.expected_close <= month_end(last)
        and (line.expected_close >= first or line.expected_close < this_month)
    ]
    table = rules.forecast(shown)

    always = set() if everyone else {user.username}
    if owner_id:
        always |= {person.username for person in people if person.pk == owner_id}
    columns = _columns(table, people, always)
    months = sorted(
        set(months_between(first, last))
        | {date.fromisoformat(f"{key}-01") for key in table.months if key < rules.month_of(first)}
    )
    rows = []
    for month in months:
        key = rules.month_of(month)
        total = table.by_month.get(key, rules.ForecastCell())
        rows.append(
            Row(
                month=month,
                cells=[table.cell(key, column.username) for column in columns],
                total=total,
                overdue=month < this_month and total.count > 0,
                current=month == this_month,
            )
        )

    quarter = rules.quarter_start(today)
    won_month = _achievement(request, lines, this_month, month_end(this_month), owner_id)
    won_quarter = _achievement(request, lines, quarter, month_end(add_months(quarter, 2)), owner_id)
    context = {
        "title": _("Forecast"),
        "form": form,
        "everyone": everyone,
        "first": first,
        "last": last,
        "forecast": table,
        "columns": columns,
        "rows": rows,
        "overdue_count": sum(row.total.count for row in rows if row.overdue),
        "outside_count": len(lines) - table.total.count,
        "this_month": won_month,
        "this_quarter": won_quarter,
        "periods": [
            {
                "heading": _("Won this month"),
                "label": date_format(this_month, "YEAR_MONTH_FORMAT"),
                "achievement": won_month,
            },
            {
                "heading": _("Won this quarter"),
                "label": "\N{EN DASH}".join(
                    (date_format(quarter, "F"), date_format(won_quarter.last, "YEAR_MONTH_FORMAT"))
                ),
                "achievement": won_quarter,
            },
        ],
    }
    return render(request, "crm/forecast.html", context)

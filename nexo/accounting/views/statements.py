"""The financial statement pages: the profit and loss account for a range (the current fiscal year to date by
default) and the balance sheet at a date (today by default), each beside its comparison a year earlier, with
exports (CSV, XLSX, PDF: `?export=`). A figure opens the general ledger of its line's accounts (a line fed by
one prefix) or shows the accounts under every line (`?accounts=on`), each opening its own general ledger.
The figures come from `accounting.services.statements`, summed by the database."""

from dataclasses import dataclass, field
from datetime import date as Date
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.accounting.services import statements
from nexo.core.errors import ValidationFailed
from nexo.core.exports import FORMATS, Report, report_response
from nexo.core.permissions import page

DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatementFilterForm(forms.Form):
    """The dates a statement covers (`from` and `to`, or `date`), whether lines without any figure show, and
    whether the accounts under each line show. A wrong value falls back to the default, with its error."""

    empty = forms.BooleanField(label=gettext_lazy("Show lines without amounts"), required=False)
    accounts = forms.BooleanField(label=gettext_lazy("Show the accounts of each line"), required=False)

    def __init__(self, data, *, ranged: bool):
        super().__init__(data)
        self.ranged = ranged
        days = (
            {"from": gettext_lazy("From"), "to": gettext_lazy("To")}
            if ranged
            else {"date": gettext_lazy("Date")}
        )
        for name, label in days.items():
            self.fields[name] = forms.DateField(label=label, required=False, widget=DAY)
        self.order_fields([*days, "empty", "accounts"])

    def clean(self):
        cleaned = super().clean()
        for name in ("from", "to", "date"):
            day = cleaned.get(name)
            if day and not statements.FIRST_DAY <= day <= statements.LAST_DAY:
                self.add_error(
                    name,
                    _("Choose a date from %(first)s to %(last)s.")
                    % {"first": statements.FIRST_DAY.isoformat(), "last": statements.LAST_DAY.isoformat()},
                )
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end date cannot come before the start date."))
        return cleaned


@dataclass
class Row:
    """A line of a statement as a page shows it: its figures, where they lead, and its accounts."""

    line: statements.StatementLine
    url: str | None = None
    #: Where the figure leads: "ledger" (the general ledger of its one prefix) or "accounts" (shown below it).
    leads_to: str = ""
    accounts: list[tuple[statements.AccountFigure, str | None]] = field(default_factory=list)


def _language() -> str:
    return "es" if (translation.get_language() or "es").startswith("es") else "en"


def _day(day: Date, language: str) -> str:
    return day.strftime("%d/%m/%Y") if language == "es" else day.isoformat()


def _reversed(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _rows(
    statement: statements.Statement,
    *,
    start: Date,
    end: Date,
    show_empty: bool,
    show_accounts: bool,
    here: str,
) -> list[Row]:
    ledger = _reversed("accounting:general_ledger")
    dates = {"from": start.isoformat(), "to": end.isoformat()}
    rows = []
    for line in statement.lines:
        # The PGC leaves out lines without any figure in either year; headings and grand totals stay.
        hidden = line.empty or (line.is_total and line.level > 0 and not line.amount and not line.previous)
        if hidden and not show_empty:
            continue
        row = Row(line)
        if not line.is_total:
            simple = len(line.prefixes) == 1 and line.prefixes[0].lstrip("-").isdigit()
            if simple and ledger:
                row.url = f"{ledger}?{urlencode({**dates, 'prefix': line.prefixes[0].lstrip('-')})}"
                row.leads_to = "ledger"
            elif line.accounts:
                row.url, row.leads_to = f"{here}#line-{line.key}", "accounts"
            if show_accounts:
                row.accounts = [
                    (figure, f"{ledger}?{urlencode({**dates, 'account': figure.id})}" if ledger else None)
                    for figure in line.accounts
                ]
        rows.append(row)
    return rows


def _export(
    title: str, subtitle: list[str], headings: list[str], sections: list[tuple[str, list[Row]]]
) -> Report:
    rows, strong = [], set()
    for section_title, section_rows in sections:
        if section_title:
            strong.add(len(rows))
            rows.append([section_title, None, None])
        for row in section_rows:
            if row.line.is_total or row.line.level == 0:
                strong.add(len(rows))
            rows.append(["  " * row.line.level + row.line.label, row.line.amount, row.line.previous])
            for figure, _url in row.accounts:
                rows.append(
                    [
                        "  " * (row.line.level + 1) + f"{figure.code} {figure.name}",
                        figure.amount,
                        figure.previous,
                    ]
                )
    return Report(
        title=title, columns=["", *headings], rows=rows, subtitle=subtitle, numeric={1, 2}, strong=strong
    )


def _export_links(request: HttpRequest) -> list[tuple[str, str]]:
    params = request.GET.copy()
    links = []
    for fmt in FORMATS:
        params["export"] = fmt
        links.append((fmt.upper(), "?" + params.urlencode()))
    return links


def _here(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("export", None)
    params["accounts"] = "on"
    return f"{request.path}?{params.urlencode()}"


def _statement_page(request: HttpRequest, *, ranged: bool) -> HttpResponse:
    language = _language()
    form = StatementFilterForm(request.GET, ranged=ranged)
    values = form.cleaned_data if form.is_valid() else {}
    company = request.company
    default_start, today = statements.default_range(company, timezone.localdate())
    try:
        if ranged:
            start, end = values.get("from") or default_start, values.get("to") or today
            statement = statements.profit_and_loss(company, date_from=start, date_to=end)
        else:
            end = values.get("date") or today
            statement = statements.balance_sheet(company, at=end)
            start = Date(end.year, 1, 1)
    except ValidationFailed as refused:
        for error in refused.errors:
            form.add_error(None, error["message"])
        start, end = default_start, today
        statement = (
            statements.profit_and_loss(company, date_from=start, date_to=end)
            if ranged
            else statements.balance_sheet(company, at=end)
        )
    # The dates used are shown in the form even when the defaults chose them.
    form.data = form.data.copy()
    if ranged:
        form.data["from"], form.data["to"] = start.isoformat(), end.isoformat()
        title = _("Profit and loss account")
        subtitle = [
            _("From %(start)s to %(end)s") % {"start": _day(start, language), "end": _day(end, language)},
            _("Compared with %(start)s to %(end)s")
            % {
                "start": _day(statement.previous_start, language),
                "end": _day(statement.previous_end, language),
            },
        ]
        headings = [
            f"{_day(start, language)} \N{EN DASH} {_day(end, language)}",
            f"{_day(statement.previous_start, language)} \N{EN DASH} {_day(statement.previous_end, language)}",
        ]
    else:
        form.data["date"] = end.isoformat()
        title = _("Balance sheet")
        subtitle = [
            _("At %(date)s") % {"date": _day(end, language)},
            _("Compared with %(date)s") % {"date": _day(statement.previous_end, language)},
        ]
        headings = [_day(end, language), _day(statement.previous_end, language)]
    if statement.template == "pgc_pymes":
        subtitle.append(_("PGC PYMES model (Real Decreto 1515/2007)"))
    show_empty, show_accounts = bool(values.get("empty")), bool(values.get("accounts"))
    rows = _rows(
        statement,
        start=start,
        end=end,
        show_empty=show_empty,
        show_accounts=show_accounts,
        here=_here(request),
    )
    section_titles = {"assets": _("Assets"), "liabilities": _("Equity and liabilities"), "": ""}
    sections = [
        (section_titles.get(name, name), [row for row in rows if row.line.section == name])
        for name, _lines in statement.sections()
    ]
    export = request.GET.get("export", "")
    if export in FORMATS:
        name = "profit-and-loss" if ranged else "balance-sheet"
        dates = f"{start}-{end}" if ranged else f"{end}"
        return report_response(
            _export(title, subtitle, headings, sections), export, filename=f"{name}-{dates}", company=company,
            language=language,
        )  # fmt: skip
    balance_gap = Decimal(0)
    if not ranged:
        balance_gap = statement.line("assets.total").amount - statement.line("liabilities.total").amount
    context = {
        "title": title,
        "subtitle": subtitle,
        "headings": headings,
        "form": form,
        "filter_fields": [form[name] for name in form.fields],
        "statement": statement,
        "sections": sections,
        "result": statement.result,
        "ranged": ranged,
        "show_accounts": show_accounts,
        "balance_gap": balance_gap,
        "export_links": _export_links(request),
        "trial_balance_url": _reversed("accounting:trial_balance"),
        "trial_balance_dates": urlencode({"from": start.isoformat(), "to": end.isoformat()}),
    }
    return render(request, "accounting/statement_page.html", context)


@page("accounting.view_entry")
def profit_and_loss(request: HttpRequest) -> HttpResponse:
    return _statement_page(request, ranged=True)


@page("accounting.view_entry")
def balance_sheet(request: HttpRequest) -> HttpResponse:
    return _statement_page(request, ranged=False)


urlpatterns = [
    path("reports/profit-and-loss/", profit_and_loss, name="profit_and_loss"),
    path("reports/balance-sheet/", balance_sheet, name="balance_sheet"),
]

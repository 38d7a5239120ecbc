"""The ledger report pages: trial balance (sumas y saldos), general ledger and journal, each with its filters
(the current fiscal year to date by default), exports (CSV, XLSX, PDF: `?export=`) and drill-down: a trial
balance row opens its account's general ledger for the same range, a ledger line its entry and its document.
The figures come from `accounting.services.reports`, summed by the database."""

from dataclasses import dataclass
from datetime import date as Date
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.accounting.models import Account, Journal
from nexo.accounting.services import reports
from nexo.core.errors import DomainError
from nexo.core.exports import FORMATS, Report, report_response
from nexo.core.modules import document_url
from nexo.core.permissions import page
from nexo.parties.models import Party
from nexo.parties.pickers import PartyPicker

LEVEL_CHOICES = [
    (reports.POSTING, gettext_lazy("Posting accounts")),
    ("1", gettext_lazy("1 digit (groups)")),
    ("2", gettext_lazy("2 digits (subgroups)")),
    ("3", gettext_lazy("3 digits (accounts)")),
    ("4", gettext_lazy("4 digits (subaccounts)")),
]


DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportFilterForm(forms.Form):
    """What a report covers. The dates travel as `from` and `to` (a Python keyword cannot name a field
    declared on the class, so they are added in __init__)."""

    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=LEVEL_CHOICES, required=False)
    journal = forms.ModelChoiceField(
        label=gettext_lazy("Journal"), queryset=Journal.objects.none(), required=False,
        empty_label=gettext_lazy("All journals"),
    )  # fmt: skip
    account = forms.ModelChoiceField(
        label=gettext_lazy("Account"), queryset=Account.objects.none(), required=False,
        empty_label=gettext_lazy("All accounts"),
    )  # fmt: skip
    prefix = forms.RegexField(label=gettext_lazy("Code starts with"), regex=r"^\d{1,16}$", required=False)
    include_closing = forms.BooleanField(label=gettext_lazy("Include closing entries"), required=False)
    show_zero = forms.BooleanField(label=gettext_lazy("Show accounts without balance"), required=False)

    def __init__(self, data, *, company, language: str):
        super().__init__(data)
        self.fields["from"] = forms.DateField(label=gettext_lazy("From"), required=False, widget=DAY)
        self.fields["to"] = forms.DateField(label=gettext_lazy("To"), required=False, widget=DAY)
        self.fields["party"] = PartyPicker(
            Party.objects.filter(company=company), label=gettext_lazy("Party"), required=False
        )
        self.order_fields(["from", "to", "level", "journal", "account", "prefix", "party"])
        self.fields["journal"].queryset = Journal.objects.filter(company=company).order_by("code")
        self.fields["journal"].label_from_instance = lambda journal: (
            f"{journal.code} · {_journal_name(journal, language)}"
        )
        self.fields["account"].queryset = Account.objects.filter(company=company).order_by("code")
        self.fields["account"].label_from_instance = lambda account: (
            f"{account.code} · {reports._name(account.name, account.name_en, language)}"
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end date is before the start date."))
        for name in ("from", "to"):
            day = cleaned.get(name)
            if day and not Date(1900, 1, 1) <= day <= Date(9998, 12, 31):
                self.add_error(name, _("Choose a date between 1900 and 9998."))
        return cleaned


def _journal_name(journal: Journal, language: str) -> str:
    return journal.name_en if language == "en" and journal.name_en else journal.name


@dataclass
class Asked:
    """A report request as the page read it: the checked filter, the form to show again, the export asked."""

    form: ReportFilterForm
    filter: reports.LedgerFilter
    level: str
    show_zero: bool
    export: str
    language: str


def _asked(request: HttpRequest) -> Asked:
    language = (translation.get_language() or "es")[:2]
    form = ReportFilterForm(request.GET, company=request.company, language=language)
    values = form.cleaned_data if form.is_valid() else {}
    for name in ("account", "journal", "party"):
        # An id of another company's record, sent by hand (the page offers only this company's): not found.
        if any(error.code == "invalid_choice" for error in form.errors.as_data().get(name, [])):
            raise Http404(_("No such record."))
    account = values.get("account")
    prefix = values.get("prefix") or ""
    if account is not None and account.is_view:  # a group: its accounts, by code
        prefix, account = account.code, None
    party = values.get("party")
    journal = values.get("journal")
    try:
        start, end = reports.report_range(
            request.company, values.get("from"), values.get("to"), timezone.localdate()
        )
    except DomainError:
        start, end = reports.report_range(request.company, None, None, timezone.localdate())
    # The form's choices are this company's records already: no second look-up.
    flt = reports.LedgerFilter(
        company=request.company, start=start, end=end, account=account, prefix=prefix, party=party,
        journal=journal, include_closing=bool(values.get("include_closing")),
    )  # fmt: skip
    # The dates used are shown in the form even when the defaults chose them.
    form.data = form.data.copy()
    form.data["from"], form.data["to"] = flt.start.isoformat(), flt.end.isoformat()
    export = request.GET.get("export", "")
    return Asked(
        form=form, filter=flt, level=values.get("level") or reports.POSTING,
        show_zero=bool(values.get("show_zero")), export=export if export in FORMATS else "", language=language,
    )  # fmt: skip


def _range_params(flt: reports.LedgerFilter) -> dict:
    params = {"from": flt.start.isoformat(), "to": flt.end.isoformat()}
    if flt.include_closing:
        params["include_closing"] = "on"
    if flt.journal is not None:
        params["journal"] = flt.journal.pk
    if flt.party is not None:
        params["party"] = flt.party.pk
    return params


def _url(name: str, params: dict) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def entry_url(entry_id: int) -> str | None:
    try:
        return reverse("accounting:entry_detail", args=[entry_id])
    except NoReverseMatch:
        return None


def _subtitle(asked: Asked, *, closing: bool = True) -> list[str]:
    flt = asked.filter
    lines = [
        _("From %(start)s to %(end)s")
        % {"start": _day(flt.start, asked.language), "end": _day(flt.end, asked.language)}
    ]
    if flt.account is not None:
        lines.append(_("Account %(account)s") % {"account": f"{flt.account.code} {flt.account.name}"})
    if flt.prefix:
        lines.append(_("Accounts starting with %(code)s") % {"code": flt.prefix})
    if flt.journal is not None:
        lines.append(_("Journal %(journal)s") % {"journal": flt.journal.code})
    if flt.party is not None:
        lines.append(_("Party %(party)s") % {"party": flt.party.name})
    if closing:  # the journal lists every entry, closing ones too
        lines.append(_("Closing entries included") if flt.include_closing else _("Closing entries left out"))
    return lines


def _day(day: Date, language: str) -> str:
    return day.strftime("%d/%m/%Y") if language == "es" else day.isoformat()


def _export_links(request: HttpRequest) -> list[tuple[str, str]]:
    params = request.GET.copy()
    params.pop("page", None)
    links = []
    for fmt in FORMATS:
        params["export"] = fmt
        links.append((fmt.upper(), "?" + params.urlencode()))
    return links


@dataclass
class Pager:
    number: int
    per_page: int
    count: int

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def start_index(self) -> int:
        return min(self.count, self.offset + 1)

    @property
    def end_index(self) -> int:
        return min(self.count, self.offset + self.per_page)


def _page_number(request: HttpRequest) -> int:
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        return 1
    return min(max(number, 1), 1_000_000)


def _base_context(
    request: HttpRequest, asked: Asked, title: str, filters: tuple[str, ...], *, closing: bool = True
) -> dict:
    return {
        "title": title,
        "filter_fields": [asked.form[name] for name in filters],
        "form": asked.form,
        "flt": asked.filter,
        "subtitle": _subtitle(asked, closing=closing),
        "export_links": _export_links(request),
    }


# Trial balance


@page("accounting.view_entry")
def trial_balance(request: HttpRequest) -> HttpResponse:
    asked = _asked(request)
    report = reports.trial_balance(
        asked.filter, level=asked.level, show_zero=asked.show_zero, language=asked.language
    )
    title = _("Trial balance")
    if asked.export:
        return report_response(
            _trial_balance_export(report, title, _subtitle(asked)), asked.export, filename=f"trial-balance-{asked.filter.start}-{asked.filter.end}",
            company=request.company, language=asked.language,
        )  # fmt: skip
    params = _range_params(asked.filter)
    for row in report.rows:
        target = {"account": row.account_id} if row.account_id else {"prefix": row.code}
        row.ledger_url = _url("accounting:general_ledger", {**params, **target})
    filters = ("from", "to", "level", "journal", "prefix", "include_closing", "show_zero")
    context = _base_context(request, asked, title, filters) | {"report": report, "level": asked.level}
    return render(request, "accounting/report_trial_balance.html", context)


def _trial_balance_export(report: reports.TrialBalance, title: str, subtitle: list[str]) -> Report:
    columns = [
        _("Code"), _("Account"), _("Opening balance"), _("Debit"), _("Credit"), _("Debit balance"), _("Credit balance"),
    ]  # fmt: skip
    rows = [
        [row.code, row.name, row.opening, row.debit, row.credit, row.debit_balance, row.credit_balance]
        for row in report.all_rows
    ]
    total = report.total
    rows.append([
        "", _("Total"), total.opening, total.debit, total.credit, report.total_debit_balance,
        report.total_credit_balance,
    ])  # fmt: skip
    return Report(
        title=title,
        columns=columns,
        rows=rows,
        subtitle=subtitle,
        numeric={2, 3, 4, 5, 6},
        strong={len(rows) - 1},
    )


# General ledger


@page("accounting.view_entry")
def general_ledger(request: HttpRequest) -> HttpResponse:
    asked = _asked(request)
    title = _("General ledger")
    if asked.export:
        report = reports.general_ledger(asked.filter, limit=None, language=asked.language)
        name = asked.filter.account.code if asked.filter.account else asked.filter.prefix or "all"
        return report_response(
            _ledger_export(report, title, _subtitle(asked)), asked.export,
            filename=f"general-ledger-{name}-{asked.filter.start}-{asked.filter.end}", company=request.company,
            language=asked.language,
        )  # fmt: skip
    number = _page_number(request)
    per_page = reports.LEDGER_PAGE_SIZE
    report = reports.general_ledger(
        asked.filter, offset=(number - 1) * per_page, limit=per_page, language=asked.language
    )
    pager = Pager(number, per_page, report.line_count)
    for part in report.accounts:
        for line in part.lines:
            line.entry_url = entry_url(line.entry_id)
            line.document_url = document_url(line.origin_model, line.origin_id)
    filters = ("from", "to", "account", "prefix", "journal", "party", "include_closing")
    context = _base_context(request, asked, title, filters) | {
        "report": report, "pager": pager,
        "trial_balance_url": _url("accounting:trial_balance", _range_params(asked.filter)),
    }  # fmt: skip
    return render(request, "accounting/report_general_ledger.html", context)


def _ledger_export(report: reports.GeneralLedger, title: str, subtitle: list[str]) -> Report:
    columns = [
        _("Account"), _("Date"), _("Entry"), _("Journal"), _("Description"), _("Party"), _("Document"), _("Debit"),
        _("Credit"), _("Balance"),
    ]  # fmt: skip
    rows: list[list] = []
    strong: set[int] = set()
    for part in report.accounts:
        account = f"{part.code} {part.name}"
        strong.add(len(rows))
        rows.append([account, None, "", "", _("Opening balance"), "", "", None, None, part.opening])
        for line in part.lines:
            rows.append([
                part.code, line.date, line.entry_number, line.journal_code, line.description, line.party_name,
                line.origin_number, line.debit, line.credit, line.balance,
            ])  # fmt: skip
        strong.add(len(rows))
        rows.append(
            [account, None, "", "", _("Closing balance"), "", "", part.debit, part.credit, part.closing]
        )
    return Report(
        title=title, columns=columns, rows=rows, subtitle=subtitle, numeric={7, 8, 9}, strong=strong
    )


# Journal


@page("accounting.view_entry")
def journal_report(request: HttpRequest) -> HttpResponse:
    asked = _asked(request)
    title = _("Journal")
    if asked.export:
        report = reports.journal_report(asked.filter, limit=None, language=asked.language)
        return report_response(
            _journal_export(report, title, _subtitle(asked, closing=False)), asked.export,
            filename=f"journal-{asked.filter.start}-{asked.filter.end}", company=request.company,
            language=asked.language,
        )  # fmt: skip
    number = _page_number(request)
    per_page = reports.JOURNAL_PAGE_SIZE
    report = reports.journal_report(
        asked.filter, offset=(number - 1) * per_page, limit=per_page, language=asked.language
    )
    for entry in report.entries:
        entry.entry_url = entry_url(entry.id)
        entry.document_url = document_url(entry.origin_model, entry.origin_id)
    context = _base_context(request, asked, title, ("from", "to", "journal"), closing=False) | {
        "report": report, "pager": Pager(number, per_page, report.entry_count),
    }  # fmt: skip
    return render(request, "accounting/report_journal.html", context)


def _journal_export(report: reports.JournalReport, title: str, subtitle: list[str]) -> Report:
    columns = [
        _("Date"), _("Entry"), _("Journal"), _("Account"), _("Account name"), _("Party"), _("Description"),
        _("Document"), _("Debit"), _("Credit"),
    ]  # fmt: skip
    rows: list[list] = []
    for entry in report.entries:
        for line in entry.lines:
            rows.append([
                entry.date, entry.number, entry.journal_code, line.account_code, line.account_name, line.party_name,
                line.description or entry.description, entry.origin_number, line.debit, line.credit,
            ])  # fmt: skip
    rows.append([None, "", "", "", "", "", _("Total"), "", report.debit, report.credit])
    return Report(
        title=title, columns=columns, rows=rows, subtitle=subtitle, numeric={8, 9}, strong={len(rows) - 1}
    )


urlpatterns = [
    path("reports/trial-balance/", trial_balance, name="trial_balance"),
    path("reports/general-ledger/", general_ledger, name="general_ledger"),
    path("reports/journal/", journal_report, name="journal_report"),
]

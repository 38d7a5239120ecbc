"""Pages: the aging report at a date (receivable or payable, one party or all, exported as CSV, XLSX or PDF)
and the overdue list, whose due amounts are chosen with checkboxes to send reminders. The figures are
`services.aging`'s, summed by the database in one statement."""

from datetime import date as Date
from urllib.parse import urlencode

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.core.exports import FORMATS, Report, report_response
from nexo.core.modules import document_url
from nexo.core.permissions import page
from nexo.parties.models import Party
from nexo.parties.pickers import PartyPicker
from nexo.payments.models import Direction
from nexo.payments.services.aging import FIRST_DAY, LAST_DAY, AgingReport, aging, overdue

DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OVERDUE_PAGE_SIZE = 100
BUCKET_LABELS = (
    gettext_lazy("Not due"), gettext_lazy("1-30 days"), gettext_lazy("31-60 days"), gettext_lazy("61-90 days"),
    gettext_lazy("Over 90 days"),
)  # fmt: skip


class AgingFilterForm(forms.Form):
    at = forms.DateField(label=gettext_lazy("At"), required=False, widget=DAY)
    direction = forms.ChoiceField(label=gettext_lazy("Of"), choices=Direction.choices, required=False)
    min_days = forms.IntegerField(label=gettext_lazy("Days late at least"), required=False, min_value=1,
                                  max_value=10_000)  # fmt: skip

    def __init__(self, data, *, company):
        super().__init__(data)
        self.fields["party"] = PartyPicker(
            Party.objects.filter(company=company), label=gettext_lazy("Party"), required=False
        )
        self.fields["direction"].choices = [
            (Direction.RECEIVABLE, gettext_lazy("Customers (receivable)")),
            (Direction.PAYABLE, gettext_lazy("Suppliers (payable)")),
        ]

    def clean_at(self):
        day = self.cleaned_data.get("at")
        if day and not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError(_("Choose a date between 1900 and 9998."))
        return day


def _asked(request: HttpRequest) -> tuple[AgingFilterForm, Date, str, Party | None, int]:
    """The filter as given, with today, receivable, every party and 1 day where it is missing or wrong;
    another company's party sent by hand is a 404."""
    form = AgingFilterForm(request.GET, company=request.company)
    values = form.cleaned_data if form.is_valid() else {}
    if any(error.code == "invalid_choice" for error in form.errors.as_data().get("party", [])):
        raise Http404(_("No such record."))
    at = values.get("at") or timezone.localdate()
    direction = values.get("direction") or Direction.RECEIVABLE
    party = values.get("party")
    min_days = values.get("min_days") or 1
    form.data = form.data.copy()
    form.data["at"], form.data["direction"] = at.isoformat(), direction
    return form, at, direction, party, min_days


def _language() -> str:
    return (translation.get_language() or "es")[:2]


def _day(day: Date, language: str) -> str:
    return day.strftime("%d/%m/%Y") if language == "es" else day.isoformat()


def _subtitle(at: Date, direction: str, party: Party | None, language: str) -> list[str]:
    lines = [_("At %(date)s") % {"date": _day(at, language)}]
    lines.append(
        _("Customers (receivable)") if direction == Direction.RECEIVABLE else _("Suppliers (payable)")
    )
    if party is not None:
        lines.append(_("Party %(party)s") % {"party": party.name})
    return lines


def _export_links(request: HttpRequest) -> list[tuple[str, str]]:
    params = request.GET.copy()
    links = []
    for fmt in FORMATS:
        params["export"] = fmt
        links.append((fmt.upper(), "?" + params.urlencode()))
    return links


def dues_url(party_id: int, direction: str) -> str:
    """A party's due amounts: the due amounts list filtered on it."""
    return f"{reverse('payments:due_list')}?{urlencode({'party': party_id, 'direction': direction})}"


def _title(direction: str) -> str:
    return _("Aging of receivables") if direction == Direction.RECEIVABLE else _("Aging of payables")


def _export(report: AgingReport, title: str, subtitle: list[str]) -> Report:
    columns = [_("Party"), *[str(label) for label in BUCKET_LABELS], _("Unapplied credits"), _("Total")]
    rows = [[row.party_name, *row.buckets, row.credits, row.total] for row in report.rows]
    rows.append([_("Total"), *report.total.buckets, report.total.credits, report.total.total])
    return Report(
        title=title, columns=columns, rows=rows, subtitle=subtitle, numeric=set(range(1, 8)),
        strong={len(rows) - 1},
    )  # fmt: skip


def aging_download(report: AgingReport, fmt: str, *, company, party: Party | None = None) -> HttpResponse:
    """The report as a CSV, XLSX or PDF file, in the active language (the page's export and the API's)."""
    language = _language()
    subtitle = _subtitle(report.at, report.direction, party, language)
    return report_response(
        _export(report, _title(report.direction), subtitle), fmt,
        filename=f"aging-{report.direction}-{report.at.isoformat()}", company=company, language=language,
    )  # fmt: skip


@page("payments.view_dueamount")
def aging_report(request: HttpRequest) -> HttpResponse:
    form, at, direction, party, _min_days = _asked(request)
    report = aging(request.company, at=at, direction=direction, party_id=party.pk if party else None)
    export = request.GET.get("export", "")
    if export in FORMATS:
        return aging_download(report, export, company=request.company, party=party)
    title = _title(direction)
    subtitle = _subtitle(at, direction, party, _language())
    for row in report.rows:
        row.dues_url = dues_url(row.party_id, direction)
        row.overdue_url = f"{reverse('payments:overdue')}?{urlencode({'at': at, 'direction': direction, 'party': row.party_id})}"
    context = {
        "title": title, "subtitle": subtitle, "form": form, "report": report, "bucket_labels": BUCKET_LABELS,
        "export_links": _export_links(request), "filter_fields": [form["at"], form["direction"], form["party"]],
        "overdue_url": f"{reverse('payments:overdue')}?{urlencode({'at': at, 'direction': direction})}",
    }  # fmt: skip
    return render(request, "payments/aging_report.html", context)


def _page_number(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("page", "1")), 1), 1_000_000)
    except ValueError:
        return 1


@page("payments.view_dueamount")
def overdue_list(request: HttpRequest) -> HttpResponse:
    form, at, direction, party, min_days = _asked(request)
    number = _page_number(request)
    found = overdue(
        request.company, at=at, direction=direction, party_id=party.pk if party else None, min_days=min_days,
        limit=OVERDUE_PAGE_SIZE, offset=(number - 1) * OVERDUE_PAGE_SIZE,
    )  # fmt: skip
    for item in found.items:
        item.document_url = document_url(item.origin_model, item.origin_id)
        item.history_url = reverse("payments:due_reminders", args=[item.id])
    params = request.GET.copy()
    params.pop("page", None)
    pages = max(1, -(-found.count // OVERDUE_PAGE_SIZE))
    context = {
        "title": _("Overdue due amounts"), "form": form, "found": found, "at": at, "direction": direction,
        "filter_fields": [form["at"], form["direction"], form["party"], form["min_days"]],
        "subtitle": _subtitle(at, direction, party, _language()),
        "can_remind": direction == Direction.RECEIVABLE and request.user.has_perm("payments.add_reminder"),
        "page_number": number, "pages": pages, "base_query": params.urlencode(),
        "aging_url": f"{reverse('payments:aging')}?{urlencode({'at': at, 'direction': direction})}",
    }  # fmt: skip
    return render(request, "payments/aging_overdue.html", context)


urlpatterns = [
    path("aging/", aging_report, name="aging"),
    path("overdue/", overdue_list, name="overdue"),
]

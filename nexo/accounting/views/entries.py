"""Journal entry pages: the list, one entry with its lines and its document, a manual entry typed or changed
(as a draft, or posted at once), one drawn from a template of a common entry, and the post, reverse and delete
actions. Every change goes through `accounting.services.ledger`."""

from datetime import date as Date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from nexo.accounting import entry_templates
from nexo.accounting.forms import (
    EntryForm,
    LineFormSet,
    TemplateAmountsForm,
    account_label,
    account_name,
    journal_name,
    posting_accounts,
)
from nexo.accounting.models import Account, Entry, EntryLine, Journal
from nexo.accounting.services import ledger as services
from nexo.core.aggregates import MoneySum
from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.listing import Filter, ListPage, Sort, words_in
from nexo.core.modules import document_url
from nexo.core.panels import panels
from nexo.core.permissions import page
from nexo.core.pickers import PICKER_LIMIT, PickerOption, picker_options, picker_words

ZERO = Decimal("0.00")
BLANK_ROWS = 2
MAX_ROWS = 2000


def _day(value: str | None) -> Date | None:
    try:
        day = Date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None
    return day if day.year >= 1900 else None


# The account picker's search


@page("accounting.view_entry")
@require_GET
def entry_account_search(request: HttpRequest) -> HttpResponse:
    """Posting accounts whose code starts with, or whose name has, every typed word; codes in order."""
    words = picker_words(request)
    if isinstance(words, HttpResponse):
        return words
    accounts = posting_accounts(request.company)
    for word in words:
        accounts = accounts.filter(
            Q(code__startswith=word) | Q(name__icontains=word) | Q(name_en__icontains=word)
        )
    found = accounts.only("pk", "code", "name", "name_en", "needs_party")[:PICKER_LIMIT]
    return picker_options(
        request,
        (
            PickerOption(
                account.pk, account_label(account), _("needs a party") if account.needs_party else ""
            )
            for account in found
        ),
    )


# The list


def _listing(request: HttpRequest) -> ListPage:
    journals = [
        (str(journal.pk), f"{journal.code} · {journal_name(journal)}")
        for journal in Journal.objects.filter(company=request.company).order_by("code")
    ]
    accounts = [
        (str(account.pk), account_label(account))
        for account in Account.objects.filter(company=request.company, is_view=False).only(
            "pk", "code", "name", "name_en"
        )
    ]
    return ListPage(
        search=words_in(("number", "description", "origin_number")),
        sorts={
            "date": Sort(gettext_lazy("Date"), ("date", "number")),
            "number": Sort(gettext_lazy("Number"), ("number",)),
            "total": Sort(gettext_lazy("Total"), ("total",)),
        },
        default_sort="date",
        default_descending=True,
        filters=[
            Filter("journal", gettext_lazy("Journal"), journals, lambda value: Q(journal_id=value)),
            Filter("state", gettext_lazy("State"), Entry.State.choices, lambda value: Q(state=value)),
            Filter("kind", gettext_lazy("Kind"), Entry.Kind.choices, lambda value: Q(kind=value)),
            Filter(
                "account",
                gettext_lazy("Account"),
                accounts,
                lambda value: Q(pk__in=EntryLine.objects.filter(account_id=value).values("entry_id")),
            ),
        ],
    )


@page("accounting.view_entry")
def entry_list(request: HttpRequest) -> HttpResponse:
    entries = Entry.objects.filter(company=request.company).select_related("journal")
    date_from, date_to = _day(request.GET.get("date_from")), _day(request.GET.get("date_to"))
    if date_from:
        entries = entries.filter(date__gte=date_from)
    if date_to:
        entries = entries.filter(date__lte=date_to)
    listing = _listing(request).apply(request, entries)
    rows = list(listing.page.object_list)
    listing.page.object_list = rows
    for row in rows:
        row.document_url = document_url(row.origin_model, row.origin_id)
    matching = listing.page.paginator.object_list.aggregate(total=MoneySum("total"))["total"] or ZERO
    context = {
        "listing": listing,
        "rows": rows,
        "page_total": sum((row.total for row in rows), ZERO),
        "matching_total": matching,
        "title": _("Journal entries"),
        "search_hint": _("Number, description or document"),
        "results_template": "accounting/entry_results.html",
        "date_from": date_from,
        "date_to": date_to,
    }
    template = (
        context["results_template"]
        if request.htmx and not request.htmx.boosted
        else "accounting/entry_list.html"
    )
    return render(request, template, context)


# One entry


def _entry_of(request: HttpRequest, entry_id: int) -> Entry:
    return get_object_or_404(
        Entry.objects.select_related("journal", "fiscal_year", "posted_by", "reverses"),
        company=request.company,
        pk=entry_id,
    )


def _lines_of(entry: Entry) -> list[EntryLine]:
    lines = list(
        EntryLine.objects.filter(entry=entry).select_related("account", "party").order_by("position", "pk")
    )
    for line in lines:
        line.account_name = account_name(line.account)
    return lines


@page("accounting.view_entry")
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _entry_of(request, entry_id)
    lines = _lines_of(entry)
    reversed_by = Entry.objects.filter(company=request.company, reverses=entry).only("pk", "number").first()
    is_draft = entry.state == Entry.State.DRAFT
    context = {
        "entry": entry,
        "lines": lines,
        "journal_name": journal_name(entry.journal),
        "total_debit": sum((line.debit for line in lines), ZERO),
        "total_credit": sum((line.credit for line in lines), ZERO),
        "document_url": document_url(entry.origin_model, entry.origin_id),
        "reversed_by": reversed_by,
        "is_draft": is_draft,
        "can_reverse": not is_draft
        and reversed_by is None
        and entry.reverses_id is None
        and not entry.origin_model,
        "today": timezone.localdate(),
        "panels": panels("document_panel", request, "accounting.entry", entry),
    }
    context["difference"] = context["total_debit"] - context["total_credit"]
    return render(request, "accounting/entry_detail.html", context)


def _act(request: HttpRequest, entry_id: int, action, success: str, **options) -> HttpResponse:
    entry = get_object_or_404(Entry, company=request.company, pk=entry_id)
    try:
        done = action(company=request.company, by=request.user, entry_id=entry.pk, **options)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("accounting:entry_detail", entry_id=entry.pk)
    messages.success(request, success)
    return redirect("accounting:entry_detail", entry_id=done.pk if done is not None else entry.pk)


@page("accounting.post_entry")
@require_POST
def entry_post(request: HttpRequest, entry_id: int) -> HttpResponse:
    return _act(request, entry_id, services.entry_post, _("Entry posted."))


@page("accounting.post_entry")
@require_POST
def entry_reverse(request: HttpRequest, entry_id: int) -> HttpResponse:
    typed = (request.POST.get("date") or "").strip()
    on = _day(typed)
    if typed and on is None:
        messages.error(request, _("Enter a valid date for the reversal."))
        return redirect("accounting:entry_detail", entry_id=entry_id)
    description = (request.POST.get("description") or "").replace("\x00", "")[:200]
    return _act(
        request,
        entry_id,
        services.entry_reverse,
        _("Reversing entry posted."),
        date=on,
        description=description,
    )


@page("accounting.delete_entry")
@require_POST
def entry_delete(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(Entry, company=request.company, pk=entry_id)
    try:
        services.entry_delete(company=request.company, by=request.user, entry_id=entry.pk)
    except DomainError as error:
        messages.error(request, error.detail)
        return redirect("accounting:entry_detail", entry_id=entry.pk)
    messages.success(request, _("Draft entry deleted."))
    return redirect("accounting:entry_list")


# Typing an entry


def _initial_lines(entry: Entry | None) -> list[dict]:
    if entry is None:
        return []
    return [
        {
            "account": line.account_id, "party": line.party_id,
            "debit": f"{line.debit:f}" if line.debit else "", "credit": f"{line.credit:f}" if line.credit else "",
            "description": line.description,
        }
        for line in EntryLine.objects.filter(entry=entry).order_by("position", "pk")
    ]  # fmt: skip


def _show_failure(header: EntryForm, sources: list, failure: ValidationFailed) -> None:
    """The service names lines by their place among those sent (`lines[2].party`): each error on its row."""
    rest = []
    for error in failure.errors:
        field = error["field"]
        if field.startswith("lines[") and "]" in field:
            place, _sep, name = field[len("lines[") :].partition("]")
            name = name.lstrip(".")
            if place.isdigit() and int(place) < len(sources):
                form = sources[int(place)]
                form.add_error(name if name in form.fields else None, error["message"])
                continue
        if field == "lines":
            header.add_error(None, error["message"])
        else:
            rest.append(error)
    if rest:
        apply_failure(header, ValidationFailed(failure.detail, errors=rest))


def _typed_totals(lines) -> tuple[Decimal, Decimal]:
    debit = credit = ZERO
    for form in lines.forms:
        data = getattr(form, "cleaned_data", None) or {}
        debit += data.get("debit") or ZERO
        credit += data.get("credit") or ZERO
    return debit, credit


def _render_form(request, header, lines, entry, *, status=200, template=None) -> HttpResponse:
    debit, credit = _typed_totals(lines)
    context = {
        "form": header,
        "lines": lines,
        "entry": entry,
        "entry_template": template,
        "total_debit": debit,
        "total_credit": credit,
        "difference": debit - credit,
        "can_post": request.user.has_perm("accounting.post_entry"),
        "action": reverse("accounting:entry_edit", args=[entry.pk])
        if entry
        else reverse("accounting:entry_create"),
        "title": _("Edit entry %(number)s") % {"number": entry} if entry else _("New journal entry"),
        "cancel_url": reverse("accounting:entry_detail", args=[entry.pk])
        if entry
        else reverse("accounting:entry_list"),
    }
    return render(request, "accounting/entry_form.html", context, status=status)


def _more_rows(request: HttpRequest):
    """The form as posted with blank rows added (the "more lines" button without the script)."""
    data = request.POST.copy()
    try:
        count = int(data.get("lines-TOTAL_FORMS", "0"))
    except ValueError:
        count = 0
    data["lines-TOTAL_FORMS"] = str(max(0, min(count, MAX_ROWS - BLANK_ROWS)) + BLANK_ROWS)
    return data


def _entry_form(request: HttpRequest, entry: Entry | None) -> HttpResponse:
    company = request.company
    if request.method != "POST":
        initial = {
            "journal": Journal.objects.filter(company=company, code="GEN").first(),
            "date": timezone.localdate(),
        }
        if entry is not None:
            initial = {"journal": entry.journal_id, "date": entry.date, "description": entry.description}
        header = EntryForm(company=company, initial=initial)
        rows = _initial_lines(entry)
        lines = LineFormSet(
            prefix="lines",
            initial=rows + [{} for _ in range(max(BLANK_ROWS, 2 - len(rows)))],
            company=company,
        )
        lines.preload()
        return _render_form(request, header, lines, entry)
    if "add_lines" in request.POST:
        data = _more_rows(request)
        header = EntryForm(data, company=company)
        lines = LineFormSet(data, prefix="lines", company=company)
        lines.preload()
        header.is_valid(), lines.is_valid()
        header.errors.clear()  # only more rows were asked for: what was typed stays, without errors yet
        for form in lines.forms:
            form.errors.clear()
        lines._non_form_errors = lines.error_class()
        return _render_form(request, header, lines, entry)
    header = EntryForm(request.POST, company=company)
    lines = LineFormSet(request.POST, prefix="lines", company=company)
    lines.preload()
    posting = "post" in request.POST
    if posting and not request.user.has_perm("accounting.post_entry"):
        raise PermissionDenied(_("Your role does not allow this."))
    if header.is_valid() & lines.is_valid():
        sources, service_lines = [], []
        for form in lines.forms:
            line = form.service_line()
            if line is not None:
                sources.append(form)
                service_lines.append(line)
        fields = {
            "journal_id": header.cleaned_data["journal"].pk,
            "date": header.cleaned_data["date"],
            "description": header.cleaned_data["description"],
            "lines": service_lines,
        }
        try:
            with transaction.atomic():  # "save and post": a refused posting saves nothing either
                if entry is None:
                    saved = services.entry_create(company=company, by=request.user, **fields)
                else:
                    saved = services.entry_update(
                        company=company, by=request.user, entry_id=entry.pk, **fields
                    )
                if posting:
                    saved = services.entry_post(company=company, by=request.user, entry_id=saved.pk)
        except ValidationFailed as failure:
            _show_failure(header, sources, failure)
        except DomainError as error:  # posted meanwhile
            header.add_error(None, error.detail)
        else:
            messages.success(
                request,
                _("Entry %(number)s posted.") % {"number": saved.number}
                if posting
                else _("Draft entry saved."),
            )
            return redirect("accounting:entry_detail", entry_id=saved.pk)
    return _render_form(request, header, lines, entry, status=422)


@page("accounting.add_entry")
def entry_create(request: HttpRequest) -> HttpResponse:
    return _entry_form(request, None)


@page("accounting.change_entry")
def entry_edit(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = _entry_of(request, entry_id)
    if entry.state != Entry.State.DRAFT:
        messages.error(
            request,
            _("Entry %(number)s is posted: it never changes. Reverse it instead.") % {"number": entry.number},
        )
        return redirect("accounting:entry_detail", entry_id=entry.pk)
    return _entry_form(request, entry)


# From a template


@page("accounting.add_entry")
def entry_from_template(request: HttpRequest) -> HttpResponse:
    """Choose a template, type its amounts, and get the entry form filled with its lines."""
    company = request.company
    key = (request.POST.get("template") if request.method == "POST" else request.GET.get("template")) or ""
    template = entry_templates.template_of(key[:40])
    if key and template is None:
        return HttpResponseBadRequest("template: one of " + ", ".join(entry_templates.BY_KEY))
    if template is None:
        choices = []
        for each in entry_templates.TEMPLATES:
            accounts = entry_templates.accounts_for(company, each)
            choices.append({"template": each, "missing": entry_templates.missing_accounts(each, accounts)})
        return render(
            request,
            "accounting/entry_templates.html",
            {"choices": choices, "title": _("New entry from a template")},
        )
    accounts = entry_templates.accounts_for(company, template)
    missing = entry_templates.missing_accounts(template, accounts)
    amounts = TemplateAmountsForm(
        request.POST if request.method == "POST" else None,
        template=template,
        initial={"date": timezone.localdate()},
    )
    if request.method == "POST" and amounts.is_valid():
        try:
            filled = entry_templates.template_fill(template, accounts, amounts.cleaned_data)
        except entry_templates.TemplateProblem as problem:
            amounts.add_error(problem.field, problem.message)
        else:
            journal = Journal.objects.filter(company=company, code=template.journal).first()
            header = EntryForm(
                company=company,
                initial={
                    "journal": journal,
                    "date": amounts.cleaned_data["date"],
                    "description": str(template.description),
                },
            )
            rows = [
                {
                    "account": line.account.pk, "debit": f"{line.debit:f}" if line.debit else "",
                    "credit": f"{line.credit:f}" if line.credit else "", "description": line.description,
                }
                for line in filled
            ]  # fmt: skip
            lines = LineFormSet(prefix="lines", initial=[*rows, {}], company=company)
            lines.preload()
            response = _render_form(request, header, lines, None, template=template)
            return response
    rows = [
        {
            "line": line,
            "account": accounts.get(line.reference),
            "code": line.code or line.role,
            "name": account_name(accounts[line.reference]) if accounts.get(line.reference) else "",
        }
        for line in template.lines
    ]
    context = {
        "template": template,
        "amounts": amounts,
        "rows": rows,
        "missing": missing,
        "title": template.name,
    }
    status = 422 if amounts.is_bound and amounts.errors else 200
    return render(request, "accounting/entry_template_amounts.html", context, status=status)


urlpatterns = [
    path("entries/", entry_list, name="entry_list"),
    path("entries/new/", entry_create, name="entry_create"),
    path("entries/from-template/", entry_from_template, name="entry_from_template"),
    path("entries/accounts/search/", entry_account_search, name="entry_account_search"),
    path("entries/<id:entry_id>/", entry_detail, name="entry_detail"),
    path("entries/<id:entry_id>/edit/", entry_edit, name="entry_edit"),
    path("entries/<id:entry_id>/post/", entry_post, name="entry_post"),
    path("entries/<id:entry_id>/reverse/", entry_reverse, name="entry_reverse"),
    path("entries/<id:entry_id>/delete/", entry_delete, name="entry_delete"),
]

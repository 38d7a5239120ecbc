"""Quotation pages: the list, the quick start, the quotation itself (the editor or the read-only document),
its actions and its versions compared."""

from datetime import date as Date

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nexo.catalog.rule_text import price_text
from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.formatting import money, number
from nexo.core.forms import apply_failure
from nexo.core.listing import Filter, ListPage, Sort, words_in
from nexo.core.panels import panels
from nexo.core.permissions import page
from nexo.core.validation import record_id
from nexo.crm import queries as crm_queries
from nexo.parties.models import Party
from nexo.sales import documents, queries, services
from nexo.sales.forms import ApprovalForm, QuotationCreateForm, RejectForm, SendForm
from nexo.sales.models import Quotation
from nexo.sales.services import credit
from nexo.sales.views.common import RESEND_PREFIX, page_context, previous_version

State = Quotation.State
# The home page's counts, each a link to the list filtered the same way.
ATTENTION_CHOICES = [
    ("awaiting_approval", gettext_lazy("Waiting for approval")),
    ("expiring", gettext_lazy("Expiring within 7 days")),
    ("follow_up", gettext_lazy("Sent over 7 days ago, no answer")),
]


def day_of(value: str | None) -> Date | None:
    try:
        day = Date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if day.year >= 1900 else None


def _listing(request: HttpRequest) -> ListPage:
    filters = [
        Filter("state", gettext_lazy("State"), State.choices, lambda value: Q(state=value)),
        Filter("attention", gettext_lazy("Needs attention"), ATTENTION_CHOICES, queries.quotations_needing_attention),
    ]
    if queries.sees_all_quotations(request.user):
        people = crm_queries.sales_users(request.company)
        filters.append(
            Filter(
                "salesperson",
                gettext_lazy("Salesperson"),
                [(str(user.pk), user.get_full_name() or user.username) for user in people],
                lambda value: Q(salesperson_id=value),
            )
        )
    return ListPage(
        search=words_in(("number", "party__name")),
        sorts={
            "date": Sort(gettext_lazy("Date"), ("-date", "-number", "-version")),
            "number": Sort(gettext_lazy("Number"), ("number", "version")),
            "party": Sort(gettext_lazy("Customer"), ("party__name",)),
            "valid": Sort(gettext_lazy("Valid until"), ("valid_until",)),
            "net": Sort(gettext_lazy("Net"), ("net",)),
            "margin": Sort(gettext_lazy("Margin %"), ("margin_percent",)),
        },
        default_sort="date",
        filters=filters,
    )


@page("sales.view_quotation")
def quotation_list(request: HttpRequest) -> HttpResponse:
    quotations = queries.quotations_visible_to(request.user, request.company).select_related(
        "party", "opportunity", "salesperson"
    )
    date_from, date_to = day_of(request.GET.get("date_from")), day_of(request.GET.get("date_to"))
    if date_from:
        quotations = quotations.filter(date__gte=date_from)
    if date_to:
        quotations = quotations.filter(date__lte=date_to)
    listing = _listing(request).apply(request, quotations)
    context = {
        "listing": listing,
        "title": _("Quotations"),
        "search_hint": _("Number or customer"),
        "results_template": "sales/_quotation_results.html",
        "date_from": date_from,
        "date_to": date_to,
    }
    template = (
        context["results_template"]
        if request.htmx and not request.htmx.boosted
        else "sales/quotation_list.html"
    )
    return render(request, template, context)


@page("sales.add_quotation")
def quotation_create(request: HttpRequest) -> HttpResponse:
    """From an opportunity (its party and itself filled in) or from a party, a short form, then the editor."""
    visible = crm_queries.opportunities_visible_to(request.user, request.company)
    opportunity = party = None
    opportunity_id = record_id(request.GET.get("opportunity"))
    if opportunity_id is not None:
        opportunity = crm_queries.opportunity_for(request.user, request.company, opportunity_id)
        party = opportunity.party
    elif record_id(request.GET.get("party")) is not None:
        party = get_object_or_404(Party, company=request.company, pk=record_id(request.GET.get("party")))
    initial = {"party": party, "opportunity": opportunity, "date": timezone.localdate()}
    form = QuotationCreateForm(
        request.POST or None, company=request.company, opportunities=visible, party=party, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            quotation = services.quotation_create(
                company=request.company, by=request.user, **form.service_fields()
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(
                request, _("Quotation %(quotation)s created: add its lines.") % {"quotation": quotation}
            )
            return redirect("sales:quotation_view", quotation_id=quotation.pk)
    if opportunity is not None:
        cancel_url = reverse("crm:opportunity_view", args=[opportunity.pk])
    elif party is not None:
        cancel_url = reverse("parties:party_view", args=[party.pk])
    else:
        cancel_url = reverse("sales:quotation_list")
    context = {
        "form": form,
        "title": _("New quotation"),
        "opportunity": opportunity,
        "party": party,
        "cancel_url": cancel_url,
    }
    return render(request, "sales/quotation_create.html", context, status=422 if form.errors else 200)


def document_context(request: HttpRequest, quotation: Quotation, **extra) -> dict:
    """The quotation's page: the editor or the document (`page_context`), with its header's news — the
    manager's approval it waits for or got, the version that superseded it — and the send form filled
    with the recipient and the e-mail as it will go out."""
    context = page_context(request, quotation)
    context["panels"] = panels("document_panel", request, "sales.quotation", quotation)
    context["awaiting_approval"] = services.awaits_approval(quotation)
    context["approval_shown"] = context["awaiting_approval"] or (
        quotation.state == State.DRAFT and quotation.approval != Quotation.Approval.UNDECIDED
    )
    context["may_approve"] = request.user.has_perm("sales.approve_quotation")
    context["approval_form"] = ApprovalForm()
    if quotation.state == State.SUPERSEDED:
        context["superseded_by"] = quotation.revisions.order_by("version").only("pk", "version").first()
    if quotation.state in (State.DRAFT, State.SENT):
        context["credit"], context["credit_live"] = credit.quotation_credit(request.company, quotation), True
    if quotation.state == State.DRAFT:
        email = services.quotation_email(quotation)
        context["email_preview"] = email
        context["send_form"] = SendForm(
            initial={"to": services.default_recipient(quotation), "message": email.body}
        )
    return context | extra


@page("sales.view_quotation")
def quotation_view(request: HttpRequest, quotation_id: int) -> HttpResponse:
    quotation = queries.quotation_for(request.user, request.company, quotation_id)
    return render(request, "sales/quotation_detail.html", document_context(request, quotation))


@page("sales.view_quotation")
def quotation_credit(request: HttpRequest, quotation_id: int) -> HttpResponse:
    """The customer's position beside the quotation (its editor reloads it as the lines change)."""
    quotation = queries.quotation_for(request.user, request.company, quotation_id)
    context = {"quotation": quotation, "credit": credit.quotation_credit(request.company, quotation)}
    return render(request, "sales/_credit_position.html", context | {"credit_live": True})


@page("sales.view_quotation")
def quotation_pdf(request: HttpRequest, quotation_id: int) -> HttpResponse:
    quotation = queries.quotation_for(request.user, request.company, quotation_id)
    response = HttpResponse(documents.quotation_pdf(quotation), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.quotation_filename(quotation)}"'
    return response


# Actions: each a POST that calls its service; a refusal is shown as a message on the quotation's page.


def _back(quotation: Quotation) -> HttpResponse:
    return redirect("sales:quotation_view", quotation_id=quotation.pk)


# What a form posted to a quotation's service came to: done, refused on a field (the form shows it), or
# refused as a whole (its message is queued for the page).
DONE, REFUSED_FIELD, REFUSED = "done", "refused_field", "refused"


def _posted_to(service, request: HttpRequest, quotation: Quotation, form) -> str:
    """The form's values given to the service, which decides; the one shape of the send, send-again,
    approve and refuse handlers."""
    if not form.is_valid():
        return REFUSED_FIELD
    try:
        service(company=request.company, by=request.user, quotation_id=quotation.pk, **form.cleaned_data)
    except ValidationFailed as failure:
        apply_failure(form, failure)
        return REFUSED_FIELD
    except DomainError as error:
        messages.error(request, error.detail)
        return REFUSED
    return DONE


def _e_mail(request: HttpRequest, quotation_id: int, *, again: bool) -> HttpResponse:
    """The send form (or, for a sent quotation whose e-mail failed, the send-again form) posted: the service
    queues the e-mail; a refused address is shown beside the field."""
    quotation = queries.quotation_for(request.user, request.company, quotation_id)
    form = SendForm(request.POST, prefix=RESEND_PREFIX if again else None)
    send = services.quotation_resend if again else services.quotation_send
    outcome = _posted_to(send, request, quotation, form)
    if outcome is not REFUSED_FIELD:
        if outcome is DONE:
            _say_how_it_went(request, quotation, form.cleaned_data["to"], again=again)
        return _back(quotation)
    shown = {"resend_form": form, "show_resend": True} if again else {"send_form": form, "show_send": True}
    context = document_context(request, quotation, **shown)
    return render(request, "sales/quotation_detail.html", context, status=422)


def _say_how_it_went(request: HttpRequest, quotation: Quotation, to: str, *, again: bool) -> None:
    """The e-mail goes out after the commit: say what is known by now (sent, refused, or still queued)."""
    quotation.refresh_from_db(fields=["email_status"])
    values = {"quotation": quotation, "to": to}
    if quotation.email_status == Quotation.EmailStatus.FAILED:
        messages.error(
            request, _("Quotation %(quotation)s is sent, but its e-mail to %(to)s failed.") % values
        )
    elif quotation.email_status == Quotation.EmailStatus.QUEUED:
        messages.success(
            request, _("Quotation %(quotation)s is sent; its e-mail to %(to)s is queued.") % values
        )
    elif again:
        messages.success(request, _("Quotation %(quotation)s sent again to %(to)s.") % values)
    else:
        messages.success(request, _("Quotation %(quotation)s sent to %(to)s.") % values)


@page("sales.change_quotation")
@require_POST
def quotation_send(request: HttpRequest, quotation_id: int) -> HttpResponse:
    return _e_mail(request, quotation_id, again=False)


@page("sales.change_quotation")
@require_POST
def quotation_resend(request: HttpRequest, quotation_id: int) -> HttpResponse:
    return _e_mail(request, quotation_id, again=True)


@page("sales.change_quotation")
@require_POST
def quotation_mark_sent(request: HttpRequest, quotation_id: int) -> HttpResponse:
    quotation = queries.quotation_for(request.user, request.company, quotation_id)
    try:
        services.quotation_mark_sent(company=request.company, by=request.user, quotation_id=quotation.pk)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Quotation %(quotation)s marked as sent.") % {"quotation": quotation})
    return _back(quotation)


@page("sales.change_quotation")
def quotation_accept(request: HttpRequest, quotation_id: int) -> HttpResponse:
    """Asked first (GET: what accepting sets off, and a button to confirm), done on POST: accepting wins
    the opportunity, creates the sales order and reserves its stock."""
    quotation = queries.quotation_for(request.user, request.company, quotation_id)
    if request.method != "POST":
        stocked = quotation.lines.filter(item__kind="stocked").count()
        context = {
            "quotation": quotation,
            "stocked_lines": stocked,
            "title": _("Accept quotation %(quotation)s") % {"quotation": quotation},
            "credit": credit.quotation_credit(request.company, quotation),
            "may_override_credit": request.user.has_perm(credit.OVERRIDE_PERMISSION),
        }
        return render(request, "sales/quotation_accept.html", context)
    try:
        order = services.quotation_accept(
            company=request.company, by=request.user, quotation_id=quotation.pk,
            override_credit=request.POST.get("override_credit") == "on",
            credit_override_reason=request.POST.get("credit_override_reason", ""),
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, error.detail)
        return _back(quotation)
    messages.success(
        request,
        _("Quotation %(quotation)s accepted: sales order %(order)s created.")
        % {"quotation": quotation, "order": order.number},
    )
    return redirect("sales:order_view", order_id=order.pk)


def _decision(request: HttpRequest, quotation_id: int, *, approve: bool) -> HttpResponse:
    """A manager's word on a quotation under its minimum margin; a refusal without a note is shown beside
    the field."""
    quotation = queries.quotation_for(request.user, request.company, quotation_id)
    form = ApprovalForm(request.POST)
    decide = services.quotation_approve if approve else services.quotation_refuse_approval
    outcome = _posted_to(decide, request, quotation, form)
    if outcome is not REFUSED_FIELD:
        if outcome is DONE and approve:
            messages.success(request, _("Quotation %(quotation)s approved.") % {"quotation": quotation})
        elif outcome is DONE:
            messages.success(
                request, _("Approval of quotation %(quotation)s refused.") % {"quotation": quotation}
            )
        return _back(quotation)
    quotation.refresh_from_db()
    context = document_context(request, quotation, approval_form=form)
    return render(request, "sales/quotation_detail.html", context, status=422)


@page("sales.approve_quotation")
@require_POST
def quotation_approve(request: HttpRequest, quotation_id: int) -> HttpResponse:
    return _decision(request, quotation_id, approve=True)


@page("sales.approve_quotation")
@require_POST
def quotation_refuse_approval(request: HttpRequest, quotation_id: int) -> HttpResponse:
    return _decision(request, quotation_id, approve=False)


@page("sales.change_quotation")
@require_POST
def quotation_reject(request: HttpRequest, quotation_id: int) -> HttpResponse:
    quotation = queries.quotation_for(request.user, request.company, quotation_id)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            result = services.quotation_reject(
                company=request.company, by=request.user, quotation_id=quotation.pk, **form.cleaned_data
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        except DomainError as error:
            messages.error(request, error.detail)
            return _back(quotation)
        else:
            if result.pk != quotation.pk:
                messages.success(
                    request,
                    _("Quotation %(quotation)s rejected; version %(version)s is a new draft.")
                    % {"quotation": quotation, "version": result.version},
                )
            else:
                messages.success(request, _("Quotation %(quotation)s rejected.") % {"quotation": quotation})
            return _back(result)
    context = document_context(request, quotation, reject_form=form, show_reject=True)
    return render(request, "sales/quotation_detail.html", context, status=422)


@page("sales.change_quotation")
@require_POST
def quotation_revise(request: HttpRequest, quotation_id: int) -> HttpResponse:
    quotation = queries.quotation_for(request.user, request.company, quotation_id)
    try:
        revision = services.quotation_revise(
            company=request.company, by=request.user, quotation_id=quotation.pk
        )
    except DomainError as error:
        messages.error(request, error.detail)
        return _back(quotation)
    messages.success(request, _("Version %(version)s is a new draft.") % {"version": revision.version})
    return _back(revision)


@page("sales.change_quotation")
@require_POST
def quotation_cancel(request: HttpRequest, quotation_id: int) -> HttpResponse:
    quotation = queries.quotation_for(request.user, request.company, quotation_id)
    try:
        services.quotation_cancel(
            company=request.company,
            by=request.user,
            quotation_id=quotation.pk,
            reason=request.POST.get("reason", ""),
        )
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, _("Quotation %(quotation)s cancelled.") % {"quotation": quotation})
    return _back(quotation)


# Versions


@page("sales.view_quotation")
def quotation_compare(request: HttpRequest, quotation_id: int) -> HttpResponse:
    """Two versions of a number side by side, line by line: added, removed and changed lines."""
    quotation = queries.quotation_for(request.user, request.company, quotation_id)
    versions = queries.versions_of(request.user, quotation)
    by_id = {version.pk: version for version in versions}
    other_id = record_id(request.GET.get("with"))
    if other_id is None:
        previous = previous_version(versions, quotation)
        other_id = previous.pk if previous else None
    other = by_id.get(other_id) if other_id is not None else None
    rows = []
    old = new = None
    if other is not None:
        old, new = sorted([other, quotation], key=lambda version: version.version)
        rows = queries.compare_lines(
            list(old.lines.order_by("position", "id")), list(new.lines.order_by("position", "id"))
        )
    context = {
        "quotation": quotation,
        "versions": versions,
        "other": other,
        "old": old,
        "new": new,
        "rows": rows,
        "shown": [_shown(row, quotation.currency) for row in rows],
        "counts": {
            change: sum(1 for row in rows if row.change == change)
            for change in ("added", "removed", "changed")
        },
        "title": _("Compare versions of %(number)s") % {"number": quotation.number},
    }
    return render(request, "sales/quotation_compare.html", context)


def _text(field: str, value, currency: str) -> str:
    if value is None:
        return ""
    if field == "gross_net":
        return money(value, currency)
    return price_text(value) if field == "unit_price" else number(value)


def _shown(row: queries.ComparedRow, currency: str) -> dict:
    """A compared row as the page shows it: each figure before and after, in the reader's format."""
    return {
        "change": row.change,
        "label": row.label,
        "cells": [
            cell
            | {
                "old": _text(cell["field"], cell["old"], currency),
                "new": _text(cell["field"], cell["new"], currency),
            }
            for cell in row.cells
        ],
    }

"""Opportunity pages: list, detail with its history and activities, forms, and the stage actions."""

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.listing import Filter, ListPage, Sort
from nexo.core.panels import panels
from nexo.core.permissions import page
from nexo.core.validation import record_id
from nexo.crm import queries, services
from nexo.crm.forms import ActivityForm, LoseForm, OpportunityForm
from nexo.crm.models import Opportunity


def _listing(request: HttpRequest) -> ListPage:
    stages = queries.pipeline_stages(request.company)
    filters = [
        Filter("status", gettext_lazy("Status"), Opportunity.Status.choices, lambda value: Q(status=value)),
        Filter(
            "stage",
            gettext_lazy("Stage"),
            [(str(s.pk), s.name) for s in stages],
            lambda value: Q(stage_id=value),
        ),
        Filter("source", gettext_lazy("Source"), Opportunity.Source.choices, lambda value: Q(source=value)),
    ]
    if queries.sees_everyone(request.user):
        owners = [(str(u.pk), u.get_full_name() or u.username) for u in queries.sales_users(request.company)]
        filters.append(Filter("owner", gettext_lazy("Owner"), owners, lambda value: Q(owner_id=value)))
    return ListPage(
        search=lambda word: Q(title__icontains=word) | Q(party__name__icontains=word),
        sorts={
            "close": Sort(gettext_lazy("Expected close"), ("expected_close",)),
            "title": Sort(gettext_lazy("Title"), ("title",)),
            "amount": Sort(gettext_lazy("Amount"), ("amount",)),
            "stage": Sort(gettext_lazy("Stage"), ("stage__sequence",)),
            "created": Sort(gettext_lazy("Created"), ("created_at",)),
        },
        default_sort="close",
        filters=filters,
    )


@page("crm.view_opportunity")
def opportunity_list(request: HttpRequest) -> HttpResponse:
    base = queries.with_next_activity(
        queries.opportunities_visible_to(request.user, request.company).select_related(
            "party", "owner", "stage"
        )
    )
    context = {
        "listing": _listing(request).apply(request, base),
        "title": _("Opportunities"),
        "search_hint": _("Title or party"),
        "results_template": "crm/_opportunity_results.html",
    }
    template = context["results_template"] if request.htmx else "crm/opportunity_list.html"
    return render(request, template, context)


@page("crm.view_opportunity")
def opportunity_view(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opportunity = queries.opportunity_for(request.user, request.company, opportunity_id)
    return render(request, "crm/opportunity_detail.html", _detail_context(request, opportunity))


def _detail_context(request: HttpRequest, opportunity: Opportunity, **extra) -> dict:
    activities = list(opportunity.activities.select_related("owner").order_by("done", "due_at", "id"))
    log_form = ActivityForm(
        company=request.company,
        owners=queries.sales_users(request.company),
        opportunities=queries.opportunities_visible_to(request.user, request.company),
        initial={"kind": "call", "opportunity": opportunity.pk, "owner": request.user.pk},
    )
    return {
        "opportunity": opportunity,
        "stages": queries.pipeline_stages(request.company),
        "history": opportunity.stage_changes.select_related("from_stage", "to_stage", "by"),
        "pending": [a for a in activities if not a.done],
        "done": [a for a in activities if a.done],
        "lose_form": extra.pop("lose_form", LoseForm()),
        "log_form": log_form,
        "now": timezone.now(),
        # Higher modules' panels (the quotations of this opportunity): crm never imports them.
        "panels": panels("opportunity_panel", request, opportunity)
        + panels("document_panel", request, "crm.opportunity", opportunity),
        **extra,
    }


def _owners(request: HttpRequest):
    owners = queries.sales_users(request.company)
    return owners if queries.sees_everyone(request.user) else owners.filter(pk=request.user.pk)


@page("crm.add_opportunity")
def opportunity_create(request: HttpRequest) -> HttpResponse:
    initial = {"owner": request.user.pk, "party": request.GET.get("party")}
    form = OpportunityForm(
        request.POST or None, company=request.company, owners=_owners(request), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = services.opportunity_create(
                company=request.company, by=request.user, **form.service_fields()
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Opportunity created."))
            return redirect("crm:opportunity_view", opportunity_id=opportunity.pk)
    context = {"form": form, "title": _("New opportunity"), "cancel_url": reverse("crm:board")}
    return render(request, "core/form.html", context, status=422 if form.errors else 200)


@page("crm.change_opportunity")
def opportunity_edit(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opportunity = queries.opportunity_for(request.user, request.company, opportunity_id)
    form = OpportunityForm(
        request.POST or None, instance=opportunity, company=request.company, owners=_owners(request)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_update(
                company=request.company,
                opportunity_id=opportunity.pk,
                by=request.user,
                **form.service_fields(),
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("crm:opportunity_view", opportunity_id=opportunity.pk)
    context = {
        "form": form,
        "title": _("Edit %(title)s") % {"title": opportunity.title},
        "cancel_url": reverse("crm:opportunity_view", args=[opportunity.pk]),
    }
    return render(request, "core/form.html", context, status=422 if form.errors else 200)


def _act(request: HttpRequest, opportunity_id: int, action, success: str) -> HttpResponse:
    """Run a stage action for an opportunity the user may see; its refusal is shown on the page."""
    opportunity = queries.opportunity_for(request.user, request.company, opportunity_id)
    try:
        action(opportunity)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, success)
    return redirect("crm:opportunity_view", opportunity_id=opportunity.pk)


def _stage_id(request: HttpRequest) -> int | None:
    return record_id(request.POST.get("stage"))


@page("crm.change_opportunity")
@require_POST
def opportunity_move(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    def move(opportunity):
        stage_id = _stage_id(request)
        if stage_id is None:
            raise ValidationFailed.on("stage", _("Choose a stage."))
        services.opportunity_move(
            company=request.company, opportunity_id=opportunity.pk, stage_id=stage_id, by=request.user
        )

    return _act(request, opportunity_id, move, _("Stage changed."))


@page("crm.change_opportunity")
@require_POST
def opportunity_win(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    def win(opportunity):
        services.opportunity_win(company=request.company, opportunity_id=opportunity.pk, by=request.user)

    return _act(request, opportunity_id, win, _("Opportunity won."))


@page("crm.change_opportunity")
@require_POST
def opportunity_lose(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    opportunity = queries.opportunity_for(request.user, request.company, opportunity_id)
    form = LoseForm(request.POST)
    if form.is_valid():
        try:
            services.opportunity_lose(
                company=request.company,
                opportunity_id=opportunity.pk,
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        except DomainError as error:
            messages.error(request, error.detail)
            return redirect("crm:opportunity_view", opportunity_id=opportunity.pk)
        else:
            messages.success(request, _("Opportunity marked as lost."))
            return redirect("crm:opportunity_view", opportunity_id=opportunity.pk)
    context = _detail_context(request, opportunity, lose_form=form, show_lose=True)
    return render(request, "crm/opportunity_detail.html", context, status=422)


@page("crm.change_opportunity")
@require_POST
def opportunity_reopen(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    def reopen(opportunity):
        services.opportunity_reopen(
            company=request.company,
            opportunity_id=opportunity.pk,
            by=request.user,
            stage_id=_stage_id(request),
        )

    return _act(request, opportunity_id, reopen, _("Opportunity reopened."))

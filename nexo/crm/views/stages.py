"""Pipeline stages: the list with how many opportunities each holds, and the create and edit forms."""

from django.contrib import messages
from django.db.models import Count, IntegerField, Max, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from nexo.core.errors import ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.models import Company
from nexo.core.permissions import page
from nexo.crm import services
from nexo.crm.forms_stages import StageForm
from nexo.crm.models import Opportunity, Stage


def stages_with_counts(company: Company) -> QuerySet[Stage]:
    """Every stage of the company (inactive ones too), each with its number of opportunities, in one query."""
    # Opportunity.stage has no reverse accessor (related_name="+"), so the count is a correlated subquery.
    counts = (
        Opportunity.objects.filter(stage=OuterRef("pk"))
        .order_by()
        .values("stage")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        Stage.objects.filter(company=company)
        .annotate(opportunity_count=Coalesce(Subquery(counts, output_field=IntegerField()), Value(0)))
        .order_by("sequence", "id")
    )


@page("crm.view_stage")
def stage_list(request: HttpRequest) -> HttpResponse:
    stages = list(stages_with_counts(request.company))
    if not stages:  # a company set up before the CRM existed gets the default pipeline on first sight
        services.stages_ensure_defaults(company=request.company)
        stages = list(stages_with_counts(request.company))
    return render(request, "crm/stage_list.html", {"title": _("Pipeline stages"), "stages": stages})


@page("crm.add_stage")
def stage_create(request: HttpRequest) -> HttpResponse:
    highest = Stage.objects.filter(company=request.company).aggregate(highest=Max("sequence"))["highest"]
    initial = {"sequence": min((highest or 0) + 10, 32767), "kind": Stage.Kind.OPEN}
    form = StageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            stage = services.stage_create(company=request.company, by=request.user, **form.service_fields())
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Stage %(name)s created.") % {"name": stage.name})
            return redirect("crm:stage_list")
    context = {"form": form, "title": _("New stage"), "cancel_url": reverse("crm:stage_list")}
    return render(request, "core/form.html", context, status=422 if form.errors else 200)


@page("crm.change_stage")
def stage_edit(request: HttpRequest, stage_id: int) -> HttpResponse:
    stage = get_object_or_404(Stage, company=request.company, pk=stage_id)
    # Read before binding: the form writes what was typed into the instance, even when it is refused.
    title = _("Edit stage %(name)s") % {"name": stage.name}
    subtitle = _("Kind: %(kind)s") % {"kind": stage.get_kind_display()}
    form = StageForm(request.POST or None, instance=stage)
    if request.method == "POST" and form.is_valid():
        try:
            services.stage_update(
                company=request.company, stage_id=stage.pk, by=request.user, **form.service_fields()
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("crm:stage_list")
    context = {
        "form": form,
        "title": title,
        "subtitle": subtitle,
        "cancel_url": reverse("crm:stage_list"),
    }
    return render(request, "core/form.html", context, status=422 if form.errors else 200)

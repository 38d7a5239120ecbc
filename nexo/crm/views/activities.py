"""Activities: "my activities" (overdue first), planning one, logging one done, marking done."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.permissions import page
from nexo.core.validation import record_id
from nexo.crm import queries, services
from nexo.crm.forms import ActivityDoneForm, ActivityForm
from nexo.crm.models import Activity


@page("crm.view_activity")
def my_activities(request: HttpRequest) -> HttpResponse:
    """The user's pending activities, overdue first, then today's and the coming ones; the last done below."""
    now = timezone.now()
    today = timezone.localdate()
    mine = Activity.objects.filter(company=request.company, owner=request.user).select_related(
        "party", "opportunity"
    )
    pending = list(mine.filter(done=False).order_by("due_at", "id")[:300])
    context = {
        "overdue": [a for a in pending if a.due_at < now],
        "today": [a for a in pending if a.due_at >= now and timezone.localdate(a.due_at) == today],
        "upcoming": [a for a in pending if timezone.localdate(a.due_at) > today],
        "recent": mine.filter(done=True).order_by("-done_at", "-id")[:20],
        "now": now,
    }
    return render(request, "crm/my_activities.html", context)


def _next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else fallback


def _form(request: HttpRequest, activity: Activity | None = None) -> ActivityForm:
    initial = {"owner": request.user.pk, "kind": request.GET.get("kind", "call")}
    for name in ("opportunity", "party"):
        if record_id(request.GET.get(name)) is not None:
            initial[name] = record_id(request.GET.get(name))
    return ActivityForm(
        request.POST or None,
        instance=activity,
        initial=initial,
        company=request.company,
        owners=queries.sales_users(request.company),
        opportunities=queries.opportunities_visible_to(request.user, request.company).select_related("party"),
    )


@page("crm.add_activity")
def activity_create(request: HttpRequest) -> HttpResponse:
    """Plan an activity, or log one already done (the "log a call" form posts `log=1`)."""
    form = _form(request)
    logging_done = request.POST.get("log") == "1"
    if logging_done and request.method == "POST":
        form.fields["due_at"].required = False
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        try:
            if logging_done:
                fields.pop("owner_id", None)
                at = fields.pop("due_at", None)
                services.activity_log(company=request.company, by=request.user, at=at, **fields)
            else:
                services.activity_create(company=request.company, by=request.user, **fields)
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Activity logged.") if logging_done else _("Activity planned."))
            return redirect(_next(request, reverse("crm:my_activities")))
    context = {
        "form": form,
        "title": _("New activity"),
        "cancel_url": _next(request, reverse("crm:my_activities")),
    }
    return render(request, "crm/activity_form.html", context, status=422 if form.errors else 200)


@page("crm.change_activity")
def activity_edit(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = get_object_or_404(queries.activities_visible_to(request.user, request.company), pk=activity_id)
    form = _form(request, activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(
                company=request.company, activity_id=activity.pk, by=request.user, **form.service_fields()
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(_next(request, reverse("crm:my_activities")))
    context = {
        "form": form,
        "title": _("Edit activity"),
        "cancel_url": _next(request, reverse("crm:my_activities")),
    }
    return render(request, "crm/activity_form.html", context, status=422 if form.errors else 200)


@page("crm.change_activity")
@require_POST
def activity_done(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = get_object_or_404(queries.activities_visible_to(request.user, request.company), pk=activity_id)
    form = ActivityDoneForm(request.POST)
    outcome = form.cleaned_data["outcome"] if form.is_valid() else ""
    try:
        activity = services.activity_complete(
            company=request.company, activity_id=activity.pk, by=request.user, outcome=outcome,
            done=request.POST.get("undo") != "1",
        )  # fmt: skip
    except DomainError as error:
        messages.error(request, error.detail)
    if request.htmx:
        return render(request, "crm/_activity_row.html", {"activity": activity, "now": timezone.now()})
    return redirect(_next(request, reverse("crm:my_activities")))

"""Quick lead capture: one short form makes a lead party and its first opportunity."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from nexo.core.errors import ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.permissions import page
from nexo.crm import services
from nexo.crm.forms import LeadForm


@page("crm.add_opportunity", "parties.add_party")
def lead_capture(request: HttpRequest) -> HttpResponse:
    form = LeadForm(request.POST or None)
    duplicate = None
    if request.method == "POST":
        valid = form.is_valid()
        try:
            if valid:
                opportunity = services.lead_capture(
                    company=request.company, by=request.user, **form.service_fields()
                )
            else:
                # The service's checks on what the form accepted, so one submission shows every wrong field.
                services.lead_check(company=request.company, **form.service_fields())
        except services.DuplicateParty as failure:
            duplicate = failure.party
            _apply_failure_once(form, failure)
        except ValidationFailed as failure:
            _apply_failure_once(form, failure)
        else:
            if valid:
                messages.success(request, _("Lead %(name)s captured.") % {"name": opportunity.party.name})
                return redirect("crm:opportunity_view", opportunity_id=opportunity.pk)
    context = {
        "form": form,
        "duplicate": duplicate,
        "title": _("New lead"),
        "cancel_url": reverse("crm:board"),
    }
    return render(request, "crm/lead_form.html", context, status=422 if form.errors else 200)


def _apply_failure_once(form: LeadForm, failure: ValidationFailed) -> None:
    """The service's errors on the form's fields (`address.city` on `city`), beside the form's own ones."""
    renamed = ValidationFailed(
        failure.detail,
        errors=[
            {**error, "field": error["field"].removeprefix("address.")}
            for error in failure.errors
            if error["field"].removeprefix("address.") not in form.errors
        ],
    )
    apply_failure(form, renamed)

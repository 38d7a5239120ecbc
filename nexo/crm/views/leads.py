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
    if request.method == "POST" and form.is_valid():
        try:
            opportunity = services.lead_capture(company=request.company, by=request.user, **form.cleaned_data)
        except services.DuplicateParty as failure:
            duplicate = failure.party
            apply_failure(form, failure)
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Lead %(name)s captured.") % {"name": opportunity.party.name})
            return redirect("crm:opportunity_view", opportunity_id=opportunity.pk)
    context = {
        "form": form,
        "duplicate": duplicate,
        "title": _("New lead"),
        "cancel_url": reverse("crm:board"),
    }
    return render(request, "crm/lead_form.html", context, status=422 if form.errors else 200)

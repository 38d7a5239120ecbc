"""The opportunity picker: the field forms use to choose an opportunity the user may see, and its search."""

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from nexo.core.permissions import page
from nexo.core.pickers import PICKER_LIMIT, PickerField, PickerOption, picker_options, picker_words
from nexo.core.rules import fold
from nexo.core.validation import record_id
from nexo.crm.models import Opportunity
from nexo.crm.queries import opportunities_visible_to

STATUSES = {"": None, "open": Opportunity.Status.OPEN}


def opportunity_label(opportunity: Opportunity) -> str:
    return f"{opportunity.title} · {opportunity.party.name}"


class OpportunityPicker(PickerField):
    """An opportunity the user may see; `search={"status": "open"}` and `sends={"party": "party"}` narrow
    the list to the open ones of the party chosen in the same form."""

    search_url = "crm:opportunity_search"
    placeholder = _("Title or customer")

    def code_match(self, code: str) -> Q:
        return Q(title__iexact=code)

    def label_from_instance(self, opportunity: Opportunity) -> str:
        return opportunity_label(opportunity)


@page("crm.view_opportunity")
@require_GET
def opportunity_search(request: HttpRequest) -> HttpResponse:
    """Opportunities the user may see with every typed word in their title or their party's name, tax id
    or city, the latest first; one query."""
    words = picker_words(request)
    if isinstance(words, HttpResponse):
        return words
    status = request.GET.get("status", "")
    party = request.GET.get("party", "")
    if status not in STATUSES or (party and record_id(party) is None):
        return HttpResponseBadRequest("status: empty or open; party: a record id.")
    opportunities = opportunities_visible_to(request.user, request.company).select_related("party")
    if STATUSES[status]:
        opportunities = opportunities.filter(status=STATUSES[status])
    if party:
        opportunities = opportunities.filter(party_id=record_id(party))
    for word in words:
        opportunities = opportunities.filter(
            Q(title__icontains=word) | Q(party__search_text__contains=fold(word))
        )
    found = opportunities.order_by("-pk").only("pk", "title", "party__name")[:PICKER_LIMIT]
    return picker_options(request, (PickerOption(o.pk, opportunity_label(o)) for o in found))

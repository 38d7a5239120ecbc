"""Pages: a party's 360° view (`party_360`: its figures as cards and its timeline, filtered by kind with
`?kind=`), and the panel on the party's page that leads there (`party_panel`, the module's hook). The figures
and the timeline come from `insight.services.party360`."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from nexo.core.permissions import page
from nexo.insight.services import party360 as services


def _filters(party_id: int, kinds: tuple[str, ...], chosen: str) -> list[dict]:
    """The timeline's filters as links (one per kind the user may see, and all of them)."""
    base = reverse("insight:party_360", args=[party_id])
    links = [{"kind": "", "label": _("All"), "url": f"{base}#timeline", "current": not chosen}]
    links += [
        {"kind": kind, "label": services.KIND_LABELS[kind], "url": f"{base}?kind={kind}#timeline",
         "current": kind == chosen}
        for kind in kinds
    ]  # fmt: skip
    return links


@page("parties.view_party")
def party_360(request: HttpRequest, party_id: int) -> HttpResponse:
    """The party's figures and its timeline; `?kind=` shows one kind of record (an unknown one: all)."""
    chosen = request.GET.get("kind", "")
    allowed = services.visible_kinds(request.user)
    chosen = chosen if chosen in allowed else ""
    overview = services.party_overview(
        request.company, party_id, user=request.user, kinds=[chosen] if chosen else None
    )
    context = {
        "title": _("%(party)s at a glance") % {"party": overview.party.name},
        "overview": overview,
        "party": overview.party,
        "filters": _filters(overview.party.pk, overview.kinds, chosen),
        "chosen": chosen,
        "chosen_label": services.KIND_LABELS[chosen] if chosen else "",
        "party_url": reverse("parties:party_view", args=[overview.party.pk]),
        "position_url": (
            reverse("payments:party_position", args=[overview.party.pk]) if overview.balance else None
        ),
    }
    return render(request, "insight/party360.html", context)


def party_panel(request: HttpRequest, party) -> dict | None:
    """A link from the party's page to its 360° view; it reads nothing, so the party's page keeps its
    queries."""
    if not request.user.has_perm("parties.view_party"):
        return None
    return {"template": "insight/party360_panel.html", "party": party}


urlpatterns = [
    path("parties/<id:party_id>/", party_360, name="party_360"),
]

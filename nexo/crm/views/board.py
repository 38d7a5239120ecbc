"""The pipeline board: a column per active stage, a card per opportunity; moving a card changes its stage."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.permissions import page
from nexo.core.rules import round_money
from nexo.core.validation import record_id
from nexo.crm import queries, rules, services
from nexo.crm.models import Activity, Opportunity, Stage

# Won and lost columns would grow forever: they show what closed recently.
CLOSED_RECENTLY_DAYS = 30
ACTIVITY_KINDS = dict(Activity.Kind.choices)


@dataclass
class BoardFilters:
    """What the filter form asked for; what could not be understood is dropped and said in `problems`."""

    owner_id: int | None = None
    close_from: date | None = None
    close_to: date | None = None
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_query(cls, params: QueryDict, *, may_pick_owner: bool) -> "BoardFilters":
        filters = cls()
        owner = params.get("owner", "").strip()
        if owner and may_pick_owner:
            filters.owner_id = record_id(owner)
            if filters.owner_id is None:
                filters.problems.append(_("Unknown owner; showing everyone's opportunities."))
        filters.close_from = filters._date(params.get("close_from", ""))
        filters.close_to = filters._date(params.get("close_to", ""))
        return filters

    def _date(self, value: str) -> date | None:
        value = value.strip()
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problems.append(
                _("“%(value)s” is not a date: that close date filter was ignored.") % {"value": value[:40]}
            )
            return None

    def apply(self, opportunities: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
        if self.owner_id is not None:
            opportunities = opportunities.filter(owner_id=self.owner_id)
        if self.close_from is not None:
            opportunities = opportunities.filter(expected_close__gte=self.close_from)
        if self.close_to is not None:
            opportunities = opportunities.filter(expected_close__lte=self.close_to)
        return opportunities

    def query_string(self) -> str:
        """The filters in effect, to carry through a move and back to the board."""
        params = QueryDict(mutable=True)
        if self.owner_id is not None:
            params["owner"] = str(self.owner_id)
        if self.close_from is not None:
            params["close_from"] = self.close_from.isoformat()
        if self.close_to is not None:
            params["close_to"] = self.close_to.isoformat()
        return params.urlencode()

    @property
    def is_filtered(self) -> bool:
        return any(value is not None for value in (self.owner_id, self.close_from, self.close_to))


@dataclass
class Column:
    stage: Stage
    previous: Stage | None
    next: Stage | None
    cards: list[Opportunity] = field(default_factory=list)

    @property
    def is_closing(self) -> bool:
        return self.stage.kind != Stage.Kind.OPEN

    @property
    def count(self) -> int:
        return len(self.cards)

    @property
    def total(self) -> Decimal:
        return round_money(sum((card.amount for card in self.cards), Decimal(0)))

    @property
    def weighted(self) -> Decimal:
        exact = sum((rules.weighted(card.amount, card.probability) for card in self.cards), Decimal(0))
        return round_money(exact)


def _columns(request: HttpRequest, filters: BoardFilters) -> list[Column]:
    """One query for the stages and one for the cards, whatever their number."""
    stages = queries.pipeline_stages(request.company)
    columns = {
        stage.pk: Column(
            stage=stage,
            previous=stages[index - 1] if index > 0 else None,
            next=stages[index + 1] if index + 1 < len(stages) else None,
        )
        for index, stage in enumerate(stages)
    }
    now = timezone.now()
    today = timezone.localdate(now)
    visible = queries.opportunities_visible_to(request.user, request.company)
    opportunities = (
        queries.with_next_activity(filters.apply(visible))
        .filter(stage__in=list(columns))
        .filter(
            Q(status=Opportunity.Status.OPEN) | Q(closed_on__gte=today - timedelta(days=CLOSED_RECENTLY_DAYS))
        )
        .select_related("party", "owner")
    )
    for opportunity in opportunities:
        opportunity.is_open = opportunity.status == Opportunity.Status.OPEN
        opportunity.is_overdue = opportunity.is_open and opportunity.expected_close < today
        opportunity.next_activity_kind_label = ACTIVITY_KINDS.get(opportunity.next_activity_kind, "")
        opportunity.next_activity_overdue = (
            opportunity.next_activity_due is not None and opportunity.next_activity_due < now
        )
        columns[opportunity.stage_id].cards.append(opportunity)
    return list(columns.values())


def _context(request: HttpRequest, filters: BoardFilters, notices: list[tuple[str, str]]) -> dict:
    sees_everyone = queries.sees_everyone(request.user)
    query = filters.query_string()
    return {
        "title": _("Pipeline"),
        "columns": _columns(request, filters),
        "filters": filters,
        "show_owner_filter": sees_everyone,
        "owners": queries.sales_users(request.company) if sees_everyone else [],
        "move_query": f"?{query}" if query else "",
        "notices": [("error", problem) for problem in filters.problems] + notices,
        "closed_recently_days": CLOSED_RECENTLY_DAYS,
    }


def _filters(request: HttpRequest) -> BoardFilters:
    return BoardFilters.from_query(request.GET, may_pick_owner=queries.sees_everyone(request.user))


def _fragment(request: HttpRequest, filters: BoardFilters, notices: list[tuple[str, str]]) -> HttpResponse:
    """The board area and the status line (out of band), for HTMX to swap in place."""
    return render(request, "crm/_board_fragment.html", _context(request, filters, notices))


@page("crm.view_opportunity")
def board(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        response = _fragment(request, filters, [])
    else:
        response = render(request, "crm/board.html", _context(request, filters, []))
    patch_vary_headers(response, ["HX-Request"])
    return response


@page("crm.change_opportunity")
@require_POST
def board_move(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    filters = _filters(request)
    opportunity = queries.opportunity_for(request.user, request.company, opportunity_id)
    stage_id = record_id(request.POST.get("stage", ""))
    level, notice = "success", ""
    if stage_id is None:
        level, notice = "error", _("Choose the stage to move the opportunity to.")
    else:
        try:
            moved = services.opportunity_move(
                company=request.company, opportunity_id=opportunity.pk, stage_id=stage_id, by=request.user
            )
        except ValidationFailed as failure:
            if "reason" in failure.field_messages():
                return _to_lose_form(request, opportunity)
            level, notice = "error", failure.detail
        except DomainError as error:
            level, notice = "error", error.detail
        else:
            notice = _("“%(title)s” moved to %(stage)s.") % {"title": moved.title, "stage": moved.stage.name}
    if request.htmx:
        return _fragment(request, filters, [(level, notice)])
    messages.add_message(request, messages.SUCCESS if level == "success" else messages.ERROR, notice)
    query = filters.query_string()
    return redirect(reverse("crm:board") + (f"?{query}" if query else ""))


def _to_lose_form(request: HttpRequest, opportunity: Opportunity) -> HttpResponse:
    """Losing needs a reason: the opportunity's page has the form that asks for it."""
    messages.info(
        request,
        _("To mark “%(title)s” as lost, say why on its page.") % {"title": opportunity.title},
    )
    url = reverse("crm:opportunity_view", args=[opportunity.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)

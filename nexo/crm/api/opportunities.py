"""/opportunities: list, create, read, change, and the stage moves (move, win, lose, reopen) with their
history."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema

from nexo.core.api import (
    Endpoints,
    Id,
    Limit,
    Offset,
    PercentIn,
    QueryId,
    RecordId,
    SafeText,
    StrictSchema,
    page_of,
)
from nexo.core.errors import NotFound
from nexo.crm import queries, services
from nexo.crm.api.schemas import MoneyIn, OpportunityOut, OpportunityStatus, Source, Title
from nexo.crm.models import Opportunity, StageChange

endpoints = Endpoints()

Notes = Annotated[str, Field(max_length=5000)]


class OpportunityIn(StrictSchema):
    party_id: Id
    title: Title
    owner_id: Id | None = Field(None, description="Defaults to the user making the request")
    stage_id: Id | None = Field(None, description="An open stage; defaults to the pipeline's first")
    amount: MoneyIn = Decimal("0.00")
    probability: PercentIn | None = Field(None, description="Defaults to the stage's probability")
    expected_close: date
    source: Source = "other"
    notes: Notes = ""


class OpportunityPatch(StrictSchema):
    """The details; the stage changes only through /move, /win, /lose and /reopen."""

    # Fields left out keep their value; none of them may be null.
    party_id: Id = None
    title: Title = None
    owner_id: Id = None
    amount: MoneyIn = None
    probability: PercentIn = None
    expected_close: date = None
    source: Source = None
    notes: Notes = None


class OpportunityList(Schema):
    count: int
    items: list[OpportunityOut]


class MoveIn(StrictSchema):
    stage_id: Id = Field(description="An active stage; a won stage wins the opportunity")


class WinIn(StrictSchema):
    amount: MoneyIn | None = Field(None, description="The amount won, when it differs from the expected one")


class LoseIn(StrictSchema):
    reason: Annotated[str, Field(max_length=500, description="Why it was lost (required, not blank)")]


class ReopenIn(StrictSchema):
    stage_id: Id | None = Field(None, description="An open stage; defaults to the pipeline's first")


class StageChangeOut(Schema):
    id: int
    from_stage_id: int | None
    from_stage_name: str | None = Field(description="null for the stage it was created in")
    to_stage_id: int
    to_stage_name: str
    by_username: str | None
    at: datetime
    note: str


OPPORTUNITY_ORDERINGS = (
    "expected_close", "-expected_close", "amount", "-amount", "created_at", "-created_at", "title", "-title",
)  # fmt: skip


def _readable(queryset: QuerySet[Opportunity]) -> QuerySet[Opportunity]:
    # Names as columns of the same query (no N+1), so fresh rows and stored Idempotency-Key answers
    # validate alike.
    return queries.with_next_activity(queryset).annotate(
        party_name=F("party__name"), owner_username=F("owner__username"), stage_name=F("stage__name")
    )


def _visible(request: HttpRequest, opportunity_id: int) -> None:
    """404 unless the user may see the opportunity: a salesperson sees their own, a manager all."""
    queries.opportunity_for(request.user, request.company, opportunity_id)


def opportunity_out(request: HttpRequest, opportunity_id: int) -> Opportunity:
    """The opportunity as OpportunityOut shows it.

    After a change the user was allowed to make (handing it to a colleague, say) the answer shows the
    result, even when the opportunity is no longer theirs to see."""
    opportunity = (
        _readable(Opportunity.objects.filter(company=request.company)).filter(pk=opportunity_id).first()
    )
    if opportunity is None:
        raise NotFound(_("No such opportunity."))
    return opportunity


@endpoints.get(
    "/opportunities",
    OpportunityList,
    perm="crm.view_opportunity",
    summary="List and search opportunities",
    description="A salesperson sees their own opportunities; a manager sees everyone's. "
    "`q` searches the title and the party's name.",
)
def opportunity_list(
    request: HttpRequest,
    q: Annotated[str, Field(max_length=100), SafeText] = "",
    status: OpportunityStatus | None = None,
    stage_id: QueryId = None,
    owner_id: QueryId = None,
    party_id: QueryId = None,
    close_from: date | None = None,
    close_to: date | None = None,
    ordering: Literal[OPPORTUNITY_ORDERINGS] = "expected_close",  # type: ignore[valid-type]
    limit: Limit = 50,
    offset: Offset = 0,
):
    queryset = queries.opportunities_visible_to(request.user, request.company)
    for word in q.split():
        queryset = queryset.filter(Q(title__icontains=word) | Q(party__name__icontains=word))
    filters = {
        "status": status, "stage_id": stage_id, "owner_id": owner_id, "party_id": party_id,
        "expected_close__gte": close_from, "expected_close__lte": close_to,
    }  # fmt: skip
    queryset = queryset.filter(**{name: value for name, value in filters.items() if value is not None})
    count, items = page_of(_readable(queryset).order_by(ordering, "pk"), limit=limit, offset=offset)
    return {"count": count, "items": items}


@endpoints.post(
    "/opportunities",
    OpportunityOut,
    perm="crm.add_opportunity",
    idempotent=True,
    read=opportunity_out,
    summary="Create an opportunity",
    description="It starts in the given open stage or the pipeline's first, with that stage's probability "
    "unless one is given.",
)
def opportunity_create(request: HttpRequest, payload: OpportunityIn):
    return services.opportunity_create(
        company=request.company, by=request.user, **payload.model_dump(exclude_none=True)
    ).pk


@endpoints.get(
    "/opportunities/{opportunity_id}",
    OpportunityOut,
    perm="crm.view_opportunity",
    visible=_visible,
    summary="Read an opportunity",
)
def opportunity_read(request: HttpRequest, opportunity_id: RecordId):
    return opportunity_out(request, opportunity_id)


@endpoints.patch(
    "/opportunities/{opportunity_id}",
    OpportunityOut,
    perm="crm.change_opportunity",
    visible=_visible,
    read=opportunity_out,
    summary="Change an opportunity's details",
    description="Not its stage: use /move, /win, /lose and /reopen. A won opportunity keeps everything "
    "but its notes (409).",
)
def opportunity_update(request: HttpRequest, opportunity_id: RecordId, payload: OpportunityPatch):
    return services.opportunity_update(
        company=request.company,
        opportunity_id=opportunity_id,
        by=request.user,
        **payload.model_dump(exclude_unset=True),
    ).pk


@endpoints.post(
    "/opportunities/{opportunity_id}/move",
    OpportunityOut,
    perm="crm.change_opportunity",
    visible=_visible,
    read=opportunity_out,
    renames={"reason": "stage_id"},  # a lost stage needs /lose and its reason
    summary="Move an opportunity to another stage",
    description="A won stage wins it (as /win); a lost stage is refused (use /lose with a reason); "
    "a won opportunity never moves and a lost one must be reopened first (409).",
)
def opportunity_move(request: HttpRequest, opportunity_id: RecordId, payload: MoveIn):
    return services.opportunity_move(
        company=request.company, opportunity_id=opportunity_id, stage_id=payload.stage_id, by=request.user
    ).pk


@endpoints.post(
    "/opportunities/{opportunity_id}/win",
    OpportunityOut,
    perm="crm.change_opportunity",
    visible=_visible,
    read=opportunity_out,
    summary="Mark an opportunity won",
    description="409 when it is already won, when it is lost (reopen it first) or while another module "
    "objects (an open quotation).",
)
def opportunity_win(request: HttpRequest, opportunity_id: RecordId, payload: WinIn | None = None):
    return services.opportunity_win(
        company=request.company,
        opportunity_id=opportunity_id,
        by=request.user,
        amount=(payload or WinIn()).amount,
    ).pk


@endpoints.post(
    "/opportunities/{opportunity_id}/lose",
    OpportunityOut,
    perm="crm.change_opportunity",
    visible=_visible,
    read=opportunity_out,
    summary="Mark an opportunity lost, saying why",
    description="422 without a reason; 409 when it is won or already lost.",
)
def opportunity_lose(request: HttpRequest, opportunity_id: RecordId, payload: LoseIn):
    return services.opportunity_lose(
        company=request.company, opportunity_id=opportunity_id, by=request.user, reason=payload.reason
    ).pk


@endpoints.post(
    "/opportunities/{opportunity_id}/reopen",
    OpportunityOut,
    perm="crm.change_opportunity",
    visible=_visible,
    read=opportunity_out,
    summary="Reopen a lost opportunity",
    description="Back to the given open stage or the pipeline's first; only a lost opportunity (409).",
)
def opportunity_reopen(request: HttpRequest, opportunity_id: RecordId, payload: ReopenIn | None = None):
    return services.opportunity_reopen(
        company=request.company,
        opportunity_id=opportunity_id,
        by=request.user,
        stage_id=(payload or ReopenIn()).stage_id,
    ).pk


@endpoints.get(
    "/opportunities/{opportunity_id}/stage-changes",
    list[StageChangeOut],
    perm="crm.view_opportunity",
    visible=_visible,
    summary="An opportunity's stage history, newest first",
)
def opportunity_stage_changes(request: HttpRequest, opportunity_id: RecordId):
    return list(
        StageChange.objects.filter(opportunity_id=opportunity_id)
        .annotate(
            from_stage_name=F("from_stage__name"),
            to_stage_name=F("to_stage__name"),
            by_username=F("by__username"),
        )
        .order_by("-at", "-id")
    )

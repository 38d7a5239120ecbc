"""CRM API: /opportunities (with move, win, lose, reopen), /stages, /activities, /leads, /forecast."""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import AfterValidator, AwareDatetime

from nexo.core.api import (
    ERROR_RESPONSES,
    Id,
    Limit,
    Offset,
    Problem,
    ProblemField,
    QueryId,
    RecordId,
    SafeText,
    StrictSchema,
    decimal_in,
    decimal_out,
    fields_renamed,
    idempotent,
    page_of,
    require_perm,
)
from nexo.core.errors import NotFound, ValidationFailed
from nexo.crm import queries, rules, services
from nexo.crm.models import Activity, Opportunity, Stage, StageChange

router = Router(tags=["crm"])


MoneyIn = decimal_in(
    max_digits=14, places=2, ge=0, pattern=r"^\d{1,12}(\.\d{1,2})?$", example="1234.50",
    about="Amount in the company's currency, a decimal string ≥ 0 with up to 2 decimals.",
)  # fmt: skip
PercentIn = decimal_in(
    max_digits=5, places=2, ge=0, le=100, pattern=r"^\d{1,3}(\.\d{1,2})?$", example="25.00",
    about="Percentage 0 to 100, a decimal string with up to 2 decimals.",
)  # fmt: skip
MoneyOut = decimal_out(2, example="1234.50", about="Amount, a decimal string with 2 decimals.")
PercentOut = decimal_out(2, example="25.00", about="Percentage 0 to 100, a decimal string.")


def _storable_instant(value: datetime) -> datetime:
    try:  # Stored in UTC: an offset that pushes year 1 or 9999 out of range is bad input, not a crash.
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError("must be a date and time between the years 1 and 9999") from None
    return value


Instant = Annotated[AwareDatetime, AfterValidator(_storable_instant)]
Title = Annotated[str, Field(min_length=1, max_length=200)]
Notes = Annotated[str, Field(max_length=5000)]
Source = Literal[tuple(Opportunity.Source.values)]  # type: ignore[valid-type]
ActivityKind = Literal[tuple(Activity.Kind.values)]  # type: ignore[valid-type]
StageName = Annotated[str, Field(min_length=1, max_length=60)]
Sequence = Annotated[int, Field(ge=0, le=32767)]

# The services name the records they resolve ("party"); the API's fields are the ids ("party_id").
ID_FIELDS = {"party": "party_id", "owner": "owner_id", "stage": "stage_id", "opportunity": "opportunity_id"}


def _fields_named(renames: dict[str, str]):
    # A duplicate lead keeps its own error (with the existing party's id) as it is.
    return fields_renamed(renames, untouched=(services.DuplicateParty,))


# Stages


class StageIn(StrictSchema):
    name: StageName
    probability: PercentIn
    kind: Literal["open", "won", "lost"] = "open"
    sequence: Sequence = 100
    is_active: bool = True


class StagePatch(StrictSchema):
    # Fields left out keep their value; none of them may be null.
    name: StageName = None
    probability: PercentIn = None
    sequence: Sequence = None
    is_active: bool = None


class StageOut(Schema):
    id: int
    name: str
    sequence: int
    probability: PercentOut = Field(description="Default probability of an opportunity in this stage")
    kind: str = Field(description="open, won or lost: what entering the stage does to the opportunity")
    is_active: bool


class StageList(Schema):
    count: int
    items: list[StageOut]


@router.get("/stages", response={200: StageList, **ERROR_RESPONSES}, summary="List the pipeline's stages")
def stage_list(
    request: HttpRequest,
    is_active: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    require_perm(request, "crm.view_stage")
    services.stages_ensure_defaults(company=request.company)
    queryset = Stage.objects.filter(company=request.company).order_by("sequence", "id")
    if is_active is not None:
        queryset = queryset.filter(is_active=is_active)
    count, items = page_of(queryset, limit=limit, offset=offset)
    return {"count": count, "items": items}


@router.post("/stages", response={201: StageOut, **ERROR_RESPONSES}, summary="Add a stage to the pipeline")
def stage_create(request: HttpRequest, payload: StageIn):
    require_perm(request, "crm.add_stage")

    def create() -> dict:
        stage = services.stage_create(company=request.company, by=request.user, **payload.model_dump())
        return StageOut.from_orm(stage).model_dump(mode="json")

    return idempotent(request, create)


@router.patch(
    "/stages/{stage_id}",
    response={200: StageOut, **ERROR_RESPONSES},
    summary="Change a stage (its kind stays: open, won or lost)",
)
def stage_update(request: HttpRequest, stage_id: RecordId, payload: StagePatch):
    require_perm(request, "crm.change_stage")
    return services.stage_update(
        company=request.company, stage_id=stage_id, by=request.user, **payload.model_dump(exclude_unset=True)
    )


# Opportunities


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


class NextActivityOut(Schema):
    subject: str
    kind: str
    due_at: datetime


class OpportunityOut(Schema):
    id: int
    title: str
    party_id: int
    party_name: str
    owner_id: int
    owner_username: str
    stage_id: int
    stage_name: str
    status: Literal["open", "won", "lost"]
    amount: MoneyOut
    probability: PercentOut
    expected_close: date
    source: str
    notes: str
    lost_reason: str
    closed_on: date | None
    next_activity: NextActivityOut | None = Field(description="The earliest pending activity, or null")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_next_activity(opportunity) -> dict | None:
        if isinstance(opportunity, dict):  # an answer stored for an Idempotency-Key, replayed as it was
            return opportunity.get("next_activity")
        if opportunity.next_activity_subject is None:
            return None
        return {
            "subject": opportunity.next_activity_subject,
            "kind": opportunity.next_activity_kind,
            "due_at": opportunity.next_activity_due,
        }


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


def _opportunity(request: HttpRequest, opportunity_id: int) -> Opportunity:
    # After a change the user was allowed to make (handing it to a colleague, say) the answer shows the
    # result, even when the opportunity is no longer theirs to see.
    opportunity = (
        _readable(Opportunity.objects.filter(company=request.company)).filter(pk=opportunity_id).first()
    )
    if opportunity is None:
        raise NotFound(_("No such opportunity."))
    return opportunity


def _opportunity_json(request: HttpRequest, opportunity_id: int) -> dict:
    return OpportunityOut.from_orm(_opportunity(request, opportunity_id)).model_dump(mode="json")


@router.get(
    "/opportunities",
    response={200: OpportunityList, **ERROR_RESPONSES},
    summary="List and search opportunities",
    description="A salesperson sees their own opportunities; a manager sees everyone's. "
    "`q` searches the title and the party's name.",
)
def opportunity_list(
    request: HttpRequest,
    q: Annotated[str, Field(max_length=100), SafeText] = "",
    status: Literal["open", "won", "lost"] | None = None,
    stage_id: QueryId = None,
    owner_id: QueryId = None,
    party_id: QueryId = None,
    close_from: date | None = None,
    close_to: date | None = None,
    ordering: Literal[OPPORTUNITY_ORDERINGS] = "expected_close",  # type: ignore[valid-type]
    limit: Limit = 50,
    offset: Offset = 0,
):
    require_perm(request, "crm.view_opportunity")
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


@router.post(
    "/opportunities",
    response={201: OpportunityOut, **ERROR_RESPONSES},
    summary="Create an opportunity",
    description="It starts in the given open stage or the pipeline's first, with that stage's probability "
    "unless one is given. Accepts an `Idempotency-Key` header.",
)
def opportunity_create(request: HttpRequest, payload: OpportunityIn):
    require_perm(request, "crm.add_opportunity")

    def create() -> dict:
        with _fields_named(ID_FIELDS):
            opportunity = services.opportunity_create(
                company=request.company, by=request.user, **payload.model_dump(exclude_none=True)
            )
        return _opportunity_json(request, opportunity.pk)

    return idempotent(request, create)


@router.get(
    "/opportunities/{opportunity_id}",
    response={200: OpportunityOut, **ERROR_RESPONSES},
    summary="Read an opportunity",
)
def opportunity_read(request: HttpRequest, opportunity_id: RecordId):
    require_perm(request, "crm.view_opportunity")
    _visible(request, opportunity_id)
    return _opportunity(request, opportunity_id)


@router.patch(
    "/opportunities/{opportunity_id}",
    response={200: OpportunityOut, **ERROR_RESPONSES},
    summary="Change an opportunity's details",
    description="Not its stage: use /move, /win, /lose and /reopen. A won opportunity keeps everything "
    "but its notes (409).",
)
def opportunity_update(request: HttpRequest, opportunity_id: RecordId, payload: OpportunityPatch):
    require_perm(request, "crm.change_opportunity")
    _visible(request, opportunity_id)
    with _fields_named(ID_FIELDS):
        services.opportunity_update(
            company=request.company,
            opportunity_id=opportunity_id,
            by=request.user,
            **payload.model_dump(exclude_unset=True),
        )
    return _opportunity(request, opportunity_id)


@router.post(
    "/opportunities/{opportunity_id}/move",
    response={200: OpportunityOut, **ERROR_RESPONSES},
    summary="Move an opportunity to another stage",
    description="A won stage wins it (as /win); a lost stage is refused (use /lose with a reason); "
    "a won opportunity never moves and a lost one must be reopened first (409).",
)
def opportunity_move(request: HttpRequest, opportunity_id: RecordId, payload: MoveIn):
    require_perm(request, "crm.change_opportunity")
    _visible(request, opportunity_id)
    with _fields_named({**ID_FIELDS, "reason": "stage_id"}):
        services.opportunity_move(
            company=request.company, opportunity_id=opportunity_id, stage_id=payload.stage_id, by=request.user
        )
    return _opportunity(request, opportunity_id)


@router.post(
    "/opportunities/{opportunity_id}/win",
    response={200: OpportunityOut, **ERROR_RESPONSES},
    summary="Mark an opportunity won",
    description="409 when it is already won, when it is lost (reopen it first) or while another module "
    "objects (an open quotation).",
)
def opportunity_win(request: HttpRequest, opportunity_id: RecordId, payload: WinIn | None = None):
    require_perm(request, "crm.change_opportunity")
    _visible(request, opportunity_id)
    services.opportunity_win(
        company=request.company,
        opportunity_id=opportunity_id,
        by=request.user,
        amount=(payload or WinIn()).amount,
    )
    return _opportunity(request, opportunity_id)


@router.post(
    "/opportunities/{opportunity_id}/lose",
    response={200: OpportunityOut, **ERROR_RESPONSES},
    summary="Mark an opportunity lost, saying why",
    description="422 without a reason; 409 when it is won or already lost.",
)
def opportunity_lose(request: HttpRequest, opportunity_id: RecordId, payload: LoseIn):
    require_perm(request, "crm.change_opportunity")
    _visible(request, opportunity_id)
    services.opportunity_lose(
        company=request.company, opportunity_id=opportunity_id, by=request.user, reason=payload.reason
    )
    return _opportunity(request, opportunity_id)


@router.post(
    "/opportunities/{opportunity_id}/reopen",
    response={200: OpportunityOut, **ERROR_RESPONSES},
    summary="Reopen a lost opportunity",
    description="Back to the given open stage or the pipeline's first; only a lost opportunity (409).",
)
def opportunity_reopen(request: HttpRequest, opportunity_id: RecordId, payload: ReopenIn | None = None):
    require_perm(request, "crm.change_opportunity")
    _visible(request, opportunity_id)
    with _fields_named(ID_FIELDS):
        services.opportunity_reopen(
            company=request.company,
            opportunity_id=opportunity_id,
            by=request.user,
            stage_id=(payload or ReopenIn()).stage_id,
        )
    return _opportunity(request, opportunity_id)


@router.get(
    "/opportunities/{opportunity_id}/stage-changes",
    response={200: list[StageChangeOut], **ERROR_RESPONSES},
    summary="An opportunity's stage history, newest first",
)
def opportunity_stage_changes(request: HttpRequest, opportunity_id: RecordId):
    require_perm(request, "crm.view_opportunity")
    _visible(request, opportunity_id)
    return list(
        StageChange.objects.filter(opportunity_id=opportunity_id)
        .annotate(
            from_stage_name=F("from_stage__name"),
            to_stage_name=F("to_stage__name"),
            by_username=F("by__username"),
        )
        .order_by("-at", "-id")
    )


# Quick lead capture


class LeadIn(StrictSchema):
    name: Annotated[str, Field(min_length=1, max_length=200, description="The organisation or person")]
    contact_name: Annotated[str, Field(max_length=200)] = ""
    email: Annotated[str, Field(max_length=254)] = ""
    phone: Annotated[str, Field(max_length=40)] = ""
    need: Annotated[str, Field(max_length=5000, description="What they need: the opportunity's title")] = ""
    source: Source = "other"
    tax_id: Annotated[str, Field(max_length=40)] = ""
    kind: Literal["organisation", "person"] = "organisation"
    owner_id: Id | None = Field(None, description="Defaults to the user making the request")
    amount: MoneyIn | None = None
    expected_close: date | None = Field(None, description="Defaults to 30 days from today")


class DuplicateField(ProblemField):
    party_id: int | None = Field(None, description="The party that already exists (a duplicate lead)")


class LeadProblem(Problem):
    errors: list[DuplicateField] = []


LEAD_FIELDS = {
    **ID_FIELDS,
    "contacts.0.name": "contact_name", "contacts.0.email": "email", "contacts.0.phone": "phone",
    "title": "need", "notes": "need",
}  # fmt: skip


@router.post(
    "/leads",
    response={201: OpportunityOut, **ERROR_RESPONSES, 422: LeadProblem},
    summary="Capture a lead: a new lead party and an opportunity in the first stage",
    description="A lead whose tax id or e-mail already belongs to a party of the company is refused with "
    "422: the error on `tax_id` or `email` carries that party's `party_id`, and the detail names it. "
    "Accepts an `Idempotency-Key` header.",
)
def lead_capture(request: HttpRequest, payload: LeadIn):
    require_perm(request, "crm.add_opportunity", "parties.add_party")

    def create() -> dict:
        try:
            with _fields_named(LEAD_FIELDS):
                opportunity = services.lead_capture(
                    company=request.company, by=request.user, **payload.model_dump()
                )
        except services.DuplicateParty as duplicate:
            party = duplicate.party
            message = f"{duplicate.detail} Existing party: {party.name} (id {party.pk})."
            field = duplicate.errors[0]["field"] if duplicate.errors else "name"
            raise ValidationFailed(
                message, errors=[{"field": field, "message": message, "party_id": party.pk}]
            ) from duplicate
        return _opportunity_json(request, opportunity.pk)

    return idempotent(request, create)


# Activities


class ActivityIn(StrictSchema):
    kind: ActivityKind = "call"
    subject: Title
    party_id: Id | None = Field(None, description="Defaults to the opportunity's party")
    opportunity_id: Id | None = None
    due_at: Instant
    owner_id: Id | None = Field(None, description="Defaults to the user making the request")
    outcome: Annotated[str, Field(max_length=2000)] = ""


class ActivityPatch(StrictSchema):
    # Fields left out keep their value; only the party or the opportunity may be set to null.
    kind: ActivityKind = None
    subject: Title = None
    party_id: Id | None = None
    opportunity_id: Id | None = None
    due_at: Instant = None
    owner_id: Id = None
    outcome: Annotated[str, Field(max_length=2000)] = None


class CompleteIn(StrictSchema):
    outcome: Annotated[str, Field(max_length=2000)] = ""
    done: bool = Field(True, description="false undoes it")


class ActivityOut(Schema):
    id: int
    kind: str
    subject: str
    party_id: int | None
    party_name: str | None
    opportunity_id: int | None
    opportunity_title: str | None
    due_at: datetime
    owner_id: int
    owner_username: str
    done: bool
    done_at: datetime | None
    outcome: str
    created_at: datetime
    updated_at: datetime


class ActivityList(Schema):
    count: int
    items: list[ActivityOut]


def _readable_activities(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
    return queryset.annotate(
        party_name=F("party__name"),
        opportunity_title=F("opportunity__title"),
        owner_username=F("owner__username"),
    )


def _activity(request: HttpRequest, activity_id: int) -> Activity:
    activity = (
        _readable_activities(Activity.objects.filter(company=request.company)).filter(pk=activity_id).first()
    )
    if activity is None:
        raise NotFound(_("No such activity."))
    return activity


def _activity_visible(request: HttpRequest, activity_id: int) -> None:
    if not queries.activities_visible_to(request.user, request.company).filter(pk=activity_id).exists():
        raise NotFound(_("No such activity."))


@router.get(
    "/activities",
    response={200: ActivityList, **ERROR_RESPONSES},
    summary="List activities",
    description="A salesperson sees their own activities and those on their opportunities. `overdue` means "
    "pending and due before now; `due_from`/`due_to` are days.",
)
def activity_list(
    request: HttpRequest,
    owner_id: QueryId = None,
    opportunity_id: QueryId = None,
    party_id: QueryId = None,
    done: bool | None = None,
    overdue: bool | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    ordering: Literal["due_at", "-due_at"] = "due_at",
    limit: Limit = 50,
    offset: Offset = 0,
):
    require_perm(request, "crm.view_activity")
    queryset = queries.activities_visible_to(request.user, request.company)
    filters = {
        "owner_id": owner_id, "opportunity_id": opportunity_id, "party_id": party_id, "done": done,
        "due_at__date__gte": due_from, "due_at__date__lte": due_to,
    }  # fmt: skip
    queryset = queryset.filter(**{name: value for name, value in filters.items() if value is not None})
    if overdue is not None:
        late = Q(done=False, due_at__lt=timezone.now())
        queryset = queryset.filter(late if overdue else ~late)
    count, items = page_of(
        _readable_activities(queryset).order_by(ordering, "pk"), limit=limit, offset=offset
    )
    return {"count": count, "items": items}


@router.post(
    "/activities",
    response={201: ActivityOut, **ERROR_RESPONSES},
    summary="Plan an activity on a party or an opportunity",
    description="`due_at` is required, with its time zone. Accepts an `Idempotency-Key` header.",
)
def activity_create(request: HttpRequest, payload: ActivityIn):
    require_perm(request, "crm.add_activity")
    queries.check_opportunity_visible(request.user, request.company, payload.opportunity_id)

    def create() -> dict:
        with _fields_named(ID_FIELDS):
            activity = services.activity_create(
                company=request.company, by=request.user, **payload.model_dump(exclude_none=True)
            )
        return ActivityOut.from_orm(_activity(request, activity.pk)).model_dump(mode="json")

    return idempotent(request, create)


@router.patch(
    "/activities/{activity_id}", response={200: ActivityOut, **ERROR_RESPONSES}, summary="Change an activity"
)
def activity_update(request: HttpRequest, activity_id: RecordId, payload: ActivityPatch):
    require_perm(request, "crm.change_activity")
    _activity_visible(request, activity_id)
    fields = payload.model_dump(exclude_unset=True)
    queries.check_opportunity_visible(request.user, request.company, fields.get("opportunity_id"))
    with _fields_named(ID_FIELDS):
        services.activity_update(company=request.company, activity_id=activity_id, by=request.user, **fields)
    return _activity(request, activity_id)


@router.post(
    "/activities/{activity_id}/complete",
    response={200: ActivityOut, **ERROR_RESPONSES},
    summary="Mark an activity done with its outcome (or not done, with done=false)",
)
def activity_complete(request: HttpRequest, activity_id: RecordId, payload: CompleteIn | None = None):
    require_perm(request, "crm.change_activity")
    _activity_visible(request, activity_id)
    payload = payload or CompleteIn()
    services.activity_complete(
        company=request.company,
        activity_id=activity_id,
        by=request.user,
        outcome=payload.outcome,
        done=payload.done,
    )
    return _activity(request, activity_id)


@router.delete(
    "/activities/{activity_id}", response={204: None, **ERROR_RESPONSES}, summary="Delete an activity"
)
def activity_delete(request: HttpRequest, activity_id: RecordId):
    require_perm(request, "crm.delete_activity")
    _activity_visible(request, activity_id)
    services.activity_delete(company=request.company, activity_id=activity_id, by=request.user)
    return Status(204, None)


# Forecast


class ForecastFigures(Schema):
    weighted: MoneyOut = Field(description="Sum of amount * probability %")
    best_case: MoneyOut = Field(description="Sum of the amounts")
    count: int = Field(description="Open opportunities counted")


class ForecastCellOut(ForecastFigures):
    month: str = Field(description="YYYY-MM of the expected close")
    owner: str = Field(description="The owner's username")


class ForecastMonthOut(ForecastFigures):
    month: str


class ForecastOwnerOut(ForecastFigures):
    owner: str


class ForecastOut(Schema):
    as_of: date
    months: list[str]
    owners: list[str]
    cells: list[ForecastCellOut] = Field(description="One per month and owner with open opportunities")
    by_month: list[ForecastMonthOut]
    by_owner: list[ForecastOwnerOut]
    total: ForecastFigures
    won_this_month: MoneyOut = Field(description="Amount won since the first of this month")
    won_this_quarter: MoneyOut = Field(description="Amount won since the quarter began")


def _figures(cell: rules.ForecastCell) -> dict:
    return {"weighted": cell.weighted, "best_case": cell.best_case, "count": cell.count}


@router.get(
    "/forecast",
    response={200: ForecastOut, **ERROR_RESPONSES},
    summary="Forecast of the open opportunities by expected close month and owner",
    description="Weighted is amount * probability %; best case is the amount. Each figure is its exact sum "
    "rounded half-up once, so a total may differ by a cent from the sum of the rounded cells it covers. "
    "A salesperson's forecast covers their own opportunities.",
)
def forecast(request: HttpRequest, owner_id: QueryId = None):
    require_perm(request, "crm.view_opportunity")
    figures = rules.forecast(queries.forecast_lines(request.user, request.company, owner_id=owner_id))
    today = timezone.localdate()

    def won_since(start: date) -> Decimal:
        won = queries.won_between(request.user, request.company, start, today, owner_id=owner_id)
        return won["amount"] or Decimal(0)

    return {
        "as_of": today,
        "months": figures.months,
        "owners": figures.owners,
        "cells": [
            {"month": month, "owner": owner, **_figures(cell)}
            for (month, owner), cell in sorted(figures.cells.items())
        ],
        "by_month": [{"month": month, **_figures(figures.by_month[month])} for month in figures.months],
        "by_owner": [{"owner": owner, **_figures(figures.by_owner[owner])} for owner in figures.owners],
        "total": _figures(figures.total),
        "won_this_month": won_since(today.replace(day=1)),
        "won_this_quarter": won_since(rules.quarter_start(today)),
    }

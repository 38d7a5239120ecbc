"""/activities: calls, meetings, e-mails and tasks on a party or an opportunity, planned and done."""

from datetime import date, datetime
from typing import Annotated, Literal

from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema

from nexo.core.api import Endpoints, Id, Instant, Limit, Offset, QueryId, RecordId, StrictSchema, page_of
from nexo.core.errors import NotFound
from nexo.crm import queries, services
from nexo.crm.api.schemas import Title
from nexo.crm.models import Activity

endpoints = Endpoints()


ActivityKind = Literal[tuple(Activity.Kind.values)]  # type: ignore[valid-type]
Outcome = Annotated[str, Field(max_length=2000)]


class ActivityIn(StrictSchema):
    kind: ActivityKind = "call"
    subject: Title
    party_id: Id | None = Field(None, description="Defaults to the opportunity's party")
    opportunity_id: Id | None = None
    due_at: Instant
    owner_id: Id | None = Field(None, description="Defaults to the user making the request")
    outcome: Outcome = ""


class ActivityPatch(StrictSchema):
    # Fields left out keep their value; only the party or the opportunity may be set to null.
    kind: ActivityKind = None
    subject: Title = None
    party_id: Id | None = None
    opportunity_id: Id | None = None
    due_at: Instant = None
    owner_id: Id = None
    outcome: Outcome = None


class CompleteIn(StrictSchema):
    outcome: Outcome = ""
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


def _readable(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
    return queryset.annotate(
        party_name=F("party__name"),
        opportunity_title=F("opportunity__title"),
        owner_username=F("owner__username"),
    )


def _activity_out(request: HttpRequest, activity_id: int) -> Activity:
    """The activity as ActivityOut shows it."""
    activity = _readable(Activity.objects.filter(company=request.company)).filter(pk=activity_id).first()
    if activity is None:
        raise NotFound(_("No such activity."))
    return activity


def _visible(request: HttpRequest, activity_id: int) -> None:
    """404 unless the user may see the activity: their own, or one on an opportunity of theirs."""
    if not queries.activities_visible_to(request.user, request.company).filter(pk=activity_id).exists():
        raise NotFound(_("No such activity."))


@endpoints.get(
    "/activities",
    ActivityList,
    perm="crm.view_activity",
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
    queryset = queries.activities_visible_to(request.user, request.company)
    filters = {
        "owner_id": owner_id, "opportunity_id": opportunity_id, "party_id": party_id, "done": done,
        "due_at__date__gte": due_from, "due_at__date__lte": due_to,
    }  # fmt: skip
    queryset = queryset.filter(**{name: value for name, value in filters.items() if value is not None})
    if overdue is not None:
        late = Q(done=False, due_at__lt=timezone.now())
        queryset = queryset.filter(late if overdue else ~late)
    count, items = page_of(_readable(queryset).order_by(ordering, "pk"), limit=limit, offset=offset)
    return {"count": count, "items": items}


@endpoints.post(
    "/activities",
    ActivityOut,
    perm="crm.add_activity",
    idempotent=True,
    read=_activity_out,
    summary="Plan an activity on a party or an opportunity",
    description="`due_at` is required, with its time zone.",
)
def activity_create(request: HttpRequest, payload: ActivityIn):
    queries.check_opportunity_visible(request.user, request.company, payload.opportunity_id)
    return services.activity_create(
        company=request.company, by=request.user, **payload.model_dump(exclude_none=True)
    ).pk


@endpoints.patch(
    "/activities/{activity_id}",
    ActivityOut,
    perm="crm.change_activity",
    visible=_visible,
    read=_activity_out,
    summary="Change an activity",
)
def activity_update(request: HttpRequest, activity_id: RecordId, payload: ActivityPatch):
    fields = payload.model_dump(exclude_unset=True)
    queries.check_opportunity_visible(request.user, request.company, fields.get("opportunity_id"))
    return services.activity_update(
        company=request.company, activity_id=activity_id, by=request.user, **fields
    ).pk


@endpoints.post(
    "/activities/{activity_id}/complete",
    ActivityOut,
    perm="crm.change_activity",
    visible=_visible,
    read=_activity_out,
    summary="Mark an activity done with its outcome (or not done, with done=false)",
)
def activity_complete(request: HttpRequest, activity_id: RecordId, payload: CompleteIn | None = None):
    payload = payload or CompleteIn()
    return services.activity_complete(
        company=request.company,
        activity_id=activity_id,
        by=request.user,
        outcome=payload.outcome,
        done=payload.done,
    ).pk


@endpoints.delete(
    "/activities/{activity_id}",
    None,
    perm="crm.delete_activity",
    visible=_visible,
    summary="Delete an activity",
)
def activity_delete(request: HttpRequest, activity_id: RecordId):
    services.activity_delete(company=request.company, activity_id=activity_id, by=request.user)

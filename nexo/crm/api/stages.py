"""/stages: the pipeline's stages, listed (the defaults made on first sight), added and changed."""

from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Schema

from nexo.core.api import Endpoints, Limit, Offset, PercentIn, PercentOut, RecordId, StrictSchema, page_of
from nexo.crm import services
from nexo.crm.models import Stage

endpoints = Endpoints()

StageName = Annotated[str, Field(min_length=1, max_length=60)]
Sequence = Annotated[int, Field(ge=0, le=32767)]
Kind = Literal[tuple(Stage.Kind.values)]  # type: ignore[valid-type]


class StageIn(StrictSchema):
    name: StageName
    probability: PercentIn
    kind: Kind = "open"
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


@endpoints.get("/stages", StageList, perm="crm.view_stage", summary="List the pipeline's stages")
def stage_list(
    request: HttpRequest,
    is_active: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    services.stages_ensure_defaults(company=request.company)
    queryset = Stage.objects.filter(company=request.company).order_by("sequence", "id")
    if is_active is not None:
        queryset = queryset.filter(is_active=is_active)
    count, items = page_of(queryset, limit=limit, offset=offset)
    return {"count": count, "items": items}


@endpoints.post(
    "/stages", StageOut, perm="crm.add_stage", idempotent=True, summary="Add a stage to the pipeline"
)
def stage_create(request: HttpRequest, payload: StageIn):
    return services.stage_create(company=request.company, by=request.user, **payload.model_dump())


@endpoints.patch(
    "/stages/{stage_id}",
    StageOut,
    perm="crm.change_stage",
    summary="Change a stage (its kind stays: open, won or lost)",
)
def stage_update(request: HttpRequest, stage_id: RecordId, payload: StagePatch):
    return services.stage_update(
        company=request.company, stage_id=stage_id, by=request.user, **payload.model_dump(exclude_unset=True)
    )

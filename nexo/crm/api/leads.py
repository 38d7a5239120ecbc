"""/leads: quick lead capture, a new lead party and its first opportunity in one request."""

from datetime import date
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field

from nexo.core.api import Endpoints, Id, Problem, ProblemField, StrictSchema
from nexo.core.errors import ValidationFailed
from nexo.crm import services
from nexo.crm.api.opportunities import opportunity_out
from nexo.crm.api.schemas import MoneyIn, OpportunityOut, Source


class LeadAddressIn(StrictSchema):
    street: Annotated[str, Field(max_length=200)] = ""
    postal_code: Annotated[str, Field(max_length=16)] = ""
    city: Annotated[str, Field(max_length=100)] = ""
    province: Annotated[str, Field(max_length=100)] = ""
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166 code, e.g. ES")] = "ES"


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
    address: LeadAddressIn | None = Field(
        None,
        description="The party's billing address: optional, but once given street, postal code, city, "
        "country (and province in Spain) are required; errors name `address.street`, …",
    )


class DuplicateField(ProblemField):
    party_id: int | None = Field(None, description="The party that already exists (a duplicate lead)")


class LeadProblem(Problem):
    errors: list[DuplicateField] = []


endpoints = Endpoints()

# The service's names for what LeadIn calls otherwise: the lead's contact, and the need as title or notes.
LEAD_RENAMES = {
    "contacts.0.name": "contact_name", "contacts.0.email": "email", "contacts.0.phone": "phone",
    "title": "need", "notes": "need",
}  # fmt: skip


def _duplicate_problem(duplicate: services.DuplicateParty) -> ValidationFailed:
    """A client has no page to show the party found: the message names it and gives its id."""
    party = duplicate.party
    message = f"{duplicate.detail} Existing party: {party.name} (id {party.pk})."
    field = duplicate.errors[0]["field"] if duplicate.errors else "name"
    others = duplicate.errors[1:]  # the lead's other wrong fields, reported in the same answer
    return ValidationFailed(
        message, errors=[{"field": field, "message": message, "party_id": party.pk}, *others]
    )


@endpoints.post(
    "/leads",
    OpportunityOut,
    perm=("crm.add_opportunity", "parties.add_party"),
    idempotent=True,
    read=opportunity_out,
    renames=LEAD_RENAMES,
    problems={422: LeadProblem},  # its errors may carry the existing party's id
    summary="Capture a lead: a new lead party and an opportunity in the first stage",
    description="A lead whose tax id or e-mail already belongs to a party of the company is refused with "
    "422: the error on `tax_id` or `email` carries that party's `party_id`, and the detail names it.",
)
def lead_capture(request: HttpRequest, payload: LeadIn):
    try:
        opportunity = services.lead_capture(company=request.company, by=request.user, **payload.model_dump())
    except services.DuplicateParty as duplicate:
        raise _duplicate_problem(duplicate) from duplicate
    return opportunity.pk

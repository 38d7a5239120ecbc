"""Parties API: /parties with their contacts and addresses (docs/api.md)."""

from datetime import datetime
from typing import Annotated, Literal

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, Router, Schema

from nexo.core.api import Endpoints, Limit, Offset, RecordId, SafeText, StrictSchema, page_of
from nexo.core.audit import audit_trail
from nexo.core.errors import NotFound
from nexo.parties import services
from nexo.parties.models import Address, Contact, Party
from nexo.parties.queries import parties_of, party_search

router = Router(tags=["parties"])
endpoints = Endpoints(router)

Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166 code, e.g. ES")]
Text200 = Annotated[str, Field(max_length=200)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Email = Annotated[str, Field(max_length=254)]
Phone = Annotated[str, Field(max_length=40)]


class AddressIn(StrictSchema):
    kind: Literal["billing", "shipping", "other"] = "billing"
    street: Name
    postal_code: Annotated[str, Field(max_length=16)] = ""
    city: Annotated[str, Field(min_length=1, max_length=100)]
    province: Annotated[str, Field(max_length=100)] = ""
    country: Country = "ES"
    is_default: bool = False


class AddressPatch(StrictSchema):
    kind: Literal["billing", "shipping", "other"] = None
    street: Name = None
    postal_code: Annotated[str, Field(max_length=16)] = None
    city: Annotated[str, Field(min_length=1, max_length=100)] = None
    province: Annotated[str, Field(max_length=100)] = None
    country: Country = None
    is_default: bool = None


class AddressOut(Schema):
    id: int
    kind: str
    street: str
    postal_code: str
    city: str
    province: str
    country: str
    is_default: bool


class ContactIn(StrictSchema):
    name: Name
    job_title: Annotated[str, Field(max_length=100)] = ""
    email: Email = ""
    phone: Phone = ""
    is_primary: bool = False


class ContactPatch(StrictSchema):
    name: Name = None
    job_title: Annotated[str, Field(max_length=100)] = None
    email: Email = None
    phone: Phone = None
    is_primary: bool = None


class ContactOut(Schema):
    id: int
    name: str
    job_title: str
    email: str
    phone: str
    is_primary: bool


class PartyFields(StrictSchema):
    kind: Literal["organisation", "person"] = "organisation"
    name: Name
    trade_name: Text200 = ""
    country: Country = "ES"
    tax_id: Annotated[
        str, Field(max_length=40, description="NIF/NIE/CIF for Spain, VAT number in the EU")
    ] = ""
    email: Email = ""
    phone: Phone = ""
    website: Text200 = ""
    language: Literal["es", "en"] = "es"
    status: Literal["lead", "customer"] = "lead"
    is_supplier: bool = False
    is_active: bool = True
    notes: Annotated[str, Field(max_length=5000)] = ""
    subject_to_recargo: bool = Field(False, description="Recargo de equivalencia charged on goods sold to it")
    withholds_irpf: bool = Field(False, description="Withholds IRPF on the professional services it buys")
    eu_vat_valid: bool = Field(False, description="Its EU VAT number was checked valid (intra-EU supplies)")


class PartyIn(PartyFields):
    addresses: list[AddressIn] = Field(default=[], max_length=50)
    contacts: list[ContactIn] = Field(default=[], max_length=100)


class PartyPatch(StrictSchema):
    kind: Literal["organisation", "person"] = None
    name: Name = None
    trade_name: Text200 = None
    country: Country = None
    tax_id: Annotated[str, Field(max_length=40)] = None
    email: Email = None
    phone: Phone = None
    website: Text200 = None
    language: Literal["es", "en"] = None
    status: Literal["lead", "customer"] = None
    is_supplier: bool = None
    is_active: bool = None
    notes: Annotated[str, Field(max_length=5000)] = None
    subject_to_recargo: bool = None
    withholds_irpf: bool = None
    eu_vat_valid: bool = None


class PartyOut(Schema):
    id: int
    kind: str
    name: str
    trade_name: str
    country: str
    tax_id: str
    email: str
    phone: str
    website: str
    language: str
    status: str
    is_supplier: bool
    is_active: bool
    notes: str
    subject_to_recargo: bool
    withholds_irpf: bool
    eu_vat_valid: bool
    created_at: datetime
    updated_at: datetime
    addresses: list[AddressOut]
    contacts: list[ContactOut]


class PartyList(Schema):
    count: int
    items: list[PartyOut]


class AuditEntryOut(Schema):
    action: str
    at: datetime
    user: str | None
    record: str = Field(description="party, or the contact or address it concerns")
    record_id: int
    changes: dict[str, list] = Field(description="{field: [old, new]}")

    @staticmethod
    def resolve_user(entry) -> str | None:
        return entry.user.username if entry.user else None

    @staticmethod
    def resolve_record(entry) -> str:
        return entry.content_type.model

    @staticmethod
    def resolve_record_id(entry) -> int:
        return entry.object_id


ORDERINGS = {"name", "-name", "tax_id", "-tax_id", "created_at", "-created_at", "updated_at", "-updated_at"}


def _with_children(queryset):
    return queryset.prefetch_related(
        Prefetch("addresses", queryset=Address.objects.order_by("-is_default", "id")),
        Prefetch("contacts", queryset=Contact.objects.order_by("-is_primary", "name", "id")),
    )


def _party(request: HttpRequest, party_id: int) -> Party:
    party = _with_children(Party.objects.filter(company=request.company, pk=party_id)).first()
    if party is None:
        raise NotFound("No such party.")
    return party


def _party_visible(request: HttpRequest, party_id: int) -> None:
    if not Party.objects.filter(company=request.company, pk=party_id).exists():
        raise NotFound("No such party.")


@endpoints.get("/parties", PartyList, perm="parties.view_party", summary="List and search parties")
def party_list(
    request: HttpRequest,
    q: Annotated[str, Field(max_length=100), SafeText] = "",
    status: Literal["lead", "customer"] | None = None,
    is_supplier: bool | None = None,
    is_active: bool | None = None,
    city: Annotated[str, Field(max_length=100), SafeText] = "",
    ordering: Literal[tuple(sorted(ORDERINGS))] = "name",  # type: ignore[valid-type]
    limit: Limit = 50,
    offset: Offset = 0,
):
    queryset = parties_of(request.company)
    for word in q.split():
        queryset = queryset.filter(party_search(word))
    if status:
        queryset = queryset.filter(status=status)
    if is_supplier is not None:
        queryset = queryset.filter(is_supplier=is_supplier)
    if is_active is not None:
        queryset = queryset.filter(is_active=is_active)
    if city:
        queryset = queryset.filter(city__iexact=city)
    count, items = page_of(_with_children(queryset.order_by(ordering, "pk")), limit=limit, offset=offset)
    return {"count": count, "items": items}


@endpoints.post(
    "/parties",
    PartyOut,
    perm="parties.add_party",
    idempotent=True,
    read=lambda request, party: _party(request, party.pk),
    summary="Create a party with its addresses and contacts",
)
def party_create(request: HttpRequest, payload: PartyIn):
    return services.party_create(
        company=request.company, by=request.user,
        addresses=[address.model_dump() for address in payload.addresses],
        contacts=[contact.model_dump() for contact in payload.contacts],
        **payload.model_dump(exclude={"addresses", "contacts"}),
    )  # fmt: skip


@endpoints.get("/parties/{party_id}", PartyOut, perm="parties.view_party", summary="Read a party")
def party_read(request: HttpRequest, party_id: RecordId):
    return _party(request, party_id)


@endpoints.patch(
    "/parties/{party_id}",
    PartyOut,
    perm="parties.change_party",
    read=lambda request, party: _party(request, party.pk),
    summary="Change a party",
)
def party_update(request: HttpRequest, party_id: RecordId, payload: PartyPatch):
    return services.party_update(
        company=request.company, party_id=party_id, by=request.user, **payload.model_dump(exclude_unset=True)
    )


@endpoints.get(
    "/parties/{party_id}/history",
    list[AuditEntryOut],
    perm="parties.view_party",
    visible=_party_visible,
    summary="A party's audit log",
)
def party_history(request: HttpRequest, party_id: RecordId):
    return list(audit_trail(Party(pk=party_id), limit=200))


@endpoints.post(
    "/parties/{party_id}/contacts", ContactOut, perm="parties.change_party", idempotent=True,
    summary="Add a contact",
)  # fmt: skip
def contact_create(request: HttpRequest, party_id: RecordId, payload: ContactIn):
    return services.contact_add(
        company=request.company, party_id=party_id, by=request.user, **payload.model_dump()
    )


@endpoints.patch(
    "/parties/{party_id}/contacts/{contact_id}", ContactOut, perm="parties.change_party",
    summary="Change a contact",
)  # fmt: skip
def contact_update(request: HttpRequest, party_id: RecordId, contact_id: RecordId, payload: ContactPatch):
    return services.contact_update(
        company=request.company,
        party_id=party_id,
        contact_id=contact_id,
        by=request.user,
        **payload.model_dump(exclude_unset=True),
    )


@endpoints.delete(
    "/parties/{party_id}/contacts/{contact_id}", None, perm="parties.change_party", summary="Delete a contact"
)
def contact_delete(request: HttpRequest, party_id: RecordId, contact_id: RecordId):
    services.contact_delete(
        company=request.company, party_id=party_id, contact_id=contact_id, by=request.user
    )


@endpoints.post(
    "/parties/{party_id}/addresses", AddressOut, perm="parties.change_party", idempotent=True,
    summary="Add an address",
)  # fmt: skip
def address_create(request: HttpRequest, party_id: RecordId, payload: AddressIn):
    return services.address_add(
        company=request.company, party_id=party_id, by=request.user, **payload.model_dump()
    )


@endpoints.patch(
    "/parties/{party_id}/addresses/{address_id}", AddressOut, perm="parties.change_party",
    summary="Change an address",
)  # fmt: skip
def address_update(request: HttpRequest, party_id: RecordId, address_id: RecordId, payload: AddressPatch):
    return services.address_update(
        company=request.company,
        party_id=party_id,
        address_id=address_id,
        by=request.user,
        **payload.model_dump(exclude_unset=True),
    )


@endpoints.delete(
    "/parties/{party_id}/addresses/{address_id}", None, perm="parties.change_party", summary="Delete an address"
)
def address_delete(request: HttpRequest, party_id: RecordId, address_id: RecordId):
    services.address_delete(
        company=request.company, party_id=party_id, address_id=address_id, by=request.user
    )

"""/accounting/entries: journal entries read with their lines; manual entries created as drafts (or posted at
once), changed and deleted while drafts, posted and reversed; /accounting/entry-templates: the templates of
common entries with the company's accounts for each line. Every change goes through
`accounting.services.ledger`."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ValidationError as PydanticValidationError

from nexo.accounting import entry_templates
from nexo.accounting.forms import account_name
from nexo.accounting.models import Entry, EntryLine
from nexo.accounting.services import ledger as services
from nexo.core.api import (
    Endpoints,
    Id,
    Limit,
    MoneyOut,
    Offset,
    QueryId,
    RecordId,
    SafeText,
    StrictSchema,
    decimal_in,
    page_of,
)
from nexo.core.errors import Forbidden, NotFound, ValidationFailed

endpoints = Endpoints()

Day = date  # a field named `date` would shadow the type
AmountIn = decimal_in(
    max_digits=15, places=2, ge=0, pattern=r"^\d{1,13}(\.\d{1,2})?$", example="1234.50",
    about="An amount ≥ 0, a decimal string with up to 2 decimals.",
)  # fmt: skip
Description = Annotated[str, Field(max_length=200), SafeText]
EntryState = Literal["draft", "posted"]
EntryKind = Literal["normal", "opening", "regularisation", "closing"]
ORDERINGS = ("date", "-date", "number", "-number", "total", "-total", "id", "-id")


class JournalEntryLineIn(StrictSchema):
    account_id: Id = Field(description="A posting (not view) account of the company")
    party_id: Id | None = Field(None, description="Required on accounts that need a party (430, 400…)")
    debit: AmountIn = Decimal("0")
    credit: AmountIn = Decimal("0")
    description: Description = ""


class JournalEntryIn(StrictSchema):
    journal_id: Id
    date: Day
    description: Description = ""
    lines: list[JournalEntryLineIn] = Field(min_length=1, max_length=services.MAX_LINES)
    post: bool = Field(
        False, description="Post at once: the entry must then balance and be in an open period"
    )


class JournalEntryPatch(StrictSchema):
    # Fields left out keep their value; `lines`, when sent, are all the lines.
    journal_id: Id = None
    date: Day = None
    description: Description = None
    lines: list[JournalEntryLineIn] = Field(None, min_length=1, max_length=services.MAX_LINES)


class JournalEntryReverseIn(StrictSchema):
    date: Day | None = Field(None, description="The reversal's date; the original's by default")
    description: Description = ""


class JournalEntryLineOut(Schema):
    id: int
    position: int
    account_id: int
    account_code: str
    account_name: str
    party_id: int | None
    party_name: str
    debit: MoneyOut
    credit: MoneyOut
    description: str


class JournalEntryOut(Schema):
    id: int
    journal_id: int
    journal_code: str
    fiscal_year_id: int
    date: Day
    state: EntryState
    kind: EntryKind
    number: str = Field(description="Given when posted (e.g. GEN/2026/000001); empty for a draft")
    description: str
    origin_model: str = Field(
        description="The document that made the entry (`invoicing.invoice`); empty if manual"
    )
    origin_id: int | None
    origin_number: str
    reverses_id: int | None
    total: MoneyOut = Field(description="The sum of the debits")
    posted_at: datetime | None
    created_at: datetime
    updated_at: datetime


class JournalEntryDetail(JournalEntryOut):
    reversed_by_id: int | None
    lines: list[JournalEntryLineOut]


class JournalEntryList(Schema):
    count: int
    items: list[JournalEntryOut]


class EntryTemplateAmountOut(Schema):
    name: str
    label: str
    help: str


class EntryTemplateLineOut(Schema):
    side: Literal["debit", "credit"]
    reference: str = Field(description="The account's role in the company's defaults, or its PGC code")
    account_id: int | None = Field(description="The company's account; null when its chart has none")
    account_code: str
    account_name: str
    formula: dict[str, int] = Field(description="The line's amount: the asked amounts times these signs")
    only_positive: bool = Field(description="Left out when its amount is zero or below")
    description: str


class EntryTemplateOut(Schema):
    key: str
    name: str
    about: str
    journal_code: str
    description: str
    amounts: list[EntryTemplateAmountOut]
    lines: list[EntryTemplateLineOut]
    missing: list[str] = Field(description="Accounts the company's chart lacks: those lines cannot be filled")


class EntryTemplateList(Schema):
    count: int
    items: list[EntryTemplateOut]


def _fields(entry: Entry) -> dict:
    return {
        "id": entry.pk, "journal_id": entry.journal_id, "journal_code": entry.journal.code,
        "fiscal_year_id": entry.fiscal_year_id, "date": entry.date, "state": entry.state, "kind": entry.kind,
        "number": entry.number, "description": entry.description, "origin_model": entry.origin_model,
        "origin_id": entry.origin_id, "origin_number": entry.origin_number, "reverses_id": entry.reverses_id,
        "total": entry.total, "posted_at": entry.posted_at, "created_at": entry.created_at,
        "updated_at": entry.updated_at,
    }  # fmt: skip


def entry_body(request: HttpRequest, entry_id) -> dict:
    """An entry with its lines, accounts and parties: three queries whatever its size."""
    entry_id = entry_id.pk if isinstance(entry_id, Entry) else entry_id
    entry = Entry.objects.filter(company=request.company, pk=entry_id).select_related("journal").first()
    if entry is None:
        raise NotFound(_("No such journal entry."))
    lines = (
        EntryLine.objects.filter(entry=entry).select_related("account", "party").order_by("position", "pk")
    )
    reversed_by = Entry.objects.filter(reverses=entry).values_list("pk", flat=True).first()
    return {
        **_fields(entry),
        "reversed_by_id": reversed_by,
        "lines": [
            {
                "id": line.pk, "position": line.position, "account_id": line.account_id,
                "account_code": line.account.code, "account_name": account_name(line.account),
                "party_id": line.party_id, "party_name": line.party.name if line.party_id else "",
                "debit": line.debit, "credit": line.credit, "description": line.description,
            }
            for line in lines
        ],
    }  # fmt: skip


def _lines(lines: list[JournalEntryLineIn]) -> list[services.LineInput]:
    return [
        services.LineInput(
            account_id=line.account_id, debit=line.debit, credit=line.credit, party_id=line.party_id,
            description=line.description,
        )
        for line in lines
    ]  # fmt: skip


@endpoints.get(
    "/accounting/entries", JournalEntryList, perm="accounting.view_entry",
    summary="List journal entries, the latest first",
    description="`q` searches the number, the description and the document's number; dates are inclusive; "
    "`account_id` keeps the entries with a line on that account.",
)  # fmt: skip
def entry_list(
    request: HttpRequest,
    q: Annotated[str, Field(max_length=100), SafeText] = "",
    journal_id: QueryId = None,
    state: EntryState | None = None,
    kind: EntryKind | None = None,
    account_id: QueryId = None,
    date_from: Day | None = None,
    date_to: Day | None = None,
    ordering: Literal[ORDERINGS] = "-date",  # type: ignore[valid-type]
    limit: Limit = 50,
    offset: Offset = 0,
):
    entries = Entry.objects.filter(company=request.company).select_related("journal")
    for word in q.split():
        entries = entries.filter(
            Q(number__icontains=word) | Q(description__icontains=word) | Q(origin_number__icontains=word)
        )
    filters = {
        "journal_id": journal_id,
        "state": state,
        "kind": kind,
        "date__gte": date_from,
        "date__lte": date_to,
    }
    entries = entries.filter(**{name: value for name, value in filters.items() if value is not None})
    if account_id is not None:
        entries = entries.filter(
            pk__in=EntryLine.objects.filter(company=request.company, account_id=account_id).values("entry_id")
        )
    count, rows = page_of(entries.order_by(ordering, "-pk"), limit=limit, offset=offset)
    return {"count": count, "items": [_fields(row) for row in rows]}


@endpoints.post(
    "/accounting/entries", JournalEntryDetail, perm="accounting.add_entry", idempotent=True, read=entry_body,
    summary="Create a manual journal entry (a draft, or posted with `post: true`)",
    description="A draft may be left unbalanced; posting needs debits equal to credits to the cent, a date in "
    "an open period after the lock date, and in date order within the journal. 422 for an unbalanced entry "
    "posted, a closed or locked date, a view account, another company's account or party, a line without "
    "the party its account needs; with `post: true` a refusal creates nothing.",
)  # fmt: skip
def entry_create(request: HttpRequest, payload: JournalEntryIn):
    if payload.post and not request.user.has_perm("accounting.post_entry"):
        raise Forbidden(_("Your role does not allow posting entries."))
    with transaction.atomic():
        entry = services.entry_create(
            company=request.company, by=request.user, journal_id=payload.journal_id, date=payload.date,
            lines=_lines(payload.lines), description=payload.description,
        )  # fmt: skip
        if payload.post:
            entry = services.entry_post(company=request.company, by=request.user, entry_id=entry.pk)
    return entry


@endpoints.get(
    "/accounting/entries/{entry_id}", JournalEntryDetail, perm="accounting.view_entry",
    summary="Read a journal entry with its lines",
)  # fmt: skip
def entry_read(request: HttpRequest, entry_id: RecordId):
    return entry_body(request, entry_id)


@endpoints.patch(
    "/accounting/entries/{entry_id}", JournalEntryDetail, perm="accounting.change_entry", read=entry_body,
    summary="Change a draft journal entry",
    description="Fields left out keep their value; `lines`, when sent, replace all the lines. 409 once posted.",
)  # fmt: skip
def entry_update(request: HttpRequest, entry_id: RecordId, payload: JournalEntryPatch):
    entry = Entry.objects.filter(company=request.company, pk=entry_id).first()
    if entry is None:
        raise NotFound(_("No such journal entry."))
    sent = payload.model_dump(exclude_unset=True, exclude={"lines"})
    for name in ("journal_id", "date", "description"):
        if name in sent and sent[name] is None:
            raise ValidationFailed.on(name, _("This field cannot be null."))
    if "lines" in payload.model_fields_set and payload.lines is None:
        raise ValidationFailed.on("lines", _("An entry needs lines: at least one debit and one credit."))
    if payload.lines is not None:
        lines = _lines(payload.lines)
    else:
        lines = [
            services.LineInput(line.account_id, line.debit, line.credit, line.party_id, line.description)
            for line in EntryLine.objects.filter(entry=entry).order_by("position", "pk")
        ]
    return services.entry_update(
        company=request.company, by=request.user, entry_id=entry.pk,
        journal_id=sent.get("journal_id", entry.journal_id), date=sent.get("date", entry.date),
        description=sent.get("description", entry.description), lines=lines,
    )  # fmt: skip


@endpoints.delete(
    "/accounting/entries/{entry_id}", None, perm="accounting.delete_entry",
    summary="Delete a draft journal entry", description="409 once posted: reverse it instead.",
)  # fmt: skip
def entry_delete(request: HttpRequest, entry_id: RecordId):
    services.entry_delete(company=request.company, by=request.user, entry_id=entry_id)


@endpoints.post(
    "/accounting/entries/{entry_id}/post", JournalEntryDetail, perm="accounting.post_entry", read=entry_body,
    summary="Post a draft journal entry",
    description="Numbered gapless per journal and fiscal year in date order. 409 once posted; 422 unbalanced, "
    "in a closed or locked period, or dated before the journal's last posted entry.",
)  # fmt: skip
def entry_post(request: HttpRequest, entry_id: RecordId):
    return services.entry_post(company=request.company, by=request.user, entry_id=entry_id)


@endpoints.post(
    "/accounting/entries/{entry_id}/reverse", JournalEntryDetail, perm="accounting.post_entry", read=entry_body,
    status=201, summary="Reverse a posted journal entry",
    description="Posts an entry with debits and credits swapped, referring to the original, and answers it. "
    "The body is optional (`{}` or none: the original's date and a default description). "
    "409 for a draft, an entry already reversed, a reversal, or an entry made by a document (correct the "
    "document instead); 422 for a date before the original's or in a closed or locked period.",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {"application/json": {"schema": JournalEntryReverseIn.model_json_schema()}},
        }
    },
)  # fmt: skip
def entry_reverse(request: HttpRequest, entry_id: RecordId):
    # The body is optional: none (or a form post with no fields) takes the defaults.
    raw = request.body.strip() if request.content_type == "application/json" else b""
    try:
        payload = JournalEntryReverseIn.model_validate_json(raw) if raw else JournalEntryReverseIn()
    except PydanticValidationError as error:
        raise ValidationFailed.from_fields(
            {
                ".".join(str(part) for part in problem["loc"]) or "body": [problem["msg"]]
                for problem in error.errors()
            }
        ) from None
    return services.entry_reverse(
        company=request.company, by=request.user, entry_id=entry_id, date=payload.date,
        description=payload.description,
    )  # fmt: skip


@endpoints.get(
    "/accounting/entry-templates", EntryTemplateList, perm="accounting.view_entry",
    summary="The templates of common entries, with the company's account for each line",
    description="Bank charges, payroll summary, depreciation, VAT settlement. `missing` names the accounts the "
    "company's chart lacks (a generic chart has no 640): fill those lines by hand.",
)  # fmt: skip
def entry_template_list(request: HttpRequest):
    items = []
    for template in entry_templates.TEMPLATES:
        accounts = entry_templates.accounts_for(request.company, template)
        items.append({
            "key": template.key, "name": str(template.name), "about": str(template.about),
            "journal_code": template.journal, "description": str(template.description),
            "amounts": [
                {"name": asked.name, "label": str(asked.label), "help": str(asked.help)} for asked in template.amounts
            ],
            "lines": [
                {
                    "side": line.side, "reference": line.reference,
                    "account_id": accounts[line.reference].pk if accounts.get(line.reference) else None,
                    "account_code": accounts[line.reference].code if accounts.get(line.reference) else "",
                    "account_name": account_name(accounts[line.reference]) if accounts.get(line.reference) else "",
                    "formula": dict(line.formula), "only_positive": line.only_positive,
                    "description": str(line.description),
                }
                for line in template.lines
            ],
            "missing": entry_templates.missing_accounts(template, accounts),
        })  # fmt: skip
    return {"count": len(items), "items": items}

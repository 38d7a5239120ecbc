"""/accounting/accounts, /accounting/journals and /accounting/default-accounts: the chart of accounts (listed,
read, an account added at any level, renamed or deactivated), the journals, and the company's default
account per role."""

from typing import Annotated, Literal

from django.db.models import Q
from django.db.models.functions import Length
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Schema

from nexo.accounting.models import Account, AccountDefault, Journal, Nature
from nexo.accounting.rules import ledger
from nexo.accounting.services import accounts as services
from nexo.core.api import Endpoints, Id, Limit, Offset, RecordId, SafeText, StrictSchema, page_of
from nexo.core.errors import NotFound

endpoints = Endpoints()

Code = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^\d{1,16}$")]
AccountName = Annotated[str, Field(min_length=1, max_length=200)]
EnglishName = Annotated[str, Field(max_length=200)]
NatureName = Literal[tuple(Nature.values)]  # type: ignore[valid-type]
Role = Literal[ledger.DEFAULT_ROLES]  # type: ignore[valid-type]


class ChartAccountIn(StrictSchema):
    code: Code = Field(
        description="Digits only; the account goes under the longest existing code that begins it (e.g. "
        "43000001 under 4300) and takes its nature"
    )
    name: AccountName = Field(description="The name in Spanish (the chart's language)")
    name_en: EnglishName = ""
    needs_party: bool | None = Field(None, description="null: as its parent account")


class ChartAccountPatch(StrictSchema):
    # Fields left out keep their value.
    code: Code = Field(None, description="Changes only while the account has no lines and no sub-accounts")
    name: AccountName = None
    name_en: EnglishName = None
    active: bool = Field(None, description="An account with a balance, or a role's default, stays active")
    needs_party: bool = None


class ChartAccountOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    parent_id: int | None
    nature: NatureName
    is_view: bool = Field(description="Groups other accounts and takes no entry lines")
    needs_party: bool = Field(description="Every line on it names a party")
    active: bool
    level: int = Field(description="The number of digits of its code")


class ChartAccountList(Schema):
    count: int
    items: list[ChartAccountOut]


class LedgerJournalOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    kind: Literal[tuple(Journal.Kind.values)]  # type: ignore[valid-type]


class LedgerJournalList(Schema):
    count: int
    items: list[LedgerJournalOut]


class DefaultAccountOut(Schema):
    role: Role
    account_id: int
    code: str
    name: str


class DefaultAccountList(Schema):
    count: int
    items: list[DefaultAccountOut]


class DefaultAccountIn(StrictSchema):
    account_id: Id = Field(description="A posting (not view), active account of the company")


def _account_body(account: Account) -> Account:
    account.level = len(account.code)
    return account


def account_visible(request: HttpRequest, account_id: int) -> None:
    if not Account.objects.filter(company=request.company, pk=account_id).exists():
        raise NotFound(_("No such account."))


@endpoints.get(
    "/accounting/accounts", ChartAccountList, perm="accounting.view_account",
    summary="List the chart of accounts, in code order",
)  # fmt: skip
def account_list(
    request: HttpRequest,
    code: Annotated[
        str, Query(max_length=16, pattern=r"^\d*$", description="Codes beginning with this")
    ] = "",
    q: Annotated[str, Query(max_length=100, description="Words in the code or either name"), SafeText] = "",
    level: Annotated[int | None, Query(ge=1, le=16, description="Codes of exactly this many digits")] = None,
    nature: NatureName | None = None,
    active: bool | None = None,
    is_view: bool | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    queryset = Account.objects.filter(company=request.company)
    if code:
        queryset = queryset.filter(code__startswith=code)
    for word in q.split():
        queryset = queryset.filter(
            Q(code__startswith=word) | Q(name__icontains=word) | Q(name_en__icontains=word)
        )
    if level is not None:
        queryset = queryset.alias(code_length=Length("code")).filter(code_length=level)
    if nature is not None:
        queryset = queryset.filter(nature=nature)
    if active is not None:
        queryset = queryset.filter(active=active)
    if is_view is not None:
        queryset = queryset.filter(is_view=is_view)
    count, items = page_of(queryset.order_by("code", "pk"), limit=limit, offset=offset)
    return {"count": count, "items": [_account_body(account) for account in items]}


@endpoints.get(
    "/accounting/accounts/{account_id}", ChartAccountOut, perm="accounting.view_account",
    visible=account_visible, summary="Read an account",
)  # fmt: skip
def account_read(request: HttpRequest, account_id: RecordId):
    return _account_body(Account.objects.get(company=request.company, pk=account_id))


@endpoints.post(
    "/accounting/accounts", ChartAccountOut, perm="accounting.add_account", idempotent=True,
    read=lambda request, account: _account_body(account), summary="Add an account at any level of the chart",
    description="A posting account with no lines that gains its first sub-account becomes a view account; "
    "the defaults and party accounts that pointed at it move to the new account.",
)  # fmt: skip
def account_create(request: HttpRequest, payload: ChartAccountIn):
    return services.account_create(company=request.company, by=request.user, **payload.model_dump())


@endpoints.patch(
    "/accounting/accounts/{account_id}", ChartAccountOut, perm="accounting.change_account",
    visible=account_visible, read=lambda request, account: _account_body(account),
    summary="Rename, recode, deactivate an account, or say whether it needs a party",
)  # fmt: skip
def account_update(request: HttpRequest, account_id: RecordId, payload: ChartAccountPatch):
    return services.account_update(
        company=request.company,
        by=request.user,
        account_id=account_id,
        **payload.model_dump(exclude_unset=True),
    )


@endpoints.get(
    "/accounting/journals", LedgerJournalList, perm="accounting.view_journal", summary="List the journals"
)
def journal_list(request: HttpRequest, limit: Limit = 100, offset: Offset = 0):
    count, items = page_of(
        Journal.objects.filter(company=request.company).order_by("code", "pk"), limit=limit, offset=offset
    )
    return {"count": count, "items": items}


def _default_body(row: AccountDefault) -> dict:
    return {
        "role": row.role,
        "account_id": row.account_id,
        "code": row.account.code,
        "name": row.account.name,
    }


@endpoints.get(
    "/accounting/default-accounts", DefaultAccountList, perm="accounting.view_account",
    summary="The company's default account for each role",
    description="The account each posting falls back to when no finer mapping (tax, item category, party) "
    "applies: `receivable`, `sales`, `output_vat`…",
)  # fmt: skip
def default_account_list(request: HttpRequest):
    rows = AccountDefault.objects.filter(company=request.company).select_related("account")
    order = {role: position for position, role in enumerate(ledger.DEFAULT_ROLES)}
    items = sorted((row for row in rows if row.role in order), key=lambda row: order[row.role])
    return {"count": len(items), "items": [_default_body(row) for row in items]}


@endpoints.put(
    "/accounting/default-accounts/{role}", DefaultAccountOut, perm="accounting.change_account",
    summary="Set the company's default account for a role",
)  # fmt: skip
def default_account_set(request: HttpRequest, role: Annotated[Role, Path()], payload: DefaultAccountIn):
    row = services.default_set(
        company=request.company, by=request.user, role=role, account_id=payload.account_id
    )
    return _default_body(row)

"""/payments/bank-accounts: the company's bank accounts (IBAN, BIC, the ledger account each posts to, the SEPA
creditor identifier): listed, read, added and changed through `bank_account_save`."""

from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema

from nexo.core.api import Endpoints, Id, Limit, Offset, RecordId, SafeText, StrictSchema, page_of
from nexo.core.errors import NotFound
from nexo.payments.models import BankAccount
from nexo.payments.services import bank_accounts as services

endpoints = Endpoints()

Name = Annotated[str, Field(min_length=1, max_length=100), SafeText]
IbanText = Annotated[str, Field(min_length=1, max_length=50, examples=["ES91 2100 0418 4502 0005 1332"])]
BicText = Annotated[str, Field(max_length=20, examples=["CAIXESBBXXX"])]
CreditorText = Annotated[str, Field(max_length=40, examples=["ES46000B46123451"])]


class BankAccountIn(StrictSchema):
    name: Name
    iban: IbanText = Field(description="Checked (country, length, check digits); stored compact")
    bic: BicText = ""
    account_id: Id | None = Field(
        None, description="An asset account of the company; none: a new 572x sub-account of the bank account"
    )
    creditor_id: CreditorText = Field("", description="SEPA creditor identifier, its check digits verified")
    active: bool = True


class BankAccountPatch(StrictSchema):
    # Fields left out keep their value.
    name: Name = None
    iban: IbanText = None
    bic: BicText = None
    account_id: Id = None
    creditor_id: CreditorText = None
    active: bool = None


class BankAccountOut(Schema):
    id: int
    name: str
    iban: str
    bic: str
    account_id: int
    account_code: str
    creditor_id: str
    active: bool


class BankAccountList(Schema):
    count: int
    items: list[BankAccountOut]


def _body(bank_account: BankAccount) -> dict:
    return {
        "id": bank_account.pk, "name": bank_account.name, "iban": bank_account.iban, "bic": bank_account.bic,
        "account_id": bank_account.account_id, "account_code": bank_account.account.code,
        "creditor_id": bank_account.creditor_id, "active": bank_account.active,
    }  # fmt: skip


def _read(request: HttpRequest, bank_account: BankAccount) -> dict:
    return _body(services.bank_account_get(request.company, bank_account.pk))


def bank_account_visible(request: HttpRequest, bank_account_id: int) -> None:
    if not BankAccount.objects.filter(company=request.company, pk=bank_account_id).exists():
        raise NotFound(_("No such bank account."))


@endpoints.get(
    "/payments/bank-accounts", BankAccountList, perm="payments.view_bankaccount",
    summary="List the company's bank accounts",
)  # fmt: skip
def bank_account_list(
    request: HttpRequest, active: bool | None = None, limit: Limit = 100, offset: Offset = 0
):
    rows = BankAccount.objects.filter(company=request.company).select_related("account")
    if active is not None:
        rows = rows.filter(active=active)
    count, items = page_of(rows.order_by("name", "pk"), limit=limit, offset=offset)
    return {"count": count, "items": [_body(row) for row in items]}


@endpoints.get(
    "/payments/bank-accounts/{bank_account_id}", BankAccountOut, perm="payments.view_bankaccount",
    visible=bank_account_visible, summary="Read a bank account",
)  # fmt: skip
def bank_account_read(request: HttpRequest, bank_account_id: RecordId):
    return _body(services.bank_account_get(request.company, bank_account_id))


@endpoints.post(
    "/payments/bank-accounts", BankAccountOut, perm="payments.add_bankaccount", idempotent=True, read=_read,
    summary="Add a bank account",
    description="422 for an invalid IBAN, BIC or creditor identifier, an IBAN the company already has, or an "
    "account that is not an active posting asset account of the company.",
)  # fmt: skip
def bank_account_create(request: HttpRequest, payload: BankAccountIn):
    return services.bank_account_save(company=request.company, by=request.user, **payload.model_dump())


@endpoints.patch(
    "/payments/bank-accounts/{bank_account_id}", BankAccountOut, perm="payments.change_bankaccount",
    visible=bank_account_visible, read=_read, summary="Change a bank account",
)  # fmt: skip
def bank_account_update(request: HttpRequest, bank_account_id: RecordId, payload: BankAccountPatch):
    current = services.bank_account_get(request.company, bank_account_id)
    fields = {
        "name": current.name, "iban": current.iban, "bic": current.bic, "creditor_id": current.creditor_id,
        "active": current.active, **payload.model_dump(exclude_unset=True),
    }  # fmt: skip
    if fields.get("account_id") is None:
        fields.pop("account_id", None)
    return services.bank_account_save(
        company=request.company, by=request.user, bank_account_id=current.pk, **fields
    )


__all__ = ["endpoints"]

"""/invoicing/account-mapping: which account each catalog category's sales and purchases, and each tax per
side and rate, post to (the invoices' journal entries); empty falls back to the parent category, then the
company's default accounts. Read and replaced through `invoicing.services.entries`."""

from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Schema

from nexo.core.api import Endpoints, Id, PercentIn, PercentOut, StrictSchema
from nexo.invoicing.services import entries

endpoints = Endpoints()

Code = Annotated[
    str, Field(max_length=20, pattern=r"^\d*$", description="An account code; empty: the fallback")
]
TaxKind = Literal["vat", "recargo", "irpf"]
TaxSide = Literal["sale", "purchase"]


class CategoryAccountsOut(Schema):
    category_id: int
    category: str
    sales_account: str = Field(description="Its own sales account's code; empty: its parent's or the default")
    purchase_account: str = Field(
        description="Its own purchase account's code; empty: its parent's or the default"
    )


class TaxAccountOut(Schema):
    kind: TaxKind
    side: TaxSide
    rate: PercentOut
    account: str = Field(description="The account's code; empty: the default")
    default: str = Field(description="The default account's code it falls back to")


class AccountMappingOut(Schema):
    categories: list[CategoryAccountsOut]
    taxes: list[TaxAccountOut]
    defaults: dict[str, str] = Field(description="Role → the company default account's code")


class CategoryAccountsIn(StrictSchema):
    category_id: Id
    sales_account: Code = ""
    purchase_account: Code = ""


class TaxAccountIn(StrictSchema):
    kind: TaxKind
    side: TaxSide
    rate: PercentIn
    account: Code = ""


class AccountMappingIn(StrictSchema):
    categories: list[CategoryAccountsIn] = Field(
        default_factory=list, max_length=2000, description="The categories to set; those left out keep theirs"
    )
    taxes: list[TaxAccountIn] | None = Field(
        None, max_length=2000, description="Every tax row (replaces them all); left out: unchanged"
    )


def _body(mapping: entries.AccountMapping) -> dict:
    return {
        "categories": [row.__dict__ for row in mapping.categories],
        "taxes": [row.__dict__ for row in mapping.taxes],
        "defaults": mapping.defaults,
    }


@endpoints.get(
    "/invoicing/account-mapping",
    AccountMappingOut,
    perm="accounting.view_account",
    summary="Read the accounts categories and taxes post to",
)
def account_mapping_read(request: HttpRequest):
    return _body(entries.account_mapping_of(request.company))


@endpoints.put(
    "/invoicing/account-mapping",
    AccountMappingOut,
    perm="accounting.change_accountingsettings",
    summary="Set the accounts categories and taxes post to",
    description="Accounts by code, of this company, postable (not a view account, active); a sales account is "
    "an income account, a purchase account an expense account. 422 naming the field otherwise (nothing saved).",
)
def account_mapping_write(request: HttpRequest, payload: AccountMappingIn):
    mapping = entries.account_mapping_set(
        company=request.company, by=request.user,
        categories=[
            entries.CategoryAccountsInput(row.category_id, row.sales_account, row.purchase_account)
            for row in payload.categories
        ],
        taxes=None if payload.taxes is None else [
            entries.TaxAccountInput(row.kind, row.side, Decimal(row.rate), row.account) for row in payload.taxes
        ],
    )  # fmt: skip
    return _body(mapping)

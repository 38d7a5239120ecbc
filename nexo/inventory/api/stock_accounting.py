"""Stock in the ledger: the inventory value at a date beside the stock account's balance, and the period-end
variation entry (continental stock accounting)."""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Schema

from nexo.core.api import Endpoints, MoneyOut, StrictSchema
from nexo.inventory import accounting
from nexo.inventory.api.schemas import Day

endpoints = Endpoints()


class StockAccountingOut(Schema):
    date: Day
    stock_method: str = Field(description="continental (a period-end variation) or perpetual (at each move)")
    account_code: str = Field(description="The stock account (role `stock`, 300 in the PGC)")
    valuation: MoneyOut = Field(description="The valuation report's total at the end of the date")
    ledger_balance: MoneyOut = Field(
        description="Debits minus credits posted to the stock account up to the date"
    )
    difference: MoneyOut = Field(description="valuation - ledger_balance: what a variation entry would post")


class StockVariationIn(StrictSchema):
    date: Day


class StockVariationOut(Schema):
    entry_id: int
    number: str
    date: Day
    amount: MoneyOut = Field(description="The variation posted, always positive")
    increase: bool = Field(description="true: D stock / C change in inventory; false: the other way round")


@endpoints.get(
    "/inventory/stock-accounting", StockAccountingOut, perm="accounting.view_entry",
    summary="The inventory value at a date beside the stock account's balance on the ledger",
    description="`date` defaults to today. Both figures are at the end of the date.",
)  # fmt: skip
def stock_accounting_read(request: HttpRequest, date: Day | None = None):
    figures = accounting.stock_accounting(request.company, date or timezone.localdate())
    return {
        "date": figures.date, "stock_method": figures.stock_method, "account_code": figures.account_code,
        "valuation": figures.valuation, "ledger_balance": figures.ledger_balance,
        "difference": figures.difference,
    }  # fmt: skip


@endpoints.post(
    "/inventory/stock-variation", StockVariationOut, perm="accounting.add_entry", idempotent=True,
    summary="Post the change in inventory at a date (the stock account brought to the valuation)",
    description="Posts the difference between the valuation at the end of `date` and the stock account's "
    "balance then, in the stock journal: an increase D 300 / C 610, a decrease D 610 / C 300. 409 when there "
    "is no difference (running it again posts only what changed since); 422 when the ledger refuses the date "
    "(lock date, closed year or period, the stock journal's date order).",
)  # fmt: skip
def stock_variation_create(request: HttpRequest, payload: StockVariationIn):
    entry = accounting.stock_variation_post(company=request.company, by=request.user, date=payload.date)
    return {
        "entry_id": entry.pk, "number": entry.number, "date": entry.date, "amount": entry.total,
        "increase": entry.stock_increase,
    }  # fmt: skip

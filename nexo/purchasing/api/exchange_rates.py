"""/exchange-rates: what a unit of a foreign currency is worth in the company's, from a date on."""

from django.http import HttpRequest
from ninja import Field, Schema

from nexo.core.api import Endpoints, Limit, Offset, StrictSchema, decimal_in, page_of, positive_pattern
from nexo.purchasing import services
from nexo.purchasing.api.common import Currency, Day, QueryCurrency, RateOut
from nexo.purchasing.models import ExchangeRate

endpoints = Endpoints()

RateIn = decimal_in(
    max_digits=18, places=8, gt=0, pattern=positive_pattern(10, 8), example="0.92",
    about="What one unit of the currency is worth in the company's currency: above zero, up to 8 decimals.",
)  # fmt: skip


class ExchangeRateIn(StrictSchema):
    currency: Currency
    date: Day = Field(description="The rate applies from this day on, until a later one")
    rate: RateIn


class ExchangeRateOut(Schema):
    id: int
    currency: str
    date: Day
    rate: RateOut


class ExchangeRateList(Schema):
    count: int
    items: list[ExchangeRateOut]


def _rate_body(rate: ExchangeRate) -> dict:
    return {"id": rate.pk, "currency": rate.currency, "date": rate.day, "rate": rate.rate}


@endpoints.get(
    "/exchange-rates", ExchangeRateList, perm="purchasing.view_exchangerate",
    summary="List exchange rates, the latest first",
)  # fmt: skip
def exchange_rate_list(
    request: HttpRequest, currency: QueryCurrency = None, limit: Limit = 50, offset: Offset = 0
):
    rates = ExchangeRate.objects.filter(company=request.company)
    if currency:
        rates = rates.filter(currency=currency)
    count, items = page_of(rates.order_by("-day", "currency", "pk"), limit=limit, offset=offset)
    return {"count": count, "items": [_rate_body(rate) for rate in items]}


@endpoints.post(
    "/exchange-rates", ExchangeRateOut, perm="purchasing.add_exchangerate", idempotent=True,
    read=lambda request, rate: _rate_body(rate), summary="Set a currency's rate from a date on",
    description="A rate for the same currency and date replaces it. 422 for the company's own currency.",
)  # fmt: skip
def exchange_rate_set(request: HttpRequest, payload: ExchangeRateIn):
    return services.exchange_rate_set(
        company=request.company, by=request.user, currency=payload.currency, day=payload.date,
        rate=payload.rate,
    )  # fmt: skip

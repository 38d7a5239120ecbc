"""The sales API's input and output schemas, and the decimal and date types they share."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, model_validator

from nexo.core.api import (
    Id,
    MoneyOut,
    PercentIn,
    PercentOut,
    PriceOut,
    QuantityOut,
    StrictSchema,
    decimal_in,
    positive_pattern,
)
from nexo.purchasing.api.items import CostPartOut
from nexo.sales.models import Quotation, SalesOrder
from nexo.sales.queries import NO_COST, cost_sources

Day = date  # a field named `date` below would shadow the type

MAX_LINES = 1000
# Documents are dated within a range a database and the validity arithmetic (date + days) can hold.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9000, 12, 31)

QuantityIn = decimal_in(
    max_digits=13, places=4, gt=0, pattern=positive_pattern(9, 4), example="15",
    about="A quantity above zero, a decimal string with up to 4 decimals.",
)  # fmt: skip
PriceIn = decimal_in(
    max_digits=15, places=6, ge=0, pattern=r"^\d{1,9}(\.\d{1,6})?$", example="9.00",
    about="A unit price typed by hand (≥ 0, up to 6 decimals): it is locked, a new quantity keeps it.",
)  # fmt: skip

DocumentDay = Annotated[Day, Field(ge=FIRST_DAY, le=LAST_DAY)]
Description = Annotated[str, Field(max_length=300)]
Notes = Annotated[str, Field(max_length=5000)]
Reason = Annotated[str, Field(max_length=500)]
QuotationState = Literal[tuple(Quotation.State.values)]  # type: ignore[valid-type]
QuotationApproval = Literal[tuple(Quotation.Approval.values)]  # type: ignore[valid-type]
OrderState = Literal[tuple(SalesOrder.State.values)]  # type: ignore[valid-type]


# Schemas in


class QuotationLineIn(StrictSchema):
    item_id: Id | None = Field(None, description="The item; null for a free-text line")
    description: Description = Field("", description="Defaults to the item's name; required without item")
    quantity: QuantityIn
    unit_price: PriceIn | None = Field(
        None, description="Typed by hand: locked. Left out: the price list's price (required without item)"
    )
    discount: PercentIn = Decimal(0)
    tax_category_id: Id | None = Field(
        None, description="The VAT category; left out: the item's (a line without item: the general rate)"
    )


class QuotationLinePatch(StrictSchema):
    # Fields left out keep their value; unit_price null unlocks the price (back to the list's).
    item_id: Id = None
    description: Description = None
    quantity: QuantityIn = None
    unit_price: PriceIn | None = None
    discount: PercentIn = None
    tax_category_id: Id | None = None  # null: back to the item's category (or the general rate)


class QuotationIn(StrictSchema):
    party_id: Id | None = Field(None, description="A lead or customer; defaults to the opportunity's party")
    opportunity_id: Id | None = Field(None, description="The opportunity quoted (one of yours)")
    date: DocumentDay | None = Field(None, description="Defaults to today")
    valid_until: DocumentDay | None = Field(None, description="Defaults to the date plus the company's days")
    price_list_id: Id | None = Field(None, description="Defaults to the party's price list")
    warehouse_id: Id | None = Field(None, description="Where the goods come from; the default warehouse")
    salesperson_id: Id | None = Field(None, description="Defaults to the user making the request")
    payment_term_id: Id | None = Field(
        None, description="An active payment term of the company; defaults to the party's, else the company's"
    )
    notes: Notes = ""
    document_discount: PercentIn = Field(Decimal(0), description="Spread over the lines by their net")
    lines: list[QuotationLineIn] = Field([], max_length=MAX_LINES)


class QuotationPatch(StrictSchema):
    """A draft's header; `lines`, when sent, replaces all the lines. A sent quotation is never edited."""

    # Fields left out keep their value; only price_list_id may be set to null (no list: base prices).
    date: DocumentDay = None
    valid_until: DocumentDay = None
    price_list_id: Id | None = None
    warehouse_id: Id = None
    salesperson_id: Id = None
    payment_term_id: Id | None = Field(None, description="An active payment term of the company (null: none)")
    notes: Notes = None
    document_discount: PercentIn = None
    lines: list[QuotationLineIn] = Field(None, max_length=MAX_LINES)


class SendIn(StrictSchema):
    to: Annotated[str, Field(max_length=254)] = Field("", description="Defaults to the party's e-mail")
    message: Notes = Field("", description="The e-mail's text; a standard one when left out")
    email: bool = Field(True, description="false: only mark it sent (it went out another way)")


class RejectIn(StrictSchema):
    reason: Reason = Field(description="Why the customer said no (required, not blank)")
    revise: bool = Field(False, description="true: reject it and return a new draft version")


class CancelIn(StrictSchema):
    reason: Reason = ""


class ApprovalIn(StrictSchema):
    note: Reason = Field("", description="Why (optional to approve)")


class RefusalIn(StrictSchema):
    note: Reason = Field(description="Why it is refused, what to change (required, not blank)")


# Schemas out


# Lines are plain pydantic models, validated from dicts: a ninja Schema wraps every nested object for
# attribute access, which costs more than the whole read on a 200-line quotation.


class CostBasisOut(BaseModel):
    unit_cost: PriceOut | None = Field(
        description="null: no cost on this basis (for supplier_price: no price)"
    )
    source: str = Field(description="Where the cost came from (the basis, else what units beyond the stock "
                        "cost: supplier_price, standard; none: no cost)")  # fmt: skip
    cost: MoneyOut | None = Field(description="quantity times unit cost; null without a cost")
    margin: MoneyOut | None = Field(description="The line's net less that cost; null without a cost")
    margin_percent: PercentOut | None

    @model_validator(mode="before")
    @classmethod
    def _no_cost_is_no_figure(cls, data):
        # A basis with nothing to cost from (source none: the supplier price basis for an item without a
        # supplier price) has no cost, not a cost of 0.00 and a 100 % margin.
        if isinstance(data, dict) and data.get("source") == NO_COST:
            data = data | {"unit_cost": None, "cost": None, "margin": None, "margin_percent": None}
        return data


class QuotationLineOut(BaseModel):
    id: int
    position: int
    item_id: int | None
    item_sku: str | None
    description: str
    quantity: QuantityOut
    list_price: PriceOut | None = Field(description="The price list's price, shown beside a locked one")
    unit_price: PriceOut
    price_locked: bool = Field(description="Typed by hand: a new quantity does not re-price it")
    price_rule: int | None = Field(description="Id of the price-list rule that gave the list price")
    price_rule_text: str = Field(description="That rule in words (or the base price)")
    discount: PercentOut
    tax_category_id: int | None
    tax_rate: PercentOut
    gross_net: MoneyOut = Field(description="quantity times price, less the line discount")
    document_discount: MoneyOut = Field(description="Its share of the document discount")
    net: MoneyOut
    unit_cost: PriceOut | None = Field(description="Frozen when priced; null for a free-text line")
    cost_source: str = Field(
        description="The main source: the basis when the stock covered any of the quantity (fifo, average, "
        "last_purchase, standard), else supplier_price, standard or none"
    )
    cost_sources: list[str] = Field(
        description='Every part\'s source, each once, in order: ["fifo", "supplier_price"] for a line '
        "the stock covered only in part"
    )
    costed_at: datetime | None
    cost_parts: list[CostPartOut] = Field(description="The working: which layers or prices make the cost")
    cost_comparison: dict[str, CostBasisOut] = Field(
        description="The line's cost and margin under average, fifo, last_purchase and supplier_price"
    )
    cost: MoneyOut
    margin: MoneyOut
    margin_percent: PercentOut | None = Field(description="Margin on the net; null for a zero net")
    min_margin: PercentOut
    below_min_margin: bool
    available: QuantityOut | None = Field(
        description="Stock available in the quotation's warehouse: on hand - reserved + on order; null for a "
        "service or a free-text line"
    )
    on_order: QuantityOut | None = Field(
        description="What confirmed purchase orders into that warehouse have still to receive"
    )
    next_receipt_date: Day | None = Field(
        description="The earliest expected date of those purchase orders (null when none is on order or none "
        "has a date)"
    )

    @model_validator(mode="before")
    @classmethod
    def _sources_of_parts(cls, data):
        if isinstance(data, dict) and "cost_sources" not in data:
            data = data | {"cost_sources": cost_sources(data.get("cost_parts"))}
        return data


class TaxOut(BaseModel):
    rate: PercentOut
    base: MoneyOut
    tax: MoneyOut


class QuotationSummary(Schema):
    id: int
    number: str
    version: int
    state: str
    party_id: int
    party_name: str
    opportunity_id: int | None
    salesperson_id: int
    salesperson_username: str
    date: Day
    valid_until: Day
    currency: str
    net: MoneyOut
    tax: MoneyOut
    total: MoneyOut
    margin: MoneyOut
    margin_percent: PercentOut | None
    sales_order_id: int | None
    revision_of_id: int | None
    created_at: datetime
    updated_at: datetime


class QuotationOut(QuotationSummary):
    opportunity_title: str | None
    price_list_id: int | None
    warehouse_id: int
    payment_term_id: int | None
    payment_term: str | None = Field(description="The payment term's name")
    notes: str
    document_discount: PercentOut = Field(description="The document discount %")
    gross_net: MoneyOut = Field(description="The lines' net before the document discount")
    discount_amount: MoneyOut = Field(description="The document discount as an amount")
    taxes: list[TaxOut] = Field(description="Tax per rate")
    cost: MoneyOut
    sent_at: datetime | None
    sent_to: str
    closed_at: datetime | None
    close_reason: str
    approval: QuotationApproval = Field(
        description="A manager's decision on a quotation under its minimum margin, on the lines as they were "
        "then: undecided (also after its lines change), approved or refused"
    )
    approval_by_id: int | None = Field(description="The manager who decided")
    approval_at: datetime | None
    approval_note: str
    awaiting_approval: bool = Field(
        description="true when the company asks for approval, a line is under its minimum margin and no "
        "manager has approved it: it cannot be sent (409)"
    )
    lines: list[QuotationLineOut]


class QuotationList(Schema):
    count: int
    items: list[QuotationSummary]


class ShortagePurchaseOut(BaseModel):
    """A purchase order line bought for a sales order line, its price against the line's frozen cost."""

    purchase_order_id: int
    purchase_order_number: str = Field(description="Empty while the purchase order is a draft")
    purchase_order_state: str
    purchase_line_id: int
    supplier_id: int
    quantity: QuantityOut
    unit_price: PriceOut = Field(description="In the purchase order's currency")
    currency: str
    company_unit_price: PriceOut | None = Field(
        description="The unit price in the company's currency (null without an exchange rate)"
    )
    costed_unit_cost: PriceOut | None = Field(
        description="What the quotation's frozen cost assumed for these units: the supplier price it was "
        "costed with, else (a cost from stock) the line's frozen unit cost"
    )
    difference: PriceOut | None = Field(
        description="company_unit_price - costed_unit_cost: what buying costs more (or less) per unit than "
        "the margin assumed"
    )


class ShortagesIn(StrictSchema):
    line_ids: list[Id] | None = Field(
        None, max_length=MAX_LINES, description="Only these lines of the order; all of them when left out"
    )


class SalesOrderLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    position: int
    quotation_line_id: int | None
    item_id: int | None
    description: str
    quantity: QuantityOut
    unit_price: PriceOut
    discount: PercentOut
    tax_rate: PercentOut
    net: MoneyOut
    unit_cost: PriceOut | None = Field(description="The cost quoted (frozen on the quotation)")
    cost_source: str
    margin: MoneyOut = Field(description="The margin quoted")
    delivered: QuantityOut = Field(description="Delivered by validated delivery notes (returns not deducted)")
    returned: QuantityOut = Field(description="Come back on return notes")
    invoiced: QuantityOut = Field(description="Invoiced by posted invoices, less credit notes")
    cancelled: QuantityOut = Field(description="No longer to deliver (cancelled remaining or no backorder)")
    to_deliver: QuantityOut = Field(
        description="ordered - delivered - cancelled: what its draft delivery notes reserve (0 for a service)"
    )
    to_invoice: QuantityOut = Field(
        description="What may still be invoiced: delivered - returned (a service: ordered - cancelled) - invoiced"
    )
    available: QuantityOut | None = Field(
        description="Stock there is for this line in the order's warehouse: on hand - reserved + on order, "
        "its own reservation counted back; null for a service or a free-text line"
    )
    on_order: QuantityOut | None = Field(
        description="What confirmed purchase orders into that warehouse have still to receive"
    )
    next_receipt_date: Day | None = Field(description="The earliest expected date of those purchase orders")
    shortage: QuantityOut = Field(description="What is to deliver beyond what is available")
    to_buy: QuantityOut = Field(
        description="The shortage not yet on a draft purchase order: what buy-shortages would buy"
    )
    purchases: list[ShortagePurchaseOut] = Field(
        description="The purchase order lines bought for it (cancelled orders left out)"
    )
    quoted_margin: MoneyOut = Field(description="The net less the cost frozen when it was priced")
    quoted_margin_percent: PercentOut | None
    realised_net: MoneyOut = Field(
        description="The net invoiced (less credit notes) for what was both delivered and invoiced"
    )
    realised_cost: MoneyOut = Field(
        description="The cost the goods of that quantity left the warehouse with (returns deducted); a "
        "service: its quoted cost for what was invoiced"
    )
    realised_margin: MoneyOut = Field(description="realised_net - realised_cost")
    realised_margin_percent: PercentOut | None = Field(description="On realised_net; null while it is 0")


class DeliveryRefOut(Schema):
    id: int
    number: str
    state: str
    kind: str = Field(description="delivery, or return (goods back from the customer)")


class SalesOrderSummary(Schema):
    id: int
    number: str
    state: str
    delivery_state: str = Field(description="nothing, to_deliver, partial or delivered (from the lines)")
    invoice_state: str = Field(description="nothing, to_invoice, partial or invoiced (from the lines)")
    quotation_id: int | None
    party_id: int
    party_name: str
    opportunity_id: int | None
    salesperson_id: int
    date: Day
    currency: str
    net: MoneyOut
    tax: MoneyOut
    total: MoneyOut
    cost: MoneyOut = Field(description="The cost quoted")
    margin: MoneyOut = Field(description="The margin quoted")
    created_at: datetime


class SalesOrderOut(SalesOrderSummary):
    warehouse_id: int
    payment_term_id: int | None
    payment_term: str | None = Field(description="The payment term's name")
    taxes: list[TaxOut]
    customer_reference: str
    notes: str
    quoted_margin: MoneyOut = Field(description="The order's net less its quoted (frozen) cost")
    quoted_margin_percent: PercentOut | None
    realised_net: MoneyOut = Field(
        description="The lines' net invoiced for what was both delivered and invoiced (docs/modules/sales.md)"
    )
    realised_cost: MoneyOut = Field(description="The lines' cost of the goods delivered for that quantity")
    realised_margin: MoneyOut = Field(description="realised_net - realised_cost")
    realised_margin_percent: PercentOut | None = Field(description="On realised_net; null while it is 0")
    deliveries: list[DeliveryRefOut] = Field(description="Its delivery and return notes, oldest first")
    lines: list[SalesOrderLineOut]


class SalesOrderList(Schema):
    count: int
    items: list[SalesOrderSummary]


class ShortageBoughtOut(BaseModel):
    sales_order_line_id: int
    item_id: int
    quantity: QuantityOut
    purchase_order_id: int
    supplier_id: int
    unit_price: PriceOut = Field(description="In the purchase order's currency")
    currency: str
    from_frozen_cost: bool = Field(
        description="true: the supplier price the line's cost was frozen from; false: its cost came from stock "
        "(FIFO, average, last purchase, standard), so the item's preferred supplier at its current price"
    )


class ShortagesBought(Schema):
    """What buy-shortages put on draft purchase orders, and the order as it now reads."""

    bought: list[ShortageBoughtOut]
    order: SalesOrderOut

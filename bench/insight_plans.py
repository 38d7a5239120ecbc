"""The insight benchmark's documents as planned in memory (bench/insight_data.py): each story is planned whole,
its stock valued, its documents numbered, before a row is written, so every figure is known when it is."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from nexo.catalog.models import Item
from nexo.core.rules import round_money
from nexo.purchasing.models import PurchaseOrder
from nexo.sales import rules as sales_rules
from nexo.sales.models import Delivery

ZERO = Decimal("0.00")
NO_UNITS = Decimal(0)


@dataclass(eq=False)
class ItemPlan:
    id: int
    sku: str
    name: str
    kind: str
    method: str
    category_id: int
    cost: Decimal  # what it cost at the start of the period (purchases rise from it)
    price: Decimal
    sale_tax_id: int
    sale_rate: Decimal
    purchase_tax_id: int
    purchase_rate: Decimal
    min_margin: Decimal
    standard_cost: Decimal | None
    supplier_id: int | None = None
    supplier_price_id: int | None = None

    @property
    def stocked(self) -> bool:
        return self.kind == Item.Kind.STOCKED


@dataclass(eq=False)
class PartyPlan:
    id: int
    name: str
    tax_id: str
    address: str
    email: str
    customer: bool
    supplier: bool
    habit: str  # how it pays: "early", "on_time", "late", "bad"
    term_id: int
    credit_limit: Decimal | None = None
    salesperson: int = 0  # index into the salespeople


@dataclass(eq=False)
class QuoteLinePlan:
    id: int
    position: int
    item: ItemPlan
    quantity: Decimal
    list_price: Decimal
    unit_price: Decimal
    locked: bool
    discount: Decimal
    unit_cost: Decimal
    source: str
    figures: sales_rules.LineFigures | None = None


@dataclass(eq=False)
class QuotePlan:
    id: int
    party: PartyPlan
    opportunity: "OpportunityPlan | None"
    salesperson_id: int
    day: date
    state: str
    lines: list[QuoteLinePlan]
    version: int = 1
    revision_of: "QuotePlan | None" = None
    sent: date | None = None
    closed: date | None = None
    close_reason: str = ""
    totals: sales_rules.Totals | None = None
    number: str = ""


@dataclass(eq=False)
class OpportunityPlan:
    id: int
    party: PartyPlan
    owner_id: int
    day: date
    status: str
    stage: str  # the stage's name
    amount: Decimal = ZERO
    closed: date | None = None
    lost_reason: str = ""
    expected_close: date | None = None
    stages: list[tuple[date, str]] = field(default_factory=list)


@dataclass(eq=False)
class OrderLinePlan:
    id: int
    quote_line: QuoteLinePlan
    delivered: Decimal = NO_UNITS
    returned: Decimal = NO_UNITS
    invoiced: Decimal = NO_UNITS
    delivered_cost: Decimal = ZERO
    invoiced_net: Decimal = ZERO

    @property
    def item(self) -> ItemPlan:
        return self.quote_line.item


@dataclass(eq=False)
class MovePlan:
    item: ItemPlan
    quantity: Decimal
    day: date
    incoming: bool
    origin_type: str
    document: object  # the delivery or receipt
    done: bool = True
    is_purchase: bool = False
    unit_cost: Decimal | None = None  # incoming: known; outgoing: the valuation's
    value: Decimal | None = None
    id: int = 0
    returned_from: "MovePlan | None" = None


@dataclass(eq=False)
class DeliveryLinePlan:
    id: int
    order_line: OrderLinePlan
    quantity: Decimal
    move: MovePlan
    returned_line: "DeliveryLinePlan | None" = None


@dataclass(eq=False)
class DeliveryPlan:
    id: int
    order: "OrderPlan"
    day: date
    done: bool
    lines: list[DeliveryLinePlan] = field(default_factory=list)
    kind: str = Delivery.Kind.DELIVERY
    backorder_of: "DeliveryPlan | None" = None
    return_of: "DeliveryPlan | None" = None
    reason: str = ""
    number: str = ""

    @property
    def cost(self) -> Decimal:
        return sum((line.move.value or ZERO for line in self.lines), ZERO) if self.done else ZERO


@dataclass(eq=False)
class InvoiceLinePlan:
    id: int
    order_line: OrderLinePlan
    quantity: Decimal
    net: Decimal
    delivery_line: DeliveryLinePlan | None = None  # what a stocked line bills (its cost)
    corrects: "InvoiceLinePlan | None" = None


@dataclass(eq=False)
class InvoicePlan:
    id: int
    order: "OrderPlan"
    day: date
    lines: list[InvoiceLinePlan]
    credit_note: bool = False
    corrects: "InvoicePlan | None" = None
    reason: str = ""
    taxes: object = None
    number: str = ""
    sequence: int = 0
    dues: list["DuePlan"] = field(default_factory=list)

    def cost(self) -> Decimal:
        return sum((line_cost(line) for line in self.lines), ZERO)


@dataclass(eq=False)
class OrderPlan:
    id: int
    quote: QuotePlan
    day: date
    lines: list[OrderLinePlan]
    deliveries: list[DeliveryPlan] = field(default_factory=list)
    invoices: list[InvoicePlan] = field(default_factory=list)
    number: str = ""


@dataclass(eq=False)
class DuePlan:
    id: int
    party_id: int
    payable: bool
    document: object  # InvoicePlan or SupplierInvoicePlan
    installment: int
    installments: int
    day: date
    due: date
    amount: Decimal
    paid: Decimal = ZERO
    reminders: int = 0


@dataclass(eq=False)
class PaymentPlan:
    id: int
    party_id: int
    payable: bool
    day: date
    amount: Decimal
    method: str
    allocations: list[tuple[DuePlan, Decimal]]
    number: str = ""
    reference: str = ""


@dataclass(eq=False)
class PurchaseLinePlan:
    id: int
    item: ItemPlan
    quantity: Decimal
    unit_price: Decimal
    received: Decimal = NO_UNITS
    origin: OrderLinePlan | None = None
    origin_label: str = ""


@dataclass(eq=False)
class ReceiptPlan:
    id: int
    order: "PurchasePlan"
    day: date
    lines: list[tuple[PurchaseLinePlan, Decimal, MovePlan]]
    number: str = ""


@dataclass(eq=False)
class PurchasePlan:
    id: int
    supplier_id: int
    day: date
    lines: list[PurchaseLinePlan]
    receipts: list[ReceiptPlan] = field(default_factory=list)
    number: str = ""

    @property
    def state(self) -> str:
        received = [line.received >= line.quantity for line in self.lines]
        if all(received):
            return PurchaseOrder.State.RECEIVED
        if any(line.received for line in self.lines):
            return PurchaseOrder.State.PARTIALLY_RECEIVED
        return PurchaseOrder.State.CONFIRMED


@dataclass(eq=False)
class SupplierInvoicePlan:
    id: int
    receipt: ReceiptPlan
    day: date
    supplier_number: str
    lines: list[tuple[int, PurchaseLinePlan, Decimal, Decimal]]  # (id, purchase line, quantity, net)
    taxes: object = None
    number: str = ""
    dues: list[DuePlan] = field(default_factory=list)


def line_cost(line: InvoiceLinePlan) -> Decimal:
    """The cost of the goods an invoice line bills: its delivery line's (a service: quantity times its cost)."""
    if line.delivery_line is not None:
        move = line.delivery_line.move
        cost = move.value or ZERO
        return -cost if line.quantity < 0 else cost
    if line.order_line.item.stocked:
        return ZERO
    return round_money(line.quantity * line.order_line.quote_line.unit_cost)

"""Quotation arithmetic and states, pure: line nets, the document discount spread over the lines, tax per
rate, margins and totals (docs/modules/sales.md). No Django here.

Rounding happens at named points only: each line's net, each line's share of the document discount, each
line's cost, the tax of each rate. Everything else is a sum of those, so the lines add up to the totals.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from nexo.core.rules import Lifecycle, TaxLine, round_money, taxes_by_rate

HUNDRED = Decimal(100)
ZERO = Decimal(0)


# A quotation's lifecycle: every state is a decision (sent, accepted by the customer, rejected, expired by the
# nightly task, cancelled, superseded by the revision that replaced it); a sent quotation is never edited, a
# new version is made instead. Superseded is not cancelled: nobody cancelled it, a newer version took its place.
DRAFT, SENT, ACCEPTED = "draft", "sent", "accepted"
REJECTED, EXPIRED, CANCELLED, SUPERSEDED = "rejected", "expired", "cancelled", "superseded"
QUOTATION_LIFECYCLE = Lifecycle(
    "quotation",
    {
        DRAFT: frozenset({SENT, CANCELLED, SUPERSEDED}),
        SENT: frozenset({ACCEPTED, REJECTED, EXPIRED, CANCELLED, SUPERSEDED}),
        ACCEPTED: frozenset(),
        REJECTED: frozenset(),
        EXPIRED: frozenset(),
        CANCELLED: frozenset(),
        SUPERSEDED: frozenset(),
    },
)
OPEN_STATES = (DRAFT, SENT)
# A delivery note: a draft (holding the reservation) is validated (done) or cancelled (what it held no longer
# to deliver). A return is created done. What is not delivered goes on a new draft (a backorder), never back.
DONE = "done"
DELIVERY_LIFECYCLE = Lifecycle(
    "delivery note",
    {
        DRAFT: frozenset({DONE, CANCELLED}),
        DONE: frozenset(),
        CANCELLED: frozenset(),
    },
)

# A manager's decision on a quotation with a line under its minimum margin, when the company asks for it
# (docs/decisions/0008-quotation-approval.md): recorded beside the lifecycle, not in it. Undecided until a
# manager approves or refuses; a change to the lines after the decision makes it undecided again.
APPROVAL_UNDECIDED, APPROVED, APPROVAL_REFUSED = "undecided", "approved", "refused"
QUOTATION_APPROVAL = Lifecycle(
    "quotation approval",
    {
        APPROVAL_UNDECIDED: frozenset({APPROVED, APPROVAL_REFUSED}),
        APPROVED: frozenset({APPROVAL_UNDECIDED, APPROVAL_REFUSED}),
        APPROVAL_REFUSED: frozenset({APPROVAL_UNDECIDED, APPROVED}),
    },
)


def awaits_approval(*, required: bool, below_min_margin: bool, approval: str) -> bool:
    """A quotation waits for a manager when the company asks for approval, a line is under its minimum
    margin and no manager has approved it (as its lines are now)."""
    return required and below_min_margin and approval != APPROVED


# A sales order is created confirmed (by accepting its quotation, or directly); it is done (locked) once
# fully invoiced, and can be cancelled while nothing of it was delivered or invoiced.
ORDER_CONFIRMED, ORDER_DONE, ORDER_CANCELLED = "confirmed", "done", "cancelled"
SALES_ORDER_LIFECYCLE = Lifecycle(
    "sales order",
    {
        ORDER_CONFIRMED: frozenset({ORDER_DONE, ORDER_CANCELLED}),
        ORDER_DONE: frozenset(),
        ORDER_CANCELLED: frozenset(),
    },
)
# An order's delivery and invoice states, from its lines' quantities.
NOTHING_TO_DO = "nothing"
TO_DELIVER, PARTIALLY_DELIVERED, DELIVERED = "to_deliver", "partial", "delivered"
TO_INVOICE, PARTIALLY_INVOICED, INVOICED = "to_invoice", "partial", "invoiced"


def line_net(quantity: Decimal, unit_price: Decimal, discount: Decimal = ZERO) -> Decimal:
    """Quantity * price less the line's discount %, rounded once."""
    return round_money(quantity * unit_price * (HUNDRED - discount) / HUNDRED)


def spread_discount(nets: Sequence[Decimal], percent: Decimal) -> list[Decimal]:
    """Each line's share of a document discount of `percent`, in proportion to its net.

    The shares add up exactly to the discount on the total (largest remainders get the leftover cents), so
    the lines' nets after it add up to the document's net.
    """
    total = sum(nets, ZERO)
    discount = round_money(total * percent / HUNDRED)
    if not nets or total == 0 or discount == 0:
        return [ZERO for _net in nets]
    exact = [net * discount / total for net in nets]
    shares = [round_money(value) for value in exact]
    leftover = discount - sum(shares, ZERO)
    cent = Decimal("0.01") if leftover > 0 else Decimal("-0.01")
    # Give or take the leftover cents where rounding moved a share the most.
    order = sorted(
        range(len(nets)), key=lambda index: (shares[index] - exact[index]) * (1 if leftover > 0 else -1)
    )
    for index in order[: int(abs(leftover) / Decimal("0.01"))]:
        shares[index] += cent
    return shares


def margin_percent(margin: Decimal, net: Decimal) -> Decimal | None:
    """Margin on price, in %, 2 decimals; None when there is no net to measure it against."""
    if net == 0:
        return None
    return round_money(margin * HUNDRED / net)


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal  # %
    tax_rate: Decimal  # %
    unit_cost: Decimal | None  # None: a line without cost (free text)
    min_margin: Decimal = ZERO  # %


@dataclass(frozen=True)
class LineFigures:
    gross_net: Decimal  # after the line discount
    document_discount: Decimal  # its share of the document discount
    net: Decimal  # what the line sells for
    cost: Decimal
    margin: Decimal
    margin_percent: Decimal | None
    below_min_margin: bool


@dataclass(frozen=True)
class Totals:
    lines: tuple[LineFigures, ...]
    gross_net: Decimal
    document_discount: Decimal
    net: Decimal
    taxes: tuple[TaxLine, ...]
    tax: Decimal
    total: Decimal
    cost: Decimal
    margin: Decimal
    margin_percent: Decimal | None


def cost_and_margin(
    quantity: Decimal, unit_cost: Decimal | None, net: Decimal
) -> tuple[Decimal, Decimal, Decimal | None]:
    """A line's cost (quantity times unit cost, rounded once; none without a cost), margin and margin %."""
    cost = round_money(quantity * unit_cost) if unit_cost is not None else ZERO
    margin = net - cost
    return cost, margin, margin_percent(margin, net)


def totals(lines: Sequence[LineInput], document_discount: Decimal = ZERO) -> Totals:
    """Every figure of a quotation from its lines and its document discount %."""
    gross = [line_net(line.quantity, line.unit_price, line.discount) for line in lines]
    shares = spread_discount(gross, document_discount)
    figures = []
    for line, gross_net, share in zip(lines, gross, shares, strict=True):
        net = gross_net - share
        cost, margin, percent = cost_and_margin(line.quantity, line.unit_cost, net)
        below = line.unit_cost is not None and (percent is None or percent < line.min_margin)
        figures.append(LineFigures(gross_net, share, net, cost, margin, percent, below))
    net = sum((figure.net for figure in figures), ZERO)
    taxes = taxes_by_rate([(line.tax_rate, figure.net) for line, figure in zip(lines, figures, strict=True)])
    tax = sum((line.tax for line in taxes), ZERO)
    cost = sum((figure.cost for figure in figures), ZERO)
    margin = net - cost
    return Totals(
        lines=tuple(figures), gross_net=sum(gross, ZERO), document_discount=sum(shares, ZERO), net=net,
        taxes=taxes, tax=tax, total=net + tax, cost=cost, margin=margin, margin_percent=margin_percent(margin, net),
    )  # fmt: skip


# Fulfilment: what an order line still has to deliver and to invoice, and the order's states from them.


@dataclass(frozen=True)
class LineFulfilment:
    """An order line's quantities: ordered, delivered, returned, invoiced (net of credit notes) and
    cancelled (no longer to deliver). A service line (stocked False) is not delivered: it is invoiced on
    its ordered quantity."""

    stocked: bool
    ordered: Decimal
    delivered: Decimal = ZERO
    returned: Decimal = ZERO
    invoiced: Decimal = ZERO
    cancelled: Decimal = ZERO

    @property
    def to_deliver(self) -> Decimal:
        return max(self.ordered - self.delivered - self.cancelled, ZERO) if self.stocked else ZERO

    @property
    def invoiceable(self) -> Decimal:
        """What may be billed in all: the goods kept by the customer (delivered less returned), or a
        service's ordered quantity less what was cancelled."""
        return self.delivered - self.returned if self.stocked else self.ordered - self.cancelled

    @property
    def to_invoice(self) -> Decimal:
        return max(self.invoiceable - self.invoiced, ZERO)


def delivery_state(lines: Sequence[LineFulfilment]) -> str:
    """Nothing to deliver (no goods, or all cancelled), to deliver (nothing delivered yet), partially
    delivered, or delivered (nothing left to deliver)."""
    goods = [line for line in lines if line.stocked and line.ordered - line.cancelled > 0]
    if not goods:
        return NOTHING_TO_DO
    if all(line.to_deliver == 0 for line in goods):
        return DELIVERED
    if any(line.delivered > 0 for line in goods):
        return PARTIALLY_DELIVERED
    return TO_DELIVER


def invoice_state(lines: Sequence[LineFulfilment]) -> str:
    """Invoiced once every line's billable quantity (what was delivered, or ordered for a service, and will
    not be delivered any more) is invoiced; partially when something is; nothing when nothing ever will be."""
    billable = [line for line in lines if line.invoiceable > 0 or line.to_deliver > 0 or line.invoiced > 0]
    if not billable:
        return NOTHING_TO_DO
    if all(line.to_deliver == 0 and line.to_invoice == 0 for line in billable):
        return INVOICED
    if any(line.invoiced > 0 for line in billable):
        return PARTIALLY_INVOICED
    return TO_INVOICE


# Quoted against realised margin (docs/modules/sales.md, "Quoted and realised margin"). Quoted: the order's
# net less the cost frozen when it was priced. Realised: over what was both delivered (kept by the customer)
# and invoiced, the net actually invoiced less the cost the goods actually left the warehouse with, so a
# partly delivered or partly invoiced order compares like with like. The two rounding points: a line's
# invoiced net and its delivered cost taken pro rata to that matched quantity.


@dataclass(frozen=True)
class RealisedInput:
    """An order line's fulfilment figures: what was delivered and returned with the cost of the goods kept
    (`delivered_cost`, returns deducted), and what was invoiced with its net (credit notes deducted).
    `unit_cost` is the quoted cost: a line that is not delivered (a service, free text) has no other."""

    stocked: bool
    delivered: Decimal
    returned: Decimal
    invoiced: Decimal
    delivered_cost: Decimal
    invoiced_net: Decimal
    unit_cost: Decimal | None = None


@dataclass(frozen=True)
class RealisedFigures:
    quantity: Decimal  # delivered (kept) and invoiced: what the realised figures are measured on
    net: Decimal
    cost: Decimal
    margin: Decimal
    margin_percent: Decimal | None


@dataclass(frozen=True)
class RealisedMargin:
    lines: tuple[RealisedFigures, ...]
    net: Decimal
    cost: Decimal
    margin: Decimal
    margin_percent: Decimal | None


def _share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """`amount` for `part` of `whole` units, rounded once (the whole amount when part is the whole)."""
    if part == whole:
        return amount
    return round_money(amount * part / whole) if whole else ZERO


def realised_line(line: RealisedInput) -> RealisedFigures:
    """One line's realised figures. Goods: over min(delivered - returned, invoiced), the invoiced net and
    the delivered cost each taken pro rata to that quantity. A line that is not delivered: its invoiced net
    against its quoted unit cost for the invoiced quantity."""
    if line.stocked:
        kept = max(line.delivered - line.returned, ZERO)
        invoiced = max(line.invoiced, ZERO)
        quantity = min(kept, invoiced)
        net = _share(line.invoiced_net, quantity, invoiced) if quantity else ZERO
        cost = _share(line.delivered_cost, quantity, kept) if quantity else ZERO
    else:
        quantity = max(line.invoiced, ZERO)
        net = line.invoiced_net if quantity else ZERO
        cost = round_money(quantity * line.unit_cost) if quantity and line.unit_cost is not None else ZERO
    margin = net - cost
    return RealisedFigures(quantity, net, cost, margin, margin_percent(margin, net))


def realised_margin(lines: Sequence[RealisedInput]) -> RealisedMargin:
    """An order's realised figures: each line's (`realised_line`) and their sums; the margin % on the
    realised net (none while nothing is both delivered and invoiced)."""
    figures = tuple(realised_line(line) for line in lines)
    net = sum((figure.net for figure in figures), ZERO)
    cost = sum((figure.cost for figure in figures), ZERO)
    return RealisedMargin(figures, net, cost, net - cost, margin_percent(net - cost, net))

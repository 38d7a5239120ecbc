"""Pure purchasing rules: a purchase order's states, the decisions a person makes between them, the
receipt state its received quantities give, and its tax per rate. No Django here (docs/decisions/0002-lifecycle-and-derived-states.md)."""

from collections.abc import Sequence
from decimal import Decimal

# A purchase order's tax per rate is worked out as a quotation's: core's one rule.
from nexo.core.rules import Lifecycle, TaxLine, taxes_by_rate  # noqa: F401

DRAFT, CONFIRMED, PARTIALLY_RECEIVED, RECEIVED, CANCELLED = (
    "draft", "confirmed", "partially_received", "received", "cancelled",
)  # fmt: skip

# Decisions only: a draft is confirmed or cancelled, a confirmed order cancelled while nothing has come in.
# Partially received and received follow from the quantities (`receipt_state`); from them a person can no
# longer cancel.
ORDER_LIFECYCLE = Lifecycle(
    "purchase order",
    {
        DRAFT: frozenset({CONFIRMED, CANCELLED}),
        CONFIRMED: frozenset({CANCELLED}),
        PARTIALLY_RECEIVED: frozenset(),
        RECEIVED: frozenset(),
        CANCELLED: frozenset(),
    },
)
# Goods may arrive for these orders; what they still lack is on order.
RECEIVABLE = (CONFIRMED, PARTIALLY_RECEIVED)
# Not finished yet: being prepared, or waiting for goods.
OPEN = (DRAFT, *RECEIVABLE)


def receipt_state(ordered: Sequence[Decimal], received: Sequence[Decimal]) -> str:
    """A confirmed order's state from its lines' quantities (ordered and received, line by line): received
    once every line has all it ordered, partially received once anything came in, else confirmed."""
    lines = list(zip(ordered, received, strict=True))
    if all(got >= wanted for wanted, got in lines):
        return RECEIVED
    if any(got > 0 for _wanted, got in lines):
        return PARTIALLY_RECEIVED
    return CONFIRMED



"""Pure inventory rules: a stock move's lifecycle. No Django here.

A move is a draft (planned, it reserves stock) until someone posts it: posting makes it done, and stock
and valuation change at its date. Only a draft can be cancelled; a done move is undone by a move the
other way. Moves a document creates already done (a receipt, a count) start done: they make no move.
"""

from nexo.core.rules import Lifecycle

DRAFT, DONE, CANCELLED = "draft", "done", "cancelled"
MOVE_LIFECYCLE = Lifecycle(
    "stock move", {DRAFT: frozenset({DONE, CANCELLED}), DONE: frozenset(), CANCELLED: frozenset()}
)

"""Sales API: /quotations with their lines and every computed figure (price rule, frozen cost with its
provenance, the cost under each basis, margins, totals), the actions /send, /accept, /reject, /revise,
/cancel, the /pdf and the /versions; /sales-orders, also created directly (docs/api.md, docs/modules/sales.md).

A salesperson sees the quotations they make and those of the opportunities they own; a manager sees
everyone's. Another company's record, or a colleague's, answers 404.

One file per aggregate, each with its `endpoints`: quotations (with their actions, PDF and versions),
quotation_lines (one line of a draft at a time), sales_orders, deliveries (delivery and return notes
and their actions) and delivery_documents (a delivery note's PDF); schemas holds what they share.
"""

from nexo.core.api import module_router
from nexo.sales.api import (
    deliveries,
    delivery_documents,
    order_create,
    quotation_lines,
    quotations,
    sales_orders,
)

# order_create's POST /sales-orders joins the sales_orders router (the list's path): imported, not listed.
assert order_create.endpoints.router is sales_orders.endpoints.router
router = module_router("sales", quotations, quotation_lines, sales_orders, deliveries, delivery_documents)

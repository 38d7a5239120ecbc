"""Every change to a quotation and what accepting it sets off (docs/modules/sales.md).

One module per aggregate: `quotations` (the header: create, update), `lines` (add, change, delete a line),
`pricing` (lines priced, costed and taxed; totals recomputed), `lifecycle` (sent, accepted, rejected,
revised, cancelled, expired: every move through `core.states`), `orders` (the sales order an acceptance
makes, and the stock it reserves on a draft delivery note), `deliveries` (delivery notes validated with
backorders, returns, cancelling what an order still has to deliver), `shortages` (an order's shortages bought from the supplier its cost came from), `sending` (the e-mail, sent after the commit), `approval` (a manager's word on a quotation under its
minimum margin), `emails` (the e-mail's text from the company's template). Callers use this package:
`from nexo.sales import services; services.quotation_create(...)`.
"""

from nexo.sales.services.approval import awaits_approval, quotation_approve, quotation_refuse_approval
from nexo.sales.services.common import check_editable, sales_settings_update, settings_of
from nexo.sales.services.deliveries import (
    default_quantities,
    delivery_return,
    delivery_validate,
    sales_order_cancel_remaining,
)
from nexo.sales.services.emails import (
    default_recipient,
    quotation_email,
    quotation_email_template_save,
    template_for,
)
from nexo.sales.services.lifecycle import (
    quotation_accept,
    quotation_cancel,
    quotation_mark_sent,
    quotation_reject,
    quotation_revise,
    quotations_expire,
)
from nexo.sales.services.lines import quotation_line_add, quotation_line_delete, quotation_line_update
from nexo.sales.services.orders import DELIVERY_ORIGIN
from nexo.sales.services.quotations import open_quotation_blocker, quotation_create, quotation_update
from nexo.sales.services.sending import quotation_email_deliver, quotation_resend, quotation_send
from nexo.sales.services.shortages import Bought, bought_text, sales_order_buy_shortages

__all__ = [
    "DELIVERY_ORIGIN",
    "Bought",
    "awaits_approval",
    "bought_text",
    "check_editable",
    "default_quantities",
    "default_recipient",
    "delivery_return",
    "delivery_validate",
    "open_quotation_blocker",
    "quotation_accept",
    "quotation_approve",
    "quotation_cancel",
    "quotation_create",
    "quotation_email",
    "quotation_email_deliver",
    "quotation_email_template_save",
    "quotation_line_add",
    "quotation_line_delete",
    "quotation_line_update",
    "quotation_mark_sent",
    "quotation_refuse_approval",
    "quotation_reject",
    "quotation_resend",
    "quotation_revise",
    "quotation_send",
    "quotation_update",
    "quotations_expire",
    "sales_order_buy_shortages",
    "sales_order_cancel_remaining",
    "sales_settings_update",
    "settings_of",
    "template_for",
]

"""Supplier invoices: recorded from purchase orders (what was received and not yet invoiced, at the ordered
price and VAT rate) or typed by hand, checked line by line against the purchase order, and posted.

A line that bills more than was received (less what posted invoices already billed of it), or at another
unit price than the one ordered, carries its difference; a user accepts the invoice's differences before
it can be posted. The supplier's own number is unique per supplier and year (a database constraint; the
services say so on the field first). Posting computes the deductible VAT per rate and the IRPF withheld
with the tax engine (`invoicing.tax.invoice_taxes`), gives our number (gapless per series and year, in
date order, under the sequence's row lock) and freezes the invoice.
"""

from nexo.invoicing.services.supplier_invoices.checks import (
    Difference,
    difference_text,
    differences_of,
    line_differences,
    supplier_invoice_accept_differences,
)
from nexo.invoicing.services.supplier_invoices.common import supplier_invoice_of
from nexo.invoicing.services.supplier_invoices.drafts import (
    BILLABLE_ORDER_STATES,
    MAX_LINE_AMOUNT,
    MAX_LINES,
    MAX_ORDERS,
    supplier_invoice_create,
    supplier_invoice_delete,
    supplier_invoice_from_orders,
    supplier_invoice_update,
)
from nexo.invoicing.services.supplier_invoices.posting import supplier_invoice_post

__all__ = [
    "BILLABLE_ORDER_STATES",
    "MAX_LINES",
    "MAX_LINE_AMOUNT",
    "MAX_ORDERS",
    "Difference",
    "difference_text",
    "differences_of",
    "line_differences",
    "supplier_invoice_accept_differences",
    "supplier_invoice_create",
    "supplier_invoice_delete",
    "supplier_invoice_from_orders",
    "supplier_invoice_of",
    "supplier_invoice_post",
    "supplier_invoice_update",
]

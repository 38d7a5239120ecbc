"""Invoicing services: customer invoices and credit notes (`invoices` for drafts, `posting` for the number,
the final taxes and the orders' invoiced quantities, `credit_notes`, `cancelling` for one issued by mistake),
supplier invoices (`supplier_invoices`).

Callers use this package: `from nexo.invoicing import services; services.invoice_post(...)`."""

from nexo.invoicing.services.cancelling import invoice_cancel
from nexo.invoicing.services.common import InvoiceLineInput, settings_of
from nexo.invoicing.services.credit_notes import credit_note_create
from nexo.invoicing.services.invoices import (
    invoice_create,
    invoice_delete,
    invoice_from_orders,
    invoice_update,
)
from nexo.invoicing.services.posting import SIMPLIFIED_LIMIT, invoice_post
from nexo.invoicing.services.supplier_invoices import (
    supplier_invoice_accept_differences,
    supplier_invoice_create,
    supplier_invoice_delete,
    supplier_invoice_from_orders,
    supplier_invoice_of,
    supplier_invoice_post,
    supplier_invoice_update,
)

__all__ = [
    "SIMPLIFIED_LIMIT",
    "InvoiceLineInput",
    "credit_note_create",
    "invoice_cancel",
    "invoice_create",
    "invoice_delete",
    "invoice_from_orders",
    "invoice_post",
    "invoice_update",
    "settings_of",
    "supplier_invoice_accept_differences",
    "supplier_invoice_create",
    "supplier_invoice_delete",
    "supplier_invoice_from_orders",
    "supplier_invoice_of",
    "supplier_invoice_post",
    "supplier_invoice_update",
]

"""The invoicing API: customer invoices and credit notes (invoices), supplier invoices (supplier_invoices)."""

from nexo.core.api import module_router
from nexo.invoicing.api import invoice_documents, invoices, supplier_invoices

router = module_router("invoicing", invoices, invoice_documents, supplier_invoices)

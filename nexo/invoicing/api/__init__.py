"""The invoicing API: customer invoices and credit notes (invoices), supplier invoices (supplier_invoices)."""

from nexo.core.api import module_router
from nexo.invoicing.api import invoices, supplier_invoices

router = module_router("invoicing", invoices, supplier_invoices)

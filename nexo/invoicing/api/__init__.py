"""The invoicing API: customer invoices and credit notes (invoices), supplier invoices (supplier_invoices), the VAT reports (vat_reports)."""

from nexo.core.api import module_router
from nexo.invoicing.api import account_mapping, invoice_documents, invoices, supplier_invoices, vat_reports

router = module_router(
    "invoicing", invoices, invoice_documents, supplier_invoices, vat_reports, account_mapping
)

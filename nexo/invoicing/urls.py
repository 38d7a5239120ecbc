from nexo.invoicing.views import (
    account_mapping,
    credit_notes,
    invoice_documents,
    invoice_drafts,
    invoices,
    supplier_invoices,
    vat_reports,
)

app_name = "invoicing"
urlpatterns = [
    *invoices.urlpatterns,
    *invoice_drafts.urlpatterns,
    *invoice_documents.urlpatterns,
    *credit_notes.urlpatterns,
    *supplier_invoices.urlpatterns,
    *vat_reports.urlpatterns,
    *account_mapping.urlpatterns,
]

from django.utils.translation import gettext_lazy as _

from nexo.core import modules
from nexo.invoicing import rules

INVOICING_READ = ["invoicing.view_invoice", "invoicing.view_supplierinvoice"]
INVOICING_WRITE = [
    *INVOICING_READ, "invoicing.add_invoice", "invoicing.change_invoice", "invoicing.delete_invoice",
    "invoicing.post_invoice", "invoicing.cancel_invoice",
]  # fmt: skip
SUPPLIER_INVOICING_WRITE = [
    "invoicing.view_supplierinvoice", "invoicing.add_supplierinvoice", "invoicing.change_supplierinvoice",
    "invoicing.delete_supplierinvoice", "invoicing.post_supplierinvoice",
]  # fmt: skip


class InvoicingConfig(modules.NexoModule):
    name = "nexo.invoicing"
    label = "invoicing"
    verbose_name = _("Invoicing")
    url_prefix = "invoicing/"
    api_router = "nexo.invoicing.api:router"
    navigation = [
        modules.NavigationEntry(
            "invoicing", _("Invoices"), "invoicing:invoice_list", "invoicing.view_invoice"
        ),
        modules.NavigationEntry(
            "invoicing",
            _("Supplier invoices"),
            "invoicing:supplier_invoice_list",
            "invoicing.view_supplierinvoice",
        ),
        modules.NavigationEntry(
            "accounting", _("Account mapping"), "invoicing:account_mapping", "accounting.view_account"
        ),
        modules.NavigationEntry(
            "reports", _("VAT summary"), "invoicing:vat_summary", "invoicing.view_invoice"
        ),
        modules.NavigationEntry("reports", _("VAT books"), "invoicing:vat_books", "invoicing.view_invoice"),
    ]
    lifecycles = [
        ("invoicing.Invoice", "state", rules.INVOICE_LIFECYCLE),
        ("invoicing.SupplierInvoice", "state", rules.SUPPLIER_INVOICE_LIFECYCLE),
    ]
    role_permissions = {
        "sales": ["invoicing.view_invoice"],
        "purchasing": ["invoicing.view_supplierinvoice"],
        "accounting": [*INVOICING_WRITE, *SUPPLIER_INVOICING_WRITE],
    }

    def setup_company(self, company) -> None:
        # Imported here: an AppConfig module loads before the models are ready.
        from nexo.invoicing.services import settings_of

        settings_of(company)  # the series: invoices F, credit notes R, simplified FS, supplier invoices FR

    def load_demo(self, *, company, second_company, users):
        from nexo.invoicing.demo import load_demo_invoicing

        return load_demo_invoicing(company, users)

    def document_url(self, model_label, pk):
        from django.urls import reverse

        names = {
            "invoicing.invoice": "invoicing:invoice_view",
            "invoicing.supplierinvoice": "invoicing:supplier_invoice_view",
        }
        name = names.get(model_label)
        return reverse(name, args=[pk]) if name else None

from django.utils.translation import gettext_lazy as _

from nexo.core import modules

INVOICE = "invoicing.invoice"
COMPLIANCE_READ = ["compliance.view_billingrecord", "compliance.view_submission"]
COMPLIANCE_WRITE = [
    *COMPLIANCE_READ, "compliance.verify_records", "compliance.view_compliancesettings",
    "compliance.change_compliancesettings", "compliance.add_submission",
]  # fmt: skip


class ComplianceConfig(modules.NexoModule):
    name = "nexo.compliance"
    label = "compliance"
    verbose_name = _("Spanish compliance")
    url_prefix = "compliance/"
    api_router = "nexo.compliance.api:router"
    navigation = [
        modules.NavigationEntry(
            "invoicing", _("VERI*FACTU records"), "compliance:record_list", "compliance.view_billingrecord"
        ),
        modules.NavigationEntry(
            "invoicing", _("AEAT submissions"), "compliance:submission_list", "compliance.view_submission"
        ),
        modules.NavigationEntry(
            "accounting",
            _("VERI*FACTU settings"),
            "compliance:settings",
            "compliance.change_compliancesettings",
        ),
    ]
    role_permissions = {"accounting": COMPLIANCE_WRITE}

    def setup_company(self, company) -> None:
        from nexo.compliance.services.settings import compliance_settings

        compliance_settings(company)

    def finish_demo(self, *, company, second_company, users):
        from nexo.compliance.demo import demo_summary

        return demo_summary(company)

    def document_posted(self, *, company, by, model_label, document):
        """A posted invoice or credit note: its VERI*FACTU alta, in the posting's transaction."""
        if model_label != INVOICE:
            return None
        from nexo.compliance.services.records import registration_record

        return registration_record(company=company, by=by, invoice=document)

    def document_cancelled(self, *, company, by, model_label, document):
        """A cancelled invoice: its VERI*FACTU anulación, in the cancellation's transaction."""
        if model_label != INVOICE:
            return None
        from nexo.compliance.services.records import cancellation_record

        return cancellation_record(company=company, by=by, invoice=document)

    def document_print_mark(self, model_label, document):
        if model_label != INVOICE:
            return None
        from nexo.compliance.views.panels import invoice_print_mark

        return invoice_print_mark(document)

    def party_panel(self, request, party):
        """A customer's DIR3 codes for Facturae (FACe) on its page, with a link to change them."""
        if not request.user.has_perm("invoicing.view_invoice"):
            return None
        from nexo.compliance.views.einvoicing import party_panel

        return party_panel(request, party)

    def document_panel(self, request, model_label, document):
        if model_label != INVOICE:
            return None
        from nexo.compliance.views.panels import invoice_panel

        return invoice_panel(request, document)

from django.utils.translation import gettext_lazy as _

from nexo.core import modules

PAYMENTS_READ = [
    "payments.view_dueamount", "payments.view_payment", "payments.view_bankaccount", "payments.view_mandate",
    "payments.view_remittance", "payments.view_bankstatement", "payments.view_reminder",
]  # fmt: skip
PAYMENTS_WRITE = [
    *PAYMENTS_READ, "payments.add_payment", "payments.reverse_payment", "payments.add_bankaccount",
    "payments.change_bankaccount", "payments.add_mandate", "payments.change_mandate", "payments.add_remittance",
    "payments.change_remittance", "payments.add_bankstatement", "payments.change_bankstatement",
    "payments.add_reminder",
]  # fmt: skip


class PaymentsConfig(modules.NexoModule):
    name = "nexo.payments"
    label = "payments"
    verbose_name = _("Collections and payments")
    url_prefix = "payments/"
    api_router = "nexo.payments.api:router"
    navigation = [
        modules.NavigationEntry("collections", _("Due amounts"), "payments:due_list", "payments.view_dueamount"),
        modules.NavigationEntry("collections", _("Record payment"), "payments:payment_record", "payments.add_payment"),
        modules.NavigationEntry("collections", _("Payments"), "payments:payment_list", "payments.view_payment"),
        modules.NavigationEntry("collections", _("Aging"), "payments:aging", "payments.view_dueamount"),
        modules.NavigationEntry("collections", _("Overdue"), "payments:overdue", "payments.view_dueamount"),
        modules.NavigationEntry("collections", _("Reminders"), "payments:reminder_list", "payments.view_reminder"),
        modules.NavigationEntry("collections", _("Mandates"), "payments:mandate_list", "payments.view_mandate"),
        modules.NavigationEntry("collections", _("Remittances"), "payments:remittance_list", "payments.view_remittance"),
        modules.NavigationEntry(
            "collections", _("Bank statements"), "payments:statement_list", "payments.view_bankstatement"
        ),
        modules.NavigationEntry(
            "collections", _("Bank accounts"), "payments:bank_account_list", "payments.view_bankaccount"
        ),
        modules.NavigationEntry("reports", _("Receivables aging"), "payments:aging", "payments.view_dueamount"),
    ]  # fmt: skip
    role_permissions = {
        "sales": ["payments.view_dueamount", "payments.view_payment"],
        "accounting": PAYMENTS_WRITE,
    }

    def document_posted(self, *, company, by, model_label, document):
        """An invoice, credit note or supplier invoice posted: its due amounts, in its transaction."""
        from nexo.payments.services.dues import dues_create

        return dues_create(company=company, by=by, model_label=model_label, document=document)

    def document_cancelled(self, *, company, by, model_label, document):
        """An invoice or credit note cancelled: its due amounts go, in its transaction; refused (Conflict) when
        one of them was paid, remitted or reminded."""
        from nexo.payments.services.dues import dues_cancel

        return dues_cancel(company=company, by=by, model_label=model_label, document=document)

    def party_panel(self, request, party):
        from nexo.payments.views.position import party_panel

        return party_panel(request, party)

    def document_panel(self, request, model_label, document):
        from nexo.payments.views.dues import document_panel

        return document_panel(request, model_label, document)

    def load_demo(self, *, company, second_company, users):
        from nexo.payments.demo import load_demo_payments

        return load_demo_payments(company, users)

    def document_url(self, model_label, pk):
        from django.urls import reverse

        names = {
            "payments.payment": "payments:payment_view",
            "payments.remittance": "payments:remittance_view",
            "payments.statementline": "payments:statement_line_view",
        }
        return reverse(names[model_label], args=[pk]) if model_label in names else None

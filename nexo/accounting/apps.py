from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nexo.core import modules

ACCOUNTING_READ = [
    "accounting.view_account", "accounting.view_journal", "accounting.view_fiscalyear", "accounting.view_entry",
]  # fmt: skip
ACCOUNTING_WRITE = [
    *ACCOUNTING_READ, "accounting.add_account", "accounting.change_account", "accounting.add_entry",
    "accounting.change_entry", "accounting.delete_entry", "accounting.post_entry", "accounting.add_fiscalyear",
    "accounting.change_fiscalyear", "accounting.change_accountingsettings",
]  # fmt: skip


class AccountingConfig(modules.NexoModule):
    name = "nexo.accounting"
    label = "accounting"
    verbose_name = _("Accounting")
    url_prefix = "accounting/"
    api_router = "nexo.accounting.api:router"
    navigation = [
        modules.NavigationEntry("accounting", _("Journal entries"), "accounting:entry_list", "accounting.view_entry"),
        modules.NavigationEntry("accounting", _("Chart of accounts"), "accounting:account_list", "accounting.view_account"),
        modules.NavigationEntry("accounting", _("Journals"), "accounting:journal_list", "accounting.view_journal"),
        modules.NavigationEntry(
            "accounting", _("Fiscal years"), "accounting:fiscal_year_list", "accounting.view_fiscalyear"
        ),
        modules.NavigationEntry(
            "accounting", pgettext_lazy("list of terms", "Payment terms"), "accounting:payment_term_list",
            "accounting.view_account",
        ),
        modules.NavigationEntry(
            "accounting", _("Accounting settings"), "accounting:accounting_settings",
            "accounting.change_accountingsettings",
        ),
        modules.NavigationEntry("reports", _("Trial balance"), "accounting:trial_balance", "accounting.view_entry"),
        modules.NavigationEntry("reports", _("General ledger"), "accounting:general_ledger", "accounting.view_entry"),
        modules.NavigationEntry("reports", _("Journal"), "accounting:journal_report", "accounting.view_entry"),
        modules.NavigationEntry("reports", _("Profit and loss"), "accounting:profit_and_loss", "accounting.view_entry"),
        modules.NavigationEntry("reports", _("Balance sheet"), "accounting:balance_sheet", "accounting.view_entry"),
    ]  # fmt: skip
    role_permissions = {
        "accounting": ACCOUNTING_WRITE,
    }

    def lifecycle_tables(self):
        from nexo.accounting.rules import ledger

        return [("accounting.Entry", "state", ledger.ENTRY_LIFECYCLE)]

    def party_panel(self, request, party):
        """The party's receivable and payable accounts and balances on its page, and a form for its own."""
        from nexo.accounting.views.accounts import party_accounting

        if not request.user.has_perm("accounting.view_account"):
            return None
        return {"template": "accounting/_party_panel.html", **party_accounting(request, party)}

    def setup_company(self, company) -> None:
        from nexo.accounting.services.setup import accounting_setup

        accounting_setup(company)

    def load_demo(self, *, company, second_company, users):
        from nexo.accounting.demo import load_demo_accounting

        return load_demo_accounting(company, users)

    def finish_demo(self, *, company, second_company, users):
        from nexo.accounting.demo import close_previous_year

        return close_previous_year(company, users)

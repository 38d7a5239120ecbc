from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

SALES_QUOTING = [
    "sales.view_quotation", "sales.add_quotation", "sales.change_quotation", "sales.view_salesorder",
]  # fmt: skip


class SalesConfig(AppConfig):
    name = "nexo.sales"
    label = "sales"
    verbose_name = _("Sales")
    navigation = []
    role_permissions = {
        "sales": SALES_QUOTING,
        "warehouse": ["sales.view_salesorder"],
        "accounting": ["sales.view_quotation", "sales.view_salesorder"],
    }

    def ready(self) -> None:
        # An opportunity with an open quotation is won by accepting the quotation, not by hand.
        from nexo.crm.services import WIN_BLOCKERS
        from nexo.sales.services import open_quotation_blocker

        if open_quotation_blocker not in WIN_BLOCKERS:
            WIN_BLOCKERS.append(open_quotation_blocker)

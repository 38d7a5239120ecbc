from django.utils.translation import gettext_lazy as _

from nexo.core import modules

SALES_DASHBOARD = "insight.view_sales_dashboard"
MARGIN_DASHBOARD = "insight.view_margin_dashboard"
STOCK_DASHBOARD = "insight.view_stock_dashboard"
FINANCE_DASHBOARD = "insight.view_finance_dashboard"


class InsightConfig(modules.NexoModule):
    name = "nexo.insight"
    label = "insight"
    verbose_name = _("Insight")
    url_prefix = "insight/"
    api_router = "nexo.insight.api:router"
    navigation = [
        modules.NavigationEntry("reports", _("Sales dashboard"), "insight:dashboard_sales", SALES_DASHBOARD),
        modules.NavigationEntry(
            "reports", _("Margin dashboard"), "insight:dashboard_margin", MARGIN_DASHBOARD
        ),
        modules.NavigationEntry(
            "reports", _("Purchasing and stock dashboard"), "insight:dashboard_stock", STOCK_DASHBOARD
        ),
        modules.NavigationEntry(
            "reports", _("Finance dashboard"), "insight:dashboard_finance", FINANCE_DASHBOARD
        ),
    ]
    # The manager role has every business permission already.
    role_permissions = {
        "sales": [SALES_DASHBOARD, MARGIN_DASHBOARD],
        "purchasing": [STOCK_DASHBOARD],
        "warehouse": [STOCK_DASHBOARD],
        "accounting": [SALES_DASHBOARD, MARGIN_DASHBOARD, STOCK_DASHBOARD, FINANCE_DASHBOARD],
    }

    def search_url(self, request):
        """The global search answers the top bar's box, for every signed-in user (each finds what they may
        see)."""
        from django.urls import reverse

        if getattr(request, "company", None) is None:
            return None
        return reverse("insight:search")

    def party_panel(self, request, party):
        from nexo.insight.views.party360 import party_panel

        return party_panel(request, party)

    def document_panel(self, request, model_label, document):
        from nexo.insight.views.flow import document_panel

        return document_panel(request, model_label, document)

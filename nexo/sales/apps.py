from django.utils.translation import gettext_lazy as _

from nexo.core import modules
from nexo.sales import rules

SALES_QUOTING = [
    "sales.view_quotation", "sales.add_quotation", "sales.change_quotation", "sales.view_salesorder",
    "sales.view_delivery", "sales.change_salesorder",
]  # fmt: skip


class SalesConfig(modules.NexoModule):
    name = "nexo.sales"
    label = "sales"
    verbose_name = _("Sales")
    url_prefix = "sales/"
    api_router = "nexo.sales.api:router"
    navigation = [
        modules.NavigationEntry("sales", _("Quotations"), "sales:quotation_list", "sales.view_quotation"),
        modules.NavigationEntry("sales", _("Sales orders"), "sales:order_list", "sales.view_salesorder"),
        # Under Inventory: where the warehouse works (salespeople find them from their orders too).
        modules.NavigationEntry(
            "inventory", _("Delivery notes"), "sales:delivery_list", "sales.view_delivery"
        ),
    ]
    role_permissions = {
        "sales": SALES_QUOTING,
        # The warehouse validates delivery notes and takes returns (sales.change_delivery).
        "warehouse": ["sales.view_salesorder", "sales.view_delivery", "sales.change_delivery"],
        # A buyer reads the orders to buy what they are short of.
        "purchasing": ["sales.view_salesorder"],
        "accounting": ["sales.view_quotation", "sales.view_salesorder", "sales.view_delivery"],
    }
    lifecycles = [
        ("sales.Quotation", "state", rules.QUOTATION_LIFECYCLE),
        ("sales.Quotation", "approval", rules.QUOTATION_APPROVAL),
        ("sales.SalesOrder", "state", rules.SALES_ORDER_LIFECYCLE),
        ("sales.Delivery", "state", rules.DELIVERY_LIFECYCLE),
    ]

    def opportunity_win_blocker(self, opportunity) -> str | None:
        """An opportunity with an open quotation is won by accepting the quotation, not by hand."""
        from nexo.sales.services import open_quotation_blocker

        return open_quotation_blocker(opportunity)

    def party_panel(self, request, party):
        """The party's quotations and sales orders on its page."""
        from nexo.sales.queries import party_documents

        user = request.user
        if not (user.has_perm("sales.view_quotation") or user.has_perm("sales.view_salesorder")):
            return None
        return {
            "template": "sales/_party_panel.html",
            "party": party,
            **party_documents(request.user, request.company, party),
        }

    def opportunity_panel(self, request, opportunity):
        """The opportunity's quotations, and the way to quote it, on the opportunity's page."""
        from nexo.sales.queries import opportunity_quotations

        if not request.user.has_perm("sales.view_quotation"):
            return None
        return {
            "template": "sales/_opportunity_panel.html",
            "opportunity": opportunity,
            "quotations": opportunity_quotations(request.user, request.company, opportunity),
        }

    def home_panel(self, request):
        """Quotations to follow up and orders to deliver, on the home page."""
        from nexo.sales.queries import home_figures

        figures = home_figures(request.user, request.company)
        return {"template": "sales/_home_panel.html", **figures} if figures else None

    def load_demo(self, *, company, second_company, users):
        from nexo.sales.demo import load_demo_sales

        return load_demo_sales(company, users)

    def document_url(self, model_label, pk):
        from django.urls import reverse

        name = {"sales.delivery": "sales:delivery_view", "sales.salesorder": "sales:order_view"}.get(
            model_label
        )
        return reverse(name, args=[pk]) if name else None

from django.utils.translation import gettext_lazy as _

from nexo.core import modules
from nexo.purchasing import rules

PURCHASING_READ = [
    "purchasing.view_supplierprice", "purchasing.view_purchaseorder", "purchasing.view_exchangerate",
    "purchasing.view_receipt", "purchasing.view_itempurchasing",
]  # fmt: skip
PURCHASING_WRITE = [
    *PURCHASING_READ, "purchasing.add_supplierprice", "purchasing.change_supplierprice",
    "purchasing.delete_supplierprice", "purchasing.add_purchaseorder", "purchasing.change_purchaseorder",
    "purchasing.add_exchangerate", "purchasing.change_itempurchasing",
]  # fmt: skip


class PurchasingConfig(modules.NexoModule):
    name = "nexo.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")
    url_prefix = "purchasing/"
    api_router = "nexo.purchasing.api:router"
    navigation = [
        modules.NavigationEntry(
            "purchasing", _("Purchase orders"), "purchasing:order_list", "purchasing.view_purchaseorder"
        ),
        modules.NavigationEntry(
            "purchasing",
            _("Suggestions"),
            "purchasing:suggestions",
            ("purchasing.view_purchaseorder", "purchasing.view_itempurchasing"),
        ),
        modules.NavigationEntry(
            "purchasing",
            _("Supplier prices"),
            "purchasing:supplier_price_list",
            "purchasing.view_supplierprice",
        ),
        modules.NavigationEntry(
            "purchasing", _("Exchange rates"), "purchasing:exchange_rate_list", "purchasing.view_exchangerate"
        ),
    ]
    lifecycles = [("purchasing.PurchaseOrder", "state", rules.ORDER_LIFECYCLE)]
    role_permissions = {
        "sales": ["purchasing.view_supplierprice"],
        "purchasing": PURCHASING_WRITE,
        "warehouse": [*PURCHASING_READ, "purchasing.add_receipt"],
        "accounting": [*PURCHASING_READ, "purchasing.add_exchangerate"],
    }

    def load_demo(self, *, company, second_company, users):
        from nexo.purchasing.demo import load_demo_purchasing

        return load_demo_purchasing(company, users)

    def home_panel(self, request):
        """Late purchase orders and items under their minimum stock, on the home page."""
        from nexo.purchasing.queries import home_figures

        user = request.user
        orders = user.has_perm("purchasing.view_purchaseorder")
        suggestions = orders and user.has_perm("purchasing.view_itempurchasing")
        if not orders:
            return None
        figures = home_figures(request.company, orders=orders, suggestions=suggestions)
        return {"template": "purchasing/_home_panel.html", **figures}

    def item_panel(self, request, item):
        """The item's supplier prices, buying settings, last purchase and what is on order, on its page."""
        from nexo.purchasing.views.panels import item_buying

        if not request.user.has_perm("purchasing.view_supplierprice"):
            return None
        return {"template": "purchasing/_item_panel.html", **item_buying(request, item)}

    def item_costs(self, company, lines, *, warehouse_id=None, day=None):
        """Costs for the catalog's pages (the price check, a price list's rules under cost), worked out as a
        quotation line's: `costing.unit_costs_for` under each item's own method."""
        from nexo.catalog.costs import ItemCost
        from nexo.inventory.models import Warehouse
        from nexo.inventory.services import settings_of
        from nexo.purchasing.costing import NO_COST, unit_costs_for

        warehouse_id = warehouse_id or settings_of(company).default_warehouse_id
        warehouse = Warehouse.objects.filter(company=company, pk=warehouse_id).values_list("name", flat=True)
        name = warehouse.first() or ""
        answers = []
        for by_basis in unit_costs_for(company, lines, warehouse_id=warehouse_id, day=day):
            cost = by_basis[None]
            sources = tuple(dict.fromkeys(part.source for part in cost.parts)) or (NO_COST,)
            unit_cost = None if sources == (NO_COST,) else cost.unit_cost
            answers.append(ItemCost(cost.item_id, cost.quantity, unit_cost, cost.basis, sources, name))
        return answers

    def party_panel(self, request, party):
        """A supplier's open purchase orders, on its page."""
        from nexo.purchasing.views.panels import supplier_orders

        if not party.is_supplier or not request.user.has_perm("purchasing.view_purchaseorder"):
            return None
        return {"template": "purchasing/_party_panel.html", **supplier_orders(request, party)}

    def document_url(self, model_label, pk):
        from django.urls import reverse

        name = {
            "purchasing.receipt": "purchasing:receipt_view",
            "purchasing.purchaseorder": "purchasing:order_view",
        }.get(model_label)
        return reverse(name, args=[pk]) if name else None

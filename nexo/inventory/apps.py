from django.utils.translation import gettext_lazy as _

from nexo.core import modules
from nexo.inventory.rules import MOVE_LIFECYCLE

INVENTORY_READ = [
    "inventory.view_warehouse", "inventory.view_location", "inventory.view_stockmove",
]  # fmt: skip
INVENTORY_WRITE = [
    *INVENTORY_READ, "inventory.add_stockmove", "inventory.change_stockmove",
    "inventory.add_warehouse", "inventory.change_warehouse", "inventory.add_location", "inventory.change_location",
]  # fmt: skip


class InventoryConfig(modules.NexoModule):
    name = "nexo.inventory"
    label = "inventory"
    verbose_name = _("Inventory")
    url_prefix = "inventory/"
    api_router = "nexo.inventory.api:router"
    navigation = [
        modules.NavigationEntry(
            "inventory", _("Stock levels"), "inventory:stock_levels", "inventory.view_stockmove"
        ),
        modules.NavigationEntry("inventory", _("Moves"), "inventory:move_list", "inventory.view_stockmove"),
        modules.NavigationEntry(
            "inventory", _("Stock count"), "inventory:stock_count", "inventory.add_stockmove"
        ),
        modules.NavigationEntry(
            "inventory", _("Stock valuation"), "inventory:valuation", "inventory.view_stockmove"
        ),
        modules.NavigationEntry(
            "inventory", _("Warehouses"), "inventory:warehouse_list", "inventory.view_warehouse"
        ),
        modules.NavigationEntry(
            "accounting", _("Stock accounting"), "inventory:stock_accounting", "accounting.add_entry"
        ),
    ]
    role_permissions = {
        "sales": INVENTORY_READ,
        "purchasing": INVENTORY_READ,
        "warehouse": INVENTORY_WRITE,
        "accounting": INVENTORY_READ,
    }
    lifecycles = [("inventory.StockMove", "state", MOVE_LIFECYCLE)]

    def setup_company(self, company) -> None:
        # Imported here: an AppConfig module loads before the models are ready.
        from nexo.inventory.services import inventory_setup

        inventory_setup(company=company)

    def warehouses(self, company):
        """The active warehouses, for the catalog's price check."""
        from nexo.inventory.models import Warehouse

        warehouses = Warehouse.objects.filter(company=company, is_active=True).order_by("code")
        return list(warehouses.values_list("pk", "name"))

    def home_panel(self, request):
        """The items short for their orders, on the home page."""
        from nexo.inventory.queries import home_figures

        if not request.user.has_perm("inventory.view_stockmove"):
            return None
        return {"template": "inventory/_home_panel.html", **home_figures(request.company)}

    def item_panel(self, request, item):
        """The item's stock per warehouse on its page: on hand, reserved, available, value and average cost."""
        from nexo.inventory.queries import item_stock
        from nexo.inventory.views.common import cost_text, with_cost_texts

        if item.kind != "stocked" or not request.user.has_perm("inventory.view_stockmove"):
            return None
        stock = item_stock(request.company, item)
        with_cost_texts(stock["rows"], "average_cost")
        stock["totals"]["cost_text"] = cost_text(stock["totals"]["average_cost"])
        return {"template": "inventory/_item_panel.html", "item": item, **stock}

    def document_url(self, model_label, pk):
        """A stock move named as an entry's origin (moves of no document: counts, moves entered by hand)."""
        from django.urls import reverse

        return reverse("inventory:move_view", args=[pk]) if model_label == "inventory.stockmove" else None

    def load_demo(self, *, company, second_company, users):
        from nexo.inventory.demo import load_demo_inventory

        return load_demo_inventory(company, users)

    def year_end_entries(self, *, company, by, day):
        """Continental stock: the change in inventory value at the year's end, when there is one."""
        from nexo.inventory.accounting import year_end_variation

        return year_end_variation(company=company, by=by, day=day)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

INVENTORY_READ = [
    "inventory.view_warehouse", "inventory.view_location", "inventory.view_stockmove",
]  # fmt: skip
INVENTORY_WRITE = [
    *INVENTORY_READ, "inventory.add_stockmove", "inventory.change_stockmove",
    "inventory.add_warehouse", "inventory.change_warehouse", "inventory.add_location", "inventory.change_location",
]  # fmt: skip


class InventoryConfig(AppConfig):
    name = "nexo.inventory"
    label = "inventory"
    verbose_name = _("Inventory")
    navigation = []
    role_permissions = {
        "sales": INVENTORY_READ,
        "purchasing": INVENTORY_READ,
        "warehouse": INVENTORY_WRITE,
        "accounting": INVENTORY_READ,
    }

    def setup_company(self, company) -> None:
        # Imported here: an AppConfig module loads before the models are ready.
        from nexo.inventory.services import inventory_setup

        inventory_setup(company=company)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

CATALOG_READ = [
    "catalog.view_item", "catalog.view_category", "catalog.view_unit", "catalog.view_taxcategory",
    "catalog.view_pricelist", "catalog.view_pricerule",
]  # fmt: skip


class CatalogConfig(AppConfig):
    name = "nexo.catalog"
    label = "catalog"
    verbose_name = _("Catalog")
    navigation = [
        (_("Catalog"), "catalog:item_list", "catalog.view_item"),
        (_("Price check"), "catalog:price_check", "catalog.view_pricelist"),
    ]
    role_permissions = {
        "sales": CATALOG_READ,
        "purchasing": [*CATALOG_READ, "catalog.add_item", "catalog.change_item"],
        "warehouse": [*CATALOG_READ, "catalog.add_item", "catalog.change_item"],
        "accounting": [*CATALOG_READ, "catalog.change_taxcategory", "catalog.add_taxrate"],
    }

    def setup_company(self, company) -> None:
        # Imported here: an AppConfig module loads before the models are ready.
        from nexo.catalog.services import catalog_setup

        catalog_setup(company=company)

    def load_demo(self, *, company, second_company, users):
        from nexo.catalog.demo import load_demo_catalog

        return load_demo_catalog(company, users)

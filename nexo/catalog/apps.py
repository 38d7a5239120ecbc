from django.utils.translation import gettext_lazy as _

from nexo.core import modules

CATALOG_READ = [
    "catalog.view_item", "catalog.view_category", "catalog.view_unit", "catalog.view_taxcategory",
    "catalog.view_pricelist", "catalog.view_pricerule",
]  # fmt: skip


class CatalogConfig(modules.NexoModule):
    name = "nexo.catalog"
    label = "catalog"
    verbose_name = _("Catalog")
    url_prefix = "catalog/"
    api_router = "nexo.catalog.api:router"
    navigation = [
        modules.NavigationEntry("catalog", _("Items"), "catalog:item_list", "catalog.view_item"),
        modules.NavigationEntry("catalog", _("Categories"), "catalog:category_list", "catalog.view_category"),
        modules.NavigationEntry(
            "catalog", _("Price lists"), "catalog:price_list_list", "catalog.view_pricelist"
        ),
        modules.NavigationEntry(
            "catalog",
            _("Price check"),
            "catalog:price_check",
            ("catalog.view_pricelist", "catalog.view_item"),
        ),
    ]
    role_permissions = {
        "sales": CATALOG_READ,
        "purchasing": [*CATALOG_READ, "catalog.add_item", "catalog.change_item"],
        "warehouse": [*CATALOG_READ, "catalog.add_item", "catalog.change_item"],
        # Prices (base price, standard cost, minimum margin, sale tax: catalog.change_item_price) are for
        # managers (every business permission) and accounting; purchasing and warehouse keep the rest.
        "accounting": [
            *CATALOG_READ,
            "catalog.change_taxcategory",
            "catalog.add_taxrate",
            "catalog.change_item_price",
        ],
    }

    def setup_company(self, company) -> None:
        # Imported here: an AppConfig module loads before the models are ready.
        from nexo.catalog.services import catalog_setup

        catalog_setup(company=company)

    def load_demo(self, *, company, second_company, users):
        from nexo.catalog.demo import load_demo_catalog

        return load_demo_catalog(company, users)

    def party_panel(self, request, party):
        """The party's price list on its page: its own, or the company default it falls back to."""
        from nexo.catalog.queries import party_price_list

        if not request.user.has_perm("catalog.view_pricelist"):
            return None
        return {
            "template": "catalog/_party_panel.html",
            "party": party,
            **party_price_list(request.company, party),
        }

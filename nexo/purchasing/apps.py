from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

PURCHASING_READ = [
    "purchasing.view_supplierprice", "purchasing.view_purchaseorder", "purchasing.view_exchangerate",
    "purchasing.view_receipt", "purchasing.view_itempurchasing",
]  # fmt: skip
PURCHASING_WRITE = [
    *PURCHASING_READ, "purchasing.add_supplierprice", "purchasing.change_supplierprice",
    "purchasing.delete_supplierprice", "purchasing.add_purchaseorder", "purchasing.change_purchaseorder",
    "purchasing.add_exchangerate", "purchasing.change_itempurchasing",
]  # fmt: skip


class PurchasingConfig(AppConfig):
    name = "nexo.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")
    navigation = []
    role_permissions = {
        "sales": ["purchasing.view_supplierprice"],
        "purchasing": PURCHASING_WRITE,
        "warehouse": [*PURCHASING_READ, "purchasing.add_receipt"],
        "accounting": [*PURCHASING_READ, "purchasing.add_exchangerate"],
    }

    def load_demo(self, *, company, second_company, users):
        from nexo.purchasing.demo import load_demo_purchasing

        return load_demo_purchasing(company, users)

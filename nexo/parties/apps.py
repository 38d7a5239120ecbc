from django.utils.translation import gettext_lazy as _

from nexo.core import modules

PARTY_EDIT = [
    "parties.view_party", "parties.add_party", "parties.change_party",
    "parties.view_address", "parties.add_address", "parties.change_address", "parties.delete_address",
    "parties.view_contact", "parties.add_contact", "parties.change_contact", "parties.delete_contact",
]  # fmt: skip
PARTY_READ = ["parties.view_party", "parties.view_address", "parties.view_contact"]


class PartiesConfig(modules.NexoModule):
    name = "nexo.parties"
    label = "parties"
    verbose_name = _("Parties")
    url_prefix = "parties/"
    api_router = "nexo.parties.api:router"
    navigation = [
        modules.NavigationEntry("parties", _("Parties"), "parties:party_list", "parties.view_party")
    ]
    role_permissions = {
        "sales": PARTY_EDIT,
        "purchasing": PARTY_EDIT,
        "accounting": [*PARTY_READ, "parties.change_party", "parties.change_address", "parties.add_address"],
        "warehouse": PARTY_READ,
    }

    def home_panel(self, request):
        # Imported here: an AppConfig module loads before the models are ready.
        from nexo.parties.queries import party_counts

        if not request.user.has_perm("parties.view_party"):
            return None
        return {"template": "parties/_home_panel.html", "counts": party_counts(request.company)}

    def load_demo(self, *, company, second_company, users):
        from nexo.parties.demo import load_demo_parties

        created = load_demo_parties(company, users["admin"])
        created_second = load_demo_parties(second_company, users["admin"], seed=7)
        return f"{created} parties created in {company}, {created_second} in {second_company}"

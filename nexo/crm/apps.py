from django.utils.translation import gettext_lazy as _

from nexo.core import modules
from nexo.crm.rules import OPPORTUNITY_LIFECYCLE

SALES_CRM = [
    "crm.view_opportunity", "crm.add_opportunity", "crm.change_opportunity",
    "crm.view_activity", "crm.add_activity", "crm.change_activity", "crm.delete_activity",
    "crm.view_stage",
]  # fmt: skip


class CrmConfig(modules.NexoModule):
    name = "nexo.crm"
    label = "crm"
    verbose_name = _("CRM")
    url_prefix = "crm/"
    api_router = "nexo.crm.api:router"
    navigation = [
        modules.NavigationEntry("sales", _("Pipeline"), "crm:board", "crm.view_opportunity"),
        modules.NavigationEntry("sales", _("Activities"), "crm:my_activities", "crm.view_activity"),
        modules.NavigationEntry("sales", _("Forecast"), "crm:forecast", "crm.view_opportunity"),
    ]
    role_permissions = {
        "sales": SALES_CRM,
        "accounting": ["crm.view_stage"],
    }
    lifecycles = [("crm.Opportunity", "status", OPPORTUNITY_LIFECYCLE)]

    def setup_company(self, company) -> None:
        # Imported here: an AppConfig module loads before the models are ready.
        from nexo.crm.services import stages_ensure_defaults

        stages_ensure_defaults(company=company)

    def load_demo(self, *, company, second_company, users):
        from nexo.crm.demo import load_demo_pipeline

        return load_demo_pipeline(company, users)

    def party_panel(self, request, party):
        from nexo.crm.queries import party_pipeline

        if not request.user.has_perm("crm.view_opportunity"):
            return None
        return {
            "template": "crm/_party_panel.html",
            "party": party,
            **party_pipeline(request.user, request.company, party),
        }

    def home_panel(self, request):
        from nexo.crm.queries import home_figures

        if not request.user.has_perm("crm.view_opportunity"):
            return None
        return {"template": "crm/_home_panel.html", **home_figures(request.user, request.company)}

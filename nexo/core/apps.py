from django.utils.translation import gettext_lazy as _

from nexo.core import modules


class CoreConfig(modules.NexoModule):
    name = "nexo.core"
    label = "core"
    verbose_name = _("Core")
    navigation = [modules.NavigationEntry("home", _("Home"), "home")]

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from nexo.core.roles import sync_roles

        # Infrastructure, not a business rule: role groups follow the code after each migrate.
        post_migrate.connect(sync_roles, dispatch_uid="nexo.sync_roles")

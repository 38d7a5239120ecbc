"""Roles are groups of permissions. Each module declares, in its AppConfig, what each role may do there."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from nexo.core.modules import nexo_modules

ADMIN, MANAGER, SALES, PURCHASING, WAREHOUSE, ACCOUNTING = (
    "admin",
    "manager",
    "sales",
    "purchasing",
    "warehouse",
    "accounting",
)
ROLES = (ADMIN, MANAGER, SALES, PURCHASING, WAREHOUSE, ACCOUNTING)
# Managers may do everything in the business modules; admins everything, users and companies too.
INFRASTRUCTURE_APPS = {"admin", "auth", "contenttypes", "sessions", "axes", "core"}


def declared_permissions() -> dict[str, set[str]]:
    """role -> {"app_label.codename"} gathered from every AppConfig's `role_permissions`."""
    declared: dict[str, set[str]] = {role: set() for role in ROLES}
    for module in nexo_modules():
        for role, perms in module.role_permissions.items():
            declared[role].update(perms)
    return declared


def _permissions(names: set[str]) -> list[Permission]:
    if not names:
        return []
    query = Q()
    for name in names:
        app_label, codename = name.split(".", 1)
        query |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(query))


def sync_roles(sender=None, **kwargs) -> None:
    """Create the role groups and give them their permissions; idempotent."""
    last_app = list(apps.get_app_configs())[-1]
    if sender is not None and sender.name != last_app.name:
        return
    declared = declared_permissions()
    business = Permission.objects.exclude(content_type__app_label__in=INFRASTRUCTURE_APPS)
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        if role == ADMIN:
            perms = list(Permission.objects.all())
        elif role == MANAGER:
            perms = [*business, *_permissions(declared[MANAGER])]
        else:
            perms = _permissions(declared[role])
        group.permissions.set(perms)

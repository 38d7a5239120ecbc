from django.conf import settings
from django.urls import reverse

from nexo.core.modules import NAVIGATION_GROUPS, NavigationEntry, contributions, nexo_modules
from nexo.core.tenancy import companies_of


def _may_open(user, permission) -> bool:
    if permission is None:
        return True
    if isinstance(permission, str):
        return user.has_perm(permission)
    return user.has_perms(permission)


def navigation_for(request) -> list[dict]:
    """The navigation this user may open: the groups of core.modules.NAVIGATION_GROUPS in their order, each
    with the modules' entries in it (module order), empty groups left out. The entry whose address is the
    longest prefix of the current page is marked current, and so is its group."""
    entries: dict[str, list[dict]] = {key: [] for key, _label in NAVIGATION_GROUPS}
    for module in nexo_modules():
        for declared in module.navigation:
            entry = NavigationEntry(*declared)
            if entry.group not in entries:
                raise ValueError(
                    f"{module.label}: navigation group {entry.group!r} is not in NAVIGATION_GROUPS"
                )
            if _may_open(request.user, entry.permission):
                link = {"label": entry.label, "url": reverse(entry.url_name), "current": False}
                entries[entry.group].append(link)
    links = [link for group in entries.values() for link in group]
    matching = [
        e for e in links if request.path.startswith(e["url"]) and (e["url"] != "/" or request.path == "/")
    ]
    if matching:
        max(matching, key=lambda entry: len(entry["url"]))["current"] = True
    return [
        {
            "key": key,
            "label": label,
            "entries": entries[key],
            "current": any(link["current"] for link in entries[key]),
        }
        for key, label in NAVIGATION_GROUPS
        if entries[key]
    ]


def search_url_for(request) -> str | None:
    """Where the top bar's search box sends its words: the first module's answer to `search_url`, else no
    box."""
    found = contributions("search_url", request)
    return found[0] if found else None


def shell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"languages": settings.LANGUAGES}
    return {
        "navigation": navigation_for(request),
        "search_url": search_url_for(request),
        "my_companies": companies_of(user),
        "active_company": getattr(request, "company", None),
        "languages": settings.LANGUAGES,
    }

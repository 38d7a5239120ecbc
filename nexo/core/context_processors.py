from django.apps import apps
from django.conf import settings
from django.urls import reverse

from nexo.core.tenancy import companies_of


def navigation_for(request) -> list[dict]:
    """The modules' navigation entries this user may open, in app order; the current one marked."""
    match = request.resolver_match
    here = (match.namespace, match.url_name) if match else ("", "")
    entries = []
    for config in apps.get_app_configs():
        for label, url_name, perm in getattr(config, "navigation", []):
            if perm is not None and not request.user.has_perm(perm):
                continue
            namespace, _, name = url_name.rpartition(":")
            current = here[0] == namespace if namespace else here == ("", name)
            entries.append({"label": label, "url": reverse(url_name), "current": current})
    return entries


def shell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"languages": settings.LANGUAGES}
    return {
        "navigation": navigation_for(request),
        "my_companies": companies_of(user),
        "active_company": getattr(request, "company", None),
        "languages": settings.LANGUAGES,
    }

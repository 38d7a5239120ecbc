from django.conf import settings
from django.urls import reverse

from nexo.core.modules import nexo_modules
from nexo.core.tenancy import companies_of


def navigation_for(request) -> list[dict]:
    """The modules' navigation entries this user may open, in app order; the one whose address is the
    longest prefix of the current page is marked current."""
    entries = []
    for module in nexo_modules():
        for label, url_name, perm in module.navigation:
            if perm is None or request.user.has_perm(perm):
                entries.append({"label": label, "url": reverse(url_name), "current": False})
    matching = [
        e for e in entries if request.path.startswith(e["url"]) and (e["url"] != "/" or request.path == "/")
    ]
    if matching:
        max(matching, key=lambda entry: len(entry["url"]))["current"] = True
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

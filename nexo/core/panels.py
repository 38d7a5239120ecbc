"""Panels that higher modules contribute to lower modules' pages (the pipeline on the home page, a party's
opportunities on the party page), so the lower module never imports the higher one."""

from django.apps import apps
from django.http import HttpRequest


def panels(hook: str, request: HttpRequest, *args) -> list[dict]:
    """Call `hook(request, *args)` on every AppConfig that has it; each returns a panel dict or None.

    A panel dict names its `template` and carries what that template shows.
    """
    found = []
    for config in apps.get_app_configs():
        provider = getattr(config, hook, None)
        if provider is not None:
            panel = provider(request, *args)
            if panel:
                found.append(panel)
    return found

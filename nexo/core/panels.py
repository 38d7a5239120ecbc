"""Panels that higher modules contribute to lower modules' pages (the pipeline on the home page, a party's
opportunities on the party page), so the lower module never imports the higher one."""

from django.http import HttpRequest

from nexo.core.modules import contributions


def panels(hook: str, request: HttpRequest, *args) -> list[dict]:
    """Every module's answer to `hook(request, *args)` (core.modules.NexoModule): panel dicts, each naming
    its `template` and carrying what that template shows."""
    return contributions(hook, request, *args)

"""Pages: position (filled in by its own change)."""

urlpatterns: list = []


def party_panel(request, party):
    """The party's position panel on its page (filled in by its own change)."""
    return None

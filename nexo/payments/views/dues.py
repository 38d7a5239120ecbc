"""Pages: dues (filled in by its own change)."""

urlpatterns: list = []


def document_panel(request, model_label, document):
    """An invoice's due amounts and payments on its page (filled in by its own change)."""
    return None

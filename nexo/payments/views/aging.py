"""Pages: aging (filled in by its own change)."""

urlpatterns: list = []

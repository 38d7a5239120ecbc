"""Pages: statements (filled in by its own change)."""

urlpatterns: list = []

"""Pages: sepa (filled in by its own change)."""

urlpatterns: list = []

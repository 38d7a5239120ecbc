"""Pages: bank_accounts (filled in by its own change)."""

urlpatterns: list = []

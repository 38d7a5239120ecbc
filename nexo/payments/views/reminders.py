"""Pages: reminders (filled in by its own change)."""

urlpatterns: list = []

"""Customer invoice and credit note pages."""

urlpatterns: list = []

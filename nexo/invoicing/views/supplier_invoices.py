"""Supplier invoice pages."""

urlpatterns: list = []

"""Import and export pages; included into the catalog's urls (its namespace is theirs)."""

from django.urls import path, re_path

from nexo.catalog.views import transfer

urlpatterns = [
    path("import/", transfer.import_page, name="import"),
    path("import/<uuid:job_id>/", transfer.import_progress, name="import_progress"),
    re_path(r"^export/items\.(?P<fmt>csv|xlsx)$", transfer.export_items, name="export_items"),
    re_path(
        r"^export/price-rules\.(?P<fmt>csv|xlsx)$", transfer.export_price_rules, name="export_price_rules"
    ),
]

from nexo.compliance.views import einvoicing, facturae, records, settings

app_name = "compliance"
urlpatterns = [
    *records.urlpatterns,
    *settings.urlpatterns,
    *facturae.urlpatterns,
    *einvoicing.urlpatterns,
]

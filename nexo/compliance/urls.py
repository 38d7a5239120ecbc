from nexo.compliance.views import facturae, records, settings

app_name = "compliance"
urlpatterns = [
    *records.urlpatterns,
    *settings.urlpatterns,
    *facturae.urlpatterns,
]

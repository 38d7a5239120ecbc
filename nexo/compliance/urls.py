from nexo.compliance.views import einvoicing, facturae, records, settings, submissions

app_name = "compliance"
urlpatterns = [
    *records.urlpatterns,
    *settings.urlpatterns,
    *facturae.urlpatterns,
    *submissions.urlpatterns,
    *einvoicing.urlpatterns,
]

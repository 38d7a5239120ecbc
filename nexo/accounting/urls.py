from nexo.accounting.views import accounts, entries, fiscal_years, reports, statements

app_name = "accounting"
urlpatterns = [
    *accounts.urlpatterns,
    *entries.urlpatterns,
    *fiscal_years.urlpatterns,
    *reports.urlpatterns,
    *statements.urlpatterns,
]

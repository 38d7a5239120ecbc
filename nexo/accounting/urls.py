from nexo.accounting.views import accounts, entries, fiscal_years, payment_terms, reports, statements

app_name = "accounting"
urlpatterns = [
    *accounts.urlpatterns,
    *entries.urlpatterns,
    *fiscal_years.urlpatterns,
    *payment_terms.urlpatterns,
    *reports.urlpatterns,
    *statements.urlpatterns,
]

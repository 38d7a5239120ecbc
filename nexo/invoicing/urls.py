from nexo.invoicing.views import invoices, supplier_invoices

app_name = "invoicing"
urlpatterns = [*invoices.urlpatterns, *supplier_invoices.urlpatterns]

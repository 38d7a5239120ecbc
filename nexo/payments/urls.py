from nexo.payments.views import aging, bank_accounts, dues, payments, position, reminders, sepa, statements

app_name = "payments"
urlpatterns = [
    *dues.urlpatterns,
    *payments.urlpatterns,
    *bank_accounts.urlpatterns,
    *aging.urlpatterns,
    *position.urlpatterns,
    *reminders.urlpatterns,
    *sepa.urlpatterns,
    *statements.urlpatterns,
]

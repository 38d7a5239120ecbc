"""The payments API: due amounts (dues), payments and matching (payments), bank accounts, aging and a party's
position, reminders, SEPA mandates and remittances (sepa), bank statements (statements)."""

from nexo.core.api import module_router
from nexo.payments.api import aging, bank_accounts, dues, payments, position, reminders, sepa, statements

router = module_router("payments", dues, payments, bank_accounts, aging, position, reminders, sepa, statements)

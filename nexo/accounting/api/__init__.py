"""The accounting API: accounts and journals (accounts), journal entries (entries), fiscal years and the lock
date (fiscal_years), the payment terms and a party's collection profile (payment_terms), the ledger reports
(reports) and the financial statements (statements)."""

from nexo.accounting.api import accounts, entries, fiscal_years, payment_terms, reports, statements
from nexo.core.api import module_router

router = module_router("accounting", accounts, entries, fiscal_years, payment_terms, reports, statements)

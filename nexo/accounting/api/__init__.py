"""The accounting API: accounts and journals (accounts), journal entries (entries), fiscal years and the lock
date (fiscal_years), and the reports (reports)."""

from nexo.accounting.api import accounts, entries, fiscal_years, reports
from nexo.core.api import module_router

router = module_router("accounting", accounts, entries, fiscal_years, reports)

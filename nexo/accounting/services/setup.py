"""What a new company needs in accounting: its settings, its chart of accounts from the template, its
journals and the fiscal year of today (the chart templates: nexo/accounting/charts/)."""

from django.db import transaction
from django.utils import timezone

from nexo.accounting.models import Journal
from nexo.accounting.rules import ledger
from nexo.accounting.services.ledger import settings_of
from nexo.core.models import Company

#: (code, Spanish name, English name, kind)
JOURNALS = (
    ("VEN", "Ventas", "Sales", ledger.SALE),
    ("VEN-R", "Ventas: facturas rectificativas", "Sales: credit notes", ledger.SALE),
    ("VEN-S", "Ventas: facturas simplificadas", "Sales: simplified invoices", ledger.SALE),
    ("COM", "Compras", "Purchases", ledger.PURCHASE),
    ("BAN", "Bancos", "Bank", ledger.BANK),
    ("CAJ", "Caja", "Cash", ledger.CASH),
    ("GEN", "General", "General", ledger.GENERAL),
    ("EXI", "Existencias", "Stock", ledger.GENERAL),
    ("CIE", "Cierre y apertura", "Closing and opening", ledger.CLOSING),
)


def accounting_setup(company: Company) -> None:
    # Imported here: the chart loader and the fiscal years come from their own modules.
    from nexo.accounting.services.charts import chart_load
    from nexo.accounting.services.fiscal_years import fiscal_year_ensure
    from nexo.accounting.services.payment_terms import payment_terms_setup

    with transaction.atomic():
        settings = settings_of(company)
        for code, name, name_en, kind in JOURNALS:
            Journal.objects.get_or_create(
                company=company, code=code, defaults={"name": name, "name_en": name_en, "kind": kind}
            )
        chart_load(company, settings.chart_template)
        fiscal_year_ensure(company, timezone.localdate().year)
        payment_terms_setup(company)

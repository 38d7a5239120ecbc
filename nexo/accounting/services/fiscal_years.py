"""Fiscal years and their monthly periods."""

from django.db import transaction
from django.utils.translation import gettext as _

from nexo.accounting.models import FiscalYear, Period
from nexo.accounting.rules import ledger
from nexo.core.errors import ValidationFailed
from nexo.core.models import Company, User


def fiscal_year_ensure(company: Company, year: int, *, by: User | None = None) -> FiscalYear:
    """The calendar fiscal year `year` with its twelve monthly periods, created when missing."""
    start, end = ledger.calendar_year(year)
    with transaction.atomic():
        found = FiscalYear.objects.filter(company=company, start=start).first()
        if found is not None:
            return found
        if FiscalYear.objects.filter(company=company, start__lte=end, end__gte=start).exists():
            raise ValidationFailed.on(
                "start", _("Another fiscal year already covers part of %(year)s.") % {"year": year}
            )
        fiscal_year = FiscalYear.objects.create(
            company=company, name=str(year), start=start, end=end, created_by=by, updated_by=by
        )
        Period.objects.bulk_create(
            Period(fiscal_year=fiscal_year, number=number, start=first, end=last)
            for number, (first, last) in enumerate(ledger.months(start, end), start=1)
        )
        return fiscal_year

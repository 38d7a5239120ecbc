"""What every quotation service shares: the company's sales settings, the locked quotation, the draft-only
rule and percentages as typed."""

from decimal import Decimal

from django.utils.translation import gettext as _

from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.models import Company
from nexo.core.validation import decimal_of
from nexo.sales import rules
from nexo.sales.models import Quotation, SalesSettings

HUNDRED = Decimal(100)


def settings_of(company: Company) -> SalesSettings:
    settings, _created = SalesSettings.objects.get_or_create(company=company)
    return settings


def locked_quotation(company: Company, quotation_id: int) -> Quotation:
    """The company's quotation, its row locked until the transaction ends (404 when there is none)."""
    quotation = Quotation.objects.select_for_update().filter(company=company, pk=quotation_id).first()
    if quotation is None:
        raise NotFound(_("No such quotation."))
    return quotation


def check_editable(quotation: Quotation) -> None:
    """Only a draft changes; a sent quotation is revised into a new version."""
    if quotation.state != rules.DRAFT:
        raise Conflict(
            _(
                "Quotation %(quotation)s is %(state)s: only a draft can be changed; revise it for a new version."
            )
            % {"quotation": quotation, "state": quotation.get_state_display().lower()}
        )


def editable_quotation(company: Company, quotation_id: int) -> Quotation:
    """The company's draft, locked (Conflict when it is no longer a draft)."""
    quotation = locked_quotation(company, quotation_id)
    check_editable(quotation)
    return quotation


def percent_of(value, field: str) -> Decimal:
    """A percentage as typed (empty: 0), between 0 and 100 with at most 2 decimals."""
    percent = decimal_of(value if value not in (None, "") else 0, field)
    if not 0 <= percent <= HUNDRED or percent != percent.quantize(Decimal("0.01")):
        raise ValidationFailed.on(field, _("Give a percentage between 0 and 100, with at most 2 decimals."))
    return percent

"""What every quotation service shares: the company's sales settings, the locked quotation, the draft-only
rule and percentages as typed."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from nexo.core import plainsql
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.models import Company
from nexo.core.validation import decimal_of, locked
from nexo.sales import rules
from nexo.sales.models import Quotation, SalesSettings

HUNDRED = Decimal(100)


def settings_of(company: Company) -> SalesSettings:
    # Plain SQL first: read by every quotation written; created on the first one.
    found = plainsql.select(SalesSettings, ("company_id = %s", [company.pk]), order_by=(), limit=1)
    if found:
        return found[0]
    settings, _created = SalesSettings.objects.get_or_create(company=company)
    return settings


def locked_quotation(company: Company, quotation_id: int) -> Quotation:
    """The company's quotation, its row locked until the transaction ends (404 when there is none)."""
    # Plain SQL (every action on a quotation starts here): the same row lock as select_for_update.
    quotation = locked(Quotation, company=company, pk=quotation_id, missing=_("No such quotation."))
    quotation.company = company  # its own company, already at hand: no query when an action reads it
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


def sales_settings_update(
    *,
    company: Company,
    by,
    quotation_validity_days: int,
    margin_approval: bool,
    delivery_note_valued: bool | None = None,
) -> SalesSettings:
    """The company's quotation validity, whether a quotation under its minimum margin waits for a manager's
    approval before it is sent, and whether delivery notes print prices (left as they are when not given).
    The settings row is locked while it changes."""
    if not 1 <= int(quotation_validity_days) <= 3650:
        raise ValidationFailed.on("quotation_validity_days", _("Give a number of days between 1 and 3650."))
    with transaction.atomic():
        settings_of(company)
        settings = SalesSettings.objects.select_for_update().get(company=company)
        settings.quotation_validity_days = int(quotation_validity_days)
        settings.margin_approval = bool(margin_approval)
        if delivery_note_valued is not None:
            settings.delivery_note_valued = bool(delivery_note_valued)
        settings.save()
        return settings

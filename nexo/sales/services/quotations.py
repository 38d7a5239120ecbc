"""A quotation's header: created as a draft for a party (usually of an opportunity), changed while it is a
draft. A new date, price list or warehouse prices and costs the lines again."""

from collections.abc import Mapping, Sequence
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.accounting.services.payment_terms import CUSTOMER, term_of_party
from nexo.catalog import queries as catalog_queries
from nexo.catalog.models import PriceList
from nexo.core import plainsql
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.services import sequence_next
from nexo.core.validation import assign, full_clean
from nexo.crm.models import Opportunity
from nexo.inventory.models import Warehouse
from nexo.inventory.services import settings_of as inventory_settings
from nexo.parties.models import Party
from nexo.sales import rules
from nexo.sales.models import Quotation
from nexo.sales.services.common import editable_quotation, percent_of, settings_of
from nexo.sales.services.lines import lines_from
from nexo.sales.services.pricing import price_and_cost, recompute
from nexo.sales.services.terms import payment_term_of

HEADER_FIELDS = (
    "date", "valid_until", "currency", "price_list", "payment_term", "notes", "document_discount",
    "salesperson", "warehouse",
)  # fmt: skip


def open_quotation_blocker(opportunity: Opportunity) -> str | None:
    """Registered with the CRM: an opportunity with an open quotation is won by accepting it."""
    quotation = (
        Quotation.objects.filter(opportunity=opportunity, state__in=rules.OPEN_STATES).order_by("id").first()
    )
    if quotation is None:
        return None
    return _("The opportunity has an open quotation (%(quotation)s): accept it to win the opportunity.") % {
        "quotation": quotation
    }


def _resolved_header(company: Company, fields: dict, current_term_id: int | None = None) -> dict:
    resolved = {}
    for name, value in fields.items():
        relation = name.removesuffix("_id")
        if relation == "price_list":
            price_list = (
                PriceList.objects.filter(company=company, pk=value, is_active=True).first() if value else None
            )
            if value and price_list is None:
                raise ValidationFailed.on("price_list", _("Unknown price list."))
            resolved[relation] = price_list
        elif relation == "warehouse":
            warehouse = Warehouse.objects.filter(company=company, pk=value, is_active=True).first()
            if warehouse is None:
                raise ValidationFailed.on("warehouse", _("Unknown warehouse."))
            resolved[relation] = warehouse
        elif relation == "salesperson":
            member = User.objects.filter(pk=value, memberships__company=company, is_active=True).first()
            if member is None:
                raise ValidationFailed.on("salesperson", _("Unknown salesperson."))
            resolved[relation] = member
        elif relation == "payment_term":
            resolved[relation] = payment_term_of(company, value, current_id=current_term_id)
        elif name == "document_discount":
            resolved[name] = percent_of(value, name)
        elif name == "currency":
            resolved[name] = (value or "").strip().upper()
        else:
            resolved[name] = value
    return resolved


# Set only from this company's records, looked up by the service: no query per relation to check them again.
RESOLVED_RELATIONS = ("party", "opportunity", "salesperson", "price_list", "warehouse", "payment_term")


def _validated_header(quotation: Quotation) -> None:
    full_clean(quotation, exclude=["number", "taxes"], resolved=RESOLVED_RELATIONS)
    if quotation.valid_until < quotation.date:
        raise ValidationFailed.on("valid_until", _("The quotation cannot expire before its date."))
    if quotation.currency != quotation.company.currency:
        raise ValidationFailed.on(
            "currency",
            _("Quotations are in %(currency)s for now.") % {"currency": quotation.company.currency},
        )


def _of_company(model, company: Company, record_id):
    """The company's record of that id, or None; plain SQL: read on every quotation created."""
    try:
        found = plainsql.select(
            model, ("company_id = %s AND id = %s", [company.pk, int(record_id)]), order_by=()
        )
    except (TypeError, ValueError, OverflowError):
        return None  # not an id
    return found[0] if found else None


def _party_and_opportunity(company: Company, party_id, opportunity_id) -> tuple[Party, Opportunity | None]:
    opportunity = None
    if opportunity_id:
        opportunity = _of_company(Opportunity, company, opportunity_id)
        if opportunity is None:
            raise ValidationFailed.on("opportunity", _("Unknown opportunity."))
        if opportunity.status != Opportunity.Status.OPEN:
            raise Conflict(_("The opportunity is closed: reopen it before quoting."))
        if party_id and int(party_id) != opportunity.party_id:
            raise ValidationFailed.on("party", _("The opportunity belongs to another party."))
        party_id = opportunity.party_id
    party = _of_company(Party, company, party_id) if party_id else None
    if party is None:
        raise ValidationFailed.on("party", _("Unknown party."))
    if not party.is_active:
        raise ValidationFailed.on("party", _("The party is not active."))
    return party, opportunity


def quotation_create(
    *,
    company: Company,
    by: User,
    party_id: int | None = None,
    opportunity_id: int | None = None,
    lines: Sequence[Mapping] = (),
    **fields,
) -> Quotation:
    """A draft quotation for a party (lead or customer), usually of an opportunity, with its lines priced
    from the party's price list and costed from the stock, and the party's payment term as a customer (else
    the company's default) unless `payment_term_id` chooses one. Numbered from the company's P series."""
    with transaction.atomic():
        party, opportunity = _party_and_opportunity(company, party_id, opportunity_id)
        settings = settings_of(company)
        today = timezone.localdate()
        quotation = Quotation(
            company=company, party=party, opportunity=opportunity, salesperson=by, date=today,
            valid_until=today + timedelta(days=settings.quotation_validity_days), currency=company.currency,
            warehouse_id=inventory_settings(company).default_warehouse_id, created_by=by, updated_by=by,
        )  # fmt: skip
        quotation.price_list_id = catalog_queries.price_list_of(company, party.pk)
        fields = _resolved_header(company, fields)
        if "payment_term" not in fields:  # none chosen: the customer's own, else the company's default
            quotation.payment_term = term_of_party(company, party.pk, CUSTOMER)
        if "date" in fields and "valid_until" not in fields and fields["date"]:
            fields["valid_until"] = fields["date"] + timedelta(days=settings.quotation_validity_days)
        assign(quotation, fields, HEADER_FIELDS)
        _validated_header(quotation)
        year = quotation.date.year
        quotation.number = f"P-{year}-{sequence_next(company_id=company.pk, series='P', year=year):05d}"
        plainsql.insert(Quotation, [quotation])
        built = lines_from(quotation, lines)
        price_and_cost(quotation, built)
        recompute(quotation, built, insert=True)
        return quotation


def quotation_update(
    *, company: Company, by: User, quotation_id: int, lines: Sequence[Mapping] | None = None, **fields
) -> Quotation:
    """Change a draft's header (and, with `lines`, replace its lines), the draft locked. A new date or price
    list re-prices the lines that are not locked; a new warehouse costs them again."""
    with transaction.atomic():
        quotation = editable_quotation(company, quotation_id)
        before = (quotation.date, quotation.price_list_id, quotation.warehouse_id)
        assign(quotation, _resolved_header(company, fields, quotation.payment_term_id), HEADER_FIELDS)
        quotation.updated_by = by
        _validated_header(quotation)
        quotation.save()
        if lines is not None:
            quotation.lines.all().delete()
            current = lines_from(quotation, lines)
            price_and_cost(quotation, current)
        else:
            current = list(quotation.lines.all())
            if before != (quotation.date, quotation.price_list_id, quotation.warehouse_id):
                price_and_cost(quotation, current, recost=before[2] != quotation.warehouse_id)
        recompute(quotation, current, insert=lines is not None)
        return quotation

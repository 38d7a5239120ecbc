"""Sales orders made directly, without a quotation, by a user with the right (`sales.add_salesorder`).

The lines are priced and costed exactly as a quotation's: they are read by the quotation's `lines_from`
and priced and costed by `pricing.price_and_cost` against a quotation that is never saved (the party's
price list and rules, the order's date, each item's cost under its method in the order's warehouse, frozen
with its source), and the figures come from the pure `rules.totals`. The order is then what accepting that
quotation would have made: numbered from the PV series, confirmed, its stock reserved by
`orders._reserve`, a lead made a customer, and its opportunity (if any) won with the order's net.
"""

from collections.abc import Mapping, Sequence
from datetime import date as Date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.accounting.services.payment_terms import CUSTOMER, term_of_party
from nexo.catalog import queries as catalog_queries
from nexo.catalog.models import Item
from nexo.core import plainsql
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.services import sequence_next
from nexo.crm import services as crm
from nexo.crm.models import Opportunity
from nexo.inventory.models import Warehouse
from nexo.inventory.services import settings_of as inventory_settings
from nexo.parties import services as parties
from nexo.parties.models import Party
from nexo.sales import rules
from nexo.sales.models import Quotation, QuotationLine, SalesOrder, SalesOrderLine
from nexo.sales.services.common import settings_of
from nexo.sales.services.credit import credit_check, override_attach
from nexo.sales.services.lines import lines_from
from nexo.sales.services.orders import _reserve
from nexo.sales.services.pricing import AMOUNT_LIMIT, MARGIN_PERCENT_LIMIT, price_and_cost
from nexo.sales.services.terms import payment_term_of

# As many lines as a quotation takes through the API (sales.api.schemas.MAX_LINES).
MAX_LINES = 1000
# Order dates a database and the reservation's stock moves can hold.
FIRST_DAY, LAST_DAY = Date(1900, 1, 1), Date(9000, 12, 31)
REFERENCE_LENGTH, NOTES_LENGTH = 60, 5000


def _of_company(model, company: Company, record_id):
    """The company's record of that id, or None (not an id, another company's, not there)."""
    try:
        where = ("company_id = %s AND id = %s", [company.pk, int(record_id)])
    except (TypeError, ValueError, OverflowError):
        return None
    if not 0 < where[1][1] < 2**63:
        return None
    found = plainsql.select(model, where, order_by=(), limit=1)
    return found[0] if found else None


def _party(company: Company, party_id) -> Party:
    party = _of_company(Party, company, party_id) if party_id not in (None, "") else None
    if party is None:
        raise ValidationFailed.on("party", _("Unknown party."))
    if not party.is_active:
        raise ValidationFailed.on("party", _("The party is not active."))
    return party


def _opportunity(company: Company, opportunity_id, party: Party) -> Opportunity | None:
    """The open opportunity of the party the order wins; one with an open quotation is won by accepting
    that quotation instead."""
    if opportunity_id in (None, ""):
        return None
    opportunity = _of_company(Opportunity, company, opportunity_id)
    if opportunity is None:
        raise ValidationFailed.on("opportunity", _("Unknown opportunity."))
    if opportunity.party_id != party.pk:
        raise ValidationFailed.on("opportunity", _("The opportunity belongs to another party."))
    if opportunity.status != Opportunity.Status.OPEN:
        raise Conflict(_("The opportunity is closed: reopen it before selling to it."))
    if Quotation.objects.filter(opportunity_id=opportunity.pk, state__in=rules.OPEN_STATES).exists():
        raise Conflict(_("The opportunity has an open quotation: accept it rather than ordering directly."))
    return opportunity


def _warehouse(company: Company, warehouse_id) -> Warehouse:
    if warehouse_id in (None, ""):
        warehouse_id = inventory_settings(company).default_warehouse_id
    warehouse = _of_company(Warehouse, company, warehouse_id) if warehouse_id is not None else None
    if warehouse is None or not warehouse.is_active:
        raise ValidationFailed.on("warehouse", _("Unknown warehouse."))
    return warehouse


def _text(value, field: str, limit: int) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationFailed.on(
            field, _("Ensure this value has at most %(limit)d characters.") % {"limit": limit}
        )
    return text


def _day(value) -> Date:
    day = value or timezone.localdate()
    if not isinstance(day, Date) or not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationFailed.on("date", _("Give a date between 1900 and 9000."))
    return day


def priced_lines(
    company: Company,
    *,
    party: Party | None,
    warehouse: Warehouse,
    day: Date,
    lines: Sequence[Mapping],
    by: User | None = None,
) -> tuple[list[QuotationLine], rules.Totals]:
    """The lines as a quotation of the party dated `day` from `warehouse` would price and cost them (never
    saved), with their figures; field errors name `lines.<index>.<field>` as a quotation's do. The order
    page shows them before the order is made (without a party yet: at the company's default price list)."""
    if not lines:
        raise ValidationFailed.on("lines", _("Add at least one line."))
    if len(lines) > MAX_LINES:
        raise ValidationFailed.on(
            "lines", _("An order takes at most %(count)d lines.") % {"count": MAX_LINES}
        )
    if not all(isinstance(line, Mapping) for line in lines):
        raise ValidationFailed.on("lines", _("Each line names an item (or a description), a quantity…"))
    quotation = Quotation(
        company=company, party=party, warehouse=warehouse, date=day, currency=company.currency,
        price_list_id=catalog_queries.price_list_of(company, party.pk if party else None), salesperson=by,
    )  # fmt: skip
    built = lines_from(quotation, lines)
    price_and_cost(quotation, built)
    figures = rules.totals(
        [
            rules.LineInput(
                line.quantity, line.unit_price, line.discount, line.tax_rate, line.unit_cost, line.min_margin
            )
            for line in built
        ]
    )
    _within_columns(figures)
    for line, figure in zip(built, figures.lines, strict=True):
        line.gross_net, line.discount_share, line.net = figure.gross_net, figure.document_discount, figure.net
        line.cost, line.margin, line.margin_percent = figure.cost, figure.margin, figure.margin_percent
        line.below_min_margin = figure.below_min_margin
    return built, figures


def _within_columns(figures: rules.Totals) -> None:
    """A figure larger than its column holds is a field error, as on a quotation (pricing.recompute)."""
    for index, figure in enumerate(figures.lines):
        if max(abs(figure.gross_net), abs(figure.cost), abs(figure.margin)) >= AMOUNT_LIMIT:
            raise ValidationFailed.on(f"lines.{index}.quantity", _("The line's amount is too large."))
        if figure.margin_percent is not None and abs(figure.margin_percent) >= MARGIN_PERCENT_LIMIT:
            raise ValidationFailed.on(
                f"lines.{index}.unit_price",
                _("The price is too low for the line's cost: raise it or make it 0."),
            )
    if (
        max(abs(figures.gross_net), abs(figures.total), abs(figures.cost), abs(figures.margin))
        >= AMOUNT_LIMIT
    ):
        raise ValidationFailed.on("lines", _("The order's total is too large."))


def _approval_allowed(company: Company, by: User, lines: Sequence[QuotationLine]) -> None:
    """Where the company asks a manager to approve sales under their minimum margin, only a user who may
    approve them orders such lines directly (the order is never sent for approval)."""
    if not any(line.below_min_margin for line in lines) or by.has_perm("sales.approve_quotation"):
        return
    if settings_of(company).margin_approval:
        raise Conflict(
            _(
                "A line is under its minimum margin and the company asks for a manager's approval: "
                "quote it instead, or ask a manager to place the order."
            )
        )


def sales_order_create(
    *,
    company: Company,
    by: User,
    party_id: int,
    warehouse_id: int | None = None,
    date: Date | None = None,
    lines: Sequence[Mapping],
    payment_term_id: int | None = None,
    customer_reference: str = "",
    notes: str = "",
    opportunity_id: int | None = None,
    override_credit: bool = False,
    credit_override_reason: str = "",
) -> SalesOrder:
    """A confirmed sales order without a quotation, in one transaction: its lines priced and costed as a
    quotation's (`priced_lines`), numbered `PV-<year>-<5 digits>` from the order's date, its stocked lines
    reserving stock in its warehouse as an accepted quotation's order does, a lead made a customer and the
    opportunity (optional, open, the party's, without an open quotation) won with the order's net.

    `lines`: mappings of `item_id` (or none, for free text with a `description` and a `unit_price`),
    `quantity`, `unit_price` (typed: the price list's is left aside), `discount`, `tax_category_id`.
    The payment term defaults to the party's as a customer (else the company's default)."""
    reference = _text(customer_reference, "customer_reference", REFERENCE_LENGTH)
    notes = _text(notes, "notes", NOTES_LENGTH)
    day = _day(date)
    with transaction.atomic():
        party = _party(company, party_id)
        term = payment_term_of(company, payment_term_id) or term_of_party(company, party.pk, CUSTOMER)
        opportunity = _opportunity(company, opportunity_id, party)
        warehouse = _warehouse(company, warehouse_id)
        built, figures = priced_lines(company, party=party, warehouse=warehouse, day=day, lines=lines, by=by)
        _approval_allowed(company, by, built)
        if opportunity is not None:
            # Locked before anything is written: a quotation accepted meanwhile finds it won, or wins first.
            opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
            if opportunity.status != Opportunity.Status.OPEN:
                raise Conflict(_("The opportunity is closed: reopen it before selling to it."))
        # Within the customer's credit limit, or a manager's override recorded: the party is locked here, before
        # the number's sequence, in the order an acceptance takes them (else the two could deadlock).
        override = credit_check(
            company, party.pk, figures.total, by=by, override=override_credit, reason=credit_override_reason
        )
        number = f"PV-{day.year}-{sequence_next(company_id=company.pk, series='PV', year=day.year):05d}"
        stocked = {
            line.position: bool(line.item_id) and line.item.kind == Item.Kind.STOCKED for line in built
        }
        fulfilment = [
            rules.LineFulfilment(stocked=stocked[line.position], ordered=line.quantity) for line in built
        ]
        order = SalesOrder.objects.create(
            company=company, number=number, party=party, opportunity=opportunity, salesperson=by,
            warehouse=warehouse, date=day, currency=company.currency,
            payment_term=term, net=figures.net, tax=figures.tax,
            total=figures.total, cost=figures.cost, margin=figures.margin,
            taxes=[{"rate": str(tax.rate), "base": str(tax.base), "tax": str(tax.tax)} for tax in figures.taxes],
            delivery_state=rules.delivery_state(fulfilment), invoice_state=rules.invoice_state(fulfilment),
            customer_reference=reference, notes=notes, created_by=by, updated_by=by,
        )  # fmt: skip
        order_lines = SalesOrderLine.objects.bulk_create([
            SalesOrderLine(
                order=order, position=line.position, item=line.item if line.item_id else None,
                description=line.description, quantity=line.quantity, unit_price=line.unit_price,
                discount=line.discount, tax_category_id=line.tax_category_id, tax_rate=line.tax_rate,
                net=line.net, unit_cost=line.unit_cost, cost_source=line.cost_source, margin=line.margin,
            )
            for line in built
        ])  # fmt: skip
        override_attach(override, order)
        if party.status == Party.Status.LEAD:
            parties.party_update(company=company, party_id=party.pk, by=by, status=Party.Status.CUSTOMER)
        if opportunity is not None:
            crm.opportunity_win(
                company=company, opportunity_id=opportunity.pk, by=by, amount=order.net, by_hand=False,
                note=_("Sales order %(order)s") % {"order": number},
            )  # fmt: skip
        _reserve(order, order_lines, by)
        return order

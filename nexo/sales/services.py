"""Every change to a quotation and what accepting it sets off (DOMAIN §6).

Lines are priced by the catalog's engine and costed by purchasing's `unit_costs_for` when they are added
or their item or quantity changes; the cost is then frozen on the line. Totals are recomputed on every
change by the pure `rules.totals`. Accepting wins the opportunity (crm), makes a lead a customer
(parties) and creates the sales order, in one transaction that locks the opportunity first.
"""

from collections.abc import Mapping, Sequence
from datetime import date as Date
from datetime import timedelta
from decimal import Decimal
from functools import cached_property

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.catalog import queries as catalog_queries
from nexo.catalog.models import Item, PriceList, TaxCategory, TaxRate
from nexo.catalog.rule_text import describe_rule, rule_names
from nexo.core import plainsql
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.rules import InvalidTransition, transition
from nexo.core.services import sequence_next
from nexo.core.validation import assign, decimal_of, full_clean, quantity_of, record_id
from nexo.crm import services as crm
from nexo.crm.models import Opportunity
from nexo.inventory import services as inventory
from nexo.inventory.models import Warehouse
from nexo.inventory.services import settings_of as inventory_settings
from nexo.parties import services as parties
from nexo.parties.models import Party
from nexo.purchasing.costing import COMPARISON_BASES, unit_costs_for
from nexo.sales import documents, rules
from nexo.sales.models import Quotation, QuotationLine, SalesOrder, SalesOrderLine, SalesSettings

State = Quotation.State
HEADER_FIELDS = (
    "date", "valid_until", "currency", "price_list", "payment_terms", "notes", "document_discount",
    "salesperson", "warehouse",
)  # fmt: skip
LINE_FIELDS = {"item_id", "description", "quantity", "unit_price", "discount", "tax_category_id"}
# A line without an item is taxed at this category unless another is chosen (the VAT most sales carry).
FREE_TEXT_TAX = "general"
# The origin of the draft moves that reserve an order's stock (inventory shows them as "Sales order").
RESERVATION_ORIGIN = "sales_order"
HUNDRED = Decimal(100)
# What an amount column holds (18 digits, 2 of them decimals): a larger figure is refused, not stored.
AMOUNT_LIMIT = Decimal("1e16")
MARGIN_PERCENT_LIMIT = Decimal("1e7")  # margin % columns: 9 digits, 2 of them decimals


def settings_of(company: Company) -> SalesSettings:
    settings, _created = SalesSettings.objects.get_or_create(company=company)
    return settings


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


# Reading input


def _percent(value, field: str) -> Decimal:
    percent = decimal_of(value if value not in (None, "") else 0, field)
    if not 0 <= percent <= HUNDRED or percent != percent.quantize(Decimal("0.01")):
        raise ValidationFailed.on(field, _("Give a percentage between 0 and 100, with at most 2 decimals."))
    return percent


def _price(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    price = decimal_of(value, field)
    if price < 0:
        raise ValidationFailed.on(field, _("The price cannot be negative."))
    if price >= Decimal("1e10") or price != price.quantize(Decimal("0.000001")):
        raise ValidationFailed.on(field, _("Use at most 6 decimals and 10 digits."))
    return price


def _locked_quotation(company: Company, quotation_id: int) -> Quotation:
    quotation = Quotation.objects.select_for_update().filter(company=company, pk=quotation_id).first()
    if quotation is None:
        raise NotFound(_("No such quotation."))
    return quotation


def check_editable(quotation: Quotation) -> None:
    """Only a draft changes; a sent quotation is revised into a new version."""
    if quotation.state != State.DRAFT:
        raise Conflict(
            _(
                "Quotation %(quotation)s is %(state)s: only a draft can be changed; revise it for a new version."
            )
            % {"quotation": quotation, "state": quotation.get_state_display().lower()}
        )


def _editable(company: Company, quotation_id: int) -> Quotation:
    quotation = _locked_quotation(company, quotation_id)
    check_editable(quotation)
    return quotation


def _check_state(quotation: Quotation, target: str, message: str) -> None:
    try:
        transition(rules.QUOTATION_TRANSITIONS, quotation.state, target)
    except InvalidTransition as error:
        raise Conflict(
            message % {"quotation": quotation, "state": quotation.get_state_display().lower()}
        ) from error


# Header


def _resolved_header(company: Company, fields: dict) -> dict:
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
        elif name == "document_discount":
            resolved[name] = _percent(value, name)
        elif name == "currency":
            resolved[name] = (value or "").strip().upper()
        else:
            resolved[name] = value
    return resolved


def _validated_header(quotation: Quotation) -> None:
    full_clean(quotation, exclude=["number", "taxes"])
    if quotation.valid_until < quotation.date:
        raise ValidationFailed.on("valid_until", _("The quotation cannot expire before its date."))
    if quotation.currency != quotation.company.currency:
        raise ValidationFailed.on(
            "currency",
            _("Quotations are in %(currency)s for now.") % {"currency": quotation.company.currency},
        )


def _party_and_opportunity(company: Company, party_id, opportunity_id) -> tuple[Party, Opportunity | None]:
    opportunity = None
    if opportunity_id:
        opportunity = Opportunity.objects.filter(company=company, pk=opportunity_id).first()
        if opportunity is None:
            raise ValidationFailed.on("opportunity", _("Unknown opportunity."))
        if opportunity.status != Opportunity.Status.OPEN:
            raise Conflict(_("The opportunity is closed: reopen it before quoting."))
        if party_id and int(party_id) != opportunity.party_id:
            raise ValidationFailed.on("party", _("The opportunity belongs to another party."))
        party_id = opportunity.party_id
    party = Party.objects.filter(company=company, pk=party_id).first() if party_id else None
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
    from the party's price list and costed from the stock."""
    with transaction.atomic():
        party, opportunity = _party_and_opportunity(company, party_id, opportunity_id)
        settings = settings_of(company)
        today = timezone.localdate()
        quotation = Quotation(
            company=company, party=party, opportunity=opportunity, salesperson=by, date=today,
            valid_until=today + timedelta(days=settings.quotation_validity_days), currency=company.currency,
            payment_terms=settings.payment_terms, warehouse=inventory_settings(company).default_warehouse,
            created_by=by, updated_by=by,
        )  # fmt: skip
        quotation.price_list_id = catalog_queries.price_list_of(company, party.pk)
        fields = _resolved_header(company, fields)
        if "date" in fields and "valid_until" not in fields and fields["date"]:
            fields["valid_until"] = fields["date"] + timedelta(days=settings.quotation_validity_days)
        assign(quotation, fields, HEADER_FIELDS)
        _validated_header(quotation)
        year = quotation.date.year
        quotation.number = f"P-{year}-{sequence_next(company_id=company.pk, series='P', year=year):05d}"
        quotation.save()
        items, taxes = _items_of(company, lines), TaxChoices(company)
        built = [
            _line_from(quotation, position, line, items=items, taxes=taxes)
            for position, line in enumerate(lines, start=1)
        ]
        _price_and_cost(quotation, built)
        _recompute(quotation, built, insert=True)
        return quotation


def quotation_update(
    *, company: Company, by: User, quotation_id: int, lines: Sequence[Mapping] | None = None, **fields
) -> Quotation:
    """Change a draft's header (and, with `lines`, replace its lines). A new date or price list re-prices
    the lines that are not locked."""
    with transaction.atomic():
        quotation = _editable(company, quotation_id)
        before = (quotation.date, quotation.price_list_id, quotation.warehouse_id)
        assign(quotation, _resolved_header(company, fields), HEADER_FIELDS)
        quotation.updated_by = by
        _validated_header(quotation)
        quotation.save()
        if lines is not None:
            quotation.lines.all().delete()
            items, taxes = _items_of(company, lines), TaxChoices(company)
            current = [
                _line_from(quotation, position, line, items=items, taxes=taxes)
                for position, line in enumerate(lines, start=1)
            ]
            _price_and_cost(quotation, current)
        else:
            current = list(quotation.lines.all())
            if before != (quotation.date, quotation.price_list_id, quotation.warehouse_id):
                _price_and_cost(quotation, current, recost=before[2] != quotation.warehouse_id)
        _recompute(quotation, current, insert=lines is not None)
        return quotation


# Lines


def _items_of(company: Company, lines: Sequence[Mapping]) -> dict[int, Item]:
    """The active items the lines name, in one query (an id not found is looked up, and refused, per line)."""
    ids = {record_id(str(line.get("item_id") or "")) for line in lines if isinstance(line, Mapping)}
    ids.discard(None)
    return Item.objects.filter(company=company, is_active=True).in_bulk(ids) if ids else {}


class TaxChoices:
    """The company's tax categories, read once and only when a line needs them (a free-text line, a
    category chosen by hand): lines of items take their item's and cost no query."""

    def __init__(self, company: Company):
        self.company = company

    @cached_property
    def _categories(self) -> dict[int, str]:
        return dict(TaxCategory.objects.filter(company=self.company).values_list("id", "code"))

    def known(self, category_id: int | None) -> bool:
        return category_id is not None and category_id in self._categories

    def free_text_default(self) -> int | None:
        return next((pk for pk, code in self._categories.items() if code == FREE_TEXT_TAX), None)


def _tax_of(line: QuotationLine, data: Mapping, taxes: TaxChoices, prefix: str) -> None:
    """A category chosen for the line; none chosen: the item's, or the free-text default."""
    if data.get("tax_category_id") in (None, ""):
        if "tax_category_id" in data or (line.pk is None and line.item_id is None):
            line.tax_category_id = line.item.sale_tax_id if line.item_id else taxes.free_text_default()
        return
    chosen = record_id(str(data["tax_category_id"]))
    if not taxes.known(chosen):
        raise ValidationFailed.on(f"{prefix}.tax_category_id", _("Unknown tax category."))
    line.tax_category_id = chosen


def _line_from(
    quotation: Quotation,
    position: int,
    data: Mapping,
    line: QuotationLine | None = None,
    *,
    items: Mapping[int, Item] | None = None,
    taxes: TaxChoices | None = None,
) -> QuotationLine:
    """A line from what was typed: an item or a free text, a quantity, a price typed by hand (locked)."""
    prefix = f"lines.{position - 1}"
    unknown = set(data) - LINE_FIELDS
    if unknown:
        raise ValidationFailed.on(f"{prefix}.{sorted(unknown)[0]}", _("Unknown field."))
    line = line or QuotationLine(quotation=quotation, position=position)
    if "item_id" in data or line.pk is None:
        item_id = data.get("item_id")
        item = None
        if item_id not in (None, ""):
            item = (items or {}).get(record_id(str(item_id))) or (
                Item.objects.filter(company=quotation.company, pk=item_id, is_active=True).first()
            )
            if item is None:
                raise ValidationFailed.on(f"{prefix}.item_id", _("Unknown item."))
        if item is not None and item.pk != line.item_id:
            line.item, line.tax_category_id, line.min_margin = item, item.sale_tax_id, item.min_margin
            line.costed_at = None  # a new item: price and cost it again
            if not data.get("description"):
                line.description = item.name
    if "description" in data:
        line.description = (data.get("description") or "").strip()[:300] or (
            line.item.name if line.item else ""
        )
    if "quantity" in data or line.pk is None:
        quantity = quantity_of(data.get("quantity"), f"{prefix}.quantity")
        if quantity != line.quantity:
            line.quantity, line.costed_at = quantity, None
    if "discount" in data:
        line.discount = _percent(data.get("discount"), f"{prefix}.discount")
    _tax_of(line, data, taxes or TaxChoices(quotation.company), prefix)
    if "unit_price" in data:
        typed = _price(data.get("unit_price"), f"{prefix}.unit_price")
        line.unit_price, line.price_locked = (typed, True) if typed is not None else (line.unit_price, False)
    if line.item_id is None:
        if not line.description:
            raise ValidationFailed.on(
                f"{prefix}.description", _("A line without an item needs a description.")
            )
        if line.unit_price is None:
            raise ValidationFailed.on(f"{prefix}.unit_price", _("A line without an item needs a price."))
        line.price_locked = True
    if line.unit_price is None:
        line.unit_price = Decimal(0)  # priced by _price_and_cost
    return line


def _price_and_cost(quotation: Quotation, lines: Sequence[QuotationLine], *, recost: bool = False) -> None:
    """Cost the lines not costed yet (frozen, with provenance and the comparison), then price them from the
    list with that cost (a markup on cost needs it). A fixed number of queries whatever the lines."""
    item_lines = [line for line in lines if line.item_id is not None]
    to_cost = [line for line in item_lines if recost or line.costed_at is None]
    if to_cost:
        costs = unit_costs_for(
            quotation.company, [(line.item_id, line.quantity) for line in to_cost],
            warehouse_id=quotation.warehouse_id, bases=(None, *COMPARISON_BASES), day=quotation.date,
        )  # fmt: skip
        now = timezone.now()
        for line, by_basis in zip(to_cost, costs, strict=True):
            own = by_basis[None]
            line.unit_cost, line.cost_source, line.costed_at = own.unit_cost, own.source, now
            line.cost_parts = [
                {"quantity": str(part.quantity), "unit_cost": str(part.unit_cost), "value": str(part.value),
                 "source": part.source, "reference": part.reference,
                 "date": part.date.isoformat() if part.date else None}
                for part in own.parts
            ]  # fmt: skip
            line.cost_comparison = {
                basis: {"unit_cost": str(by_basis[basis].unit_cost), "source": by_basis[basis].source}
                for basis in COMPARISON_BASES
            }
    priced = catalog_queries.price_lines(
        quotation.company, [(line.item_id, line.quantity) for line in item_lines], day=quotation.date,
        party_id=quotation.party_id, price_list_id=quotation.price_list_id,
        costs={line.item_id: line.unit_cost for line in item_lines if line.unit_cost is not None},
    )  # fmt: skip
    names = rule_names(quotation.company, [p.resolution.rule for p in priced if p.resolution.rule])
    for line, price in zip(item_lines, priced, strict=True):
        resolution = price.resolution
        line.list_price = resolution.unit_price
        line.price_rule_id = resolution.rule.id if resolution.rule else None
        line.price_rule_text = describe_rule(resolution.rule, names)[:300]
        if resolution.floored:
            line.price_rule_text = (line.price_rule_text + " · " + _("raised to the minimum margin"))[:300]
        if not line.price_locked:
            line.unit_price = resolution.unit_price
    _tax_rates(quotation, lines)


def _tax_rates(quotation: Quotation, lines: Sequence[QuotationLine]) -> None:
    """Each line's tax rate on the quotation's date, one query for all the tax categories."""
    categories = {line.tax_category_id for line in lines if line.tax_category_id}
    rates: dict[int, Decimal] = {}
    for rate in TaxRate.objects.filter(
        tax_category_id__in=categories, valid_from__lte=quotation.date
    ).order_by("tax_category_id", "-valid_from"):
        rates.setdefault(rate.tax_category_id, rate.rate)
    for line in lines:
        if line.tax_category_id:
            line.tax_rate = rates.get(line.tax_category_id, Decimal(0))


LINE_FIGURES = ("gross_net", "discount_share", "net", "cost", "margin", "margin_percent", "below_min_margin")
LINE_STORED = (
    "item", "description", "quantity", "list_price", "unit_price", "price_locked", "price_rule", "price_rule_text",
    "discount", "tax_category", "tax_rate", "unit_cost", "cost_source", "cost_parts", "cost_comparison",
    "costed_at", "min_margin", "position", *LINE_FIGURES,
)  # fmt: skip


def _recompute(quotation: Quotation, lines: Sequence[QuotationLine], *, insert: bool = False) -> None:
    """Totals and line figures from the pure rules; the lines saved in one statement (inserted when new),
    the quotation in another."""
    lines = sorted(lines, key=lambda line: (line.position, line.pk or 0))
    figures = rules.totals(
        [
            rules.LineInput(
                line.quantity, line.unit_price, line.discount, line.tax_rate, line.unit_cost, line.min_margin
            )
            for line in lines
        ],
        quotation.document_discount,
    )
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
        raise ValidationFailed.on("lines", _("The quotation's total is too large."))
    if figures.margin_percent is not None and abs(figures.margin_percent) >= MARGIN_PERCENT_LIMIT:
        raise ValidationFailed.on("lines", _("The quotation's net is too low for its cost."))
    for line, figure in zip(lines, figures.lines, strict=True):
        line.gross_net, line.discount_share, line.net = figure.gross_net, figure.document_discount, figure.net
        line.cost, line.margin, line.margin_percent = figure.cost, figure.margin, figure.margin_percent
        line.below_min_margin = figure.below_min_margin
    if insert:
        QuotationLine.objects.bulk_create(lines)
    else:
        plainsql.update(QuotationLine, lines, LINE_STORED)  # one executemany, not bulk_update's CASEs
    quotation.gross_net, quotation.discount_amount = figures.gross_net, figures.document_discount
    quotation.net, quotation.tax, quotation.total = figures.net, figures.tax, figures.total
    quotation.cost, quotation.margin, quotation.margin_percent = (
        figures.cost,
        figures.margin,
        figures.margin_percent,
    )
    quotation.taxes = [{"rate": str(t.rate), "base": str(t.base), "tax": str(t.tax)} for t in figures.taxes]
    quotation.save()


def _next_position(quotation: Quotation) -> int:
    last = quotation.lines.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


def quotation_line_add(*, company: Company, by: User, quotation_id: int, **data) -> QuotationLine:
    with transaction.atomic():
        quotation = _editable(company, quotation_id)
        line = _line_from(quotation, _next_position(quotation), data)
        line.save()
        lines = list(quotation.lines.all())
        _price_and_cost(quotation, lines)
        _touch(quotation, by)
        _recompute(quotation, lines)
        return next(current for current in lines if current.pk == line.pk)


def quotation_line_update(
    *, company: Company, by: User, quotation_id: int, line_id: int, **data
) -> QuotationLine:
    """Change one line; a new quantity re-prices it (unless its price is locked) and re-costs it."""
    with transaction.atomic():
        quotation = _editable(company, quotation_id)
        lines = list(quotation.lines.all())
        line = next((current for current in lines if current.pk == line_id), None)
        if line is None:
            raise NotFound(_("No such line on this quotation."))
        _line_from(quotation, line.position, data, line)
        _price_and_cost(quotation, lines)
        _touch(quotation, by)
        _recompute(quotation, lines)
        return line


def quotation_line_delete(*, company: Company, by: User, quotation_id: int, line_id: int) -> Quotation:
    with transaction.atomic():
        quotation = _editable(company, quotation_id)
        deleted, _detail = quotation.lines.filter(pk=line_id).delete()
        if not deleted:
            raise NotFound(_("No such line on this quotation."))
        _touch(quotation, by)
        _recompute(quotation, list(quotation.lines.all()))
        return quotation


def _touch(quotation: Quotation, by: User) -> None:
    quotation.updated_by = by


# States


def _close(quotation: Quotation, state: str, by: User, reason: str = "") -> None:
    quotation.state, quotation.closed_at, quotation.closed_by = state, timezone.now(), by
    quotation.close_reason = reason[:500]
    quotation.updated_by = by
    quotation.save()


def quotation_mark_sent(*, company: Company, by: User, quotation_id: int, sent_to: str = "") -> Quotation:
    """Sent: from now on it is never edited (a revision makes a new version)."""
    with transaction.atomic():
        quotation = _locked_quotation(company, quotation_id)
        _check_state(quotation, State.SENT, _("Quotation %(quotation)s is %(state)s: it cannot be sent."))
        if not quotation.lines.exists():
            raise ValidationFailed.on("lines", _("Add at least one line before sending."))
        quotation.state, quotation.sent_at, quotation.sent_to = State.SENT, timezone.now(), sent_to[:254]
        quotation.updated_by = by
        quotation.save()
        return quotation


def quotation_send(
    *, company: Company, by: User, quotation_id: int, to: str = "", message: str = ""
) -> Quotation:
    """E-mail the quotation's PDF to the party (or `to`) and mark it sent. The message goes out inside the
    transaction: if the mail server refuses it, the quotation stays a draft."""
    with transaction.atomic():
        quotation = quotation_mark_sent(company=company, by=by, quotation_id=quotation_id, sent_to="")
        recipient = (to or quotation.party.email or "").strip()
        try:
            validate_email(recipient)
        except DjangoValidationError as error:
            raise ValidationFailed.on("to", _("Give the e-mail address to send the quotation to.")) from error
        quotation.sent_to = recipient
        quotation.save(update_fields=["sent_to"])
        subject = _("Quotation %(quotation)s from %(company)s") % {
            "quotation": quotation,
            "company": company.name,
        }
        body = (message or "").strip() or _(
            "Please find attached our quotation %(quotation)s, valid until %(day)s."
        ) % {"quotation": quotation, "day": quotation.valid_until.isoformat()}
        email = EmailMessage(
            subject=subject, body=body, to=[recipient], reply_to=[by.email] if by.email else None
        )
        email.attach(
            documents.quotation_filename(quotation), documents.quotation_pdf(quotation), "application/pdf"
        )
        email.send()
        return quotation


def _expired_by_date(quotation: Quotation, today: Date) -> bool:
    return quotation.state == State.SENT and quotation.valid_until < today


def quotation_accept(*, company: Company, by: User, quotation_id: int) -> SalesOrder:
    """Accepting, in one transaction: the opportunity is won with the quotation's net, its other open
    quotations are cancelled as superseded, a lead becomes a customer, and the sales order is created.

    The opportunity is locked before any quotation, so two acceptances of one opportunity queue there
    and the second finds it won."""
    with transaction.atomic():
        found = Quotation.objects.filter(company=company, pk=quotation_id).values_list(
            "opportunity_id", flat=True
        )
        if not found:
            raise NotFound(_("No such quotation."))
        opportunity_id = found[0]
        if opportunity_id:
            opportunity = Opportunity.objects.select_for_update().get(pk=opportunity_id)
            if opportunity.status == Opportunity.Status.WON:
                raise Conflict(_("The opportunity is already won: this quotation can no longer be accepted."))
        quotation = _locked_quotation(company, quotation_id)
        if quotation.state == State.ACCEPTED:
            raise Conflict(_("Quotation %(quotation)s is already accepted.") % {"quotation": quotation})
        if quotation.state == State.DRAFT:
            raise Conflict(
                _("Quotation %(quotation)s is a draft: send it before it can be accepted.")
                % {"quotation": quotation}
            )
        if _expired_by_date(quotation, timezone.localdate()):
            raise Conflict(
                _("Quotation %(quotation)s expired on %(day)s: revise it for a new version.")
                % {"quotation": quotation, "day": quotation.valid_until.isoformat()}
            )
        _check_state(
            quotation, State.ACCEPTED, _("Quotation %(quotation)s is %(state)s: it cannot be accepted.")
        )
        if opportunity_id:
            crm.opportunity_win(
                company=company, opportunity_id=opportunity_id, by=by, amount=quotation.net, by_hand=False,
                note=_("Quotation %(quotation)s accepted") % {"quotation": quotation},
            )  # fmt: skip
            superseded = (
                Quotation.objects.select_for_update()
                .filter(opportunity_id=opportunity_id, state__in=rules.OPEN_STATES)
                .exclude(pk=quotation.pk)
                .order_by("pk")
            )
            for other in superseded:
                _close(
                    other,
                    State.CANCELLED,
                    by,
                    _("Superseded by %(quotation)s, accepted") % {"quotation": quotation},
                )
        party = quotation.party
        if party.status == Party.Status.LEAD:
            parties.party_update(company=company, party_id=party.pk, by=by, status=Party.Status.CUSTOMER)
        _close(quotation, State.ACCEPTED, by)
        return _sales_order_from(quotation, by)


def _sales_order_from(quotation: Quotation, by: User) -> SalesOrder:
    company, day = quotation.company, timezone.localdate()
    number = f"PV-{day.year}-{sequence_next(company_id=company.pk, series='PV', year=day.year):05d}"
    lines = list(quotation.lines.select_related("item"))
    order = SalesOrder.objects.create(
        company=company, number=number, quotation=quotation, party=quotation.party,
        opportunity=quotation.opportunity, salesperson=quotation.salesperson, warehouse=quotation.warehouse,
        date=day, currency=quotation.currency, payment_terms=quotation.payment_terms, net=quotation.net,
        tax=quotation.tax, total=quotation.total, cost=quotation.cost, margin=quotation.margin,
        taxes=quotation.taxes, created_by=by, updated_by=by,
    )  # fmt: skip
    SalesOrderLine.objects.bulk_create([
        SalesOrderLine(
            order=order, quotation_line=line, position=line.position, item_id=line.item_id,
            description=line.description, quantity=line.quantity, unit_price=line.unit_price,
            discount=line.discount, tax_rate=line.tax_rate, net=line.net, unit_cost=line.unit_cost,
            cost_source=line.cost_source, margin=line.margin,
        )
        for line in lines
    ])  # fmt: skip
    _reserve(order, lines, by)
    return order


def _reserve(order: SalesOrder, lines: Sequence[QuotationLine], by: User) -> None:
    """The order's stocked lines reserve their quantity in its warehouse: each becomes a planned delivery
    (a draft move from the stock location to the customers) that the delivery will post. Stock levels count
    it as reserved, and purchase suggestions as demand."""
    stocked = [line for line in lines if line.item_id and line.item.kind == Item.Kind.STOCKED]
    if not stocked:
        return
    customers = inventory_settings(order.company).customer_location_id
    source = order.warehouse.stock_location_id
    inventory.moves_create(
        company=order.company, by=by, date=order.date,
        lines=[inventory.MoveLine(line.item_id, line.quantity, source, customers) for line in stocked],
        origin=inventory.Origin(RESERVATION_ORIGIN, order.pk, order.number),
    )  # fmt: skip


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.on("reason", _("Say why the quotation was rejected."))
    if len(reason) > 500:
        raise ValidationFailed.on("reason", _("Ensure this value has at most 500 characters."))
    return reason


def quotation_reject(
    *, company: Company, by: User, quotation_id: int, reason: str, revise: bool = False
) -> Quotation:
    """The customer said no. The last open quotation of an opportunity rejected loses the opportunity with
    the same reason — unless the user revises it, which returns the new draft version."""
    reason = _reason(reason)
    with transaction.atomic():
        quotation = _locked_quotation(company, quotation_id)
        _check_state(
            quotation, State.REJECTED, _("Quotation %(quotation)s is %(state)s: it cannot be rejected.")
        )
        _close(quotation, State.REJECTED, by, reason)
        if revise:
            return _revision(quotation, by)
        if quotation.opportunity_id:
            others_open = Quotation.objects.filter(
                opportunity_id=quotation.opportunity_id, state__in=rules.OPEN_STATES
            ).exists()
            if not others_open and quotation.opportunity.status == Opportunity.Status.OPEN:
                crm.opportunity_lose(
                    company=company, opportunity_id=quotation.opportunity_id, by=by, reason=reason
                )
        return quotation


def quotation_revise(*, company: Company, by: User, quotation_id: int) -> Quotation:
    """A new version (same number, next version) with the same lines, as a draft; an open old version is
    cancelled. Only the latest version of a number can be revised."""
    with transaction.atomic():
        quotation = _locked_quotation(company, quotation_id)
        if quotation.state == State.ACCEPTED:
            raise Conflict(
                _("Quotation %(quotation)s is accepted: it cannot be revised.") % {"quotation": quotation}
            )
        if quotation.is_open:
            _close(quotation, State.CANCELLED, by, _("Revised"))
        return _revision(quotation, by)


def _revision(quotation: Quotation, by: User) -> Quotation:
    latest = (
        Quotation.objects.filter(company=quotation.company, number=quotation.number)
        .order_by("-version").values_list("version", flat=True).first()
    )  # fmt: skip
    if latest != quotation.version:
        raise Conflict(
            _("A newer version of %(number)s exists: revise that one.") % {"number": quotation.number}
        )
    if quotation.opportunity_id and quotation.opportunity.status != Opportunity.Status.OPEN:
        if quotation.opportunity.status == Opportunity.Status.WON:
            raise Conflict(_("The opportunity is already won."))
        crm.opportunity_reopen(company=quotation.company, opportunity_id=quotation.opportunity_id, by=by)
    settings = settings_of(quotation.company)
    today = timezone.localdate()
    lines = list(quotation.lines.all())
    revision = Quotation.objects.get(pk=quotation.pk)
    revision.pk = None
    revision.version = quotation.version + 1
    revision.revision_of = quotation
    revision.state = State.DRAFT
    revision.date, revision.valid_until = today, today + timedelta(days=settings.quotation_validity_days)
    revision.sent_at = revision.closed_at = revision.closed_by = None
    revision.sent_to = revision.close_reason = ""
    revision.created_by = revision.updated_by = by
    revision.save(force_insert=True)
    for line in lines:
        line.pk, line.quotation = None, revision
    _recompute(revision, lines, insert=True)
    return revision


def quotation_cancel(*, company: Company, by: User, quotation_id: int, reason: str = "") -> Quotation:
    with transaction.atomic():
        quotation = _locked_quotation(company, quotation_id)
        _check_state(
            quotation, State.CANCELLED, _("Quotation %(quotation)s is %(state)s: it cannot be cancelled.")
        )
        _close(quotation, State.CANCELLED, by, (reason or "").strip())
        return quotation


def quotations_expire(*, today: Date | None = None, company: Company | None = None) -> int:
    """Sent quotations past their validity become expired; returns how many. Run daily (a task) or by hand."""
    today = today or timezone.localdate()
    expired = 0
    candidates = Quotation.objects.filter(state=State.SENT, valid_until__lt=today)
    if company is not None:
        candidates = candidates.filter(company=company)
    for quotation_id in candidates.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            quotation = Quotation.objects.select_for_update().get(pk=quotation_id)
            if _expired_by_date(quotation, today):
                quotation.state, quotation.closed_at = State.EXPIRED, timezone.now()
                quotation.save(update_fields=["state", "closed_at", "updated_at"])
                expired += 1
    return expired

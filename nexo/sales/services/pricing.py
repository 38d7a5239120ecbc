"""A quotation's lines priced, costed and taxed, and its figures recomputed (docs/modules/sales.md).

Lines are costed by purchasing's `unit_costs_for` when they are added or their item or quantity changes;
the cost is then frozen on the line, with the parts it was made of and the unit cost under each basis.
They are priced by the catalog's engine with that cost, and taxed at their category's rate on the
quotation's date. Totals come from the pure `rules.totals` on every change.
"""

from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nexo.catalog import queries as catalog_queries
from nexo.catalog.rule_text import describe_rule, rule_names
from nexo.core import plainsql
from nexo.core.errors import ValidationFailed
from nexo.purchasing.costing import COMPARISON_BASES, unit_costs_for
from nexo.sales import rules
from nexo.sales.models import Quotation, QuotationLine

# What an amount column holds (18 digits, 2 of them decimals): a larger figure is refused, not stored.
AMOUNT_LIMIT = Decimal("1e16")
MARGIN_PERCENT_LIMIT = Decimal("1e7")  # margin % columns: 9 digits, 2 of them decimals
LINE_FIGURES = ("gross_net", "discount_share", "net", "cost", "margin", "margin_percent", "below_min_margin")
LINE_STORED = (
    "item", "description", "quantity", "list_price", "unit_price", "price_locked", "price_rule", "price_rule_text",
    "price_rule_texts",
    "discount", "tax_category", "tax_rate", "unit_cost", "cost_source", "cost_parts", "cost_comparison",
    "costed_at", "min_margin", "position", *LINE_FIGURES,
)  # fmt: skip


QUOTATION_STORED = tuple(field.name for field in Quotation._meta.concrete_fields if not field.primary_key)


def price_and_cost(quotation: Quotation, lines: Sequence[QuotationLine], *, recost: bool = False) -> None:
    """Cost the lines not costed yet (frozen, with provenance and the unit cost under each basis), then
    price them from the list with that cost (a markup on cost needs it). A fixed number of queries whatever
    the lines."""
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
        line.price_rule_texts = {}
        if not line.price_locked:
            line.unit_price = resolution.unit_price
    # The rule in words in every language, one language at a time (switching language costs more than
    # describing a rule); the reader's language is the one kept in price_rule_text as well.
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            floored = " · " + _("raised to the minimum margin")
            for line, price in zip(item_lines, priced, strict=True):
                words = describe_rule(price.resolution.rule, names) + (floored if price.resolution.floored else "")
                line.price_rule_texts[language] = words[:300]
    for line in item_lines:
        line.price_rule_text = line.price_rule_words
    _tax_rates(quotation, lines)


def _tax_rates(quotation: Quotation, lines: Sequence[QuotationLine]) -> None:
    """Each line's tax rate on the quotation's date, from the catalog: one look-up per tax category the
    lines use (a handful), whatever the lines."""
    categories = sorted({line.tax_category_id for line in lines if line.tax_category_id})
    rates = {category: catalog_queries.tax_rate_on(category, quotation.date) for category in categories}
    for line in lines:
        if line.tax_category_id:
            rate = rates[line.tax_category_id]
            line.tax_rate = rate.rate if rate is not None else Decimal(0)


def recompute(quotation: Quotation, lines: Sequence[QuotationLine], *, insert: bool = False) -> None:
    """Totals and line figures from the pure rules; the lines saved in one statement (inserted when new),
    the quotation in another. A manager's decision made on other lines is undone (logged)."""
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
        plainsql.insert(QuotationLine, lines)  # one statement, without the ORM's per-row query building
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
    # Imported here: the approval reads the common services, which the pricing is part of.
    from nexo.sales.services.approval import approval_void

    approval_void(quotation, lines, getattr(quotation, "updated_by", None))
    plainsql.update(Quotation, [quotation], QUOTATION_STORED)  # every column, as save() would write

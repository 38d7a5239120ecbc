"""A sales order's quoted margin beside its realised one, per line and in total (the figures are
`sales.rules.realised_margin`'s; docs/modules/sales.md, "Quoted and realised margin"), for the order's page
and its API. At most one query, whatever the lines: the kinds of the items not already at hand."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from nexo.catalog.models import Item
from nexo.sales import rules
from nexo.sales.models import SalesOrder, SalesOrderLine


@dataclass(frozen=True)
class Margins:
    """Quoted (the net less the frozen cost) and realised (what was both delivered and invoiced: the net
    invoiced less the cost of the goods delivered) figures of an order or of one of its lines."""

    net: Decimal
    quoted_cost: Decimal
    quoted_margin: Decimal
    quoted_margin_percent: Decimal | None
    realised_quantity: Decimal | None  # a line's; None for an order
    realised_net: Decimal
    realised_cost: Decimal
    realised_margin: Decimal
    realised_margin_percent: Decimal | None

    @property
    def fields(self) -> dict:
        """The figures the API shows (sales.api.schemas)."""
        return {
            "quoted_margin": self.quoted_margin,
            "quoted_margin_percent": self.quoted_margin_percent,
            "realised_net": self.realised_net,
            "realised_cost": self.realised_cost,
            "realised_margin": self.realised_margin,
            "realised_margin_percent": self.realised_margin_percent,
        }


@dataclass(frozen=True)
class OrderMargins:
    order: Margins
    lines: dict[int, Margins]  # by line id


def _stocked(lines: Sequence[SalesOrderLine]) -> set[int]:
    """The ids of the lines of stocked items: from the item, or the availability `queries.with_supply` gave
    the line, already at hand; else one query for the kinds of the other lines' items."""
    known: dict[int, bool] = {}
    for line in lines:
        if not line.item_id:
            known[line.pk] = False
        elif "item" in line._state.fields_cache:
            known[line.pk] = line.item.kind == Item.Kind.STOCKED
        elif hasattr(line, "availability"):
            known[line.pk] = line.availability is not None  # queries.with_supply: stocked items have one
    unknown = {line.item_id for line in lines if line.pk not in known}
    kinds = dict(Item.objects.filter(pk__in=unknown).values_list("pk", "kind")) if unknown else {}
    for line in lines:
        if line.pk not in known:
            known[line.pk] = kinds.get(line.item_id) == Item.Kind.STOCKED
    return {pk for pk, stocked in known.items() if stocked}


def order_margins(order: SalesOrder, lines: Sequence[SalesOrderLine]) -> OrderMargins:
    """The order's and each line's quoted and realised margins."""
    stocked = _stocked(lines)
    realised = rules.realised_margin(
        [
            rules.RealisedInput(
                stocked=line.pk in stocked, delivered=line.delivered, returned=line.returned,
                invoiced=line.invoiced, delivered_cost=line.delivered_cost, invoiced_net=line.invoiced_net,
                unit_cost=line.unit_cost,
            )
            for line in lines
        ]
    )  # fmt: skip
    by_line = {
        line.pk: Margins(
            net=line.net, quoted_cost=line.net - line.margin, quoted_margin=line.margin,
            quoted_margin_percent=rules.margin_percent(line.margin, line.net),
            realised_quantity=figures.quantity, realised_net=figures.net, realised_cost=figures.cost,
            realised_margin=figures.margin, realised_margin_percent=figures.margin_percent,
        )
        for line, figures in zip(lines, realised.lines, strict=True)
    }  # fmt: skip
    total = Margins(
        net=order.net, quoted_cost=order.cost, quoted_margin=order.margin,
        quoted_margin_percent=rules.margin_percent(order.margin, order.net), realised_quantity=None,
        realised_net=realised.net, realised_cost=realised.cost, realised_margin=realised.margin,
        realised_margin_percent=realised.margin_percent,
    )  # fmt: skip
    return OrderMargins(total, by_line)

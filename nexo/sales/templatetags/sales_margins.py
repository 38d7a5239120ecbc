"""`{% order_margin order lines %}`: the order's quoted margin beside its realised one, in total and per
line (sales.margins), for the order's page. No query when the lines come from `queries.with_supply`."""

from django import template

from nexo.sales.margins import order_margins

register = template.Library()


@register.inclusion_tag("sales/_order_margin.html")
def order_margin(order, lines) -> dict:
    margins = order_margins(order, list(lines))
    return {
        "order": order,
        "currency": order.currency,
        "margins": margins.order,
        "rows": [{"line": line, "margins": margins.lines[line.pk]} for line in lines],
    }

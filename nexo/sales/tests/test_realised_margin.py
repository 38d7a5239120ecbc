"""Quoted against realised margin (sales.rules.realised_margin), hand-computed: the realised figures are
measured on what was both delivered (and kept) and invoiced."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from nexo.sales import rules


def goods(delivered, invoiced, delivered_cost, invoiced_net, returned="0"):
    return rules.RealisedInput(
        stocked=True, delivered=D(delivered), returned=D(returned), invoiced=D(invoiced),
        delivered_cost=D(delivered_cost), invoiced_net=D(invoiced_net),
    )  # fmt: skip


def test_nothing_delivered_or_invoiced_realises_nothing():
    figures = rules.realised_line(goods("0", "0", "0", "0"))
    assert (figures.quantity, figures.net, figures.cost, figures.margin, figures.margin_percent) == (
        D(0),
        D(0),
        D(0),
        D(0),
        None,
    )


def test_delivered_but_not_invoiced_yet_realises_nothing():
    # 10 left the warehouse at 5.40: no price was invoiced for them yet, so no margin is claimed or lost.
    figures = rules.realised_line(goods("10", "0", "54.00", "0"))
    assert (figures.net, figures.cost, figures.margin) == (D(0), D(0), D(0))


def test_fully_delivered_and_invoiced_is_invoiced_net_less_delivered_cost():
    # 30 delivered for 172.00 of cost (10 @ 5 + 10 @ 6 + 10 @ 7 at the supplier's price… as it left), invoiced
    # 30 @ 8.00 = 240.00: 68.00, 28.33 %.
    figures = rules.realised_line(goods("30", "30", "172.00", "240.00"))
    assert (figures.quantity, figures.net, figures.cost, figures.margin, figures.margin_percent) == (
        D(30),
        D("240.00"),
        D("172.00"),
        D("68.00"),
        D("28.33"),
    )


def test_delivered_more_than_invoiced_measures_the_invoiced_part():
    # 12 delivered at 66.00 (5.50 each), 8 invoiced for 68.00: cost of those 8 = 66.00 x 8/12 = 44.00;
    # margin 24.00, 35.29 %.
    figures = rules.realised_line(goods("12", "8", "66.00", "68.00"))
    assert (figures.quantity, figures.net, figures.cost, figures.margin, figures.margin_percent) == (
        D(8),
        D("68.00"),
        D("44.00"),
        D("24.00"),
        D("35.29"),
    )


def test_invoiced_more_than_kept_after_a_return_measures_what_was_kept():
    # 10 delivered, 3 returned (cost kept 7 x 5.333333 → 37.33 as the deliveries store it), 10 invoiced for
    # 85.00 and no credit note yet: over 7 units, net 85.00 x 7/10 = 59.50; margin 22.17, 37.26 %.
    figures = rules.realised_line(goods("10", "10", "37.33", "85.00", returned="3"))
    assert (figures.quantity, figures.net, figures.cost, figures.margin, figures.margin_percent) == (
        D(7),
        D("59.50"),
        D("37.33"),
        D("22.17"),
        D("37.26"),
    )


def test_a_share_is_rounded_half_up_to_cents():
    # 3 delivered for 10.00, 1 invoiced for 4.00: cost 10.00 / 3 = 3.333… → 3.33; margin 0.67.
    figures = rules.realised_line(goods("3", "1", "10.00", "4.00"))
    assert (figures.cost, figures.margin, figures.margin_percent) == (D("3.33"), D("0.67"), D("16.75"))
    # 2 delivered for 0.05, 1 invoiced: 0.025 → 0.03 (half-up).
    assert rules.realised_line(goods("2", "1", "0.05", "1.00")).cost == D("0.03")


def test_a_service_is_its_invoiced_net_against_its_quoted_cost():
    service = rules.RealisedInput(
        stocked=False, delivered=D(0), returned=D(0), invoiced=D(2), delivered_cost=D(0),
        invoiced_net=D("90.00"), unit_cost=D("12.50"),
    )  # fmt: skip
    figures = rules.realised_line(service)
    assert (figures.quantity, figures.net, figures.cost, figures.margin, figures.margin_percent) == (
        D(2),
        D("90.00"),
        D("25.00"),
        D("65.00"),
        D("72.22"),
    )
    free_text = rules.RealisedInput(
        stocked=False, delivered=D(0), returned=D(0), invoiced=D(1), delivered_cost=D(0),
        invoiced_net=D("30.00"),
    )  # fmt: skip
    assert rules.realised_line(free_text).margin == D("30.00")


def test_an_order_adds_its_lines_and_measures_its_margin_on_the_realised_net():
    realised = rules.realised_margin(
        [
            goods("30", "30", "172.00", "240.00"),  # 68.00
            goods("12", "8", "66.00", "68.00"),  # 24.00
            goods("5", "0", "30.00", "0"),  # nothing yet
        ]
    )
    assert (realised.net, realised.cost, realised.margin, realised.margin_percent) == (
        D("308.00"),
        D("216.00"),
        D("92.00"),
        D("29.87"),
    )
    assert [line.margin for line in realised.lines] == [D("68.00"), D("24.00"), D(0)]
    nothing = rules.realised_margin([])
    assert (nothing.net, nothing.margin, nothing.margin_percent) == (D(0), D(0), None)


amounts = st.decimals(min_value=0, max_value=100000, places=2)
quantities = st.integers(min_value=0, max_value=1000).map(D)


@given(delivered=quantities, invoiced=quantities, cost=amounts, net=amounts)
def test_the_realised_figures_never_exceed_what_was_invoiced_or_delivered(delivered, invoiced, cost, net):
    figures = rules.realised_line(goods(delivered, invoiced, cost, net))
    assert figures.quantity == min(delivered, invoiced)
    assert 0 <= figures.net <= net and 0 <= figures.cost <= cost
    assert figures.margin == figures.net - figures.cost
    if delivered == invoiced:
        assert (figures.net, figures.cost) == ((net, cost) if delivered else (0, 0))

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from nexo.core.rules import InvalidTransition, round_money, transition
from nexo.sales import rules

D = Decimal


def test_the_issue_figure_fifo_line():
    """15 units at 9.00 less 10 %, FIFO unit cost 5.333333: net 121.50, margin 41.50, 34.16 %."""
    figures = rules.totals([rules.LineInput(D(15), D("9.00"), D(10), D(21), D("5.333333"), D(20))])
    (line,) = figures.lines
    assert (line.net, line.cost, line.margin, line.margin_percent) == (
        D("121.50"),
        D("80.00"),
        D("41.50"),
        D("34.16"),
    )
    assert not line.below_min_margin
    average = rules.totals([rules.LineInput(D(15), D("9.00"), D(10), D(21), D("5.50"))]).lines[0]
    assert (average.cost, average.margin) == (D("82.50"), D("39.00"))
    assert figures.taxes == (rules.TaxLine(D(21), D("121.50"), D("25.52")),)
    assert figures.total == D("147.02")


def test_tax_per_rate_is_computed_on_the_sum_of_its_bases():
    lines = [rules.LineInput(D(1), D("0.50"), D(0), D(21), None) for _ in range(3)]
    figures = rules.totals(lines)
    assert figures.taxes == (rules.TaxLine(D(21), D("1.50"), D("0.32")),)  # not 3 x round(0.105) = 0.33
    mixed = rules.totals(
        [
            rules.LineInput(D(1), D("100"), D(0), D(21), None),
            rules.LineInput(D(1), D("50"), D(0), D(10), None),
        ]
    )
    assert [(tax.rate, tax.tax) for tax in mixed.taxes] == [(D(21), D("21.00")), (D(10), D("5.00"))]


def test_document_discount_is_spread_by_net_and_margins_add_up():
    lines = [
        rules.LineInput(D(1), D("10.00"), D(0), D(21), D("4")),
        rules.LineInput(D(1), D("10.00"), D(0), D(21), D("4")),
        rules.LineInput(D(1), D("10.00"), D(0), D(21), D("4")),
    ]
    figures = rules.totals(lines, D(10))
    assert [line.document_discount for line in figures.lines] == [D("1.00")] * 3
    odd = rules.totals(lines, D("3.33"))  # 0.999 → 1.00 spread 0.33 + 0.33 + 0.34 in some order
    assert sum(line.document_discount for line in odd.lines) == D("1.00")
    assert sum(line.margin for line in odd.lines) == odd.margin


def test_a_line_under_its_minimum_margin_is_flagged():
    line = rules.totals([rules.LineInput(D(1), D("10"), D(0), D(21), D("9"), D(15))]).lines[0]
    assert (line.margin_percent, line.below_min_margin) == (D("10.00"), True)
    free_text = rules.totals([rules.LineInput(D(1), D("10"), D(0), D(21), None, D(15))]).lines[0]
    assert not free_text.below_min_margin


money = st.decimals(min_value=D("0"), max_value=D("9999"), places=2)
quantity = st.decimals(min_value=D("0.0001"), max_value=D("500"), places=4)
percent = st.decimals(min_value=D(0), max_value=D(100), places=2)
line_inputs = st.builds(
    rules.LineInput, quantity=quantity, unit_price=money, discount=percent,
    tax_rate=st.sampled_from([D(21), D(10), D(4), D(0)]), unit_cost=st.none() | money,
)  # fmt: skip


@given(lines=st.lists(line_inputs, min_size=1, max_size=30), document_discount=percent)
def test_lines_add_up_to_the_totals(lines, document_discount):
    figures = rules.totals(lines, document_discount)
    assert sum(line.net for line in figures.lines) == figures.net
    assert sum(line.margin for line in figures.lines) == figures.margin
    assert sum(tax.base for tax in figures.taxes) == figures.net
    assert figures.total == figures.net + figures.tax
    assert figures.gross_net - figures.document_discount == figures.net


@given(nets=st.lists(money, min_size=1, max_size=40), document_discount=percent)
def test_spread_discount_sums_exactly_and_never_exceeds_a_line(nets, document_discount):
    shares = rules.spread_discount(nets, document_discount)
    assert sum(shares) == round_money(sum(nets) * document_discount / 100)
    assert all(share <= net + D("0.01") for share, net in zip(shares, nets, strict=True))


def test_the_state_table():
    reachable = {state: targets for state, targets in rules.QUOTATION_LIFECYCLE.transitions.items()}
    for state in reachable:
        for target in reachable:
            if target in reachable[state]:
                assert transition(rules.QUOTATION_LIFECYCLE.transitions, state, target) == target
            else:
                try:
                    transition(rules.QUOTATION_LIFECYCLE.transitions, state, target)
                except InvalidTransition:
                    continue
                raise AssertionError(f"{state} → {target} should be refused")

"""The demo's previous year is planned for whatever day it is loaded: a quarter with no trade of its own
(its sales are the documents', posted later) still settles VAT without a negative amount."""

from datetime import date

from nexo.accounting.demo import _running_costs, _vat_settlements


def test_a_quarter_with_only_input_vat_leaves_it_to_set_off_and_pays_nothing():
    plan = []
    for month in range(1, 13):
        _running_costs(plan, 2026, month)  # rent with its VAT, no sales
    _vat_settlements(plan, 2026)
    settlements = [planned for planned in plan if "303" in planned.description]
    assert len(settlements) == 3 and all(planned.journal == "GEN" for planned in settlements)
    for planned in settlements:
        assert all(debit >= 0 and credit >= 0 for _code, debit, credit, _party in planned.lines)
        assert sum(debit for _c, debit, _cr, _p in planned.lines) == sum(
            credit for _c, _d, credit, _p in planned.lines
        )
        assert {code for code, *_rest in planned.lines} == {"4770", "4700", "472"}
    assert date(2026, 4, 20) <= settlements[0].day <= date(2026, 4, 24)

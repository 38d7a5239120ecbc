from decimal import Decimal as D

from nexo.sales import rules
from nexo.sales.rules import LineFulfilment


def goods(**quantities):
    return LineFulfilment(stocked=True, ordered=D(10), **{k: D(v) for k, v in quantities.items()})


def service(**quantities):
    return LineFulfilment(stocked=False, ordered=D(2), **{k: D(v) for k, v in quantities.items()})


def test_goods_are_billed_as_delivered_less_returned_and_a_service_as_ordered():
    assert goods(delivered=6, returned=1, invoiced=2).to_invoice == D(3)
    assert goods(delivered=6, cancelled=4).to_deliver == D(0)
    assert goods(delivered=6).to_deliver == D(4)
    assert service().to_deliver == D(0)
    assert service(invoiced=1).to_invoice == D(1)
    assert service(cancelled=2).to_invoice == D(0)


def test_delivery_state_follows_the_goods_lines():
    assert rules.delivery_state([goods(), service()]) == rules.TO_DELIVER
    assert rules.delivery_state([goods(delivered=4), goods()]) == rules.PARTIALLY_DELIVERED
    assert rules.delivery_state([goods(delivered=4, cancelled=6), goods(delivered=10)]) == rules.DELIVERED
    assert rules.delivery_state([service()]) == rules.NOTHING_TO_DO
    assert rules.delivery_state([goods(cancelled=10)]) == rules.NOTHING_TO_DO


def test_invoice_state_waits_for_what_is_still_to_deliver():
    assert rules.invoice_state([goods()]) == rules.TO_INVOICE
    assert rules.invoice_state([goods(delivered=4, invoiced=4)]) == rules.PARTIALLY_INVOICED
    assert rules.invoice_state([goods(delivered=4, invoiced=4, cancelled=6)]) == rules.INVOICED
    assert (
        rules.invoice_state([goods(delivered=10, returned=2, invoiced=8), service(invoiced=2)])
        == rules.INVOICED
    )
    assert rules.invoice_state([goods(delivered=10, invoiced=10), service()]) == rules.PARTIALLY_INVOICED
    assert rules.invoice_state([goods(cancelled=10)]) == rules.NOTHING_TO_DO

"""The editor's "waiting for approval" badge follows the lines as they change: a change that puts a line
under its minimum margin swaps the send form for the badge (and shows the approval note), a change that
lifts it swaps them back; a change that moves neither sends neither.

`stocked_items` (sales conftest): list price 9.00, FIFO costs 5.00 then 6.00, minimum margin 20 %.
"""

import re

import pytest
from django.urls import reverse

from nexo.sales import services

HTMX = {"HX-Request": "true"}


@pytest.fixture
def approval_required(company):
    settings = services.settings_of(company)
    settings.margin_approval = True
    settings.save()
    return settings


@pytest.fixture
def fair(make_quotation, stocked_items):
    return make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "3"}])


def _change(client, quotation, **values):
    line = quotation.lines.get()
    response = client.post(reverse("sales:line_update", args=[quotation.pk, line.pk]), values, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def _oob(html: str, element_id: str) -> str | None:
    """The element swapped out of band with this id, as sent (None: not sent)."""
    found = re.search(rf'<(\w+)[^>]*id="{element_id}"[^>]*hx-swap-oob="true"[^>]*>', html)
    return found.group(0) if found else None


def test_the_badge_appears_and_goes_as_the_lines_cross_the_minimum_margin(
    sales_client, fair, approval_required
):
    assert not services.awaits_approval(fair)

    under = _change(sales_client, fair, unit_price="5.50")  # 9 % margin, under 20 %
    assert services.awaits_approval(fair)
    assert _oob(under, "quotation-actions") is not None
    assert 'id="awaiting-approval"' in under and 'id="send-toggle"' not in under
    assert 'data-awaiting="true"' in _oob(under, "approval")

    still_under = _change(sales_client, fair, unit_price="5.40")  # still waiting: nothing to swap
    assert _oob(still_under, "quotation-actions") is None and _oob(still_under, "approval") is None

    lifted = _change(sales_client, fair, unit_price="9.00")
    assert not services.awaits_approval(fair)
    assert _oob(lifted, "quotation-actions") is not None
    assert 'id="send-toggle"' in lifted and 'id="awaiting-approval"' not in lifted
    assert "hidden" in _oob(lifted, "approval")  # the note leaves the page


def test_no_badge_when_the_company_does_not_ask_for_approval(sales_client, fair):
    under = _change(sales_client, fair, unit_price="5.50")
    assert _oob(under, "quotation-actions") is None and 'id="awaiting-approval"' not in under

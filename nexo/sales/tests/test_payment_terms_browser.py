"""The quotation editor's payment term in a browser: chosen from the keyboard, saved as it changes, kept on
reload; the field fits a laptop and a phone in Spanish and English."""

import os

import pytest
from playwright.sync_api import expect

from nexo.core.models import User
from nexo.sales.models import Quotation
from nexo.sales.tests.terms_helpers import standard_terms

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("NEXO_SHOTS", "")  # a folder: the test leaves its screenshots there to look at


def test_a_term_chosen_from_the_keyboard_is_saved_and_kept(
    signed_in_page, live_server, company, sales_user, make_quotation, stocked_items
):
    terms = standard_terms(company)
    quotation = make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": "15"}])
    assert quotation.payment_term == terms["30 días"]
    page = signed_in_page("ventas")
    page.goto(f"{live_server.url}/sales/quotations/{quotation.pk}/")
    picker = page.locator("#id_payment_term")
    expect(picker).to_have_value(str(terms["30 días"].pk))
    picker.focus()
    picker.select_option(label="30-60-90 días")
    page.wait_for_function(
        "() => !document.querySelector('#quotation-editor .htmx-request')",
    )
    expect(page.locator("#id_payment_term")).to_have_value(str(terms["30-60-90 días"].pk))
    page.wait_for_timeout(300)
    assert Quotation.objects.get(pk=quotation.pk).payment_term == terms["30-60-90 días"]
    page.reload()
    expect(page.locator("#id_payment_term")).to_have_value(str(terms["30-60-90 días"].pk))
    for language in ("es", "en"):
        User.objects.filter(pk=sales_user.pk).update(language=language)
        for width, height in ((1366, 768), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.reload()
            field = page.locator("#id_payment_term")
            expect(field).to_be_visible()
            box = field.bounding_box()
            assert (
                box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
            )  # no sideways scroll
            if SHOTS:
                field.scroll_into_view_if_needed()
                page.screenshot(path=f"{SHOTS}/quotation-term-{language}-{width}.png")

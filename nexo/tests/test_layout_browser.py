"""The shell and the main pages at a laptop's width (1366x768) and a phone's (390x844): the navigation
groups the modules, and no page ever scrolls sideways (wide content scrolls inside its own box)."""

import re

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.db.models.functions import Length
from playwright.sync_api import expect

from nexo.accounting.models import Entry
from nexo.catalog.models import Item, PriceList
from nexo.core.demo import DEMO_PASSWORD
from nexo.core.models import Company
from nexo.crm.models import Activity
from nexo.inventory.models import StockMove
from nexo.parties.models import Contact
from nexo.payments.models import BankStatement, Payment, Remittance
from nexo.purchasing.models import PurchaseOrder
from nexo.sales.models import Quotation, SalesOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
PAGE_WIDTHS = "[document.documentElement.scrollWidth, window.innerWidth]"


def _modules(page):
    return page.get_by_role("navigation", name="Módulos")


def test_the_navigation_groups_the_modules_by_business_area(signed_in_page, live_server, manager_user):
    page = signed_in_page("gerente")
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/crm/forecast/")
    modules = _modules(page)
    for group in ("Ventas", "Compras", "Inventario", "Catálogo"):
        expect(modules.get_by_role("button", name=group)).to_be_visible()
    expect(modules.get_by_role("link", name="Terceros")).to_be_visible()  # a group of one entry is a link
    expect(page.get_by_role("button", name="Menú")).to_be_hidden()

    # The group holding the current page is marked; its entries show when it is opened.
    sales = modules.get_by_role("button", name="Ventas")
    expect(sales).to_have_attribute("aria-expanded", "false")
    expect(modules.get_by_role("link", name="Previsión")).to_be_hidden()
    sales.click()
    expect(sales).to_have_attribute("aria-expanded", "true")
    for entry in ("Embudo", "Actividades", "Presupuestos", "Pedidos de venta"):
        expect(modules.get_by_role("link", name=entry)).to_be_visible()
    expect(modules.get_by_role("link", name="Previsión")).to_have_attribute("aria-current", "page")

    # Opening another group closes the first; Escape closes it and gives the focus back to its button.
    purchasing = modules.get_by_role("button", name="Compras")
    purchasing.click()
    expect(sales).to_have_attribute("aria-expanded", "false")
    expect(modules.get_by_role("link", name="Pedidos de compra")).to_be_visible()
    page.keyboard.press("Escape")
    expect(purchasing).to_have_attribute("aria-expanded", "false")
    expect(purchasing).to_be_focused()
    expect(modules.get_by_role("link", name="Pedidos de compra")).to_be_hidden()

    # By keyboard: Enter opens a group, Tab reaches its links.
    page.get_by_role("button", name="Inventario").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(modules.get_by_role("link", name="Existencias", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/inventory/")
    expect(modules.get_by_role("button", name="Inventario")).to_be_visible()
    page.get_by_role("button", name="Inventario").click()
    expect(modules.get_by_role("link", name="Existencias", exact=True)).to_have_attribute(
        "aria-current", "page"
    )

    # The company switcher and the language are in the user menu.
    user_menu = page.locator(".user-toggle")
    expect(page.locator("#company-switch")).to_be_hidden()
    user_menu.click()
    expect(user_menu).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#company-switch")).to_be_visible()
    page.select_option("#language-switch", "en")
    page.locator("form", has=page.locator("#language-switch")).get_by_role("button", name="Cambiar").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="Modules").get_by_role("button", name="Sales")).to_be_visible()


def test_on_a_phone_a_menu_button_opens_the_groups_and_the_content_comes_first(
    signed_in_page, live_server, manager_user
):
    page = signed_in_page("gerente")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/sales/orders/")
    menu = page.get_by_role("button", name="Menú")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(_modules(page)).to_be_hidden()
    heading = page.get_by_role("heading", level=1).bounding_box()
    assert heading["y"] < 120, heading  # the page's title right under the bar, not under the modules

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    modules = _modules(page)
    for group in ("Ventas", "Compras", "Inventario", "Catálogo"):
        expect(modules.get_by_role("button", name=group)).to_be_visible()
    # The current page's group is open at once.
    expect(modules.get_by_role("link", name="Pedidos de venta")).to_have_attribute("aria-current", "page")
    modules.get_by_role("button", name="Catálogo").click()
    modules.get_by_role("link", name="Artículos").click()
    expect(page).to_have_url(re.compile(r"/catalog/$"))
    expect(page.get_by_role("button", name="Menú")).to_have_attribute("aria-expanded", "false")

    page.get_by_role("button", name="Menú").click()
    page.keyboard.press("Escape")
    expect(page.get_by_role("button", name="Menú")).to_have_attribute("aria-expanded", "false")
    expect(_modules(page)).to_be_hidden()
    assert page.evaluate(PAGE_WIDTHS)[0] <= PHONE["width"]


def test_a_role_sees_only_what_it_may_open(signed_in_page, live_server, warehouse_user):
    page = signed_in_page("almacen")
    page.set_viewport_size(LAPTOP)
    modules = _modules(page)
    modules.get_by_role("button", name="Inventario").click()
    expect(modules.get_by_role("link", name="Recuento de inventario")).to_be_visible()
    # Warehouse staff see sales orders (to deliver them) and nothing else of sales: a single link.
    expect(modules.get_by_role("link", name="Pedidos de venta")).to_be_visible()
    expect(modules.get_by_role("button", name="Ventas")).to_have_count(0)
    expect(modules.get_by_role("link", name="Embudo")).to_have_count(0)


def _main_pages(company):
    """Every main page, the records chosen for their long contents (the longest editor, the longest next activity,
    the longest contact e-mail)."""
    drafts = Quotation.objects.filter(company=company, state="draft").annotate(line_count=Count("lines"))
    quotation = drafts.order_by("-line_count", "pk").first()  # the longest editor
    opportunity = (
        Activity.objects.filter(company=company, done=False, opportunity__status="open")
        .annotate(subject_length=Length("subject"))
        .order_by("-subject_length", "pk")
        .first()
        .opportunity_id
    )
    party = (
        Contact.objects.filter(company=company)
        .annotate(email_length=Length("email"))
        .order_by("-email_length")
        .first()
    ).party_id
    purchases = PurchaseOrder.objects.filter(company=company)
    draft_purchase = purchases.filter(state="draft").order_by("pk").first()
    confirmed_purchase = purchases.filter(state="confirmed").order_by("pk").first()
    item = Item.objects.filter(company=company).order_by("sku").first()
    return [
        "/",
        "/crm/",
        "/crm/opportunities/",
        f"/crm/opportunities/{opportunity}/",
        "/crm/leads/new/",
        "/crm/forecast/",
        "/crm/activities/",
        "/crm/stages/",
        "/sales/",
        f"/sales/quotations/{quotation.pk}/",
        f"/sales/quotations/{quotation.pk}/compare/",
        "/sales/orders/",
        f"/sales/orders/{SalesOrder.objects.filter(company=company).order_by('pk').first().pk}/",
        "/sales/settings/",
        "/catalog/",
        f"/catalog/items/{item.pk}/",
        "/catalog/items/new/",
        "/catalog/categories/",
        "/catalog/price-lists/",
        f"/catalog/price-lists/{PriceList.objects.filter(company=company).order_by('pk').first().pk}/",
        "/catalog/price-check/",
        "/inventory/",
        "/inventory/valuation/",
        "/inventory/moves/",
        f"/inventory/moves/{StockMove.objects.filter(company=company).order_by('-pk').first().pk}/",
        "/inventory/moves/new/",
        "/inventory/count/",
        "/inventory/warehouses/",
        "/inventory/settings/",
        "/purchasing/",
        f"/purchasing/orders/{confirmed_purchase.pk}/",
        f"/purchasing/orders/{confirmed_purchase.pk}/receive/",
        "/purchasing/orders/new/",
        f"/purchasing/orders/{draft_purchase.pk}/edit/",
        "/purchasing/suggestions/",
        "/purchasing/supplier-prices/",
        "/purchasing/exchange-rates/",
        "/parties/",
        f"/parties/{party}/",
        "/profile/",
        *ACCOUNTING_PAGES,
        *PAYMENTS_PAGES,
        f"/payments/statements/{BankStatement.objects.filter(company=company).first().pk}/",
        f"/payments/remittances/{Remittance.objects.filter(company=company).first().pk}/",
        f"/payments/payments/{Payment.objects.filter(company=company).order_by('pk').first().pk}/",
        f"/payments/parties/{Payment.objects.filter(company=company).order_by('pk').first().party_id}/position/",
        f"/accounting/entries/{Entry.objects.filter(company=company).order_by('-total').first().pk}/",
    ], opportunity


# The accountant's pages, every report with the demo's whole current year.
ACCOUNTING_PAGES = [
    "/accounting/entries/", "/accounting/entries/new/", "/accounting/entries/from-template/", "/accounting/accounts/",
    "/accounting/journals/", "/accounting/default-accounts/", "/accounting/fiscal-years/", "/accounting/settings/",
    "/accounting/reports/trial-balance/", "/accounting/reports/general-ledger/", "/accounting/reports/journal/",
    "/accounting/reports/profit-and-loss/", "/accounting/reports/balance-sheet/", "/invoicing/vat-summary/",
    "/invoicing/vat-books/", "/invoicing/accounts/", "/inventory/stock-accounting/", "/accounting/payment-terms/",
    "/accounting/payment-terms/new/",
]  # fmt: skip
# Collections and payments.
PAYMENTS_PAGES = [
    "/payments/dues/", "/payments/payments/", "/payments/payments/new/", "/payments/aging/", "/payments/overdue/",
    "/payments/reminders/", "/payments/mandates/", "/payments/remittances/", "/payments/statements/",
    "/payments/statements/import/", "/payments/bank-accounts/",
]  # fmt: skip


def test_no_main_page_scrolls_sideways_at_laptop_or_phone_width(page, live_server, roles):
    call_command("demo", verbosity=0)
    company = Company.objects.get(name="Suministros Levante, S.L.")
    pages, opportunity = _main_pages(company)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "gerente")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    for viewport in (LAPTOP, PHONE):
        page.set_viewport_size(viewport)
        for path in pages:
            # goto waits for the load event: the stylesheets are applied and the deferred scripts have run.
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, path
            width, inner = page.evaluate(PAGE_WIDTHS)
            assert width <= inner, f"{path} at {viewport['width']} px is {width} px wide"

        # Wide lists scroll inside their box, the first column kept in view.
        page.goto(f"{live_server.url}/purchasing/")
        first_cell = page.locator("#list-results tbody tr").first.locator("td").first
        expect(first_cell).to_have_css("position", "sticky")

    # On a phone an opportunity's activities scroll in their own region, which takes the focus; a long next
    # activity wraps inside its card.
    page.goto(f"{live_server.url}/crm/opportunities/{opportunity}/")
    activities = page.get_by_role("region", name="Actividades de esta oportunidad")
    expect(activities).to_have_attribute("tabindex", "0")
    expect(activities.locator("table.activities")).to_be_visible()
    assert activities.evaluate("box => box.getBoundingClientRect().right") <= PHONE["width"]
    details = page.locator("dl.facts").first
    assert details.evaluate("facts => facts.scrollWidth <= facts.clientWidth")

    # At a laptop's width the board shows every stage without scrolling, and every card holds its contents
    # (amount, close date and its overdue mark, next activity).
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/crm/")
    board = page.locator("#board")
    expect(board.locator(".board-column")).to_have_count(6)
    assert board.evaluate("b => b.scrollWidth <= b.clientWidth")
    spilling = board.evaluate(
        "b => [...b.querySelectorAll('.board-card')].filter(card => card.scrollWidth > card.clientWidth).map(card => card.id)"
    )
    assert spilling == []

    # The valuation is paged like the other lists, its total the whole report's.
    page.goto(f"{live_server.url}/inventory/valuation/")
    expect(page.locator("#valuation tbody tr")).to_have_count(50)
    expect(page.locator(".pager")).to_contain_text("Página 1 de")
    total = page.locator("#valuation-total").inner_text()
    page.locator(".pager a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator("#valuation-total")).to_have_text(total)

    # Stock levels at a laptop's width, in Spanish and in English: the whole table fits, and the item's name has
    # the room to read on a line or two (the number columns' headers wrap instead).
    for language in ("es", "en"):
        if language == "en":
            page.locator(".user-toggle").click()
            page.select_option("#language-switch", "en")
            page.locator("form", has=page.locator("#language-switch")).get_by_role(
                "button", name="Cambiar"
            ).click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        for page_number in (1, 2, 5):
            page.goto(f"{live_server.url}/inventory/?page={page_number}")
            table = page.locator("#stock-levels")
            assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth"), language
            lines = table.evaluate(
                """t => Math.max(...[...t.querySelectorAll('td.item-name')].map(cell => {
                    const text = document.createRange();
                    text.selectNodeContents(cell);
                    return Math.round(text.getBoundingClientRect().height / parseFloat(getComputedStyle(cell).lineHeight));
                }))"""
            )
            assert lines <= 2, (language, page_number, lines)

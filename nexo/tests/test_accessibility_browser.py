"""Accessibility measured with axe-core on the main pages of the demo, at a laptop's width (1366x768) and a
phone's (390x844): no serious or critical WCAG 2.1 A/AA violation, a focus ring that stands out from what
surrounds it, targets a finger can hit, and a key that takes the quotation editor to its new line.

axe-core comes from the npm registry, pinned in `tests-js/package-lock.json`; `make test` installs it into
`.venv/axe/` (`npm ci`). It is evaluated in the page through the DevTools protocol (`page.evaluate`), which
the Content-Security-Policy does not govern: the pages keep their policy, and Nexo never serves axe."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count
from playwright.sync_api import expect

from nexo.accounting.models import Entry
from nexo.catalog.models import Item, PriceList
from nexo.core.demo import DEMO_PASSWORD
from nexo.core.models import Company
from nexo.crm.models import Opportunity
from nexo.invoicing.models import Invoice, SupplierInvoice
from nexo.payments.models import BankStatement, Payment, Remittance
from nexo.purchasing.models import PurchaseOrder
from nexo.sales.models import Delivery, Quotation, SalesOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
AXE_PATH = Path(
    os.environ.get(
        "NEXO_AXE_PATH",
        Path(__file__).resolve().parents[2] / ".venv/axe/node_modules/axe-core/axe.min.js",
    )
)
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
MIN_TARGET = 24  # px, WCAG 2.2 success criterion 2.5.8 (target size, minimum)

RUN_AXE = """async tags => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       targets: v.nodes.map(n => n.target.join(" "))}));
}"""

# Every visible button smaller than the minimum target, unless it is a link-like button inside a sentence.
SMALL_TARGETS = """min => {
  const controls = document.querySelectorAll(
    "button, [role=button], input[type=submit], input[type=button], input[type=reset], a.btn");
  const small = {};
  for (const control of controls) {
    const box = control.getBoundingClientRect();
    const style = getComputedStyle(control);
    if (box.width === 0 || box.height === 0 || style.visibility === "hidden") continue;
    if (control.closest(".visually-hidden")) continue;
    if (box.width >= min && box.height >= min) continue;
    const inSentence = style.display === "inline" && control.parentElement &&
      control.parentElement.textContent.trim().length > control.textContent.trim().length + 20;
    if (inSentence) continue;
    const kind = `${control.outerHTML.slice(0, 70)} ${Math.round(box.width)}x${Math.round(box.height)}`;
    small[kind] = (small[kind] || 0) + 1;
  }
  return Object.entries(small).map(([kind, count]) => count > 1 ? `${kind} (${count} times)` : kind);
}"""

# The focused element's outline colour and the background it is drawn on (the first painted ancestor).
FOCUS_RING = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  let node = element.parentElement, background = "rgb(255, 255, 255)";
  for (; node; node = node.parentElement) {
    const colour = getComputedStyle(node).backgroundColor;
    if (colour !== "transparent" && !colour.startsWith("rgba(0, 0, 0, 0)")) { background = colour; break; }
  }
  return {outline: style.outlineColor, width: style.outlineWidth, outlineStyle: style.outlineStyle,
          background, what: element.outerHTML.slice(0, 80)};
}"""


def _luminance(rgb: str) -> float:
    red, green, blue = (int(float(part)) for part in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])

    def channel(value: int) -> float:
        value = value / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_is_computed_as_wcag_defines_it():
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 2) == 21.0
    assert round(contrast("rgb(245, 158, 11)", "rgb(255, 255, 255)"), 2) == 2.15  # the old amber ring


@pytest.fixture
def axe_source():
    if not AXE_PATH.is_file():
        pytest.fail(f"axe-core is not installed at {AXE_PATH}: `make test` installs it with npm (tests-js/)")
    return AXE_PATH.read_text()


def first(model, company, **conditions):
    return model.objects.filter(company=company, **conditions).order_by("pk").first()


@pytest.fixture
def demo_page(page, live_server, roles):
    """The demo loaded once and its manager signed in; the paths of the main pages."""
    call_command("demo", verbosity=0)
    company = Company.objects.get(name="Suministros Levante, S.L.")
    drafts = Quotation.objects.filter(company=company, state="draft").annotate(line_count=Count("lines"))
    editor = drafts.order_by("-line_count", "pk").first()
    revised = Quotation.objects.filter(company=company, version__gt=1).order_by("pk").first()
    paths = {
        "home": "/",
        "board": "/crm/",
        "opportunities": "/crm/opportunities/",
        "opportunity": f"/crm/opportunities/{Opportunity.objects.filter(company=company).order_by('pk').first().pk}/",
        "forecast": "/crm/forecast/",
        "quotations": "/sales/",
        "quotation editor": f"/sales/quotations/{editor.pk}/",
        "quotation compare": f"/sales/quotations/{revised.pk}/compare/",
        "sales orders": "/sales/orders/",
        "sales order": f"/sales/orders/{SalesOrder.objects.filter(company=company).order_by('pk').first().pk}/",
        "lead capture": "/crm/leads/new/",
        "new stock move": "/inventory/moves/new/",
        "items": "/catalog/",
        "item": f"/catalog/items/{Item.objects.filter(company=company).order_by('pk').first().pk}/",
        "price lists": "/catalog/price-lists/",
        "price list": f"/catalog/price-lists/{PriceList.objects.filter(company=company).order_by('pk').first().pk}/",
        "price check": "/catalog/price-check/",
        "stock levels": "/inventory/",
        "stock valuation": "/inventory/valuation/",
        "moves": "/inventory/moves/",
        "purchase orders": "/purchasing/",
        "purchase order": f"/purchasing/orders/{PurchaseOrder.objects.filter(company=company).order_by('pk').first().pk}/",
        "parties": "/parties/",
        "sales settings": "/sales/settings/",
        "new sales order": "/sales/orders/new/",
        "delivery notes": "/sales/deliveries/",
        "delivery note": f"/sales/deliveries/{first(Delivery, company, state='done').pk}/",
        "draft delivery note": f"/sales/deliveries/{first(Delivery, company, state='draft').pk}/",
        "picking list": f"/sales/deliveries/{first(Delivery, company, state='draft').pk}/picking/",
        "invoices": "/invoicing/",
        "invoice": f"/invoicing/{first(Invoice, company, state='posted').pk}/",
        "invoice from orders": "/invoicing/from-orders/",
        "supplier invoices": "/invoicing/supplier-invoices/",
        "supplier invoice": f"/invoicing/supplier-invoices/{first(SupplierInvoice, company).pk}/",
        "inventory settings": "/inventory/settings/",
        "journal entries": "/accounting/entries/",
        "journal entry": f"/accounting/entries/{Entry.objects.filter(company=company).order_by('-total').first().pk}/",
        "new journal entry": "/accounting/entries/new/",
        "chart of accounts": "/accounting/accounts/",
        "fiscal years": "/accounting/fiscal-years/",
        "trial balance": "/accounting/reports/trial-balance/",
        "general ledger": "/accounting/reports/general-ledger/",
        "profit and loss": "/accounting/reports/profit-and-loss/",
        "balance sheet": "/accounting/reports/balance-sheet/",
        "VAT summary": "/invoicing/vat-summary/",
        "VAT books": "/invoicing/vat-books/",
        "payment terms": "/accounting/payment-terms/",
        "due amounts": "/payments/dues/",
        "record payment": "/payments/payments/new/",
        "payment": f"/payments/payments/{first(Payment, company).pk}/",
        "aging": "/payments/aging/",
        "overdue": "/payments/overdue/",
        "mandates": "/payments/mandates/",
        "remittance": f"/payments/remittances/{first(Remittance, company).pk}/",
        "bank statement": f"/payments/statements/{first(BankStatement, company).pk}/",
        "bank accounts": "/payments/bank-accounts/",
        "customer position": f"/payments/parties/{first(Payment, company).party_id}/position/",
    }
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "gerente")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page, paths


def _violations(page, axe_source) -> list[dict]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(axe_source)
    return [v for v in page.evaluate(RUN_AXE, WCAG_TAGS) if v["impact"] in BLOCKING]


def _report(found: dict) -> str:
    lines = []
    for where, violations in found.items():
        for violation in violations:
            lines.append(f"{where}: {violation['id']} ({violation['impact']}) {violation['help']}")
            lines.extend(f"    {target}" for target in violation["targets"][:12])
    return "\n".join(lines)


def _small_targets(page) -> list[str]:
    return page.evaluate(SMALL_TARGETS, MIN_TARGET)


def _focus_ring(page, selector: str) -> dict:
    """Focus the element as the keyboard would and measure its ring against what it is drawn on."""
    page.locator(selector).first.focus()
    assert page.evaluate("document.activeElement.matches(':focus-visible')"), selector
    ring = page.evaluate(FOCUS_RING)
    ring["contrast"] = contrast(ring["outline"], ring["background"])
    return ring


def test_the_main_pages_pass_axe_with_targets_a_finger_can_hit_a_visible_focus_ring_and_a_new_line_key(
    axe_source, demo_page, live_server, browser
):
    page, paths = demo_page
    found, small = {}, {}
    for viewport in (LAPTOP, PHONE):
        page.set_viewport_size(viewport)
        for name, path in paths.items():
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            where = f"{name} ({path}) at {viewport['width']} px"
            if violations := _violations(page, axe_source):
                found[where] = violations
            if viewport is PHONE and (too_small := _small_targets(page)):
                small[where] = too_small
        # The editor's cost bases panel, opened.
        page.goto(f"{live_server.url}{paths['quotation editor']}")
        page.locator("#cost-bases-toggle").click()
        expect(page.locator("#cost-bases-body table")).to_be_visible()
        if violations := _violations(page, axe_source):
            found[f"cost bases panel at {viewport['width']} px"] = violations

    # The sign-in page, signed out.
    context = browser.new_context(locale="es-ES")
    login = context.new_page()
    for viewport in (LAPTOP, PHONE):
        login.set_viewport_size(viewport)
        response = login.goto(f"{live_server.url}/login/")
        # axe runs with the page's own policy in force: evaluated through DevTools, never as a page script.
        assert "script-src 'self'" in response.headers["content-security-policy"]
        if violations := _violations(login, axe_source):
            found[f"login at {viewport['width']} px"] = violations
        if viewport is PHONE and (too_small := _small_targets(login)):
            small["login at 390 px"] = too_small
    context.close()

    problems = []
    if found:
        problems.append("axe found serious or critical violations:\n" + _report(found))
    if small:
        problems.append(
            f"targets under {MIN_TARGET}x{MIN_TARGET} px at phone width:\n"
            + "\n".join(f"{where}:\n    " + "\n    ".join(controls) for where, controls in small.items())
        )
    assert not problems, "\n".join(problems)

    # The focus ring stands out (>= 3:1) from the background it is drawn on: white cards, the grey canvas,
    # tinted rows and the dark top bar.
    page.set_viewport_size(LAPTOP)
    rings = {}
    page.goto(f"{live_server.url}/parties/")
    for selector in (
        ".nav-top",
        ".brand",
        "main .page-head a.btn",
        "#list-results tbody a",
        ".pager a",
        "main input",
    ):
        rings[f"/parties/ {selector}"] = _focus_ring(page, selector)
    page.goto(f"{live_server.url}{paths['opportunity']}")
    rings["opportunity .stage-path button (on a grey tint)"] = _focus_ring(
        page, ".stage-path li:not(.current) .btn-link"
    )
    page.goto(f"{live_server.url}{paths['quotation editor']}")
    for selector in (
        "#go-to-new-line",
        "input.line-input",
        "details.cost-detail > summary",
        "#header-form select",
    ):
        rings[f"editor {selector}"] = _focus_ring(page, selector)
    faint = {
        where: ring
        for where, ring in rings.items()
        if ring["contrast"] < 3 or ring["outlineStyle"] == "none" or float(ring["width"][:-2]) < 2
    }
    assert not faint, "\n".join(
        f"{where}: {ring['width']} {ring['outline']} on {ring['background']} = {ring['contrast']:.2f}:1 ({ring['what']})"
        for where, ring in faint.items()
    )

    # In the editor, Alt+N goes from anywhere to the new line's item, past every line's fields; the
    # shortcut is announced on the field and in the help, and a link does the same.
    for viewport in (LAPTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}{paths['quotation editor']}")
        new_item = page.locator("#new-line-item")
        expect(new_item).to_have_attribute("aria-keyshortcuts", "Alt+N")
        expect(page.locator(".help.keys")).to_contain_text("Alt+N")
        first_line = page.locator("#line-rows tr.line").first.locator("input.line-input").first
        first_line.focus()
        page.keyboard.press("Alt+n")
        expect(new_item).to_be_focused()
        assert first_line.input_value() != ""  # nothing typed into the field the focus left
        page.locator("#header-form input").first.focus()
        page.keyboard.press("Alt+n")
        expect(new_item).to_be_focused()
        page.locator("#go-to-new-line").focus()
        page.keyboard.press("Enter")
        expect(new_item).to_be_focused()
        assert page.locator("#line-rows tr.line").count() >= 7  # the 7-line quotation from the demo

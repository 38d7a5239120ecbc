"""`python tools/screenshots.py`: regenerate the README's screenshots in docs/screens/ from the demo data.

It builds a throw-away Nexo (SQLite in a temporary directory, migrated, demo loaded), serves it on a free
local port, signs in as the demo manager and photographs a few pages with Playwright on Debian's chromium;
the quotation's PDF is made by WeasyPrint as for a customer and its first page rasterised with pypdfium2.
Nothing here is imported by the application: Playwright and pypdfium2 are development dependencies.

Options:
  --language es|en   the interface's language (default: $SCREENS_LANGUAGE, else es)
  --output DIR       where the PNGs go (default: docs/screens/, or docs/screens/<language>/ for English)
  --only NAME,...    take only these shots (see SHOTS)
"""

import argparse
import io
import os
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The browser's locale for each interface language (en-GB: dates day first).
LANGUAGES = {"es": "es-ES", "en": "en-GB"}
# Chromium writes date fields in its own interface language, taken from LANG on Linux and only when its
# translations are installed (Debian's chromium-l10n); without them the fields read mm/dd/yyyy.
CHROMIUM_LOCALES = Path("/usr/lib/chromium/locales")
DEMO_USER = "gerente"  # the demo manager: sees every salesperson's work
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SIZE_BUDGET = 250 * 1024  # bytes per PNG: a README page loads a handful of them
PDF_WIDTH = 1000  # pixels across the rasterised A4 page: readable in a README, small on disk
QUOTATION = "{quotation}"  # replaced by the demo quotation chosen for the editor


@dataclass(frozen=True)
class Shot:
    """One picture: the page at `path`, once `ready` (a CSS selector) is visible, scrolled so that
    `scroll_to` (a CSS selector) is at the top when given."""

    name: str
    path: str
    ready: str
    viewport: dict
    scroll_to: str = ""


SHOTS = [
    Shot("pipeline-board", "/crm/", ".board", DESKTOP),
    Shot("quotation-editor", f"/sales/quotations/{QUOTATION}/", "#line-rows", DESKTOP),
    Shot("stock-levels", "/inventory/", "main table.list", DESKTOP),
    # On a phone the header fills the first screen: the lines and their totals are what shows the layout.
    Shot(
        "quotation-editor-phone",
        f"/sales/quotations/{QUOTATION}/",
        "#line-rows",
        PHONE,
        scroll_to=".lines-card",
    ),
]
PDF_SHOT = "quotation-pdf"  # the quotation's PDF, first page
SHOT_NAMES = [shot.name for shot in SHOTS] + [PDF_SHOT]


def prepare_environment(var_dir: Path) -> None:
    """Everything settings.py reads, set before Django starts, so nothing touches var/ or a real database."""
    os.environ["NEXO_VAR_DIR"] = str(var_dir)
    os.environ["NEXO_DATABASE_URL"] = f"sqlite:///{var_dir / 'nexo.sqlite3'}"
    os.environ["NEXO_ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    os.environ["NEXO_DEBUG"] = "0"
    os.environ["NEXO_HTTPS"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "nexo.settings"


def load_demo() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("demo", verbosity=0, stdout=io.StringIO())


def choose_quotation() -> int:
    """A draft of the main demo company with a handful of lines (a full screen, not a scroll), preferring
    one whose lines show a margin under the item's minimum, as the editor flags it."""
    from django.db.models import Count, Q

    from nexo.core.models import Company
    from nexo.sales.models import Quotation

    company = Company.objects.get(tax_id="B46123451")
    drafts = (
        Quotation.objects.filter(company=company, state=Quotation.State.DRAFT, opportunity__isnull=False)
        .annotate(line_count=Count("lines"))
        .filter(line_count__gte=4, line_count__lte=8)
        .annotate(flagged=Count("lines", filter=Q(lines__below_min_margin=True)))
        .order_by("-flagged", "-line_count", "pk")
    )
    quotation = drafts.first()
    if quotation is None:
        sys.exit("The demo has no draft quotation with 4 to 8 lines: the screenshots need one.")
    return quotation.pk


def quotation_pdf_png(quotation_id: int, language: str) -> bytes:
    """The first page of the quotation's PDF as the customer gets it, rasterised to PNG."""
    import pypdfium2

    from nexo.sales import documents
    from nexo.sales.models import Quotation

    pdf = pypdfium2.PdfDocument(
        documents.quotation_pdf(Quotation.objects.get(pk=quotation_id), language=language)
    )
    try:
        page = pdf[0]
        image = page.render(scale=PDF_WIDTH / page.get_width()).to_pil()
    finally:
        pdf.close()
    return png_bytes(image)


def png_bytes(image) -> bytes:
    """Lossless when that fits the size budget; else a 256-colour palette without dithering, which keeps
    flat interface colours and text edges as they were (the difference cannot be seen at 100 %)."""
    from PIL import Image

    image = image.convert("RGB")
    lossless = io.BytesIO()
    image.save(lossless, format="PNG", optimize=True)
    if lossless.tell() <= SIZE_BUDGET:
        return lossless.getvalue()
    palette = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        palette, format="PNG", optimize=True
    )
    return palette.getvalue()


def serve():
    """The WSGI application on a free port of 127.0.0.1, in a daemon thread; returns the server and its URL."""
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, name="nexo-screens-server", daemon=True).start()
    host, port = server.server_address[:2]
    return server, f"http://{host}:{port}"


def settle(page) -> None:
    """Wait until nothing is loading, the fonts are in and no HTMX request is under way."""
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_function(
        "document.querySelectorAll('.htmx-request, .htmx-settling, .htmx-swapping').length === 0"
    )


def take_shots(
    base_url: str, shots: list[Shot], quotation_id: int, language: str, output: Path
) -> list[Path]:
    from playwright.sync_api import sync_playwright

    from nexo.core.demo import DEMO_PASSWORD

    written = []
    with sync_playwright() as playwright:
        locale = LANGUAGES[language]
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, f"--lang={locale}"],
            env={
                **os.environ,
                "LANG": f"{locale.replace('-', '_')}.UTF-8",
                "LANGUAGE": locale.replace("-", "_"),
            },
        )
        try:
            context = browser.new_context(locale=locale, viewport=DESKTOP, device_scale_factor=1)
            context.set_default_timeout(30_000)
            page = context.new_page()
            page.goto(f"{base_url}/login/")
            page.fill("#id_username", DEMO_USER)
            page.fill("#id_password", DEMO_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base_url}/")
            for shot in shots:
                page.set_viewport_size(shot.viewport)
                page.goto(base_url + shot.path.replace(QUOTATION, str(quotation_id)))
                page.locator(shot.ready).first.wait_for(state="visible")
                settle(page)
                if shot.scroll_to:
                    page.locator(shot.scroll_to).first.evaluate("element => element.scrollIntoView()")
                    page.evaluate("window.scrollBy(0, -8)")  # a little air above the card
                target = output / f"{shot.name}.png"
                target.write_bytes(png_bytes(screenshot_image(page)))
                written.append(target)
        finally:
            browser.close()
    return written


def screenshot_image(page):
    from PIL import Image

    return Image.open(io.BytesIO(page.screenshot(animations="disabled", caret="hide")))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--language", choices=sorted(LANGUAGES), default=os.environ.get("SCREENS_LANGUAGE") or "es"
    )
    parser.add_argument("--output", type=Path)
    parser.add_argument("--only", default="", help=f"comma-separated, of: {', '.join(SHOT_NAMES)}")
    options = parser.parse_args(argv)
    only = [name.strip() for name in options.only.split(",") if name.strip()]
    unknown = sorted(set(only) - set(SHOT_NAMES))
    if unknown:
        parser.error(f"unknown shot(s): {', '.join(unknown)}")
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing (apt-get install chromium), or set CHROMIUM to another one.")
    locale = LANGUAGES[options.language]
    if CHROMIUM_LOCALES.is_dir() and not any(
        (CHROMIUM_LOCALES / f"{name}.pak").exists() for name in (locale, locale.split("-")[0])
    ):
        print(f"Note: chromium has no {locale} translation: date fields will read mm/dd/yyyy "
              "(apt-get install chromium-l10n).", file=sys.stderr)  # fmt: skip
    default_output = ROOT / "docs" / "screens"
    output = options.output or (
        default_output if options.language == "es" else default_output / options.language
    )
    output.mkdir(parents=True, exist_ok=True)

    var_dir = Path(tempfile.mkdtemp(prefix="nexo-screens-"))
    prepare_environment(var_dir)
    server = None
    try:
        import django

        django.setup()
        print("Loading the demo into a temporary database…", flush=True)
        load_demo()
        quotation_id = choose_quotation()
        written = []
        if not only or PDF_SHOT in only:
            target = output / f"{PDF_SHOT}.png"
            target.write_bytes(quotation_pdf_png(quotation_id, options.language))
            written.append(target)
        from django.db import connections

        connections.close_all()  # the server's threads open their own
        server, base_url = serve()
        shots = [shot for shot in SHOTS if not only or shot.name in only]
        written += take_shots(base_url, shots, quotation_id, options.language, output)
        for path in sorted(written):
            print(
                f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} KB"
            )
        return 0
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))

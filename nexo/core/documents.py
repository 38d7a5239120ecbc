"""Printed documents (a quotation, a purchase order): PDF from an HTML template with WeasyPrint, in the
reader's language.

Each module builds its document's context (figures already formatted for the language, with the helpers
below) and its template extends `core/document_pdf.html`. The stylesheet is inlined: the shared
`core/document_pdf.css`, then the module's own rules, then the page's running parts (page counter, issuer,
the document's name and number after the first page), translated. WeasyPrint fetches nothing: every URL is
refused.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_currency, format_percent
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from nexo.core import formatting

DOCUMENT_STYLESHEET = Path(__file__).resolve().parent / "static" / "core" / "document_pdf.css"
HUNDRED = Decimal(100)
LANGUAGES = [code for code, _name in settings.LANGUAGES]


@dataclass(frozen=True)
class PrintedTax:
    """One tax rate of a printed document: the rate, its base and its tax, formatted."""

    rate: str
    base: str
    tax: str


def reader_language(language: str, default: str) -> str:
    """The reader's `language` when Nexo speaks it, else `default`."""
    return language if language in LANGUAGES else default


# Formatting in the current language (babel), as the reader expects to read it


def unit_price_text(value: Decimal, currency: str) -> str:
    """Two decimals, or up to the six a unit price keeps when they matter (0,012500 € → 0,0125 €)."""
    return format_currency(
        formatting.trimmed(value, 2), currency, locale=formatting.current_locale(), decimal_quantization=False
    )


def percent_text(value: Decimal) -> str:
    return format_percent(
        formatting.trimmed(Decimal(value)) / HUNDRED,
        locale=formatting.current_locale(),
        decimal_quantization=False,
    )


def date_text(value: Date | None) -> str:
    return format_date(value, "long", locale=formatting.current_locale()) if value else ""


# The stylesheet


def css_string(text: str) -> str:
    """A CSS string literal: anything but plain letters, digits and spaces escaped as \\hex."""
    escaped = "".join(char if char.isalnum() or char in " .,:-" else f"\\{ord(char):x} " for char in text)
    return f'"{escaped}"'


@cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def page_css(company, running: str) -> str:
    """The running parts of every page, translated: the page counter, the issuer (name · tax id) and, after
    the first page, `running` (the document's name and number)."""
    marker = "\x00"
    counter = _("Page %(page)s of %(pages)s") % {
        "page": f"{marker}page{marker}",
        "pages": f"{marker}pages{marker}",
    }
    parts = []
    for index, part in enumerate(counter.split(marker)):
        if index % 2:
            parts.append(f"counter({part})")
        elif part:
            parts.append(css_string(part))
    issuer = " · ".join(part for part in (company.name, company.tax_id) if part)
    return (
        f"@page {{ @bottom-right {{ content: {' '.join(parts)}; }}"
        f" @bottom-left {{ content: {css_string(issuer)}; }}"
        f" @top-right {{ content: {css_string(running)}; }} }}"
        "@page :first { @top-right { content: none; } }"
    )


def stylesheet(stylesheets: Iterable[Path], *, company, running: str) -> SafeString:
    """The document's inlined stylesheet: the shared one, the module's `stylesheets`, then the page's
    running parts in the active language."""
    files = [DOCUMENT_STYLESHEET, *stylesheets]
    return mark_safe("".join(_read(path) for path in files) + page_css(company, running))  # noqa: S308 -- our own files, escaped strings


# Rendering


def render_html(template: str, context_of, *, language: str, stylesheets: Iterable[Path] = ()) -> SafeString:
    """`template` rendered in `language`, with the context `context_of()` builds in that language. The
    context names the `company` (the issuer) and the `running_header` (the document's name and number,
    atop every page but the first); it gets the `stylesheet`."""
    with translation.override(language):
        context = context_of()
        context["stylesheet"] = stylesheet(
            stylesheets, company=context["company"], running=context["running_header"]
        )
        return render_to_string(template, context)


def refuse_urls():
    """A URL fetcher that fetches nothing: a printed document needs no file, font or image from outside."""
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"Printed documents fetch no external resource ({url[:80]}).")

    return NoFetching()


def render_pdf(html: str) -> bytes:
    """The PDF of a printed document's HTML (see render_html)."""
    from weasyprint import HTML  # imported here: loading its native libraries takes a moment

    return HTML(string=html, url_fetcher=refuse_urls()).write_pdf()

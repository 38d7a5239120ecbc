"""Printed documents: a quotation as PDF (WeasyPrint), from an HTML template. Costs and margins never
appear on what the customer receives."""

from django.template.loader import render_to_string
from django.utils import translation

from nexo.parties.models import Address
from nexo.sales.models import Quotation


def quotation_context(quotation: Quotation) -> dict:
    party = quotation.party
    address = Address.objects.filter(party=party).order_by("-is_default", "kind", "id").first()
    return {
        "quotation": quotation,
        "company": quotation.company,
        "party": party,
        "address": address,
        "lines": list(quotation.lines.select_related("item__unit").order_by("position", "id")),
    }


def quotation_pdf(quotation: Quotation, *, language: str | None = None) -> bytes:
    """The quotation as the customer reads it, in the party's language (Spanish by default)."""
    from weasyprint import HTML  # imported here: loading its native libraries takes a moment

    language = language or getattr(quotation.party, "language", "") or "es"
    with translation.override(language):
        html = render_to_string("sales/quotation_pdf.html", quotation_context(quotation))
    return HTML(string=html).write_pdf()


def quotation_filename(quotation: Quotation) -> str:
    return f"{quotation.number}-v{quotation.version}.pdf"

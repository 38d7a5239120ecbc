"""The printed quotation writes money as the screens do: with the currency's symbol beside each amount,
never the ISO code as a label ("Total EUR")."""

import io
from decimal import Decimal

from pypdf import PdfReader

from nexo.parties.services import party_create
from nexo.sales import documents, services


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\xa0", " ")


def test_the_pdf_total_shows_the_euro_sign_not_the_currency_code(company, sales_user, catalog):
    party = party_create(company=company, by=sales_user, name="Cliente Euro, S.L.", language="en")
    quotation = services.quotation_create(
        company=company, by=sales_user, party_id=party.pk,
        lines=[{"description": "Montaje", "quantity": "2", "unit_price": "250.00"}],
    )  # fmt: skip
    assert quotation.currency == "EUR" and quotation.total == Decimal("605.00")

    for language, total in (("en", "€605.00"), ("es", "605,00 €")):
        text = _text(documents.quotation_pdf(quotation, language=language))
        assert total in text
        assert "EUR" not in text

"""The printed quotation: what the customer reads is there, what they must not read (costs, margins) is not."""

import io
import time
from decimal import Decimal

import pytest
from django.utils import translation
from pypdf import PdfReader

from nexo.core import formatting
from nexo.parties.services import address_create, party_create
from nexo.sales import documents, services
from nexo.sales.tests.terms_helpers import standard_terms


@pytest.fixture
def customer(company, sales_user):
    company.street, company.postal_code, company.province = "Avda. del Puerto 12", "46021", "Valencia"
    company.email, company.phone = "ventas@suministros.es", "+34 961 234 567"
    company.save()
    party = party_create(
        company=company, by=sales_user, name="Construcciones Albufera, S.L.", tax_id="B97654321",
        email="compras@albufera.es", status="customer",
    )  # fmt: skip
    address_create(party=party, by=sales_user, kind="shipping", street="Polígono Sur, nave 3", city="Sueca")
    address_create(
        party=party, by=sales_user, kind="billing", street="Calle Colón 5", postal_code="46004",
        city="Valencia", is_default=True,
    )  # fmt: skip
    return party


@pytest.fixture
def two_lines(company, sales_user, customer, stocked_items):
    """FIFO item with 21 % VAT: 15 units at 9.00 less 10 % (cost 5.333333 a unit); a free text line 2 x 250.00
    (the general VAT too, as every line without an item unless another category is chosen). The company's
    default payment term, 30 days."""
    standard_terms(company)
    return services.quotation_create(
        company=company, by=sales_user, party_id=customer.pk, notes="Entrega en obra incluida.",
        lines=[
            {"item_id": stocked_items["fifo"].pk, "quantity": "15", "discount": "10"},
            {"description": "Montaje e instalación", "quantity": "2", "unit_price": "250.00"},
        ],
    )  # fmt: skip


def pdf_text(pdf: bytes) -> list[str]:
    """Each page's text, with no-break spaces as plain spaces."""
    return [page.extract_text().replace("\xa0", " ") for page in PdfReader(io.BytesIO(pdf)).pages]


def spanish(value) -> str:
    with translation.override("es"):
        return formatting.money(value).replace("\xa0", " ")


def day_in(language: str, day) -> str:
    with translation.override(language):
        return documents.date_text(day)


def test_the_pdf_shows_the_customer_the_quotation_and_never_its_costs(two_lines, customer):
    quotation = two_lines
    line = quotation.lines.get(item__isnull=False)
    assert (line.unit_cost, line.margin) == (Decimal("5.333333"), Decimal("41.50"))  # there is a cost to hide
    assert (quotation.net, quotation.tax, quotation.total) == (
        Decimal("621.50"),
        Decimal("130.52"),  # 21 % of 621.50 = 130.515, rounded half-up
        Decimal("752.02"),
    )

    pdf = documents.quotation_pdf(quotation)  # the party's language: Spanish

    assert pdf.startswith(b"%PDF")
    (text,) = pdf_text(pdf)
    assert customer.tax_id in text and "Calle Colón 5" in text and "46004 Valencia" in text
    assert "Polígono Sur" not in text  # the billing address, not the shipping one
    assert quotation.number in text and "B46123451" in text  # the company's tax id
    for total in ("621.50", "130.52", "752.02", "121.50", "500.00"):
        assert spanish(Decimal(total)) in text
    assert "9,00 €" in text and "10 %" in text and "15 ud" in text  # price, discount, quantity with unit
    assert day_in("es", quotation.valid_until) in text
    assert "forma de pago 30 días" in " ".join(text.lower().split()) and "Entrega en obra incluida." in text
    lowered = text.lower()
    for secret in ("5,33", "5.33", "5,50", "41,50", "margen", "margin", "coste", "cost"):
        assert secret not in lowered


def test_the_pdf_speaks_the_customer_language(two_lines, customer):
    customer.language = "en"
    customer.save()
    two_lines.refresh_from_db()  # forget the party it was created with
    (text,) = pdf_text(documents.quotation_pdf(two_lines))
    assert "€752.02" in text and "Page 1 of 1" in text and "QUOTATION" in text
    assert "payment terms 30 days" in " ".join(text.lower().split())  # the term's English name
    assert f"This quotation is valid until {day_in('en', two_lines.valid_until)}" in text


def test_a_200_line_quotation_paginates_with_its_header_on_every_page(company, sales_user, customer):
    quotation = services.quotation_create(
        company=company, by=sales_user, party_id=customer.pk, document_discount="5",
        lines=[
            {"description": f"Partida {number:03d}: material y mano de obra", "quantity": "3", "unit_price": "12.50"}
            for number in range(1, 201)
        ],
    )  # fmt: skip

    started = time.perf_counter()
    pdf = documents.quotation_pdf(quotation, language="en")
    elapsed = time.perf_counter() - started

    pages = pdf_text(pdf)
    print(f"\n200-line quotation: {len(pages)} pages, {len(pdf) / 1024:.0f} KiB in {elapsed:.2f} s")
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        if "Partida" in page:
            assert "DESCRIPTION" in page and "UNIT PRICE" in page  # the table header repeats
        assert f"Page {number} of {len(pages)}" in page
    assert all(f"Partida {number:03d}" in "".join(pages) for number in range(1, 201))
    totals = next(page for page in pages if "Subtotal" in page)
    assert "€7,500.00" in totals and "-€375.00" in totals and "€7,125.00" in totals


def test_no_url_is_ever_fetched(two_lines):
    html = documents.quotation_html(two_lines)
    assert "src=" not in html and "href=" not in html and "url(" not in html and "@import" not in html
    fetcher = documents._refuse_urls()
    for url in ("https://example.com/logo.png", "file:///etc/passwd", "data:text/plain,x"):
        with pytest.raises(ValueError, match="no external resource"):
            fetcher.fetch(url)

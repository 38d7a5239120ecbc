"""The printed invoice: the legal content of a Spanish invoice, read back from the PDF's text, in the
customer's language."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from nexo.invoicing import documents
from nexo.invoicing.models import Invoice
from nexo.invoicing.tests.invoice_fixtures import SERVICE_LINE, make_invoice

DASH = "\u2013"  # the en dash of the printed legal texts


def pdf_text(content: bytes) -> str:
    """The PDF's text with its spacing made plain (one space between words), to assert on."""
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


@pytest.fixture
def issuer(company):
    company.street, company.postal_code, company.city, company.province = (
        "Avenida del Puerto 100", "46023", "Valencia", "Valencia",
    )
    company.save()
    return company


def test_a_posted_invoice_prints_the_legal_content_in_spanish(issuer, retail_invoice):
    text = pdf_text(documents.invoice_pdf(retail_invoice))
    # Issuer and customer: names, tax ids and addresses.
    assert "Suministros Prueba, S.L." in text and "NIF B46123451" in text
    assert "Avenida del Puerto 100" in text and "46023 Valencia" in text
    assert "Ferretería Turia, S.L." in text and "NIF B12345674" in text
    assert "Calle Mayor 5" in text and "46001 Valencia" in text
    # Number, series, date and the operation date, which differs.
    assert "FACTURA" in text and "F-2026-000007" in text and "Serie F" in text
    assert "Fecha de factura 15 de marzo de 2026" in text
    assert "Fecha de la operación 10 de marzo de 2026" in text
    # Lines, then base and tax of each rate with the surcharge, and the totals.
    assert "Tornillos 4x40 (caja)" in text and "10,00 €" in text and "100,00 €" in text
    assert "100,00 € 21 % 21,00 €" in text and "100,00 € Recargo 5,2 % 5,20 €" in text
    assert "40,00 € 10 % 4,00 €" in text and "40,00 € Recargo 1,4 % 0,56 €" in text
    assert "Base imponible 140,00 €" in text and "Recargo de equivalencia 5,76 €" in text
    assert "IVA 25,00 €" in text and "Total 170,76 €" in text
    # Payment terms, and the place where the due dates will be.
    assert "FORMA DE PAGO Transferencia a 30 días" in text and "VENCIMIENTOS" in text
    assert "BORRADOR" not in text and "RECTIFICA" not in text


def test_a_withholding_draft_prints_the_irpf_the_amount_due_and_draft_in_english(issuer, service_draft):
    text = pdf_text(documents.invoice_pdf(service_draft))
    assert "Estudio Norte, S.L.P." in text and "Tax id 12345678Z" in text
    assert "DRAFT" in text and "not valid as an invoice" in text and "F-2026" not in text
    assert "Advisory" not in text and "Asesoría técnica de marzo" in text
    assert "€1,000.00 21% €210.00" in text and "Total €1,210.00" in text
    assert "IRPF withholding 15% on €1,000.00 -€150.00" in text and "Amount due €1,060.00" in text
    # In Spanish when asked.
    spanish = pdf_text(documents.invoice_pdf(service_draft, language="es"))
    assert "BORRADOR" in spanish and "Retención IRPF 15 % sobre 1.000,00 € -150,00 €" in spanish
    assert "Importe a pagar 1.060,00 €" in spanish


def test_a_credit_note_prints_the_corrected_invoice_and_the_reason(issuer, credit_note):
    text = pdf_text(documents.invoice_pdf(credit_note))
    assert "FACTURA RECTIFICATIVA" in text and "R-2026-000001" in text
    assert "Rectifica la factura F-2026-000007 de 15 de marzo de 2026." in text
    assert "Motivo: Dos cajas llegaron dañadas" in text
    assert "-20,00 € 21 % -4,20 €" in text and "Total -25,24 €" in text


def test_exempt_and_reverse_charge_treatments_print_their_legal_texts(company, retailer, accountant):
    def printed(treatment, language):
        invoice = make_invoice(
            company, retailer,
            [{"description": "Servicio", "quantity": 1, "unit_price": 100, "net": 100, "treatment": treatment}],
            [{"kind": "vat", "treatment": treatment, "rate": 0, "base": 100, "amount": 0}],
            totals={"base": 100, "total": 100, "amount_due": 100}, number=("F", Invoice.objects.count() + 1),
            treatment=treatment,
        )  # fmt: skip
        return pdf_text(documents.invoice_pdf(invoice, language=language))

    assert f"Operación exenta {DASH} art. 20.Uno.9º Ley 37/1992" in printed("exempt_art20_9", "es")
    assert f"Exempt intra-Community supply {DASH} art. 25 Law 37/1992" in printed("intra_eu_goods", "en")
    reverse_charge = printed("eu_service_reverse_charge", "es")
    assert (
        f"Inversión del sujeto pasivo {DASH} art. 69.Uno.1º Ley 37/1992 y art. 196 Directiva 2006/112/CE"
        in reverse_charge
    )
    assert f"Exportación exenta {DASH} art. 21 Ley 37/1992" in printed("export_goods", "es")


def test_a_simplified_invoice_says_so(company, retailer):
    invoice = make_invoice(
        company, retailer, [{**SERVICE_LINE, "irpf_rate": 0}],
        [{"kind": "vat", "treatment": "domestic", "rate": 21, "base": 1000, "amount": 210}],
        totals={"base": 1000, "vat": 210, "total": 1210, "amount_due": 1210}, number=("FS", 1),
        invoice_type="F2",
    )  # fmt: skip
    text = pdf_text(documents.invoice_pdf(invoice))
    assert "FACTURA SIMPLIFICADA" in text and "FS-2026-000001" in text


def test_the_pdf_is_downloaded_from_the_page(accountant_client, retail_invoice):
    response = accountant_client.get(reverse("invoicing:invoice_pdf", args=[retail_invoice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="F-2026-000007.pdf"'
    assert "F-2026-000007" in pdf_text(response.content)

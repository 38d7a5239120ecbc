"""The invoice PDF's QR code: at the top of page one, 30 to 40 mm wide, and it decodes (zxing-cpp reading the
rendered page) to the AEAT's verification address with the issuer's tax id, the number, the date and the
total, under the legend VERI*FACTU. A draft has none."""

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pypdfium2
import zxingcpp
from django.utils import translation

from nexo.compliance.models import BillingRecord
from nexo.invoicing.documents import invoice_html, invoice_pdf, printable_invoice

SCALE = 6  # pixels per PDF point: 432 dpi, plenty for a 32 mm code
MM_PER_POINT = 25.4 / 72


def decoded_codes(pdf: bytes):
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=SCALE).to_pil()
    return page.get_height(), zxingcpp.read_barcodes(image)


def test_the_pdf_carries_a_qr_code_that_decodes_to_the_aeat_address(company, hand_invoice, post):
    invoice = post(hand_invoice([("3", "100.00", "21")]))  # 300 + 63 = 363.00
    record = BillingRecord.objects.get(invoice=invoice)
    with translation.override("es"):
        pdf = invoice_pdf(printable_invoice(company, invoice.pk))
    page_height, codes = decoded_codes(pdf)
    (code,) = [code for code in codes if code.format == zxingcpp.BarcodeFormat.QRCode]
    address = urlsplit(code.text)
    assert (
        f"{address.scheme}://{address.netloc}{address.path}"
        == "https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR"
    )
    assert parse_qs(address.query) == {
        "nif": ["B46123451"], "numserie": [invoice.number], "fecha": [invoice.date.strftime("%d-%m-%Y")],
        "importe": ["363.00"],
    }  # fmt: skip
    assert record.total == Decimal("363.00")
    # Its size: the decoded symbol's corners, in millimetres (the AEAT asks 30 to 40 mm).
    corners = code.position
    width_mm = (corners.top_right.x - corners.top_left.x) / SCALE * MM_PER_POINT
    assert 30 <= width_mm <= 40, width_mm
    # At the top of the first page.
    assert corners.top_left.y / SCALE < page_height / 3
    html = str(invoice_html(printable_invoice(company, invoice.pk)))
    assert "VERI*FACTU" in html and "QR tributario:" in html


def test_a_draft_prints_no_qr_code(company, hand_invoice):
    draft = hand_invoice([("1", "10.00", "21")])
    _height, codes = decoded_codes(invoice_pdf(printable_invoice(company, draft.pk)))
    assert codes == [] or all(code.format != zxingcpp.BarcodeFormat.QRCode for code in codes)
    assert "VERI*FACTU" not in str(invoice_html(printable_invoice(company, draft.pk)))

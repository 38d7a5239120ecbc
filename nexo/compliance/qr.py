"""The QR code a VERI*FACTU invoice prints at the top of its first page: the AEAT's address for checking the
invoice, with the issuer's tax id, the number, the date and the total exactly as the record states them
(ISO/IEC 18004, error correction M, 32 mm square plus its quiet zone: django-verifactu's `qr_svg`)."""

from urllib.parse import urlencode

from django.utils.safestring import SafeString, mark_safe
from django_verifactu.aeat.formatting import format_amount, format_date
from django_verifactu.aeat.qr import qr_svg

LABEL = "QR tributario:"
LEGEND = "VERI*FACTU"


def qr_address(base_url: str, *, issuer_tax_id: str, invoice_number: str, issue_date, total) -> str:
    query = urlencode(
        {
            "nif": issuer_tax_id,
            "numserie": invoice_number,
            "fecha": format_date(issue_date),
            "importe": format_amount(total),
        }
    )
    return f"{base_url}?{query}"


def qr_image(address: str) -> SafeString:
    """The code as inline SVG in millimetres; segno writes it and escapes nothing it does not produce."""
    return mark_safe(qr_svg(address))  # noqa: S308 - segno's own SVG, no user text but the encoded address

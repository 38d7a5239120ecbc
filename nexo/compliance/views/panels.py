"""What an invoice's page and PDF show of its VERI*FACTU records: its panel (records, hashes, the AEAT's
answers, the Facturae download) and its QR code. Kept apart from the pages' modules, which declare URLs: the
PDF may be rendered before the URLs are loaded (a background e-mail)."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from nexo.compliance import qr
from nexo.compliance.models import BillingRecord, SubmittedRecord
from nexo.compliance.services.records import qr_base_url
from nexo.compliance.services.settings import compliance_settings


def invoice_print_mark(invoice) -> dict | None:
    """The QR code and legend a posted invoice prints, from its alta (one query); None without one."""
    record = (
        BillingRecord.objects.filter(invoice=invoice, kind=BillingRecord.Kind.REGISTRATION)
        .only("issuer_tax_id", "invoice_number", "issue_date", "total")
        .first()
    )
    if record is None:
        return None
    address = qr.qr_address(
        qr_base_url(compliance_settings(invoice.company)), issuer_tax_id=record.issuer_tax_id,
        invoice_number=record.invoice_number, issue_date=record.issue_date, total=record.total,
    )  # fmt: skip
    return {"label": qr.LABEL, "qr_svg": qr.qr_image(address), "legend": qr.LEGEND, "address": address}


def invoice_panel(request: HttpRequest, invoice) -> dict | None:
    """The invoice's records (alta, anulación), their hashes and what the AEAT answered, for its page."""
    if not request.user.has_perm("compliance.view_billingrecord") and not request.user.has_perm(
        "invoicing.view_invoice"
    ):
        return None
    records = list(
        BillingRecord.objects.filter(company=request.company, invoice=invoice).order_by("position")
        .only("id", "kind", "position", "hash", "generated_at")
    )  # fmt: skip
    if not records and invoice.state == "draft":
        return None
    answers = {
        row["record_id"]: row
        for row in SubmittedRecord.objects.filter(record__in=records)
        .order_by("submission_id")
        .values("record_id", "outcome", "error")
    }
    for record in records:
        answer = answers.get(record.pk)
        record.outcome = answer["outcome"] if answer else ""
        record.outcome_label = SubmittedRecord.Outcome(answer["outcome"]).label if answer else _("Not sent")
    return {
        "template": "compliance/_invoice_panel.html",
        "records": records,
        "facturae_url": reverse("compliance:invoice_facturae", args=[invoice.pk])
        if invoice.state == "posted"
        else None,
    }

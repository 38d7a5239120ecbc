"""Writing VERI*FACTU billing records: an alta when an invoice is posted, an anulación when it is cancelled,
each in the transaction of that posting or cancellation (the core hooks `document_posted` and
`document_cancelled` call these).

A record is appended to its issuer's chain under the lock of the chain's head (`RecordChain`): the head
names the previous record, whose hash the new one covers, so concurrent postings queue on that row and the
chain has no fork and no gap. The record's XML is built, checked against the AEAT's rules and schema and
hashed by django-verifactu; what the AEAT's rules refuse refuses the posting, with the reasons."""

from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_verifactu.aeat.domain import Cancellation, PreviousRecord
from django_verifactu.aeat.elements import RECORDS, tag
from django_verifactu.aeat.records import build_cancellation_record, build_registration_record
from django_verifactu.aeat.violations import ValidationError as AeatRulesBroken
from lxml import etree

from nexo.compliance.aeat import aeat_invoice, billing_software, tax_id_of
from nexo.compliance.models import BillingRecord, RecordChain
from nexo.compliance.services.settings import compliance_settings
from nexo.compliance.services.submission import submission_queue
from nexo.core.errors import Conflict
from nexo.invoicing.models import Invoice, InvoiceTax

# The AEAT reads the generation time in Spain's time zone; the hash covers it with its offset.
SPAIN = ZoneInfo("Europe/Madrid")


def registration_record(*, company, by, invoice: Invoice) -> BillingRecord | None:
    """The alta of a just-posted invoice or credit note; None when the company keeps no VERI*FACTU records."""
    config = compliance_settings(company)
    if not config.verifactu_enabled:
        return None
    taxes = [row for row in InvoiceTax.objects.filter(invoice=invoice) if row.kind == InvoiceTax.Kind.VAT]
    corrected = (
        Invoice.objects.only("number", "date").get(pk=invoice.corrects_id) if invoice.corrects_id else None
    )
    content = aeat_invoice(company=company, invoice=invoice, taxes=taxes, corrected=corrected)

    def build(previous, generated_at):
        return build_registration_record(
            invoice=content, software=billing_software(config, company), previous=previous,
            generated_at=generated_at,
        )  # fmt: skip

    return _append(company, by, invoice, BillingRecord.Kind.REGISTRATION, build)


def cancellation_record(*, company, by, invoice: Invoice) -> BillingRecord | None:
    """The anulación of a cancelled invoice; None when it has no alta to cancel (it was posted while the
    company kept no records) or the company keeps none."""
    config = compliance_settings(company)
    if not config.verifactu_enabled:
        return None
    if not BillingRecord.objects.filter(invoice=invoice, kind=BillingRecord.Kind.REGISTRATION).exists():
        return None
    content = Cancellation(
        issuer_tax_id=tax_id_of(company.tax_id), invoice_number=invoice.number, issue_date=invoice.date
    )

    def build(previous, generated_at):
        return build_cancellation_record(
            cancellation=content, software=billing_software(config, company), previous=previous,
            generated_at=generated_at,
        )  # fmt: skip

    return _append(company, by, invoice, BillingRecord.Kind.CANCELLATION, build)


def locked_chain(company, issuer_tax_id: str) -> RecordChain:
    """The head of the issuer's chain, locked until the transaction ends; created on first use (an INSERT
    that ignores a concurrent one, then the lock), so the usual case is one query."""
    chains = RecordChain.objects.select_for_update()
    chain = chains.filter(company=company, issuer_tax_id=issuer_tax_id).first()
    if chain is None:
        RecordChain.objects.bulk_create(
            [RecordChain(company=company, issuer_tax_id=issuer_tax_id)], ignore_conflicts=True
        )
        chain = chains.get(company=company, issuer_tax_id=issuer_tax_id)
    return chain


def _append(company, by, invoice: Invoice, kind: str, build) -> BillingRecord:
    # No savepoint: called inside the posting's (or cancellation's) transaction, and a refusal undoes it all.
    with transaction.atomic(savepoint=False):
        issuer = tax_id_of(company.tax_id)
        chain = locked_chain(company, issuer)
        previous = None
        if chain.length:
            previous = PreviousRecord(
                issuer_tax_id=issuer, invoice_number=chain.last_invoice_number,
                issue_date=chain.last_issue_date, fingerprint=chain.last_hash,
            )  # fmt: skip
        # Whole seconds: the record states its time to the second and the hash covers that text.
        generated_at = timezone.now().astimezone(SPAIN).replace(microsecond=0)
        try:
            element = build(previous, generated_at)
        except (AeatRulesBroken, ValueError) as error:
            # ValueError: a value the record cannot state at all (an amount out of the AEAT's range).
            violations = getattr(error, "violations", None)
            reasons = (
                "; ".join(f"{violation.code}: {violation.message}" for violation in violations)
                if violations
                else str(error)
            )
            raise Conflict(
                _(
                    "The VERI*FACTU record of %(number)s breaks the AEAT's rules, so it cannot be issued: %(reasons)s"
                )
                % {"number": invoice.number, "reasons": reasons}
            ) from error
        record = BillingRecord(
            company=company, chain=chain, position=chain.length + 1, kind=kind, invoice=invoice,
            issuer_tax_id=issuer, invoice_number=invoice.number, issue_date=invoice.date,
            previous_hash=chain.last_hash, generated_at=generated_at,
            generated_at_text=_text(element, "FechaHoraHusoGenRegistro"), hash=_text(element, "Huella"),
            xml=etree.tostring(element, encoding="unicode"), created_by=by,
        )  # fmt: skip
        if kind == BillingRecord.Kind.REGISTRATION:
            record.invoice_type = invoice.invoice_type
            record.total_tax = _text(element, "CuotaTotal")
            record.total = _text(element, "ImporteTotal")
        record.save()
        RecordChain.objects.filter(pk=chain.pk).update(
            length=record.position, last_invoice_number=record.invoice_number,
            last_issue_date=record.issue_date, last_hash=record.hash,
        )  # fmt: skip
        # Sent to the AEAT by a task, once the posting has committed (never inside its transaction).
        transaction.on_commit(partial(submission_queue, company=company))
        return record


def _text(element, name: str) -> str:
    return element.findtext(tag(RECORDS, name))


def qr_base_url(config) -> str:
    """Where the QR code sends the customer to check the invoice: the AEAT's production or test address
    (settings NEXO_AEAT_QR_URL overrides both)."""
    override = django_settings.NEXO_AEAT_QR_URL
    if override:
        return override
    if config.environment == config.Environment.PRODUCTION:
        return "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR"
    return "https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR"

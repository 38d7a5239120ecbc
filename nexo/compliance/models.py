"""Spanish compliance: VERI*FACTU billing records and their submission to the AEAT (docs/modules/compliance.md).

A billing record (registro de facturación) is written when an invoice is posted (alta) or cancelled
(anulación), in the same transaction. Each carries the SHA-256 hash (huella) of its fields and of the
previous record's hash, so the records of one issuer form a chain that `verify` recomputes. A record never
changes and is never deleted: the model refuses it, and so does a database trigger on SQLite and PostgreSQL
(migration 0002). The chain's head (`RecordChain`) is the row locked to add a record, so concurrent postings
still give one unbroken chain."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nexo.core.models import Company
from nexo.invoicing.models import Invoice
from nexo.parties.models import Party

AMOUNT = {"max_digits": 18, "decimal_places": 2}


class ComplianceSettings(models.Model):
    """A company's VERI*FACTU switch, the identification of the billing software its records carry, and the
    certificate it signs and submits with (stored encrypted: `certificates.py`)."""

    class Environment(models.TextChoices):
        TEST = "test", _("AEAT test environment")
        PRODUCTION = "production", _("AEAT production")

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="+")
    verifactu_enabled = models.BooleanField(_("VERI*FACTU records"), default=True)
    submission_enabled = models.BooleanField(_("send records to the AEAT"), default=False)
    environment = models.CharField(
        _("AEAT environment"), max_length=10, choices=Environment.choices, default=Environment.TEST
    )
    software_name = models.CharField(_("software name"), max_length=30, default="Nexo")
    software_id = models.CharField(_("software id"), max_length=2, default="NX")
    software_version = models.CharField(_("software version"), max_length=50, default="0.1.0")
    installation_number = models.CharField(_("installation number"), max_length=100, default="1")
    producer_name = models.CharField(_("software producer"), max_length=120, default="Nexo")
    producer_tax_id = models.CharField(_("producer tax id"), max_length=9, blank=True)
    # The PKCS#12 file and its password, encrypted with a key derived from the installation's secret.
    certificate = models.BinaryField(null=True, blank=True, editable=False)
    certificate_password = models.BinaryField(null=True, blank=True, editable=False)
    certificate_subject = models.CharField(_("certificate"), max_length=300, blank=True)
    certificate_expires = models.DateTimeField(_("certificate expires"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("compliance settings")
        permissions = [("verify_records", "Can verify the billing records' chain")]


class RecordChain(models.Model):
    """The head of one issuer's chain of records: locked to add a record, it names the last one."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    issuer_tax_id = models.CharField(_("issuer tax id"), max_length=9)
    length = models.PositiveIntegerField(default=0)
    last_invoice_number = models.CharField(max_length=60, blank=True)
    last_issue_date = models.DateField(null=True, blank=True)
    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "issuer_tax_id"], name="compliance_chain_unique"),
        ]


class BillingRecord(models.Model):
    """One VERI*FACTU record: the fields its hash covers, the link to the previous record, and the record as
    the AEAT's XML (`xml`, valid against SuministroInformacion.xsd), exactly as it was hashed."""

    class Kind(models.TextChoices):
        REGISTRATION = "alta", _("Registration (alta)")
        CANCELLATION = "anulacion", _("Cancellation (anulación)")

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    chain = models.ForeignKey(RecordChain, on_delete=models.PROTECT, related_name="records")
    position = models.PositiveIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="+", verbose_name=_("invoice")
    )
    issuer_tax_id = models.CharField(_("issuer tax id"), max_length=9)
    invoice_number = models.CharField(_("number"), max_length=60)
    issue_date = models.DateField(_("issue date"))
    invoice_type = models.CharField(_("type"), max_length=2, blank=True)
    total_tax = models.DecimalField(_("total tax"), null=True, blank=True, **AMOUNT)
    total = models.DecimalField(_("total"), null=True, blank=True, **AMOUNT)
    previous_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    # The generation time exactly as hashed (ISO 8601 with its offset); `generated_at` is the same instant.
    generated_at = models.DateTimeField(_("generated at"))
    generated_at_text = models.CharField(max_length=32)
    hash = models.CharField(_("hash"), max_length=64)
    xml = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("billing record")
        verbose_name_plural = _("billing records")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "position"], name="compliance_record_position_unique"),
            models.UniqueConstraint(
                fields=["invoice", "kind"], name="compliance_record_once_per_invoice_and_kind"
            ),
            models.CheckConstraint(
                condition=Q(kind="anulacion") | (Q(total__isnull=False) & Q(total_tax__isnull=False)),
                name="compliance_registration_amounts",
            ),
        ]
        indexes = [models.Index(fields=["company", "issue_date"], name="compliance_record_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.invoice_number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RecordImmutable(_("A billing record never changes."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RecordImmutable(_("A billing record is never deleted."))


class RecordImmutable(Exception):
    """Raised by the model when code tries to change or delete a billing record."""


class Submission(models.Model):
    """One request to the AEAT's VERI*FACTU web service: the records it carried, what was sent and what came
    back, kept whatever the outcome."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        ACCEPTED = "accepted", _("Accepted")
        PARTIAL = "partial", _("Partially accepted")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed, will retry")

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    endpoint = models.CharField(_("endpoint"), max_length=300, blank=True)
    request = models.TextField(blank=True)
    response = models.TextField(blank=True)
    http_status = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(_("error"), max_length=1000, blank=True)
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("AEAT submission")
        ordering = ["-id"]


class SubmittedRecord(models.Model):
    """A record in a submission and the AEAT's answer for it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        ACCEPTED_WITH_ERRORS = "accepted_with_errors", _("Accepted with errors")
        REJECTED = "rejected", _("Rejected")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="records")
    record = models.ForeignKey(BillingRecord, on_delete=models.PROTECT, related_name="submissions")
    outcome = models.CharField(max_length=24, choices=Outcome.choices, default=Outcome.PENDING)
    error_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=1000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "record"], name="compliance_submitted_once"),
        ]


class PartyEInvoicing(models.Model):
    """A customer's electronic invoicing profile (compliance owns it; the party has no field pointing up): the
    DIR3 codes of the administrative centres a public administration asks for in its Facturae files (FACe),
    and whether it takes Facturae files only. The codes are stored upper-case; the accounting office, the
    managing body and the processing unit go together (all three or none)."""

    party = models.OneToOneField(Party, on_delete=models.CASCADE, related_name="einvoicing")
    accounting_office = models.CharField(_("accounting office"), max_length=10, blank=True)
    managing_body = models.CharField(_("managing body"), max_length=10, blank=True)
    processing_unit = models.CharField(_("processing unit"), max_length=10, blank=True)
    proposing_body = models.CharField(_("proposing body"), max_length=10, blank=True)
    facturae_required = models.BooleanField(_("requires Facturae files"), default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("party e-invoicing")
        constraints = [
            models.CheckConstraint(
                condition=Q(accounting_office="", managing_body="", processing_unit="")
                | (~Q(accounting_office="") & ~Q(managing_body="") & ~Q(processing_unit="")),
                name="compliance_einvoicing_centres_together",
            ),
        ]

    def __str__(self) -> str:
        return _("E-invoicing of %(party)s") % {"party": self.party}

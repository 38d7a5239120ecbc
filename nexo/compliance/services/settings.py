"""A company's compliance settings: the VERI*FACTU switch, the software identification its records carry,
the AEAT environment, and its certificate (stored encrypted)."""

import re
from importlib import metadata

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.compliance import certificates
from nexo.compliance.aeat import printable, tax_id_of
from nexo.compliance.models import ComplianceSettings
from nexo.core.errors import ValidationFailed

# A PKCS#12 file is a few kilobytes; this leaves room for a long chain and refuses anything absurd.
CERTIFICATE_LIMIT = 100_000
_SOFTWARE_ID = re.compile(r"[A-Z0-9]{2}")


def _version() -> str:
    try:
        return metadata.version("nexo")
    except metadata.PackageNotFoundError:
        return "0.1.0"


def compliance_settings(company) -> ComplianceSettings:
    """The company's settings, created with the defaults on first use."""
    config = ComplianceSettings.objects.filter(company=company).first()
    if config is None:
        ComplianceSettings.objects.bulk_create(
            [ComplianceSettings(company=company, software_version=_version())], ignore_conflicts=True
        )
        config = ComplianceSettings.objects.get(company=company)
    return config


TEXT_FIELDS = {
    "software_name": 30, "software_version": 50, "installation_number": 100, "producer_name": 120,
}  # fmt: skip


def settings_update(*, company, by, **changes) -> ComplianceSettings:
    """Change the switches, the environment and the software identification; unknown names are refused."""
    allowed = {"verifactu_enabled", "submission_enabled", "environment", "software_id", "producer_tax_id"}
    unknown = set(changes) - allowed - set(TEXT_FIELDS)
    if unknown:
        raise ValidationFailed.on(sorted(unknown)[0], _("Unknown setting."))
    errors: dict[str, list[str]] = {}
    values = {}
    for field, limit in TEXT_FIELDS.items():
        if field in changes:
            value = printable(changes[field] or "")
            if not value or len(value) > limit:
                errors.setdefault(field, []).append(_("Give 1 to %(limit)s characters.") % {"limit": limit})
            values[field] = value
    if "software_id" in changes:
        value = (changes["software_id"] or "").strip().upper()
        if not _SOFTWARE_ID.fullmatch(value):
            errors.setdefault("software_id", []).append(_("Two capital letters or digits, e.g. NX."))
        values["software_id"] = value
    if "producer_tax_id" in changes:
        value = tax_id_of(changes["producer_tax_id"] or "")
        if value and not _valid_nif(value):
            errors.setdefault("producer_tax_id", []).append(_("Not a valid Spanish tax id."))
        values["producer_tax_id"] = value
    if "environment" in changes:
        if changes["environment"] not in ComplianceSettings.Environment.values:
            errors.setdefault("environment", []).append(_("Choose test or production."))
        values["environment"] = changes["environment"]
    for flag in ("verifactu_enabled", "submission_enabled"):
        if flag in changes:
            values[flag] = bool(changes[flag])
    if errors:
        raise ValidationFailed.from_fields(errors)
    with transaction.atomic():
        config = compliance_settings(company)
        config = ComplianceSettings.objects.select_for_update().get(pk=config.pk)
        for field, value in values.items():
            setattr(config, field, value)
        config.updated_by = by
        config.save()
        return config


def certificate_store(*, company, by, data: bytes, password: str) -> ComplianceSettings:
    """Keep the company's certificate (a PKCS#12 .p12/.pfx file and its password), encrypted; refused when the
    file is not one, has no private key, the password does not open it, or it has expired."""
    if not data:
        raise ValidationFailed.on("certificate", _("Choose the certificate file (.p12 or .pfx)."))
    if len(data) > CERTIFICATE_LIMIT:
        raise ValidationFailed.on("certificate", _("That file is too large for a certificate."))
    try:
        loaded = certificates.load(data, password or "")
    except certificates.CertificateError:
        raise ValidationFailed.on(
            "certificate",
            _("That is not a PKCS#12 certificate with its private key, or the password does not open it."),
        ) from None
    if loaded.expires <= timezone.now():
        raise ValidationFailed.on("certificate", _("That certificate has expired."))
    with transaction.atomic():
        config = compliance_settings(company)
        config = ComplianceSettings.objects.select_for_update().get(pk=config.pk)
        config.certificate = certificates.encrypt(data)
        config.certificate_password = certificates.encrypt((password or "").encode())
        config.certificate_subject = loaded.subject[:300]
        config.certificate_expires = loaded.expires
        config.updated_by = by
        config.save()
        return config


def certificate_remove(*, company, by) -> ComplianceSettings:
    with transaction.atomic():
        config = compliance_settings(company)
        config = ComplianceSettings.objects.select_for_update().get(pk=config.pk)
        config.certificate = config.certificate_password = None
        config.certificate_subject, config.certificate_expires = "", None
        config.updated_by = by
        config.save()
        return config


def _valid_nif(value: str) -> bool:
    from django_verifactu.aeat.identifiers import is_valid_nif

    return is_valid_nif(value)

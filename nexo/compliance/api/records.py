"""/compliance/records and /compliance/settings: the VERI*FACTU billing records (listed, read with their
XML, verified), and the company's VERI*FACTU settings (read, changed through `settings_update`)."""

from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema

from nexo.compliance.models import BillingRecord, ComplianceSettings
from nexo.compliance.services.settings import compliance_settings, settings_update
from nexo.compliance.services.verification import verify_records
from nexo.core.api import Endpoints, Limit, MoneyOut, Offset, RecordId, SafeText, StrictSchema, page_of
from nexo.core.errors import NotFound

endpoints = Endpoints()


class RecordOut(Schema):
    id: int
    position: int
    kind: str = Field(description="alta (the invoice was issued) or anulacion (it was cancelled)")
    invoice_id: int
    issuer_tax_id: str
    invoice_number: str
    issue_date: date
    invoice_type: str
    total_tax: MoneyOut | None
    total: MoneyOut | None
    previous_hash: str
    hash: str = Field(description="SHA-256 huella, 64 upper-case hex characters")
    generated_at: str = Field(description="FechaHoraHusoGenRegistro, as hashed")


class RecordDetail(RecordOut):
    xml: str = Field(description="The record as the AEAT's XML (SuministroInformacion.xsd)")


class RecordList(Schema):
    count: int
    items: list[RecordOut]


class ProblemOut(Schema):
    position: int
    record_id: int | None
    invoice_number: str
    reason: str


class ChainOut(Schema):
    issuer_tax_id: str
    records: int
    intact: bool
    problem: ProblemOut | None


class VerificationOut(Schema):
    intact: bool
    verified_at: datetime
    chains: list[ChainOut]


class VerifactuSettingsOut(Schema):
    verifactu_enabled: bool
    submission_enabled: bool
    environment: str
    software_name: str
    software_id: str
    software_version: str
    installation_number: str
    producer_name: str
    producer_tax_id: str
    certificate_subject: str
    certificate_expires: datetime | None


Text30 = Annotated[str, Field(min_length=1, max_length=30), SafeText]


class VerifactuSettingsPatch(StrictSchema):
    verifactu_enabled: bool = None
    submission_enabled: bool = None
    environment: Annotated[str, Field(pattern="^(test|production)$")] = None
    software_name: Text30 = None
    software_id: Annotated[str, Field(pattern="^[A-Z0-9]{2}$")] = None
    software_version: Annotated[str, Field(min_length=1, max_length=50), SafeText] = None
    installation_number: Annotated[str, Field(min_length=1, max_length=100), SafeText] = None
    producer_name: Annotated[str, Field(min_length=1, max_length=120), SafeText] = None
    producer_tax_id: Annotated[str, Field(max_length=20), SafeText] = None


FIELDS = (
    "id", "position", "kind", "invoice_id", "issuer_tax_id", "invoice_number", "issue_date", "invoice_type",
    "total_tax", "total", "previous_hash", "hash",
)  # fmt: skip


def _body(record: BillingRecord, *, xml: bool = False) -> dict:
    body = {name: getattr(record, name) for name in FIELDS}
    body["generated_at"] = record.generated_at_text
    if xml:
        body["xml"] = record.xml
    return body


def _settings_body(config: ComplianceSettings) -> dict:
    return {name: getattr(config, name) for name in VerifactuSettingsOut.model_fields}


@endpoints.get(
    "/compliance/records", RecordList, perm="compliance.view_billingrecord",
    summary="List the VERI*FACTU billing records, newest first",
)  # fmt: skip
def record_list(
    request: HttpRequest, invoice_id: RecordId | None = None, limit: Limit = 100, offset: Offset = 0
):
    rows = BillingRecord.objects.filter(company=request.company).defer("xml")
    if invoice_id is not None:
        rows = rows.filter(invoice_id=invoice_id)
    count, items = page_of(rows.order_by("-position", "-pk"), limit=limit, offset=offset)
    return {"count": count, "items": [_body(row) for row in items]}


def record_visible(request: HttpRequest, record_id: int) -> None:
    if not BillingRecord.objects.filter(company=request.company, pk=record_id).exists():
        raise NotFound(_("No such billing record."))


@endpoints.get(
    "/compliance/records/{record_id}", RecordDetail, perm="compliance.view_billingrecord",
    visible=record_visible, summary="Read a billing record with its XML",
)  # fmt: skip
def record_read(request: HttpRequest, record_id: RecordId):
    return _body(BillingRecord.objects.get(company=request.company, pk=record_id), xml=True)


@endpoints.post(
    "/compliance/verification", VerificationOut, perm="compliance.verify_records",
    summary="Verify the chains of records",
    description="Recomputes every record's hash from its fields and its XML and checks every link; reports "
    "each chain's first record that does not match. Changes nothing.",
)  # fmt: skip
def record_verify(request: HttpRequest):
    chains = [_chain_body(report) for report in verify_records(request.company)]
    return {
        "intact": all(chain["intact"] for chain in chains),
        "verified_at": timezone.now(),
        "chains": chains,
    }


def _chain_body(report) -> dict:
    return {
        "issuer_tax_id": report.issuer_tax_id, "records": report.records, "intact": report.intact,
        "problem": vars(report.problem) if report.problem else None,
    }  # fmt: skip


def _chain_body(report) -> dict:
    problem = vars(report.problem) if report.problem else None
    return {
        "issuer_tax_id": report.issuer_tax_id,
        "records": report.records,
        "intact": report.intact,
        "problem": problem,
    }


@endpoints.get(
    "/compliance/settings", VerifactuSettingsOut, perm="compliance.change_compliancesettings",
    summary="Read the company's VERI*FACTU settings",
)  # fmt: skip
def settings_read(request: HttpRequest):
    return _settings_body(compliance_settings(request.company))


@endpoints.patch(
    "/compliance/settings", VerifactuSettingsOut, perm="compliance.change_compliancesettings",
    summary="Change the company's VERI*FACTU settings",
    description="The certificate is uploaded on the settings page (a file and its password).",
)  # fmt: skip
def settings_change(request: HttpRequest, payload: VerifactuSettingsPatch):
    config = settings_update(
        company=request.company, by=request.user, **payload.model_dump(exclude_unset=True)
    )
    return _settings_body(config)


__all__ = ["endpoints"]

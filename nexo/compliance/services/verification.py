"""Verifying the chain of billing records: every record's hash is computed again from its fields and from
its XML, every link is checked against the previous record's hash, and the chain's head must name the last
record. The first record that does not match is reported, with why: a changed field, a deleted or an
inserted record all break one of these checks."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django_verifactu.aeat.fingerprint import cancellation_fingerprint, registration_fingerprint
from django_verifactu.aeat.formatting import format_amount, format_date
from django_verifactu.aeat.records import fingerprint_of
from lxml import etree

from nexo.compliance.models import BillingRecord, RecordChain

_FIELDS = (
    "id", "position", "kind", "issuer_tax_id", "invoice_number", "issue_date", "invoice_type", "total_tax",
    "total", "previous_hash", "generated_at_text", "hash", "xml",
)  # fmt: skip
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


@dataclass(frozen=True)
class Problem:
    position: int
    record_id: int | None
    invoice_number: str
    reason: str


@dataclass(frozen=True)
class ChainReport:
    issuer_tax_id: str
    records: int
    problem: Problem | None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify_records(company) -> list[ChainReport]:
    """Each of the company's chains checked from its first record: its length and its first problem."""
    return [
        _verify_chain(chain)
        for chain in RecordChain.objects.filter(company=company).order_by("issuer_tax_id")
    ]


def _verify_chain(chain: RecordChain) -> ChainReport:
    expected_position, previous_hash, previous, checked = 1, "", None, 0
    rows = BillingRecord.objects.filter(chain=chain).order_by("position", "id").values_list(*_FIELDS)
    for row in rows.iterator(chunk_size=2000):
        record = dict(zip(_FIELDS, row, strict=True))
        problem = _record_problem(record, expected_position, previous_hash, previous)
        if problem is not None:
            return ChainReport(chain.issuer_tax_id, checked, problem)
        expected_position, previous_hash, previous = record["position"] + 1, record["hash"], record
        checked += 1
    if chain.length != checked or chain.last_hash != previous_hash:
        reason = (
            _("The chain's head names %(length)s records but %(found)s were found: records were deleted "
              "or added at the end.") % {"length": chain.length, "found": checked}
            if chain.length != checked
            else _("The chain's head names a last hash that is not the last record's.")
        )  # fmt: skip
        return ChainReport(
            chain.issuer_tax_id, checked,
            Problem(checked, previous and previous["id"], previous["invoice_number"] if previous else "", reason),
        )  # fmt: skip
    return ChainReport(chain.issuer_tax_id, checked, None)


def _record_problem(record: dict, expected_position: int, previous_hash: str, previous) -> Problem | None:
    def problem(reason: str) -> Problem:
        return Problem(record["position"], record["id"], record["invoice_number"], reason)

    if record["position"] != expected_position:
        if record["position"] > expected_position:
            return problem(
                _("Record %(position)s is missing: it was deleted.") % {"position": expected_position}
            )
        return problem(
            _("A second record at position %(position)s: it was inserted.") % {"position": record["position"]}
        )
    if record["previous_hash"] != previous_hash:
        return problem(
            _("Its link to the previous record does not match that record's hash: a record was inserted, "
              "deleted or changed before it.")
        )  # fmt: skip
    if _hash_of_fields(record) != record["hash"]:
        return problem(_("Its hash does not match its fields: the record was changed."))
    try:
        from_xml = fingerprint_of(etree.fromstring(record["xml"].encode(), _PARSER))
    except etree.XMLSyntaxError:
        from_xml = ""
    if from_xml != record["hash"]:
        return problem(_("Its XML does not match its hash: the stored record was changed."))
    return None


def _hash_of_fields(record: dict) -> str:
    issue_date = format_date(record["issue_date"])
    if record["kind"] == BillingRecord.Kind.CANCELLATION:
        return cancellation_fingerprint(
            issuer_tax_id=record["issuer_tax_id"], invoice_number=record["invoice_number"],
            issue_date=issue_date, previous_fingerprint=record["previous_hash"],
            generated_at=record["generated_at_text"],
        )  # fmt: skip
    if record["total"] is None or record["total_tax"] is None:
        return ""
    return registration_fingerprint(
        issuer_tax_id=record["issuer_tax_id"], invoice_number=record["invoice_number"], issue_date=issue_date,
        invoice_type=record["invoice_type"], total_tax=format_amount(record["total_tax"]),
        total_amount=format_amount(record["total"]), previous_fingerprint=record["previous_hash"],
        generated_at=record["generated_at_text"],
    )  # fmt: skip

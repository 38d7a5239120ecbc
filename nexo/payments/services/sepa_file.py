"""The pain.008.001.02 file of a SEPA remittance (the version Spanish banks take for the CORE and B2B
schemes), built with sepaxml and checked against the XSD sepaxml ships before anyone can send it."""

import functools
from pathlib import Path

import sepaxml
import xmlschema
from django.utils.translation import gettext as _
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from sepaxml import SepaDD

from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.models import Company
from nexo.payments.models import Mandate, Remittance, RemittanceLine
from nexo.payments.rules import sepa as rules

SCHEMA = "pain.008.001.02"
SCHEMA_FILE = Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"


def bic_of(iban: str, bic: str = "") -> str:
    """The BIC given, else the one the IBAN's bank code names in schwifty's registry ("" if unknown)."""
    if bic:
        return bic
    try:
        found = IBAN(iban).bic
    except (SchwiftyException, ValueError):
        return ""
    return found.compact if found is not None else ""


def message_id(company: Company, number: str) -> str:
    """The file's message id: the same on every download, so a bank refuses the same file sent twice."""
    owner = "".join(char for char in company.tax_id if char.isalnum()) or str(company.pk)
    return f"{owner}-{number}"[:35]


class _Pain008(SepaDD):
    """sepaxml's direct-debit file, with one payment information block per sequence type AND scheme (the
    library puts one scheme in a file) and ids that stay the same on every download."""

    def __init__(self, config: dict, number: str, message_id: str):
        self._number, self._message_id = number, message_id
        super().__init__(config, schema=SCHEMA)

    def _create_header(self):
        self.msg_id = self._message_id
        super()._create_header()

    def _add_to_batch_list(self, TX, payment):
        key = f"{payment['type']}::{payment['collection_date']}::{payment['scheme']}"
        self._batches.setdefault(key, []).append(TX["DrctDbtTxInfNode"])
        self._batch_totals[key] = self._batch_totals.get(key, 0) + payment["amount"]

    def _finalize_batch(self):
        keys = list(self._batches)
        super()._finalize_batch()
        blocks = self._xml.find(self.root_el).findall("PmtInf")
        for position, (block, key) in enumerate(zip(blocks, keys, strict=True), start=1):
            sequence, _day, scheme = key.split("::")
            block.find("PmtInfId").text = f"{self._number}-{position}-{sequence}-{scheme}"[:35]
            block.find("PmtTpInf/LclInstrm/Cd").text = scheme


@functools.cache
def _schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA_FILE))


def pain008_validate(document: bytes) -> None:
    """Refuse a file that does not validate against the pain.008.001.02 schema, saying where and why."""
    errors = list(_schema().iter_errors(document.decode("utf-8")))
    if errors:
        first = errors[0]
        raise ValidationFailed(
            _("The SEPA file does not validate against %(schema)s: %(reason)s (at %(path)s).")
            % {"schema": SCHEMA, "reason": first.reason or first.message, "path": first.path or "/"}
        )


def remittance_file(company: Company, remittance_id) -> bytes:
    """The remittance's pain.008.001.02 file: the company as creditor with the bank account's IBAN, BIC and
    creditor identifier, one payment information block per sequence type and scheme, one transaction per
    line (its end-to-end id, mandate reference and signature date, the customer's name and IBAN, the
    document it pays). Checked against the schema: an invalid file is refused, never sent."""
    remittance = (
        Remittance.objects.filter(company=company, pk=remittance_id).select_related("bank_account").first()
    )
    if remittance is None:
        raise NotFound(_("No such remittance."))
    lines = list(
        RemittanceLine.objects.filter(remittance=remittance)
        .select_related("due", "mandate", "due__party")
        .order_by("pk")
    )
    if not lines:
        raise Conflict(_("Remittance %(number)s has no lines.") % {"number": remittance.number})
    bank = remittance.bank_account
    creditor_bic = bic_of(bank.iban, bank.bic)
    if not creditor_bic:
        raise ValidationFailed.on(
            "bank_account", _("%(bank)s needs its BIC for the SEPA file.") % {"bank": bank.name}
        )
    config = {
        "name": company.name, "IBAN": bank.iban.replace(" ", ""), "BIC": creditor_bic, "batch": True,
        "creditor_id": bank.creditor_id.strip(), "currency": "EUR", "instrument": Mandate.Scheme.CORE,
    }  # fmt: skip
    try:
        builder = _Pain008(
            config, remittance.number, remittance.message_id or message_id(company, remittance.number)
        )
        for line in lines:
            due, mandate = line.due, line.mandate
            payment = {
                "name": due.party.name, "IBAN": mandate.iban, "amount": rules.cents(line.amount),
                "type": line.sequence_type, "collection_date": remittance.charge_date,
                "mandate_id": mandate.reference, "mandate_date": mandate.signed_on,
                "description": f"{due.origin_number} {due.installment}/{due.installments}",
                "endtoend_id": line.end_to_end_id, "scheme": mandate.scheme,
            }  # fmt: skip
            debtor_bic = bic_of(mandate.iban, mandate.bic)
            if debtor_bic:
                payment["BIC"] = debtor_bic
            builder.add_payment(payment)
        document = builder.export(validate=False)
    except Exception as error:  # sepaxml refuses a value with a bare Exception
        raise ValidationFailed(_("The SEPA file cannot be built: %(reason)s") % {"reason": error}) from error
    pain008_validate(document)
    return document


def remittance_filename(remittance: Remittance) -> str:
    return f"{remittance.number}.xml"


__all__ = [
    "SCHEMA",
    "SCHEMA_FILE",
    "bic_of",
    "message_id",
    "pain008_validate",
    "remittance_file",
    "remittance_filename",
]

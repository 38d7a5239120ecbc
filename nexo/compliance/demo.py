"""The compliance demo: nothing of its own to create — posting the demo's invoices wrote their VERI*FACTU
records — so it reports the chain, verified, once every module has loaded its demo."""

from django.utils.translation import gettext as _

from nexo.compliance.services.verification import verify_records


def demo_summary(company) -> str:
    reports = verify_records(company)
    records = sum(report.records for report in reports)
    intact = all(report.intact for report in reports)
    return _("VERI*FACTU: %(records)s billing records in %(chains)s chain(s), %(state)s") % {
        "records": records, "chains": len(reports), "state": _("intact") if intact else _("BROKEN"),
    }  # fmt: skip

from django.core.management.base import BaseCommand, CommandError

from nexo.compliance.services.submission import records_submit, sending_companies
from nexo.compliance.services.verification import verify_records
from nexo.core.models import Company


class Command(BaseCommand):
    help = (
        "VERI*FACTU billing records: `nexo verifactu verify [--company ID]` recomputes every chain and reports "
        "the first record whose hash or link does not match (exit status 1 when one is broken); "
        "`nexo verifactu send [--company ID]` sends the records due to the AEAT (run it every few minutes as a "
        "safety net beside the task worker)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="recompute the chains of records and report the first break")
        verify.add_argument("--company", type=int, help="one company's id (default: every company)")
        send = sub.add_parser("send", help="send the records due to the AEAT")
        send.add_argument("--company", type=int, help="one company's id (default: every company sending)")

    def handle(self, *args, action, company=None, **options):
        if action == "send":
            return self.send(company)
        companies = Company.objects.order_by("pk")
        if company is not None:
            companies = companies.filter(pk=company)
            if not companies.exists():
                raise CommandError(f"No company with id {company}.")
        broken = 0
        for each in companies:
            for report in verify_records(each):
                if report.intact:
                    self.stdout.write(
                        f"{each.name} · {report.issuer_tax_id}: {report.records} records, intact"
                    )
                    continue
                broken += 1
                problem = report.problem
                self.stdout.write(
                    f"{each.name} · {report.issuer_tax_id}: BROKEN at record {problem.position} "
                    f"({problem.invoice_number}, id {problem.record_id}): {problem.reason}"
                )
        if broken:
            raise CommandError(f"{broken} chain(s) broken.", returncode=1)

    def send(self, company_id: int | None) -> None:
        """Each company sending its records: the submissions due now, one after the other (a backlog of
        full requests goes at once; otherwise the AEAT's waiting time stops it), and what came of each."""
        companies = sending_companies()
        if company_id is not None:
            companies = companies.filter(pk=company_id)
            if not companies.exists():
                raise CommandError(f"No company with id {company_id} sends its records to the AEAT.")
        for each in companies:
            while True:
                run = records_submit(company=each)
                sent = run.submission
                if sent is None:
                    later = f", next at {run.next_run_at:%Y-%m-%d %H:%M:%S %Z}" if run.next_run_at else ""
                    self.stdout.write(f"{each.name}: nothing due{later}")
                    break
                count = sent.records.count()
                self.stdout.write(
                    f"{each.name}: submission {sent.pk} {sent.state} ({count} records, attempt {sent.attempts})"
                    + (f": {sent.error}" if sent.error else "")
                )
                if sent.state == sent.State.FAILED:
                    break

from django.core.management.base import BaseCommand, CommandError

from nexo.compliance.services.verification import verify_records
from nexo.core.models import Company


class Command(BaseCommand):
    help = (
        "VERI*FACTU billing records: `nexo verifactu verify [--company ID]` recomputes every chain and reports "
        "the first record whose hash or link does not match (exit status 1 when one is broken)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="recompute the chains of records and report the first break")
        verify.add_argument("--company", type=int, help="one company's id (default: every company)")

    def handle(self, *args, action, company=None, **options):
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

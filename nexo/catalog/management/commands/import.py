"""`nexo import items|price-rules FILE`: a CSV or XLSX file through the catalog's services, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from nexo.catalog import transfer
from nexo.catalog.management.commands import WHAT, find_company, find_user
from nexo.core.errors import ValidationFailed

BAR_WIDTH = 30


def progress_bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    """`[###############---------------]  50% 5000/10000`"""
    share = done / total if total else 1
    filled = round(share * width)
    return f"[{'#' * filled}{'-' * (width - filled)}] {share:4.0%} {done}/{total}"


class Command(BaseCommand):
    help = (
        "Import items or price rules from a CSV or XLSX file. Nothing is imported when a row has an error, "
        "unless --valid-only asks to import the valid rows and skip the others."
    )

    def add_arguments(self, parser):
        parser.add_argument("what", choices=sorted(WHAT), help="items or price-rules")
        parser.add_argument("file", help="a .csv or .xlsx file")
        parser.add_argument(
            "--valid-only", action="store_true", help="import the valid rows, skip the others"
        )
        parser.add_argument("--company", help="the company's tax id or id (needed when there are several)")
        parser.add_argument("--user", help="the user name recorded as author of the changes")

    def handle(self, *args, what, file, valid_only, company, user, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        company = find_company(company)
        by = find_user(user, company)
        try:
            table = transfer.read_table(data, path.name)
        except ValidationFailed as failure:
            raise CommandError(failure.detail) from failure

        show_bar = options["verbosity"] > 0

        def progress(done: int, total: int) -> None:
            if show_bar:
                end = "\n" if done == total else ""
                self.stderr.write(f"\r{progress_bar(done, total)}", style_func=str, ending=end)
                self.stderr.flush()

        report = transfer.IMPORTERS[WHAT[what]](company, by, table, valid_only=valid_only, progress=progress)
        self.stdout.write(
            f"{report.total} rows: {report.created} created, {report.updated} updated, "
            f"{report.failed} with errors."
        )
        if report.errors:
            self.stdout.write("row\tcolumn\tmessage")
            for error in report.errors:
                self.stdout.write(f"{error.row}\t{error.column}\t{error.message}")
        if not report.imported:
            reason = (
                f"{report.failed} rows have errors (--valid-only imports the others)"
                if report.failed
                else "the file's header has errors"
            )
            raise CommandError(f"Nothing imported: {reason}.", returncode=1)
        self.stdout.write(self.style.SUCCESS("Imported."))

"""`nexo quotations expire [--date YYYY-MM-DD] [--company TAXID_OR_ID]` and `nexo quotations schedule`."""

from argparse import ArgumentTypeError
from datetime import date

from django.core.management.base import BaseCommand
from django.utils import timezone

from nexo.catalog.management.commands import find_company
from nexo.sales import services, tasks


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from error


def _when(result) -> str:
    run_after = result.task.run_after
    if run_after is None:
        return "as soon as a worker picks it up"
    return timezone.localtime(run_after).strftime("%Y-%m-%d %H:%M %Z")


class Command(BaseCommand):
    help = "Quotation expiry: run it now by hand, or start its daily background schedule (00:05)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        expire = sub.add_parser(
            "expire", help="expire the sent quotations past their validity now, and print how many"
        )
        expire.add_argument(
            "--date",
            type=iso_date,
            dest="day",
            metavar="YYYY-MM-DD",
            help="expire as on this day, YYYY-MM-DD (default: today)",
        )
        expire.add_argument("--company", help="only this company (tax id or id; default: every company)")
        sub.add_parser(
            "schedule",
            help="queue the daily expiry task unless a run is already waiting (safe to repeat; "
            "run it when the worker starts)",
        )

    def handle(self, *args, action, **options):
        if action == "expire":
            company = find_company(options["company"]) if options.get("company") else None
            expired = services.quotations_expire(today=options.get("day"), company=company)
            self.stdout.write(f"{expired} quotation{'' if expired == 1 else 's'} expired.")
            return
        result, queued = tasks.ensure_scheduled()
        if queued and result.is_finished:
            self.stdout.write(
                f"Quotation expiry ran at once ({result.status.lower()}): this task backend runs tasks "
                "immediately and cannot schedule them; run `nexo quotations expire` daily."
            )
        elif queued:
            self.stdout.write(
                self.style.SUCCESS(
                    "Quotation expiry queued: it runs as soon as a worker picks it up, then every day at 00:05."
                )
            )
        else:
            self.stdout.write(f"Quotation expiry already scheduled: next run {_when(result)}.")

"""`nexo export items|price-rules --format csv|xlsx [--output FILE]`: the columns the import reads."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from nexo.catalog import transfer
from nexo.catalog.management.commands import WHAT, find_company


class Command(BaseCommand):
    help = "Export items or price rules as CSV or XLSX, with exactly the columns `nexo import` reads."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=sorted(WHAT), help="items or price-rules")
        parser.add_argument("--format", choices=transfer.FORMATS, default="csv", dest="fmt")
        parser.add_argument("--output", help="the file to write (default: standard output)")
        parser.add_argument("--company", help="the company's tax id or id (needed when there are several)")

    def handle(self, *args, what, fmt, output, company, **options):
        data = transfer.EXPORTERS[WHAT[what]](find_company(company), fmt)
        if output:
            Path(output).write_bytes(data)
            return
        if fmt == "csv":
            self.stdout.write(data.decode("utf-8"), ending="")
            return
        if sys.stdout.isatty() or not hasattr(sys.stdout, "buffer"):
            raise CommandError("An XLSX file is binary: write it with --output FILE.")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()

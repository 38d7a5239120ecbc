from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from nexo.core.demo import demo_logins
from nexo.core.models import Company


class Command(BaseCommand):
    help = "Migrate, load the demo data into an empty database, and serve Nexo (embedded server)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-demo", action="store_true", help="do not load the demo data into an empty database"
        )

    def handle(self, *args, addrport, no_demo, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo and not Company.objects.exists():
            self.stdout.write("Empty database: loading the demo data…")
            call_command("demo", stdout=self.stdout, verbosity=0)
        database = settings.DATABASES["default"]
        where = (
            database["NAME"]
            if database["ENGINE"].endswith("sqlite3")
            else f"{database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}"
        )
        host = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        self.stdout.write(self.style.SUCCESS(f"\nNexo is serving on http://{host}/  (database: {where})"))
        if Company.objects.filter(tax_id="B46123451").exists():
            self.stdout.write("Demo logins (user / password / role):")
            for username, password, role in demo_logins():
                self.stdout.write(f"  {username:<13} {password:<10} {role}")
        self.stdout.write("Stop with Ctrl+C.\n")
        call_command("runserver", addrport, use_reloader=False, use_threading=True, skip_checks=True)

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from nexo.core.demo import demo_companies_and_users, demo_logins


class Command(BaseCommand):
    help = "Load the demo company (a Spanish distributor). Deterministic and idempotent: running it again adds nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--only",
            default="",
            help="Comma-separated app labels whose demo to load (e.g. parties,catalog); default: every module.",
        )

    def handle(self, *args, **options):
        only = {label.strip() for label in options["only"].split(",") if label.strip()}
        with transaction.atomic():
            company, second_company, users = demo_companies_and_users()
            # Each module contributes its demo data through `load_demo(company, users)` on its AppConfig.
            for config in apps.get_app_configs():
                loader = getattr(config, "load_demo", None)
                if loader is not None and (not only or config.label in only):
                    summary = loader(company=company, second_company=second_company, users=users)
                    if summary:
                        self.stdout.write(f"{config.verbose_name}: {summary}")
        if options["verbosity"] == 0:
            return  # `nexo run` prints the logins itself
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready in «{company.name}». Logins (user / password / role):")
        )
        for username, password, role in demo_logins():
            self.stdout.write(f"  {username:<13} {password:<10} {role}")

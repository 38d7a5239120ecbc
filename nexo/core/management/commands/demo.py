from django.core.management.base import BaseCommand
from django.db import transaction

from nexo.core.demo import demo_companies_and_users, demo_logins
from nexo.core.modules import nexo_modules


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
            # Each module loads its part through its AppConfig's
            # `load_demo(*, company, second_company, users)` hook (core.modules.NexoModule).
            for module in nexo_modules():
                if not only or module.label in only:
                    summary = module.load_demo(company=company, second_company=second_company, users=users)
                    if summary:
                        self.stdout.write(f"{module.verbose_name}: {summary}")
            for module in nexo_modules():
                if not only or module.label in only:
                    summary = module.finish_demo(company=company, second_company=second_company, users=users)
                    if summary:
                        self.stdout.write(f"{module.verbose_name}: {summary}")
        if options["verbosity"] == 0:
            return  # `nexo run` prints the logins itself
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready in «{company.name}». Logins (user / password / role):")
        )
        for username, password, role in demo_logins():
            self.stdout.write(f"  {username:<13} {password:<10} {role}")

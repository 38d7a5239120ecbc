from django.core.management.base import BaseCommand, CommandError

from nexo.core.models import User
from nexo.core.services import token_create


class Command(BaseCommand):
    help = "API bearer tokens: `nexo token create USERNAME [--name NAME]` prints a new one."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it")
        create.add_argument("username")
        create.add_argument("--name", default="command line")

    def handle(self, *args, action, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        _token, raw = token_create(user=user, name=name)
        self.stdout.write(raw)

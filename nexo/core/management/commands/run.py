import importlib
import logging
import threading
import time
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections
from django.utils.crypto import get_random_string

from nexo.core.demo import demo_logins
from nexo.core.models import Company

logger = logging.getLogger(__name__)

WORKER_INTERVAL = 5  # seconds between looks at an empty queue
WORKER_RESTART_DELAY = 30  # seconds before the worker starts again after an unexpected error


def _work(worker) -> None:
    """The embedded worker's thread: it keeps working the queue, whatever a database hiccup throws at it."""
    while True:
        try:
            worker.run()
            return
        except Exception:
            logger.exception("The embedded task worker stopped; starting it again shortly.")
            time.sleep(WORKER_RESTART_DELAY)
        finally:
            connections.close_all()  # this thread's connections only


def start_embedded_worker() -> bool:
    """Work the database task queue in a daemon thread of this process, so the zero-setup default needs no
    second process. Only with the database backend; `nexo db_worker` does the same job on its own."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.management.commands.db_worker import Worker

    if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
        return False
    worker = Worker(
        queue_names=["*"], interval=WORKER_INTERVAL, batch=False, backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False, max_tasks=None, worker_id=f"nexo-run-{get_random_string(12)}",
        excluded_queue_names=[],
    )  # fmt: skip
    threading.Thread(target=_work, args=(worker,), name="nexo-task-worker", daemon=True).start()
    return True


def ensure_recurring_tasks() -> None:
    """Start the recurring task chains: every app whose `tasks` module has `ensure_scheduled()` (idempotent:
    it queues a run only when none is waiting). Named by convention, so core imports no module above it."""
    for app_config in apps.get_app_configs():
        if not app_config.name.startswith("nexo.") or find_spec(f"{app_config.name}.tasks") is None:
            continue
        ensure_scheduled = getattr(
            importlib.import_module(f"{app_config.name}.tasks"), "ensure_scheduled", None
        )
        if ensure_scheduled is not None:
            ensure_scheduled()


class Command(BaseCommand):
    help = (
        "Migrate, load the demo data into an empty database, and serve Nexo (embedded server), working the "
        "background task queue in the same process."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-demo", action="store_true", help="do not load the demo data into an empty database"
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="do not work the background task queue here (run `nexo db_worker` instead)",
        )

    def handle(self, *args, addrport, no_demo, no_worker, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo and not Company.objects.exists():
            self.stdout.write("Empty database: loading the demo data…")
            call_command("demo", stdout=self.stdout, verbosity=0)
        ensure_recurring_tasks()
        database = settings.DATABASES["default"]
        where = (
            database["NAME"]
            if database["ENGINE"].endswith("sqlite3")
            else f"{database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}"
        )
        host = addrport if ":" in addrport else f"127.0.0.1:{addrport}"
        self.stdout.write(self.style.SUCCESS(f"\nNexo is serving on http://{host}/  (database: {where})"))
        if no_worker:
            self.stdout.write("Background tasks: not run here; run `nexo db_worker` beside it.")
        elif start_embedded_worker():
            self.stdout.write("Background tasks: worked by this process (no separate worker needed).")
        if Company.objects.filter(tax_id="B46123451").exists():
            self.stdout.write("Demo logins (user / password / role):")
            for username, password, role in demo_logins():
                self.stdout.write(f"  {username:<13} {password:<10} {role}")
        self.stdout.write("Stop with Ctrl+C.\n")
        call_command("runserver", addrport, use_reloader=False, use_threading=True, skip_checks=True)

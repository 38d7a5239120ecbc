"""`python -m bench [module ...]`: set up Django on a fresh database, then run each benchmark module.

Environment:
  NEXO_BENCH_DATABASE_URL  postgres://... of a database whose name contains "bench"; it is DROPPED and
                           created again on every run. Unset: SQLite in a temporary directory.
  NEXO_BENCH_KEEP=1        keep the temporary directory (SQLite file) after the run.
"""

import importlib
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

# Benchmark modules, run in this order; each is bench/<name>.py with TITLE and run().
MODULES = [
    "foundation",
    "catalog",
    "inventory",
    "sales",
    "story",
    "invoicing",
    "accounting_reports",
    "payments_pay",
    "payments_aging",
    "payments_statements",
    "compliance",
    "insight",
]


def recreate_postgres_database(url: str) -> str:
    """Drop and create the benchmark database, connected to the server's `postgres` database."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(url)
    name = str(params.get("dbname") or "")
    if "bench" not in name:
        sys.exit(
            f"NEXO_BENCH_DATABASE_URL names the database {name!r}: the benchmark drops and recreates it, "
            "so its name must contain 'bench'."
        )
    params["dbname"] = "postgres"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def prepare_environment() -> Path:
    """Everything settings.py reads, set before Django starts: nothing points at var/ any more."""
    var_dir = Path(tempfile.mkdtemp(prefix="nexo-bench-"))
    os.environ["NEXO_VAR_DIR"] = str(var_dir)
    os.environ["NEXO_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["NEXO_DEBUG"] = "0"  # DEBUG would keep every query in memory and slow each one
    os.environ["NEXO_HTTPS"] = "0"  # no redirect to https for the test client
    bench_url = os.environ.get("NEXO_BENCH_DATABASE_URL", "").strip()
    if bench_url:
        recreate_postgres_database(bench_url)
        os.environ["NEXO_DATABASE_URL"] = bench_url
    else:
        # Explicit, so an inherited NEXO_DATABASE_URL can never send the benchmark to a real database.
        os.environ["NEXO_DATABASE_URL"] = f"sqlite:///{var_dir / 'nexo.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "nexo.settings"
    return var_dir


def database_description() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        version = connection.pg_version
        return f"PostgreSQL {version // 10000}.{version % 10000} ({connection.settings_dict['NAME']})"
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} ({connection.settings_dict['NAME']})"
    return connection.vendor


def main(argv: list[str]) -> int:
    unknown = [name for name in argv if name not in MODULES]
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}. Known: {', '.join(MODULES)}", file=sys.stderr)
        return 2
    chosen = argv or MODULES
    var_dir = prepare_environment()
    try:
        import django

        django.setup()
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        migrated = time.perf_counter() - started
        print("Nexo benchmarks: figures are measured, never asserted; targets are printed beside them.")
        print(f"database : {database_description()}")
        print(
            f"machine  : {platform.python_implementation()} {platform.python_version()}, "
            f"Django {django.get_version()}, {os.cpu_count()} CPUs, {platform.machine()}"
        )
        print(f"migrate  : {migrated:.1f} s on an empty database")
        for name in chosen:
            module = importlib.import_module(f"bench.{name}")
            title = getattr(module, "TITLE", name)
            print()
            print(f"== {title} ==")
            section_started = time.perf_counter()
            module.run()
            print(f"({name}: {time.perf_counter() - section_started:.0f} s)")
        return 0
    finally:
        if "django" in sys.modules and django_ready():
            from django.db import connections

            connections.close_all()
        if os.environ.get("NEXO_BENCH_KEEP") == "1":
            print(f"kept {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


def django_ready() -> bool:
    from django.apps import apps

    return apps.ready


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

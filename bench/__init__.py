"""Nexo benchmarks: `make bench` (`python -m bench`). Figures are printed, never asserted.

Every run works on a fresh database (a temporary SQLite file, or the PostgreSQL database named by
NEXO_BENCH_DATABASE_URL, dropped and created again); the developer's var/nexo.sqlite3 is never opened.

A module adds its benchmark as `bench/<module>.py` with a TITLE and a `run()` function, and appends
its name to MODULES in bench/__main__.py. Each benchmark creates its own companies and data, so it
never depends on what another one left behind. bench/measure.py times requests and counts queries.
"""

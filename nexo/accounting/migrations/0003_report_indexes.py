"""The journal report pages posted entries in date and number order: a partial index on posted entries in
that order lets the database read one page of a year's entries instead of sorting all of them (on 125,000
entries a year, the first page went from a full sort to an index walk).

The trial balance reads every posted line of the company up to the range's end, grouped by account: a
partial index on posted lines by company and account that carries the date, kind and amounts answers it
from the index alone, in account order (SQLite otherwise walked the (company, account, date) index and read
each line from the table: 2 s for 100,000 lines). PostgreSQL keeps a parallel sequential scan where a
company owns most of the table, and uses the index for the smaller ones.

Plain SQL, so the models keep their declared indexes and `makemigrations --check` stays quiet; both
databases take partial indexes (the reports write `WHERE posted` as is, which SQLite needs to use one)."""

from django.db import migrations

INDEX = "accounting_entry_posted_order"
LINES_INDEX = "accounting_line_posted_sums"


class Migration(migrations.Migration):
    dependencies = [("accounting", "0002_posted_entries_immutable")]

    operations = [
        migrations.RunSQL(
            f'CREATE INDEX "{INDEX}" ON "accounting_entry" ("company_id", "date", "number") '
            "WHERE \"state\" = 'posted'",
            f'DROP INDEX IF EXISTS "{INDEX}"',
        ),
        migrations.RunSQL(
            f'CREATE INDEX "{LINES_INDEX}" ON "accounting_entryline" '
            '("company_id", "account_id", "date", "kind", "debit", "credit") WHERE "posted"',
            f'DROP INDEX IF EXISTS "{LINES_INDEX}"',
        ),
    ]

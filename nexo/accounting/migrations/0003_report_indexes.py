"""The journal report pages posted entries in date and number order: a partial index on posted entries in
that order lets the database read one page of a year's entries instead of sorting all of them (on 125,000
entries a year, the first page went from a full sort to an index walk).

The trial balance needs no new index: it reads every posted line of the company up to the range's end, which
the line's (company, date) index (or, for a company owning most of the table, a parallel sequential scan)
already serves; a covering index was measured and the planner did not use it. Plain SQL, so the models keep
their declared indexes and `makemigrations --check` stays quiet; both databases take partial indexes."""

from django.db import migrations

INDEX = "accounting_entry_posted_order"


class Migration(migrations.Migration):
    dependencies = [("accounting", "0002_posted_entries_immutable")]

    operations = [
        migrations.RunSQL(
            f'CREATE INDEX "{INDEX}" ON "accounting_entry" ("company_id", "date", "number") '
            "WHERE \"state\" = 'posted'",
            f'DROP INDEX IF EXISTS "{INDEX}"',
        ),
    ]

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "party_search_trgm_idx"


def create_trigram_index(apps, schema_editor):
    # PostgreSQL only: lets `search_text LIKE '%word%'` use an index instead of reading every party.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON parties_party USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("parties", "0001_initial")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]

"""A billing record never changes and is never deleted: database triggers refuse an UPDATE or a DELETE of a row of
`compliance_billingrecord`, whatever path the statement comes from. Records are only ever inserted, at the
end of their chain. (Emptying the whole table, TRUNCATE, is left to the database's owner, like dropping it:
the test suite's flush does it; `verify` reports the chain's head naming records that are gone.)"""

from django.db import migrations

TABLE = "compliance_billingrecord"
MESSAGE = "compliance_billingrecord: billing records never change and are never deleted (RD 1007/2023 art. 8)"

SQLITE = [
    f'CREATE TRIGGER "{TABLE}_no_update" BEFORE UPDATE ON "{TABLE}" '
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f'CREATE TRIGGER "{TABLE}_no_delete" BEFORE DELETE ON "{TABLE}" '
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_DROP = [f'DROP TRIGGER IF EXISTS "{TABLE}_no_update"', f'DROP TRIGGER IF EXISTS "{TABLE}_no_delete"']

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_refuse() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation'; END;
$$ LANGUAGE plpgsql""",
    f'CREATE TRIGGER "{TABLE}_no_change" BEFORE UPDATE OR DELETE ON "{TABLE}" '
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse()",
]
POSTGRESQL_DROP = [
    f'DROP TRIGGER IF EXISTS "{TABLE}_no_change" ON "{TABLE}"',
    f"DROP FUNCTION IF EXISTS {TABLE}_refuse()",
]


def create(apps, schema_editor):
    for statement in _statements(schema_editor)[0]:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in _statements(schema_editor)[1]:
        schema_editor.execute(statement)


def _statements(schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        return POSTGRESQL, POSTGRESQL_DROP
    if schema_editor.connection.vendor == "sqlite":
        return SQLITE, SQLITE_DROP
    return [], []


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]

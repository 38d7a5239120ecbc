"""A posted journal entry never changes: database triggers refuse what the services already refuse, so no
other path (a raw statement, a future bug, the admin) can change one.

Refused: an UPDATE or DELETE of a posted entry; an UPDATE or DELETE of a posted line; a line inserted into, or
moved onto, a posted entry. Corrections are reversing entries. Posting writes the lines first and the entry's
state last, in one transaction.
"""

from django.db import migrations

POSTED = "posted"
ENTRY, LINE = "accounting_entry", "accounting_entryline"
REFUSED = "posted journal entries never change; reverse the entry instead"


def triggers_sqlite() -> tuple[list[str], list[str]]:
    on_posted_entry = f"(SELECT state FROM \"{ENTRY}\" WHERE id = %s) = '{POSTED}'"
    triggers = {
        f"{ENTRY}_posted_update": f"BEFORE UPDATE ON \"{ENTRY}\" FOR EACH ROW WHEN OLD.state = '{POSTED}'",
        f"{ENTRY}_posted_delete": f"BEFORE DELETE ON \"{ENTRY}\" FOR EACH ROW WHEN OLD.state = '{POSTED}'",
        f"{LINE}_posted_insert": f"BEFORE INSERT ON \"{LINE}\" FOR EACH ROW WHEN {on_posted_entry % 'NEW.entry_id'}",
        f"{LINE}_posted_update": (
            f"BEFORE UPDATE ON \"{LINE}\" FOR EACH ROW WHEN OLD.posted OR {on_posted_entry % 'NEW.entry_id'}"
        ),
        f"{LINE}_posted_delete": f"BEFORE DELETE ON \"{LINE}\" FOR EACH ROW WHEN OLD.posted",
    }
    create = [
        f"CREATE TRIGGER \"{name}\" {condition} BEGIN SELECT RAISE(ABORT, '{name}: {REFUSED}'); END"
        for name, condition in triggers.items()
    ]
    return create, [f'DROP TRIGGER IF EXISTS "{name}"' for name in triggers]


def triggers_postgresql() -> tuple[list[str], list[str]]:
    create = [
        f"""CREATE OR REPLACE FUNCTION accounting_entry_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.state = '{POSTED}' THEN
        RAISE EXCEPTION '%: % of a posted entry is refused ({REFUSED})', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql""",
        f'CREATE TRIGGER "{ENTRY}_posted_guard" BEFORE UPDATE OR DELETE ON "{ENTRY}" FOR EACH ROW '
        "EXECUTE FUNCTION accounting_entry_guard()",
        f"""CREATE OR REPLACE FUNCTION accounting_entryline_guard() RETURNS trigger AS $$
BEGIN
    IF (TG_OP IN ('UPDATE', 'DELETE') AND OLD.posted)
       OR (TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (SELECT 1 FROM "{ENTRY}" WHERE id = NEW.entry_id AND state = '{POSTED}')) THEN
        RAISE EXCEPTION '%: % of a line of a posted entry is refused ({REFUSED})', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql""",
        f'CREATE TRIGGER "{LINE}_posted_guard" BEFORE INSERT OR UPDATE OR DELETE ON "{LINE}" FOR EACH ROW '
        "EXECUTE FUNCTION accounting_entryline_guard()",
    ]
    drop = [
        f'DROP TRIGGER IF EXISTS "{ENTRY}_posted_guard" ON "{ENTRY}"',
        f'DROP TRIGGER IF EXISTS "{LINE}_posted_guard" ON "{LINE}"',
        "DROP FUNCTION IF EXISTS accounting_entry_guard()",
        "DROP FUNCTION IF EXISTS accounting_entryline_guard()",
    ]
    return create, drop


def _statements(vendor: str) -> tuple[list[str], list[str]]:
    if vendor == "sqlite":
        return triggers_sqlite()
    if vendor == "postgresql":
        return triggers_postgresql()
    raise NotImplementedError(f"posted entry triggers are written for SQLite and PostgreSQL, not {vendor}")


def create_triggers(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[0]:
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[1]:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounting", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]

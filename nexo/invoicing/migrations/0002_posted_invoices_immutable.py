"""A posted invoice never changes: database triggers refuse what the services already refuse, so no other
path (a raw statement, a future bug, the admin) can change one.

Refused, for customer invoices (and credit notes) and supplier invoices alike:
- an UPDATE of a posted invoice that changes any column but those that are not legal content (the
  e-mail's record on customer invoices, and `updated_at`);
- a DELETE of a posted invoice;
- an INSERT, UPDATE or DELETE of a line or a tax row of a posted invoice (or moving one onto it).

A draft is free: posting writes its lines and taxes first and then the invoice's state, in one transaction.

SQLite lists the guarded columns (it has no row-to-JSON comparison): a migration that adds a column to
these tables, or that makes Django rebuild one of them on SQLite (which drops its triggers), must create
the triggers again (`triggers_sqlite` below). PostgreSQL compares whole rows, so new columns are guarded.
"""

from django.db import migrations

# Columns that may change after posting: not legal content (the e-mail sent, and the row's touch time).
INVOICE_FREE = ("sent_to", "email_status", "email_error", "email_sent_at", "updated_at")
SUPPLIER_INVOICE_FREE = ("updated_at",)

INVOICE_COLUMNS = (
    "id", "created_at", "updated_at", "created_by_id", "updated_by_id", "company_id", "kind", "invoice_type",
    "state", "series", "year", "sequence", "number", "date", "operation_date", "party_id", "party_name",
    "party_tax_id", "party_address", "party_country", "language", "currency", "payment_terms", "treatment",
    "notes", "corrects_id", "reason", "base", "vat", "recargo", "withholding", "total", "amount_due", "cost",
    "posted_at", "posted_by_id", "sent_to", "email_status", "email_error", "email_sent_at",
)
SUPPLIER_INVOICE_COLUMNS = (
    "id", "created_at", "updated_at", "created_by_id", "updated_by_id", "company_id", "state", "party_id",
    "supplier_number", "date", "year", "received_date", "series", "sequence", "number", "currency",
    "exchange_rate", "notes", "base", "vat", "recargo", "withholding", "total", "amount_due",
    "differences_accepted_by_id", "differences_accepted_at", "posted_at", "posted_by_id",
)
# (header table, its columns, the columns free after posting, its child tables)
GUARDED = (
    ("invoicing_invoice", INVOICE_COLUMNS, INVOICE_FREE, ("invoicing_invoiceline", "invoicing_invoicetax")),
    (
        "invoicing_supplierinvoice", SUPPLIER_INVOICE_COLUMNS, SUPPLIER_INVOICE_FREE,
        ("invoicing_supplierinvoiceline", "invoicing_supplierinvoicetax"),
    ),
)
POSTED = "posted"


def _message(table: str, what: str) -> str:
    return f"{table}: {what} of a posted invoice is refused (posted invoices never change; issue a credit note)"


def triggers_sqlite() -> tuple[list[str], list[str]]:
    create, drop = [], []
    for header, columns, free, children in GUARDED:
        changed = " OR ".join(f'NEW."{column}" IS NOT OLD."{column}"' for column in columns if column not in free)
        create += [
            f'CREATE TRIGGER "{header}_posted_update" BEFORE UPDATE ON "{header}" FOR EACH ROW '
            f"WHEN OLD.state = '{POSTED}' AND ({changed}) "
            f"BEGIN SELECT RAISE(ABORT, '{_message(header, 'a change')}'); END",
            f'CREATE TRIGGER "{header}_posted_delete" BEFORE DELETE ON "{header}" FOR EACH ROW '
            f"WHEN OLD.state = '{POSTED}' "
            f"BEGIN SELECT RAISE(ABORT, '{_message(header, 'deleting')}'); END",
        ]
        drop += [f'DROP TRIGGER IF EXISTS "{header}_posted_update"', f'DROP TRIGGER IF EXISTS "{header}_posted_delete"']
        for child in children:
            posted = f"(SELECT state FROM \"{header}\" WHERE id = %s) = '{POSTED}'"
            for event, condition in (
                ("INSERT", posted % "NEW.invoice_id"),
                ("UPDATE", f"{posted % 'OLD.invoice_id'} OR {posted % 'NEW.invoice_id'}"),
                ("DELETE", posted % "OLD.invoice_id"),
            ):
                name = f"{child}_posted_{event.lower()}"
                create.append(
                    f'CREATE TRIGGER "{name}" BEFORE {event} ON "{child}" FOR EACH ROW WHEN {condition} '
                    f"BEGIN SELECT RAISE(ABORT, '{_message(child, f'{event} of a line or tax')}'); END"
                )
                drop.append(f'DROP TRIGGER IF EXISTS "{name}"')
    return create, drop


def triggers_postgresql() -> tuple[list[str], list[str]]:
    # One function for the headers: the row as JSON without its free columns (the trigger's arguments).
    create = [
        f"""CREATE OR REPLACE FUNCTION invoicing_posted_header_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.state = '{POSTED}' THEN
            RAISE EXCEPTION '%: deleting a posted invoice is refused (posted invoices never change; issue a credit note)', TG_TABLE_NAME
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.state = '{POSTED}' AND (to_jsonb(NEW) - TG_ARGV) IS DISTINCT FROM (to_jsonb(OLD) - TG_ARGV) THEN
        RAISE EXCEPTION '%: a change of a posted invoice is refused (posted invoices never change; issue a credit note)', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql"""
    ]
    drop = []
    for header, _columns, free, children in GUARDED:
        arguments = ", ".join(f"'{column}'" for column in free)
        create.append(
            f'CREATE TRIGGER "{header}_posted_guard" BEFORE UPDATE OR DELETE ON "{header}" FOR EACH ROW '
            f"EXECUTE FUNCTION invoicing_posted_header_guard({arguments})"
        )
        drop.append(f'DROP TRIGGER IF EXISTS "{header}_posted_guard" ON "{header}"')
        for child in children:
            function = f"{child}_posted_guard"
            create += [
                f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    IF (TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (SELECT 1 FROM "{header}" WHERE id = OLD.invoice_id AND state = '{POSTED}'))
       OR (TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (SELECT 1 FROM "{header}" WHERE id = NEW.invoice_id AND state = '{POSTED}')) THEN
        RAISE EXCEPTION '%: % of a line or tax of a posted invoice is refused (posted invoices never change; issue a credit note)', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql""",
                f'CREATE TRIGGER "{function}" BEFORE INSERT OR UPDATE OR DELETE ON "{child}" FOR EACH ROW '
                f"EXECUTE FUNCTION {function}()",
            ]
            drop += [f'DROP TRIGGER IF EXISTS "{function}" ON "{child}"', f"DROP FUNCTION IF EXISTS {function}()"]
    drop.append("DROP FUNCTION IF EXISTS invoicing_posted_header_guard()")
    return create, drop


def _statements(vendor: str) -> tuple[list[str], list[str]]:
    if vendor == "sqlite":
        return triggers_sqlite()
    if vendor == "postgresql":
        return triggers_postgresql()
    raise NotImplementedError(f"posted invoice triggers are written for SQLite and PostgreSQL, not {vendor}")


def create_triggers(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[0]:
        schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[1]:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("invoicing", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]

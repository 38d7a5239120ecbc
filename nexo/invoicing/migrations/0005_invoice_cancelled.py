"""A posted customer invoice or credit note issued by mistake can be cancelled (an anulación under
VERI*FACTU): the state `cancelled`, with when, by whom and why, and the permission to do it.

The triggers of 0002 (and 0004) are drawn again for customer invoices so that the one change a posted invoice
may still take, besides its free columns (the e-mail's record, `updated_at`), is posted → cancelled with
`cancelled_at`, `cancelled_by_id` and a `cancel_reason` set, and nothing else with it; a cancelled invoice is
as frozen as a posted one (no change, no going back, no delete, no line or tax row added, changed or
removed). Supplier invoices keep the triggers of 0002.

The triggers are dropped before the table changes (on SQLite adding `cancel_reason` and the constraints
rebuilds the table, and a trigger of another table naming it would stand in the way) and created after.
SQLite lists the guarded columns, so they are written out here as they stand after this migration.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import deletion

INVOICE, CHILDREN = "invoicing_invoice", ("invoicing_invoiceline", "invoicing_invoicetax")
# Free after posting: not legal content (the e-mail sent, and the row's touch time).
FREE = ("sent_to", "email_status", "email_error", "email_sent_at", "updated_at")
# What cancelling writes: the state and its record.
CANCELLING = ("state", "cancelled_at", "cancelled_by_id", "cancel_reason")
COLUMNS_BEFORE = (
    "id", "created_at", "updated_at", "created_by_id", "updated_by_id", "company_id", "kind", "invoice_type",
    "state", "series", "year", "sequence", "number", "date", "operation_date", "party_id", "party_name",
    "party_tax_id", "party_address", "party_country", "language", "currency", "payment_terms", "treatment",
    "notes", "corrects_id", "reason", "base", "vat", "recargo", "withholding", "total", "amount_due", "cost",
    "posted_at", "posted_by_id", "sent_to", "email_status", "email_error", "email_sent_at", "payment_term_id",
)  # fmt: skip
COLUMNS_AFTER = (*COLUMNS_BEFORE, "cancelled_at", "cancelled_by_id", "cancel_reason")
POSTED, CANCELLED = "posted", "cancelled"


def _message(table: str, what: str) -> str:
    return (
        f"{table}: {what} of a posted invoice is refused (posted and cancelled invoices never change; issue a "
        "credit note, or cancel a posted one)"
    )


def _listed(states: tuple[str, ...]) -> str:
    return ", ".join(f"'{state}'" for state in states)


def _sqlite(columns: tuple[str, ...], states: tuple[str, ...], cancelling: bool) -> tuple[list[str], list[str]]:
    """The header's UPDATE and DELETE triggers and the children's INSERT, UPDATE and DELETE ones: with
    `cancelling`, an issued invoice is posted or cancelled and posted → cancelled is let through."""
    issued = f"OLD.state IN ({_listed(states)})"
    guarded = [column for column in columns if column not in FREE]
    if cancelling:
        others = " OR ".join(f'NEW."{column}" IS NOT OLD."{column}"' for column in guarded if column not in CANCELLING)
        moved = " OR ".join(f'NEW."{column}" IS NOT OLD."{column}"' for column in CANCELLING)
        allowed = (
            f"OLD.state = '{POSTED}' AND NEW.state = '{CANCELLED}' AND NEW.cancelled_at IS NOT NULL "
            "AND NEW.cancelled_by_id IS NOT NULL AND COALESCE(TRIM(NEW.cancel_reason), '') <> ''"
        )
        changed = f"({others}) OR (({moved}) AND NOT ({allowed}))"
    else:
        changed = " OR ".join(f'NEW."{column}" IS NOT OLD."{column}"' for column in guarded)
    create = [
        f'CREATE TRIGGER "{INVOICE}_posted_update" BEFORE UPDATE ON "{INVOICE}" FOR EACH ROW '
        f"WHEN {issued} AND ({changed}) "
        f"BEGIN SELECT RAISE(ABORT, '{_message(INVOICE, 'a change')}'); END",
        f'CREATE TRIGGER "{INVOICE}_posted_delete" BEFORE DELETE ON "{INVOICE}" FOR EACH ROW WHEN {issued} '
        f"BEGIN SELECT RAISE(ABORT, '{_message(INVOICE, 'deleting')}'); END",
    ]
    drop = [f'DROP TRIGGER IF EXISTS "{INVOICE}_posted_update"', f'DROP TRIGGER IF EXISTS "{INVOICE}_posted_delete"']
    for child in CHILDREN:
        of = f'(SELECT state FROM "{INVOICE}" WHERE id = %s) IN ({_listed(states)})'
        for event, condition in (
            ("INSERT", of % "NEW.invoice_id"),
            ("UPDATE", f"{of % 'OLD.invoice_id'} OR {of % 'NEW.invoice_id'}"),
            ("DELETE", of % "OLD.invoice_id"),
        ):
            name = f"{child}_posted_{event.lower()}"
            create.append(
                f'CREATE TRIGGER "{name}" BEFORE {event} ON "{child}" FOR EACH ROW WHEN {condition} '
                f"BEGIN SELECT RAISE(ABORT, '{_message(child, f'{event} of a line or tax')}'); END"
            )
            drop.append(f'DROP TRIGGER IF EXISTS "{name}"')
    return create, drop


def _postgresql_children(states: tuple[str, ...]) -> list[str]:
    """The children's guard functions (their triggers, made by 0002, call them by name)."""
    made = []
    for child in CHILDREN:
        made.append(
            f"""CREATE OR REPLACE FUNCTION {child}_posted_guard() RETURNS trigger AS $$
BEGIN
    IF (TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (SELECT 1 FROM "{INVOICE}" WHERE id = OLD.invoice_id AND state IN ({_listed(states)})))
       OR (TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (SELECT 1 FROM "{INVOICE}" WHERE id = NEW.invoice_id AND state IN ({_listed(states)}))) THEN
        RAISE EXCEPTION '%: % of a line or tax of a posted invoice is refused (posted and cancelled invoices never change)', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql"""
        )
    return made


FREE_ARGUMENTS = ", ".join(f"'{column}'" for column in FREE)
# The header: its row as JSON less the free columns (the trigger's arguments) may not change, but for
# posted → cancelled with its record, every other column as it was. COALESCE: a NULL in the test must refuse.
ISSUED_GUARD = f"""CREATE OR REPLACE FUNCTION invoicing_invoice_issued_guard() RETURNS trigger AS $$
DECLARE
    cancelling CONSTANT text[] := ARRAY[{_listed(CANCELLING)}];
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.state IN ('{POSTED}', '{CANCELLED}') THEN
            RAISE EXCEPTION '%', '{_message(INVOICE, "deleting")}'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.state IN ('{POSTED}', '{CANCELLED}')
       AND (to_jsonb(NEW) - TG_ARGV) IS DISTINCT FROM (to_jsonb(OLD) - TG_ARGV)
       AND NOT COALESCE(
           OLD.state = '{POSTED}' AND NEW.state = '{CANCELLED}' AND NEW.cancelled_at IS NOT NULL
           AND NEW.cancelled_by_id IS NOT NULL AND btrim(NEW.cancel_reason) <> ''
           AND (to_jsonb(NEW) - TG_ARGV - cancelling) IS NOT DISTINCT FROM (to_jsonb(OLD) - TG_ARGV - cancelling),
           false) THEN
        RAISE EXCEPTION '%', '{_message(INVOICE, "a change")}'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql"""
HEADER_TRIGGER = f'"{INVOICE}_posted_guard"'


def cancellable(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = _sqlite(COLUMNS_AFTER, (POSTED, CANCELLED), cancelling=True)[0]
    elif vendor == "postgresql":
        statements = [
            ISSUED_GUARD,
            f'DROP TRIGGER IF EXISTS {HEADER_TRIGGER} ON "{INVOICE}"',
            f'CREATE TRIGGER {HEADER_TRIGGER} BEFORE UPDATE OR DELETE ON "{INVOICE}" FOR EACH ROW '
            f"EXECUTE FUNCTION invoicing_invoice_issued_guard({FREE_ARGUMENTS})",
            *_postgresql_children((POSTED, CANCELLED)),
        ]
    else:
        raise NotImplementedError(f"posted invoice triggers are written for SQLite and PostgreSQL, not {vendor}")
    for statement in statements:
        schema_editor.execute(statement, params=None)


def posted_only(apps, schema_editor):
    """Back to the triggers of 0004 (a posted invoice, no cancelled state)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = _sqlite(COLUMNS_BEFORE, (POSTED,), cancelling=False)[0]
    elif vendor == "postgresql":
        statements = [
            f'DROP TRIGGER IF EXISTS {HEADER_TRIGGER} ON "{INVOICE}"',
            f'CREATE TRIGGER {HEADER_TRIGGER} BEFORE UPDATE OR DELETE ON "{INVOICE}" FOR EACH ROW '
            f"EXECUTE FUNCTION invoicing_posted_header_guard({FREE_ARGUMENTS})",
            "DROP FUNCTION IF EXISTS invoicing_invoice_issued_guard()",
            *_postgresql_children((POSTED,)),
        ]
    else:
        raise NotImplementedError(vendor)
    for statement in statements:
        schema_editor.execute(statement, params=None)


def drop_sqlite_triggers(apps, schema_editor):
    """SQLite: out of the way while the table is rebuilt (PostgreSQL alters it in place, triggers kept)."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in _sqlite(COLUMNS_AFTER, (POSTED, CANCELLED), cancelling=True)[1]:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0004_invoice_payment_term"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Reversed: after the table is back as it was, the triggers of 0004 again.
        migrations.RunPython(drop_sqlite_triggers, posted_only),
        migrations.AlterModelOptions(
            name="invoice",
            options={
                "ordering": ["-date", "-id"],
                "permissions": [
                    ("post_invoice", "Can post invoices"),
                    ("cancel_invoice", "Can cancel posted invoices"),
                ],
                "verbose_name": "invoice",
                "verbose_name_plural": "invoices",
            },
        ),
        migrations.RemoveConstraint(model_name="invoice", name="invoice_number_unique"),
        migrations.AddField(
            model_name="invoice",
            name="cancel_reason",
            field=models.CharField(blank=True, max_length=500, verbose_name="reason for cancelling"),
        ),
        migrations.AddField(
            model_name="invoice",
            name="cancelled_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="cancelled at"),
        ),
        migrations.AddField(
            model_name="invoice",
            name="cancelled_by",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=deletion.PROTECT, related_name="+",
                to=settings.AUTH_USER_MODEL, verbose_name="cancelled by",
            ),
        ),
        migrations.AlterField(
            model_name="invoice",
            name="state",
            field=models.CharField(
                choices=[("draft", "Draft"), ("posted", "Posted"), ("cancelled", "Cancelled")],
                default="draft", max_length=10, verbose_name="state",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state__in", ("posted", "cancelled"))),
                fields=("company", "series", "year", "sequence"),
                name="invoice_number_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("cancelled_at__isnull", False),
                        ("cancelled_by__isnull", False),
                        ("state", "cancelled"),
                        models.Q(("cancel_reason", ""), _negated=True),
                    ),
                    models.Q(
                        models.Q(("state", "cancelled"), _negated=True),
                        ("cancel_reason", ""),
                        ("cancelled_at__isnull", True),
                        ("cancelled_by__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="invoice_cancelled_recorded",
            ),
        ),
        # Reversed: the new triggers go first, so that the table can be rebuilt and the old ones made.
        migrations.RunPython(cancellable, drop_sqlite_triggers),
    ]

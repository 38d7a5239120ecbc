"""Rows written in bulk for the benchmarks: multi-row INSERTs of explicit ids, many times faster than the
ORM's `bulk_create` for the hundreds of thousands of rows a benchmark's company needs (and twice as fast as
one prepared INSERT run over every row with `executemany`, on SQLite). The rows are the model's: every concrete column, each left out taking its field's
default, date-times and JSON prepared as the field would prepare them."""

from django.core.management.color import no_style
from django.db import connection, models

ROWS_PER_STATEMENT = 500  # rows of one INSERT (SQLite takes up to 32,766 parameters)


class Table:
    """One table's rows, written with explicit ids (the next free ones). Columns left out take their field's
    default; date-times and JSON are prepared as the field would prepare them (a date-time once: a benchmark
    writes the same moments many times)."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        fields = model._meta.concrete_fields
        self.columns = [field.attname for field in fields]
        self.defaults = {}
        for model_field in fields:
            default = model_field.get_default()
            self.defaults[model_field.attname] = default() if callable(default) else default
        self.prepare = {
            model_field.attname: self._preparer(model_field)
            for model_field in fields
            if isinstance(model_field, models.DateTimeField | models.JSONField)
        }
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)}")
            self.next = (cursor.fetchone()[0] or 0) + 1
        self.rows: list[tuple] = []

    @staticmethod
    def _preparer(field: models.Field):
        if isinstance(field, models.DateTimeField):
            return _moment
        return lambda value: field.get_db_prep_save(value, connection)

    def new_id(self) -> int:
        found, self.next = self.next, self.next + 1
        return found

    def add(self, **values) -> int:
        """A row; its id is the next free one unless given. Returns the id."""
        if "id" not in values:
            values["id"] = self.new_id()
        unknown = set(values) - set(self.columns)
        if unknown:
            raise KeyError(f"{self.model.__name__} has no column {sorted(unknown)}")
        row = {**self.defaults, **values}
        for name, prepare in self.prepare.items():
            row[name] = prepare(row[name])
        self.rows.append(tuple(row[name] for name in self.columns))
        return values["id"]

    def flush(self) -> int:
        if not self.rows:
            return 0
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in self.columns)
        head = f"INSERT INTO {quote(self.model._meta.db_table)} ({columns}) VALUES "
        one = "(" + ", ".join(["%s"] * len(self.columns)) + ")"
        per_statement = max(1, min(ROWS_PER_STATEMENT, 30_000 // len(self.columns)))
        written = len(self.rows)
        with connection.cursor() as cursor:
            for start in range(0, written, per_statement):
                chunk = self.rows[start : start + per_statement]
                cursor.execute(
                    head + ", ".join([one] * len(chunk)), [value for row in chunk for value in row]
                )
        self.rows = []
        return written


_MOMENTS: dict = {}


def _moment(value):
    """A date-time as the database takes it (SQLite: UTC text), each one adapted once."""
    if value is None:
        return None
    found = _MOMENTS.get(value)
    if found is None:
        found = _MOMENTS[value] = connection.ops.adapt_datetimefield_value(value)
    return found


def reset_sequences(models_written) -> None:
    """PostgreSQL's id sequences moved past the ids written here (SQLite takes the next id from the table)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_written))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

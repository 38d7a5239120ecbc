"""Whole model rows read and written with prepared plain SQL, for the few paths that run per stock move.

Building a query through the ORM costs 10 to 20 times what the database then spends on it (about 200 µs
against 15 µs for a one-row select on SQLite), so posting a move through ten ORM queries took most of
its time in query building. These helpers keep the ORM's meaning: every concrete column, each value
prepared by its field on the way in (auto_now dates included) and converted by the backend and the
field on the way out (SQLite's decimals come back as Decimal, never float), and instances built with
`Model.from_db`. Only values travel as parameters; the SQL text comes from the model's metadata.
"""

from collections.abc import Iterable, Sequence
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections, models

Where = tuple[str, Sequence]


def _connection():
    """The connection itself, not the `django.db.connection` proxy (each attribute through it costs a lookup)."""
    return connections[DEFAULT_DB_ALIAS]


def connection_now():
    """The default connection itself, for statements written by hand."""
    return _connection()


def quoted(name: str) -> str:
    return _connection().ops.quote_name(name)


def placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def among(column: str, values: Iterable) -> Where:
    """`column IN (...)` with its parameters; an empty set matches nothing."""
    values = list(values)
    if not values:
        return "1 = 0", []
    return f"{quoted(column)} IN ({placeholders(len(values))})", values


def both(*conditions: Where) -> Where:
    return " AND ".join(f"({text})" for text, _params in conditions), [
        value for _text, params in conditions for value in params
    ]


@cache
def _select_sql(model: type[models.Model]) -> str:
    columns = ", ".join(quoted(field.column) for field in model._meta.concrete_fields)
    return f"SELECT {columns} FROM {quoted(model._meta.db_table)}"  # noqa: S608 (names from the model)


@cache
def _converters(model: type[models.Model], vendor: str) -> list[tuple[int, list]]:
    """Per column, what the compiler would apply to a fetched value (by position; only those with any)."""
    table, connection = model._meta.db_table, _connection()
    found = []
    for position, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(table)
        steps = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if steps:
            found.append((position, [(step, column) for step in steps]))
    return found


def select(
    model: type[models.Model],
    where: Where,
    *,
    order_by: Sequence[str] = ("id",),
    limit: int | None = None,
    for_update: bool = False,
) -> list:
    """Instances of `model` matching `where` (SQL on its columns, with parameters), in `order_by` order.

    `for_update` locks the rows on databases that can (SQLite's writers already queue on the file).
    """
    text, params = where
    connection = _connection()
    sql = f"{_select_sql(model)} WHERE {text}"
    if order_by:
        sql += " ORDER BY " + ", ".join(
            f"{quoted(column[1:])} DESC" if column.startswith("-") else quoted(column) for column in order_by
        )
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    if for_update and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    converters = _converters(model, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        rows = cursor.fetchall()
    found = []
    for row in rows:
        values = list(row)
        for position, steps in converters:
            for step, column in steps:
                values[position] = step(values[position], column, connection)
        found.append(model.from_db(connection.alias, None, values))
    return found


@cache
def columns(model: type[models.Model], alias: str) -> str:
    """Every concrete column of `model` under a table alias, in the order `from_row` reads them."""
    return ", ".join(f"{alias}.{quoted(field.column)}" for field in model._meta.concrete_fields)


def from_row(model: type[models.Model], values: Sequence) -> models.Model:
    """An instance from the values of `columns(model, ...)`, converted as `select` converts them."""
    connection = _connection()
    values = list(values)
    for position, steps in _converters(model, connection.vendor):
        for step, column in steps:
            values[position] = step(values[position], column, connection)
    return model.from_db(connection.alias, None, values)


def _prepared(field: models.Field, instance: models.Model, add: bool, connection):
    return field.get_db_prep_save(field.pre_save(instance, add), connection)


@cache
def _insert_sql(model: type[models.Model]) -> tuple[str, tuple[models.Field, ...]]:
    fields = tuple(field for field in model._meta.concrete_fields if not field.primary_key)
    columns = ", ".join(quoted(field.column) for field in fields)
    return f"INSERT INTO {quoted(model._meta.db_table)} ({columns}) VALUES", fields


def insert(model: type[models.Model], instances: Sequence[models.Model]) -> None:
    """Insert new rows and set each instance's primary key (returned in the order given, as bulk_create)."""
    head, fields = _insert_sql(model)
    connection = _connection()
    primary_key = quoted(model._meta.pk.column)
    batch = max(1, connection.ops.bulk_batch_size(list(fields), instances) or len(instances))
    row = f"({placeholders(len(fields))})"
    with connection.cursor() as cursor:
        for start in range(0, len(instances), batch):
            chunk = instances[start : start + batch]
            params = [_prepared(field, instance, True, connection) for instance in chunk for field in fields]
            cursor.execute(f"{head} {', '.join([row] * len(chunk))} RETURNING {primary_key}", params)
            for instance, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                instance.pk = pk
                instance._state.adding = False
                instance._state.db = connection.alias


@cache
def _update_sql(model: type[models.Model], names: tuple[str, ...]) -> tuple[str, tuple[models.Field, ...]]:
    fields = tuple(model._meta.get_field(name) for name in names)
    assignments = ", ".join(f"{quoted(field.column)} = %s" for field in fields)
    table, primary_key = quoted(model._meta.db_table), quoted(model._meta.pk.column)
    return f"UPDATE {table} SET {assignments} WHERE {primary_key} = %s", fields  # noqa: S608 (names from the model)


def update(model: type[models.Model], instances: Sequence[models.Model], names: Sequence[str]) -> None:
    """Write `names` of each instance held in memory to its row (auto_now fields take the time now)."""
    if not instances:
        return
    sql, fields = _update_sql(model, tuple(names))
    connection = _connection()
    params = [
        [*(_prepared(field, instance, False, connection) for field in fields), instance.pk]
        for instance in instances
    ]
    with connection.cursor() as cursor:
        if len(params) == 1:
            cursor.execute(sql, params[0])
        else:
            cursor.executemany(sql, params)

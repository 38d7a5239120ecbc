"""Imports and exports of items and price rules as CSV or XLSX, whichever door (page or command) asks.

Reading turns a file into a `Table` (numbered rows of values keyed by column); importing checks every row as
the catalog's services check it and keeps nothing when a row fails unless the caller asked to keep the valid
rows. Items are checked first, outside any transaction, then written in bulk in one short transaction (a
30,000-row file holds the write lock for a moment, not for minutes); price rules go through their services
row by row, a savepoint each, inside one transaction. Names in the file (unit codes, category paths, tax
codes, price list names, SKUs) are resolved with one query each before the first row.
"""

import csv
import io
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from nexo.catalog import services
from nexo.catalog.models import Category, Item, PriceList, PriceRule, TaxCategory, Unit
from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.exports import table_bytes, unquoted
from nexo.core.models import Company, User

FORMATS = ("csv", "xlsx")
ITEM_COLUMNS = (
    "sku", "name", "description", "unit", "category", "kind", "sale_tax", "purchase_tax", "base_price",
    "standard_cost", "valuation_method", "min_margin", "barcode", "active",
)  # fmt: skip
RULE_COLUMNS = (
    "price_list", "scope", "item", "category", "min_quantity", "date_from", "date_to", "method", "value",
    "base_list", "rounding", "margin_floor",
)  # fmt: skip
TRUE = {"1", "true", "yes", "y", "si", "sí", "s", "x", "verdadero"}
FALSE = {"0", "false", "no", "n", "falso"}
Progress = Callable[[int, int], None]


# Reading


@dataclass
class Table:
    """A file's columns (lower-cased header) and its data rows, each with its number in the file."""

    columns: list[str]
    rows: list[tuple[int, dict]]

    @classmethod
    def from_dicts(cls, rows: Iterable[dict]) -> "Table":
        """Rows given as dicts, numbered as in a file whose header is row 1."""
        rows = list(rows)
        columns = list(dict.fromkeys(key.strip().lower() for row in rows for key in row))
        numbered = [
            (number, {key.strip().lower(): value for key, value in row.items()})
            for number, row in enumerate(rows, start=2)
        ]
        return cls(columns, numbered)


def _table(records: Iterable[tuple[int, list]]) -> Table:
    records = iter(records)
    header = next(records, None)
    if header is None:
        raise ValidationFailed.on("file", _("The file is empty."))
    columns = [str(cell).strip().lower() if cell is not None else "" for cell in header[1]]
    while columns and not columns[-1]:
        columns.pop()
    rows = []
    for number, values in records:
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in values):
            continue  # blank lines are not rows
        row = {
            column: unquoted(values[index]) if index < len(values) else None
            for index, column in enumerate(columns)
        }
        if any(value not in (None, "") for index, value in enumerate(values) if index >= len(columns)):
            row[""] = True  # a value under no header: reported by the importer
        rows.append((number, row))
    return Table(columns, rows)


def read_csv(data: bytes) -> Table:
    """UTF-8 with or without BOM (Windows-1252 as Spanish Excel saves it is accepted too); `;`, `,` or tab."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _table(enumerate(reader, start=1))
    except csv.Error as error:
        message = _("This is not a readable CSV file: %(error)s") % {"error": error}
        raise ValidationFailed.on("file", message) from error


def read_xlsx(data: bytes) -> Table:
    """The first sheet of a workbook; the first row is the header."""
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ValidationFailed.on("file", _("This is not a readable XLSX file.")) from error
    try:
        sheet = workbook.worksheets[0]
        return _table(enumerate((list(row) for row in sheet.iter_rows(values_only=True)), start=1))
    finally:
        workbook.close()


def read_table(data: bytes, filename: str) -> Table:
    """A CSV or XLSX file by its name's extension (or by its content when the name says nothing)."""
    name = filename.lower()
    if name.endswith(".xlsx") or (not name.endswith((".csv", ".txt")) and data[:2] == b"PK"):
        return read_xlsx(data)
    if name.endswith((".csv", ".txt")) or "." not in name:
        return read_csv(data)
    raise ValidationFailed.on("file", _("Upload a CSV or XLSX file."))


# Values


class CellError(ValueError):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a barcode or SKU typed as a number in a spreadsheet
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def parse_decimal(value) -> Decimal:
    """12.50, "12,50", "1.234,56", "1,234.56", "21 %", "12,50 €" → Decimal."""
    if isinstance(value, bool):
        raise CellError(_("Enter a number."))
    if isinstance(value, Decimal | int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").removesuffix("%").removesuffix("€")
    if "," in text and "." in text:  # the last one is the decimal separator
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError(_("Enter a number.")) from None
    if not number.is_finite():
        raise CellError(_("Enter a number."))
    return number


def parse_date(value) -> date:
    """A spreadsheet date, 2025-01-31, 31/01/2025 or 31-01-2025."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise CellError(_("Enter a valid date."))


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise CellError(_("Write 1 or 0 (yes or no)."))


def _lookup(records: dict, what: str, key: Callable[[str], str] = str.casefold):
    def parse(value):
        record = records.get(key(_text(value)))
        if record is None:
            raise CellError(_("Unknown %(what)s: “%(value)s”.") % {"what": what, "value": _text(value)})
        return record

    return parse


def _choice(value) -> str:
    return _text(value).lower()


def category_key(name: str) -> str:
    """ "Ferretería/herramienta  manual" finds "Ferretería / Herramienta manual"."""
    return " / ".join(" ".join(part.split()) for part in name.split("/")).casefold()


REQUIRED, CLEAR, DEFAULT = "required", "clear", "default"


@dataclass(frozen=True)
class Column:
    """A file column: the service field it sets, how a cell is read, and what an empty cell means:
    REQUIRED (an error), CLEAR (no value: `cleared`) or DEFAULT (the default when created, kept when updated).
    """

    name: str
    field: str
    parse: Callable
    empty: str
    cleared: object = None


def _cells(columns: tuple[Column, ...], row: dict, *, creating: bool) -> tuple[dict, list[tuple[str, str]]]:
    """A row's service fields and its cell errors as (column, message)."""
    fields, errors = {}, []
    for column in columns:
        value = row.get(column.name)
        empty = value is None or (isinstance(value, str) and not value.strip())
        if empty:
            if column.empty == REQUIRED and (creating or column.name in row):
                errors.append((column.name, _("This field is required.")))
            elif column.empty == CLEAR and column.name in row:
                fields[column.field] = column.cleared
            continue
        try:
            fields[column.field] = column.parse(value)
        except CellError as error:
            errors.append((column.name, str(error)))
    return fields, errors


# Reports


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    """What an import did; `imported` is False when everything was rolled back."""

    what: str
    total: int = 0
    created: int = 0
    updated: int = 0
    failed: int = 0
    valid_only: bool = False
    imported: bool = False
    errors: list[RowError] = field(default_factory=list)

    def add(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, str(message)))

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ImportReport":
        return cls(**{**data, "errors": [RowError(**error) for error in data["errors"]]})


def _check_header(
    table: Table, known: tuple[str, ...], needed: tuple[str, ...], report: ImportReport
) -> bool:
    seen = set()
    for column in table.columns:
        if not column:
            report.add(1, "", _("A column has no name in the header."))
        elif column not in known:
            report.add(
                1, column, _("Unknown column; the columns are: %(columns)s.") % {"columns": ", ".join(known)}
            )
        elif column in seen:
            report.add(1, column, _("This column appears twice."))
        seen.add(column)
    for column in needed:
        if column not in seen:
            report.add(1, column, _("This column is missing."))
    return not report.errors


def _service_errors(report: ImportReport, number: int, error: DomainError, columns: dict[str, str]) -> None:
    items = error.errors or [{"field": "", "message": error.detail}]
    for item in items:
        report.add(number, columns.get(item["field"], item["field"].removesuffix("_id")), item["message"])


def _run(
    report: ImportReport,
    table: Table,
    progress: Progress | None,
    handle_row: Callable[[int, dict], None],
    write: Callable[[], None] | None = None,
) -> ImportReport:
    """Every row through `handle_row`; all kept or nothing on any failure unless only the valid rows were
    asked for. With `write`, rows are only checked (outside any transaction, so no write lock is held
    while reading the file) and `write` then stores the valid ones in one short transaction; without it,
    each row is written as it is read, in its own savepoint, inside one transaction."""
    report.total = len(table.rows)
    step = max(1, report.total // 100)
    if progress:
        progress(0, report.total)
    with transaction.atomic() if write is None else nullcontext():
        for done, (number, row) in enumerate(table.rows, start=1):
            errors_before = len(report.errors)
            if "" in row:
                report.add(number, "", _("This row has a value under no column."))
            else:
                handle_row(number, row)
            if len(report.errors) > errors_before:
                report.failed += 1
            if progress and (done % step == 0 or done == report.total):
                progress(done, report.total)
        report.imported = not report.failed or report.valid_only
        if not report.imported and write is None:
            transaction.set_rollback(True)
    if report.imported and write is not None:
        try:
            write()
        except DomainError as error:  # a record taken meanwhile by someone else: nothing was written
            _service_errors(report, 0, error, {})
            report.imported, report.created, report.updated = False, 0, 0
    return report


# Items


def item_columns(company: Company) -> tuple[Column, ...]:
    units = {unit.code.casefold(): unit for unit in Unit.objects.filter(company=company)}
    categories = {category_key(c.full_name): c for c in Category.objects.filter(company=company)}
    taxes = {tax.code.casefold(): tax for tax in TaxCategory.objects.filter(company=company)}
    tax = _lookup(taxes, str(TaxCategory._meta.verbose_name))
    return (
        Column("sku", "sku", _text, REQUIRED),
        Column("name", "name", _text, REQUIRED),
        Column("description", "description", _text, CLEAR, ""),
        Column("unit", "unit", _lookup(units, str(Unit._meta.verbose_name)), REQUIRED),
        Column("category", "category", _lookup(categories, str(Category._meta.verbose_name), category_key), CLEAR),
        Column("kind", "kind", _choice, DEFAULT),
        Column("sale_tax", "sale_tax", tax, REQUIRED),
        Column("purchase_tax", "purchase_tax", tax, REQUIRED),
        Column("base_price", "base_price", parse_decimal, DEFAULT),
        Column("standard_cost", "standard_cost", parse_decimal, CLEAR),
        Column("valuation_method", "valuation_method", _choice, DEFAULT),
        Column("min_margin", "min_margin", parse_decimal, DEFAULT),
        Column("barcode", "barcode", _text, CLEAR, ""),
        Column("active", "is_active", parse_bool, DEFAULT),
    )  # fmt: skip


def import_items(
    company: Company,
    by: User | None,
    table: Table,
    *,
    valid_only: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Create the items whose SKU is new and update the others; a SKU twice in the file is an error."""
    report = ImportReport(what="items", valid_only=valid_only)
    if not _check_header(table, ITEM_COLUMNS, ("sku",), report):
        return report
    columns = item_columns(company)
    to_column = {column.field: column.name for column in columns}
    existing = {
        sku.casefold(): pk for sku, pk in Item.objects.filter(company=company).values_list("sku", "pk")
    }
    in_file = {_text(row.get("sku")).casefold() for _number, row in table.rows}
    records = _items_by_pk(company, [pk for sku, pk in existing.items() if sku in in_file])
    settings = services.settings_of(company)
    first_row: dict[str, int] = {}
    changes: list[services.ItemChange] = []

    def handle(number: int, row: dict) -> None:
        sku = _text(row.get("sku")).casefold()
        item_id = existing.get(sku)
        fields, errors = _cells(columns, row, creating=item_id is None)
        if sku and sku in first_row:
            errors.append(("sku", _("This SKU is already in row %(row)s.") % {"row": first_row[sku]}))
        first_row.setdefault(sku, number)
        for column, message in errors:
            report.add(number, column, message)
        if errors:
            return
        try:
            change = services.item_checked(
                company=company, by=by, fields=fields, item=records.get(item_id), settings=settings
            )
        except DomainError as error:
            _service_errors(report, number, error, to_column)
        else:
            changes.append(change)
            if item_id is None:
                report.created += 1
            else:
                report.updated += 1

    return _run(
        report, table, progress, handle, lambda: services.items_write(company=company, by=by, changes=changes)
    )


def _items_by_pk(company: Company, ids: list[int], chunk: int = 2000) -> dict[int, Item]:
    """The items to update, a few thousand ids per query (SQLite limits a query's parameters)."""
    items = {}
    for start in range(0, len(ids), chunk):
        for item in Item.objects.filter(company=company, pk__in=ids[start : start + chunk]):
            items[item.pk] = item
    return items


# Price rules


def rule_columns(company: Company) -> tuple[Column, ...]:
    lists = {
        price_list.name.casefold(): price_list for price_list in PriceList.objects.filter(company=company)
    }
    items = {
        item.sku.casefold(): item
        for item in Item.objects.filter(company=company).only("pk", "company", "sku")
    }
    categories = {category_key(c.full_name): c for c in Category.objects.filter(company=company)}
    price_list = _lookup(lists, str(PriceList._meta.verbose_name))
    return (
        Column("price_list", "price_list", price_list, REQUIRED),
        Column("scope", "scope", _choice, REQUIRED),
        Column("item", "item", _lookup(items, str(Item._meta.verbose_name)), CLEAR),
        Column("category", "category", _lookup(categories, str(Category._meta.verbose_name), category_key), CLEAR),
        Column("min_quantity", "min_quantity", parse_decimal, DEFAULT),
        Column("date_from", "date_from", parse_date, CLEAR),
        Column("date_to", "date_to", parse_date, CLEAR),
        Column("method", "method", _choice, REQUIRED),
        Column("value", "value", parse_decimal, REQUIRED),
        Column("base_list", "base_list", price_list, CLEAR),
        Column("rounding", "rounding", parse_decimal, CLEAR),
        Column("margin_floor", "margin_floor", parse_bool, DEFAULT),
    )  # fmt: skip


def _rule_key(price_list_id, scope, item_id, category_id, min_quantity, date_from, date_to) -> tuple:
    """What a rule applies to: a second rule with the same key is the same rule (so a re-import updates)."""
    return (
        price_list_id,
        scope,
        item_id if scope == PriceRule.Scope.ITEM else None,
        category_id if scope == PriceRule.Scope.CATEGORY else None,
        Decimal(min_quantity),
        date_from,
        date_to,
    )


def import_price_rules(
    company: Company,
    by: User | None,
    table: Table,
    *,
    valid_only: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Create price rules; a rule with the same list, scope, item or category, minimum quantity and dates
    as an existing one updates it (its method, value, base list, rounding and margin floor)."""
    report = ImportReport(what="price_rules", valid_only=valid_only)
    if not _check_header(table, RULE_COLUMNS, ("price_list", "scope", "method", "value"), report):
        return report
    columns = rule_columns(company)
    to_column = {column.field: column.name for column in columns}
    existing = {
        _rule_key(*values): pk
        for *values, pk in PriceRule.objects.filter(company=company).values_list(
            "price_list_id", "scope", "item_id", "category_id", "min_quantity", "date_from", "date_to", "pk"
        )
    }
    first_row: dict[tuple, int] = {}

    def handle(number: int, row: dict) -> None:
        fields, errors = _cells(columns, row, creating=True)
        for column, message in errors:
            report.add(number, column, message)
        if errors:
            return
        price_list = fields.pop("price_list")
        item, category = fields.get("item"), fields.get("category")
        key = _rule_key(
            price_list.pk, fields["scope"], item and item.pk, category and category.pk,
            fields.get("min_quantity", 1), fields.get("date_from"), fields.get("date_to"),
        )  # fmt: skip
        if key in first_row:
            report.add(
                number,
                "scope",
                _("Row %(row)s already prices the same items, quantity and dates in this list.")
                % {"row": first_row[key]},
            )
            return
        first_row[key] = number
        rule_id = existing.get(key)
        try:
            with transaction.atomic():
                if rule_id is None:
                    services.price_rule_create(company=company, price_list_id=price_list.pk, by=by, **fields)
                else:
                    services.price_rule_update(company=company, rule_id=rule_id, by=by, **fields)
        except DomainError as error:
            _service_errors(report, number, error, to_column)
        else:
            if rule_id is None:
                report.created += 1
            else:
                report.updated += 1

    return _run(report, table, progress, handle)


IMPORTERS = {"items": import_items, "price_rules": import_price_rules}


# Exports


def _number(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal


def _item_rows(company: Company) -> Iterable[list]:
    items = Item.objects.filter(company=company).select_related(
        "unit", "category", "sale_tax", "purchase_tax"
    )
    for item in items.order_by("sku").iterator(chunk_size=2000):
        yield [
            item.sku, item.name, item.description, item.unit.code,
            item.category.full_name if item.category else "", item.kind, item.sale_tax.code,
            item.purchase_tax.code, _number(item.base_price), _number(item.standard_cost),
            item.valuation_method, _number(item.min_margin), item.barcode, item.is_active,
        ]  # fmt: skip


def _rule_rows(company: Company) -> Iterable[list]:
    rules = PriceRule.objects.filter(company=company).select_related(
        "price_list", "item", "category", "base_list"
    )
    for rule in rules.order_by("price_list__name", "pk").iterator(chunk_size=2000):
        yield [
            rule.price_list.name, rule.scope, rule.item.sku if rule.item else "",
            rule.category.full_name if rule.category else "", _number(rule.min_quantity), rule.date_from,
            rule.date_to, rule.method, _number(rule.value), rule.base_list.name if rule.base_list else "",
            _number(rule.rounding), rule.margin_floor,
        ]  # fmt: skip


def export_items(company: Company, fmt: str) -> bytes:
    """The company's items with exactly the import's columns: the file re-imports unchanged."""
    return table_bytes(ITEM_COLUMNS, _item_rows(company), fmt)


def export_price_rules(company: Company, fmt: str) -> bytes:
    return table_bytes(RULE_COLUMNS, _rule_rows(company), fmt)


EXPORTERS = {"items": export_items, "price_rules": export_price_rules}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

"""Imports and exports of items and price rules: files in, the services' rules kept, all or nothing."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook, load_workbook

from nexo.catalog import services, transfer
from nexo.catalog.models import Item, PriceList, PriceRule

D = Decimal
ITEM_HEADER = "sku;name;unit;category;sale_tax;purchase_tax;base_price;standard_cost;barcode;active"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def tools(company, sales_user, catalog):
    root = services.category_create(company=company, by=sales_user, name="Ferretería")
    return services.category_create(
        company=company, by=sales_user, name="Herramienta manual", parent_id=root.pk
    )


def csv_bytes(*lines: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_of(report) -> set[tuple[int, str]]:
    return {(error.row, error.column) for error in report.errors}


# Reading


def test_csv_with_semicolons_bom_and_decimal_commas_is_read(company, sales_user, tools):
    data = csv_bytes(
        ITEM_HEADER,
        "MART-01;Martillo de carpintero;ud;Ferretería / Herramienta manual;general;general;12,50;7,3;;1",
        "CINTA-5;Cinta métrica 5 m;ud;ferretería/herramienta manual;reducido;general;1.234,56;;8412345678905;sí",
        bom=True,
    )
    table = transfer.read_table(data, "articulos.csv")
    assert table.columns[0] == "sku" and [number for number, _row in table.rows] == [2, 3]

    report = transfer.import_items(company, sales_user, table)

    assert report.errors == [] and report.imported and report.created == 2
    tape, hammer = Item.objects.filter(company=company).order_by("sku")
    assert (tape.sku, tape.base_price, tape.standard_cost, tape.sale_tax.code) == (
        "CINTA-5",
        D("1234.56"),
        None,
        "reducido",
    )
    assert tape.barcode == "8412345678905" and tape.category == tools
    assert (hammer.base_price, hammer.standard_cost, hammer.is_active) == (D("12.50"), D("7.3"), True)
    assert hammer.created_by == sales_user


def test_comma_separated_csv_without_bom(company, sales_user, catalog):
    data = csv_bytes(
        "sku,name,unit,sale_tax,purchase_tax,base_price",
        'TOR-8,"Tornillo 8 mm, caja",caja,general,general,"3,75"',
    )
    report = transfer.import_items(company, sales_user, transfer.read_table(data, "x.csv"))
    assert report.errors == []
    item = Item.objects.get(sku="TOR-8")
    assert (item.name, item.unit.code, item.base_price) == ("Tornillo 8 mm, caja", "caja", D("3.75"))


def test_decimals_in_every_spelling():
    assert [transfer.parse_decimal(v) for v in ("12,50", "12.50", "1.234,56", "1,234.56", " 21 %", 3, 2.5)] == [
        D("12.50"), D("12.50"), D("1234.56"), D("1234.56"), D(21), D(3), D("2.5"),
    ]  # fmt: skip
    with pytest.raises(transfer.CellError):
        transfer.parse_decimal("doce")


def test_an_xlsx_file_is_read_with_typed_cells(company, sales_user, tools):
    data = xlsx_bytes([
        ["SKU", "Name", "Unit", "Category", "Sale_tax", "Purchase_tax", "Base_price", "Barcode", "Active"],
        ["LLAVE-10", "Llave fija 10 mm", "ud", "Ferretería / Herramienta manual", "general", "general", 4.95, 8412345678905, True],
        [None, None, None, None, None, None, None, None, None],
        ["CABLE", "Cable 2,5 mm²", "m", None, "general", "general", D("0.85"), None, 0],
    ])  # fmt: skip
    table = transfer.read_table(data, "Articulos.XLSX")
    assert [number for number, _row in table.rows] == [2, 4]  # the blank row 3 is skipped, numbers kept

    report = transfer.import_items(company, sales_user, table)

    assert report.errors == [] and report.created == 2
    key = Item.objects.get(sku="LLAVE-10")
    assert (key.base_price, key.barcode, key.category) == (D("4.95"), "8412345678905", tools)
    assert Item.objects.get(sku="CABLE").is_active is False


# Errors: every bad row reported, nothing imported


BAD_FILE = (
    ITEM_HEADER,
    "OK-1;Bueno;ud;;general;general;10;;;1",
    "BAD-UNIT;Unidad rara;docena;;general;general;10;;;1",
    "BAD-PRICE;Precio negativo;ud;;general;general;-5;;;1",
    "OK-1;Repetido;ud;;general;general;10;;;1",
    "BAD-EAN;Código malo;ud;;general;general;10;;8412345678900;1",
    "BAD-CAT;Categoría rara;ud;No existe;general;general;10;;;1",
    "BAD-NUM;Número malo;ud;;general;general;diez;;;quizá",
    "OK-2;Bueno también;kg;;reducido;reducido;2,5;1;;0",
)


def test_each_bad_row_is_reported_with_its_column_and_nothing_is_imported(company, sales_user, catalog):
    report = transfer.import_items(company, sales_user, transfer.read_table(csv_bytes(*BAD_FILE), "a.csv"))

    assert errors_of(report) == {
        (3, "unit"), (4, "base_price"), (5, "sku"), (6, "barcode"), (7, "category"), (8, "base_price"), (8, "active"),
    }  # fmt: skip
    messages = {(error.row, error.column): error.message for error in report.errors}
    assert "docena" in messages[3, "unit"]
    assert "row 2" in messages[5, "sku"]
    assert "EAN" in messages[6, "barcode"]
    assert report.failed == 6 and report.total == 8
    assert not report.imported
    assert not Item.objects.filter(company=company).exists()


def test_with_valid_only_the_good_rows_are_imported(company, sales_user, catalog):
    report = transfer.import_items(
        company, sales_user, transfer.read_table(csv_bytes(*BAD_FILE), "a.csv"), valid_only=True
    )
    assert report.imported and report.created == 2 and report.failed == 6
    assert set(Item.objects.filter(company=company).values_list("sku", flat=True)) == {"OK-1", "OK-2"}
    assert Item.objects.get(sku="OK-1").name == "Bueno"  # the duplicate row did not overwrite it


def test_a_wrong_header_stops_before_any_row(company, sales_user, catalog):
    report = transfer.import_items(
        company, sales_user, transfer.read_table(csv_bytes("sku;nmae", "A;B"), "a.csv")
    )
    assert errors_of(report) == {(1, "nmae")} and not report.imported and report.total == 0


def test_required_values_are_asked_for_a_new_item_only(company, sales_user, make_item):
    make_item("EXISTE", base_price="10")
    data = csv_bytes("sku;base_price", "EXISTE;12,40", "NUEVO;3")
    report = transfer.import_items(company, sales_user, transfer.read_table(data, "p.csv"), valid_only=True)
    assert errors_of(report) == {(3, "name"), (3, "unit"), (3, "sale_tax"), (3, "purchase_tax")}
    assert report.updated == 1 and Item.objects.get(sku="EXISTE").base_price == D("12.40")


def test_an_unreadable_file_is_a_file_error():
    with pytest.raises(transfer.ValidationFailed) as failure:
        transfer.read_table(b"PK\x03\x04 not really a zip", "a.xlsx")
    assert failure.value.errors[0]["field"] == "file"


# Export, and back


def test_export_then_import_gives_the_same_items(company, sales_user, tools, make_item):
    make_item(
        "A-1",
        base_price="12.345678",
        description="Línea 1; con «comillas»\nlínea 2",
        barcode="8412345678905",
        category_id=tools.pk,
        standard_cost=D("7.5"),
        min_margin=D("22.5"),
        valuation_method="fifo",
    )
    make_item("B-2", base_price="0", is_active=False, kind="service")  # fmt: skip
    fields = ["sku", "name", "description", "unit_id", "category_id", "kind", "sale_tax_id", "purchase_tax_id",
              "base_price", "standard_cost", "valuation_method", "min_margin", "barcode", "is_active"]  # fmt: skip
    before = list(Item.objects.filter(company=company).order_by("sku").values_list(*fields))

    for fmt in ("csv", "xlsx"):
        data = transfer.export_items(company, fmt)
        table = transfer.read_table(data, f"items.{fmt}")
        assert table.columns == list(transfer.ITEM_COLUMNS)
        report = transfer.import_items(company, sales_user, table)
        assert report.errors == [] and report.updated == 2 and report.created == 0
        assert list(Item.objects.filter(company=company).order_by("sku").values_list(*fields)) == before

    Item.objects.filter(company=company).delete()
    report = transfer.import_items(company, sales_user, transfer.read_table(data, "items.xlsx"))
    assert report.created == 2
    assert list(Item.objects.filter(company=company).order_by("sku").values_list(*fields)) == before


def test_export_csv_is_spanish_excel_friendly(company, make_item):
    make_item("A-1", base_price="12.5")
    data = transfer.export_items(company, "csv")
    assert data.startswith("\ufeffsku;name;".encode())
    assert ";12,5;" in data.decode("utf-8")
    sheet = load_workbook(io.BytesIO(transfer.export_items(company, "xlsx"))).active
    assert [cell.value for cell in sheet[1]] == list(transfer.ITEM_COLUMNS)


# Price rules


RULE_HEADER = "price_list;scope;item;category;min_quantity;date_from;date_to;method;value;base_list;rounding;margin_floor"


def test_price_rules_import_reports_an_unknown_list_and_a_discount_over_100(
    company, sales_user, tools, make_item
):
    make_item("MART-01")
    data = csv_bytes(
        RULE_HEADER,
        "PVP;item;MART-01;;1;;;fixed;9,95;;;0",
        "Mayoristas;all;;;1;;;discount_base;10;;;0",
        "PVP;category;;Ferretería / Herramienta manual;10;01/01/2025;31/12/2025;discount_base;120;;0,05;1",
        "PVP;item;NO-SKU;;1;;;fixed;1;;;0",
    )
    report = transfer.import_price_rules(company, sales_user, transfer.read_table(data, "r.csv"))

    assert errors_of(report) == {(3, "price_list"), (4, "value"), (5, "item")}
    assert "Mayoristas" in next(e.message for e in report.errors if e.row == 3)
    assert "100" in next(e.message for e in report.errors if e.row == 4)
    assert not PriceRule.objects.filter(company=company).exists()

    report = transfer.import_price_rules(
        company, sales_user, transfer.read_table(data, "r.csv"), valid_only=True
    )
    rule = PriceRule.objects.get(company=company)
    assert report.created == 1 and (rule.scope, rule.item.sku, rule.value) == ("item", "MART-01", D("9.95"))


def test_price_rules_export_reimports_as_the_same_rules(company, sales_user, tools, make_item):
    item = make_item("MART-01")
    pvp = PriceList.objects.get(company=company, name="PVP")
    wholesale = services.price_list_create(company=company, by=sales_user, name="Mayoristas")
    services.price_rule_create(company=company, price_list_id=pvp.pk, by=sales_user, scope="item",
                               item_id=item.pk, method="fixed", value=D("9.95"))  # fmt: skip
    services.price_rule_create(
        company=company, price_list_id=wholesale.pk, by=sales_user, scope="category", category_id=tools.pk,
        min_quantity=D(10), date_from=date(2025, 1, 1), date_to=date(2025, 12, 31), method="discount_list",
        value=D("12.5"), base_list_id=pvp.pk, rounding=D("0.05"), margin_floor=True,
    )  # fmt: skip
    fields = ["price_list_id", "scope", "item_id", "category_id", "min_quantity", "date_from", "date_to", "method",
              "value", "base_list_id", "rounding", "margin_floor"]  # fmt: skip
    before = list(PriceRule.objects.filter(company=company).order_by("pk").values_list(*fields))

    for fmt in ("csv", "xlsx"):
        table = transfer.read_table(transfer.export_price_rules(company, fmt), f"rules.{fmt}")
        report = transfer.import_price_rules(company, sales_user, table)
        assert report.errors == [] and (report.created, report.updated) == (0, 2)
        assert list(PriceRule.objects.filter(company=company).order_by("pk").values_list(*fields)) == before


def test_the_same_rule_twice_in_a_file_is_an_error(company, sales_user, catalog):
    data = csv_bytes("price_list;scope;method;value", "PVP;all;discount_base;5", "pvp;all;discount_base;7")
    report = transfer.import_price_rules(company, sales_user, transfer.read_table(data, "r.csv"))
    assert errors_of(report) == {(3, "scope")} and not PriceRule.objects.exists()


# Queries: names resolved up front, a constant number per row


def _item_file(count: int) -> transfer.Table:
    lines = [
        f"Q-{n:05};Artículo {n};ud;Ferretería / Herramienta manual;general;reducido;{n},5"
        for n in range(count)
    ]
    return transfer.read_table(
        csv_bytes("sku;name;unit;category;sale_tax;purchase_tax;base_price", *lines), "q.csv"
    )


def test_the_queries_per_row_are_constant(company, sales_user, tools):
    def queries(count: int, prefix: str) -> int:
        table = _item_file(count)
        for _number, row in table.rows:
            row["sku"] = prefix + row["sku"]
        with CaptureQueriesContext(connection) as captured:
            report = transfer.import_items(company, sales_user, table)
        assert report.created == count
        return len(captured)

    queries(1, "W")  # the process's caches (content types, the user's permissions) filled first
    five, fifty = queries(5, "A"), queries(50, "B")
    per_row = (fifty - five) / 45
    assert per_row == int(per_row)  # exactly the same queries for each row
    assert five - 5 * per_row <= 8  # the lookups up front: a handful, not one per row
    # 0 today: five lookups (units, categories, taxes, SKUs, settings), then one insert of the items, one
    # read of their ids and one insert of their audit entries, each a statement run for every row.
    assert per_row <= 15


# The command


def test_the_command_prints_the_errors_and_fails_when_nothing_is_imported(
    company, sales_user, catalog, tmp_path
):
    path = tmp_path / "articulos.csv"
    path.write_bytes(csv_bytes(*BAD_FILE))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import", "items", str(path), "--user", "ventas", stdout=out, stderr=err)
    assert failure.value.returncode == 1
    printed = out.getvalue()
    assert "8 rows: 2 created, 0 updated, 6 with errors." in printed
    assert "3\tunit\t" in printed and "6\tbarcode\t" in printed
    assert "100% 8/8" in err.getvalue() and "[" in err.getvalue()
    assert not Item.objects.exists()

    call_command(
        "import", "items", str(path), "--valid-only", "--company", company.tax_id, stdout=out, stderr=err
    )
    assert Item.objects.count() == 2


def test_the_commands_export_and_import_rules(company, sales_user, catalog, tmp_path):
    path = tmp_path / "rules.xlsx"
    path.write_bytes(
        xlsx_bytes([["price_list", "scope", "method", "value"], ["PVP", "all", "discount_base", 5]])
    )
    call_command("import", "price-rules", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert PriceRule.objects.get().value == 5

    output = tmp_path / "out.xlsx"
    call_command("export", "price-rules", "--format", "xlsx", "--output", str(output))
    table = transfer.read_table(output.read_bytes(), output.name)
    assert [(row["price_list"], row["scope"], row["value"]) for _n, row in table.rows] == [("PVP", "all", 5)]
    out = io.StringIO()
    call_command("export", "items", stdout=out)
    assert out.getvalue().startswith("\ufeffsku;name;")


def test_the_progress_bar():
    import importlib

    command = importlib.import_module("nexo.catalog.management.commands.import")
    assert command.progress_bar(5000, 10000, width=10) == "[#####-----]  50% 5000/10000"


# Pages


@pytest.fixture
def manager_client(client, make_user, company):
    client.force_login(make_user("gerente2", "manager"))
    return client


def _upload(client, data: bytes, name: str, what: str = "items", valid_only: bool = False):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = {"what": what, "file": SimpleUploadedFile(name, data)}
    if valid_only:
        form["valid_only"] = "on"
    return client.post("/catalog/import/", form)


def test_the_page_imports_a_small_file_and_shows_the_report(manager_client, company, catalog):
    response = _upload(manager_client, csv_bytes(*BAD_FILE), "a.csv")
    assert response.status_code == 422
    content = response.content.decode()
    assert 'data-row="3" data-column="unit"' in content and 'id="import-nothing"' in content
    assert not Item.objects.exists()

    response = _upload(manager_client, csv_bytes(*BAD_FILE), "a.csv", valid_only=True)
    assert response.status_code == 200 and Item.objects.count() == 2


def test_the_page_refuses_a_user_without_permission(sales_client, catalog):
    assert sales_client.get("/catalog/import/").status_code == 200  # sales may export, not import
    response = _upload(sales_client, csv_bytes(*BAD_FILE), "a.csv")
    assert response.status_code == 422 and not Item.objects.exists()
    assert 'id="import-form"' not in response.content.decode()


def test_the_export_views(manager_client, company, make_item):
    make_item("A-1")
    response = manager_client.get("/catalog/export/items.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="items-')
    response = manager_client.get("/catalog/export/price-rules.xlsx")
    assert response["Content-Type"] == transfer.CONTENT_TYPES["xlsx"]
    assert manager_client.get("/catalog/export/items.pdf").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_large_file_runs_in_the_background_with_progress(
    manager_client, company, tools, monkeypatch, settings, tmp_path
):
    from nexo.catalog.views import transfer as views

    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(views, "SYNC_ROWS", 10)
    # The thread starts once the upload's response is done: the in-memory SQLite of the tests locks whole
    # tables, so the request's own session write must not race the import.
    started = []
    monkeypatch.setattr(views.transaction, "on_commit", started.append)
    lines = [f"G-{n:03};Artículo {n};ud;;general;general;{n}" for n in range(30)]
    data = csv_bytes("sku;name;unit;category;sale_tax;purchase_tax;base_price", *lines)
    response = _upload(manager_client, data, "g.csv")
    content = response.content.decode()
    assert response.status_code == 200 and 'id="import-progress"' in content and 'max="30"' in content
    progress_url = content.split('hx-get="', 1)[1].split('"', 1)[0]

    assert 'hx-trigger="every 1s"' in manager_client.get(progress_url).content.decode()
    (start,) = started
    start()
    start.__self__.join(timeout=30)
    content = manager_client.get(progress_url).content.decode()
    assert 'id="import-done"' in content and "hx-trigger" not in content
    assert Item.objects.filter(company=company).count() == 30
    assert not list((tmp_path / "imports").iterdir())
    assert manager_client.get(progress_url.replace(progress_url.split("/")[-2], "0" * 32)).status_code == 404


# Exports are safe to open and never fail on stored text


def test_stored_control_characters_do_not_break_the_exports(company, sales_user, tools, make_item):
    item = make_item("CTRL-1")
    Item.objects.filter(pk=item.pk).update(name="Bad\u0003name\u001f", description="a\tb\nc")
    workbook = load_workbook(io.BytesIO(transfer.export_items(company, "xlsx")), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[1][1:3] == ("Badname", "a\tb\nc")
    text = transfer.export_items(company, "csv").decode("utf-8-sig")
    assert "Badname" in text and "\u0003" not in text
    report = transfer.import_items(company, sales_user, transfer.read_table(text.encode(), "items.csv"))
    assert report.imported and report.updated == 1
    assert Item.objects.get(pk=item.pk).name == "Badname"


FORMULAS = ['=HYPERLINK("http://evil.example","pulse")', "+34 600", "-50 % oferta", "@SUM(A1)"]


def test_formula_like_text_is_quoted_in_both_formats_and_numbers_stay_numbers(company, make_item):
    for number, text in enumerate(FORMULAS):
        make_item(f"F-{number}", name=text, description=text)
    Item.objects.filter(sku="F-0").update(standard_cost=D("-2.5"))  # a number starting with "-"
    sheet = load_workbook(io.BytesIO(transfer.export_items(company, "xlsx"))).worksheets[0]
    names = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    for number, text in enumerate(FORMULAS):
        cell = names[f"F-{number}"]
        assert cell.data_type == "s" and cell.value == "'" + text
    costs = {row[0].value: row[9].value for row in sheet.iter_rows(min_row=2)}
    assert costs["F-0"] == -2.5
    text = transfer.export_items(company, "csv").decode("utf-8-sig")
    rows = {row[0]: row for row in csv.reader(io.StringIO(text, newline=""), delimiter=";")}
    for number, text in enumerate(FORMULAS):
        assert rows[f"F-{number}"][1:3] == ["'" + text] * 2
    assert rows["F-0"][9] == "-2,5"


def test_quoted_formulas_import_back_unchanged(company, sales_user, make_item):
    for number, text in enumerate(FORMULAS):
        make_item(f"F-{number}", name=text, description=f"{text}\nsegunda línea")
    make_item("Q-1", name="'quoted on purpose")  # a quote before anything else is kept
    fields = ["sku", "name", "description"]
    before = list(Item.objects.filter(company=company).order_by("sku").values_list(*fields))
    for fmt in ("csv", "xlsx"):
        table = transfer.read_table(transfer.export_items(company, fmt), f"items.{fmt}")
        report = transfer.import_items(company, sales_user, table)
        assert report.errors == [] and report.updated == len(before)
        assert list(Item.objects.filter(company=company).order_by("sku").values_list(*fields)) == before


def _verb(sql: str) -> str:
    """INSERT, UPDATE, SELECT…; Django logs a statement run for many rows as "30 times: INSERT …"."""
    return sql.split(" times: ", 1)[-1].split()[0]


def test_items_are_all_checked_before_the_first_write(company, sales_user, tools, make_item):
    make_item("A-0")
    table = _item_file(30)
    table.rows.append((99, {"sku": "A-0", "name": "Renamed", "unit": "ud", "sale_tax": "general",
                            "purchase_tax": "general", "base_price": "3"}))  # fmt: skip
    writes_seen_by_progress = []

    with CaptureQueriesContext(connection) as captured:

        def progress(done: int, total: int) -> None:
            writes = [
                q for q in captured.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "SAVEPOINT"))
            ]
            writes_seen_by_progress.append(len(writes))

        report = transfer.import_items(company, sales_user, table, progress=progress)
    assert report.imported and (report.created, report.updated) == (30, 1)
    assert writes_seen_by_progress[-1] == 0  # every row read and checked, nothing written yet
    statements = [_verb(q["sql"]) for q in captured.captured_queries]
    # One statement each, run for many rows: the items inserted, the item updated, the audit entries.
    assert statements.count("INSERT") == 2 and statements.count("UPDATE") == 1
    assert Item.objects.get(sku="A-0").name == "Renamed"

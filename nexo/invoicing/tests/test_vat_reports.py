"""The VAT summary (modelo 303 figures) and the VAT books of the first quarter of 2026, every figure computed
by hand here.

The quarter (`vat_quarter`), Suministros Prueba, S.L.:
- F-2026-000001, 10 Jan, Reformas Turia: 1,000.00 at 21 % (210.00) and 200.00 at 10 % (20.00), and an IRPF
  row (not VAT) → total 1,430.00.
- F-2026-000002, 20 Feb (operation 15 Feb), Ferretería Turia in recargo: 100.00 at 21 % + 5.2 % (21.00 +
  5.20) and 50.00 at 4 % + 0.5 % (2.00 + 0.25) → total 178.45.
- F-2026-000003, 5 Mar, Baumarkt Köln GmbH: an exempt intra-EU delivery of 500.00.
- F-2026-000004, 10 Mar, an American customer named like a spreadsheet formula: an exempt export of 300.00.
- R-2026-000001, 25 Mar, credit note of F-2026-000001: -100.00 at 21 % (-21.00) → -121.00.
- Left out: a draft of 999.00, an invoice of 2 April, another company's posted invoice.
- Supplier invoices: FR-2026-000001, 15 Jan, Ferretería Mayorista (A-101): 400.00 at 21 % (84.00) and 100.00
  at 10 % (10.00); FR-2026-000002, 28 Feb, received 3 Mar, Tornillos del Sur (TS-77): 250.00 at 21 % (52.50);
  a draft left out.

So: box 07 = 1,100.00, 09 = 231.00; 04 = 200.00, 06 = 20.00; 01 = 50.00, 03 = 2.00; 14 = -100.00,
15 = -21.00; 22 = 100.00, 24 = 5.20; 168 = 50.00, 170 = 0.25; 27 = 2.00 + 20.00 + 231.00 - 21.00 + 5.20 +
0.25 = 237.45; 28 = 750.00, 29 = 45 = 146.50; 46 = 71 = 90.95; 59 = 500.00; 60 = 300.00.
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.utils import timezone

from nexo.core.errors import ValidationFailed
from nexo.invoicing import rules
from nexo.invoicing.models import Invoice, InvoiceTax, SupplierInvoice, SupplierInvoiceTax
from nexo.invoicing.services import vat_reports
from nexo.parties.models import Party

Q1 = (date(2026, 1, 1), date(2026, 3, 31))


@pytest.fixture(autouse=True)
def _english(english):
    """Labels are asserted in English; the pages' test reads them in Spanish too."""


FORMULA_NAME = '=HYPERLINK("https://evil.example","Pay")'


def customer_invoice(company, party, day, taxes, *, number=None, kind="invoice", **fields):
    """An invoice as posting leaves it (`number` = (series, sequence); None leaves a draft), with its tax rows
    as (kind, treatment, rate, recargo rate, base, amount, recargo)."""
    rows = [
        InvoiceTax(
            kind=row[0], treatment=row[1], rate=D(row[2]), recargo_rate=D(row[3]), base=D(row[4]),
            amount=D(row[5]), recargo=D(row[6]),
        )
        for row in taxes
    ]  # fmt: skip
    vat_rows = [row for row in rows if row.kind == "vat"]
    base = sum((row.base for row in vat_rows), D(0))
    vat = sum((row.amount for row in vat_rows), D(0))
    recargo = sum((row.recargo for row in vat_rows), D(0))
    withholding = sum((row.amount for row in rows if row.kind == "irpf"), D(0))
    posted = {}
    if number is not None:
        series, sequence = number
        posted = {
            "state": rules.POSTED, "series": series, "year": day.year, "sequence": sequence,
            "number": rules.invoice_number(series, day.year, sequence), "posted_at": timezone.now(),
        }  # fmt: skip
    invoice = Invoice.objects.create(
        company=company, party=party, date=day, currency="EUR", kind=kind, party_name=party.name,
        party_tax_id=party.tax_id, party_country=party.country, base=base, vat=vat, recargo=recargo,
        withholding=withholding, total=base + vat + recargo, amount_due=base + vat + recargo - withholding,
        **fields,
    )  # fmt: skip
    for row in rows:
        row.invoice = invoice
    InvoiceTax.objects.bulk_create(rows)  # before posting: a posted invoice's taxes never change
    if posted:
        Invoice.objects.filter(pk=invoice.pk).update(**posted)
        invoice.refresh_from_db()
    return invoice


def supplier_invoice(company, party, day, supplier_number, taxes, *, sequence=None, **fields):
    """A supplier invoice; `sequence` posts it as FR-<year>-<sequence>. Taxes: (rate, base, amount)."""
    rows = [SupplierInvoiceTax(rate=D(rate), base=D(base), amount=D(amount)) for rate, base, amount in taxes]
    base = sum((row.base for row in rows), D(0))
    vat = sum((row.amount for row in rows), D(0))
    posted = {}
    if sequence is not None:
        posted = {
            "state": rules.POSTED, "series": "FR", "sequence": sequence,
            "number": rules.invoice_number("FR", day.year, sequence), "posted_at": timezone.now(),
        }  # fmt: skip
    invoice = SupplierInvoice.objects.create(
        company=company, party=party, supplier_number=supplier_number, date=day, year=day.year,
        base=base, vat=vat, total=base + vat, amount_due=base + vat, **{"currency": "EUR", **fields},
    )  # fmt: skip
    for row in rows:
        row.invoice = invoice
    SupplierInvoiceTax.objects.bulk_create(rows)
    if posted:
        SupplierInvoice.objects.filter(pk=invoice.pk).update(**posted)
        invoice.refresh_from_db()
    return invoice


def party(company, name, tax_id, country="ES", **fields):
    return Party.objects.create(
        company=company, name=name, tax_id=tax_id, country=country, status=Party.Status.CUSTOMER, **fields
    )


@pytest.fixture
def vat_quarter(company, other_company):
    return build_quarter(company, other_company)


def build_quarter(company, other_company) -> dict:
    """The first quarter of 2026 of the module docstring; returns its documents by name."""
    builder = party(company, "Reformas Turia, S.L.", "B46000014")
    retailer = party(company, "Ferretería Turia, S.L.", "B12345674", subject_to_recargo=True)
    german = party(company, "Baumarkt Köln GmbH", "DE123456789", country="DE", eu_vat_valid=True)
    american = party(company, FORMULA_NAME, "98-7654321", country="US")
    made = {
        "builder_invoice": customer_invoice(
            company, builder, date(2026, 1, 10), number=("F", 1), taxes=[
                ("vat", "domestic", "21", "0", "1000.00", "210.00", "0"),
                ("vat", "domestic", "10", "0", "200.00", "20.00", "0"),
                ("irpf", "", "15", "0", "200.00", "30.00", "0"),
            ],
        ),
        "retail_invoice": customer_invoice(
            company, retailer, date(2026, 2, 20), number=("F", 2), operation_date=date(2026, 2, 15), taxes=[
                ("vat", "domestic", "21", "5.2", "100.00", "21.00", "5.20"),
                ("vat", "domestic", "4", "0.5", "50.00", "2.00", "0.25"),
            ],
        ),
        "intra_eu_invoice": customer_invoice(
            company, german, date(2026, 3, 5), number=("F", 3), treatment="intra_eu_goods",
            taxes=[("vat", "intra_eu_goods", "0", "0", "500.00", "0", "0")],
        ),
        "export_invoice": customer_invoice(
            company, american, date(2026, 3, 10), number=("F", 4), treatment="export_goods",
            taxes=[("vat", "export_goods", "0", "0", "300.00", "0", "0")],
        ),
        "draft": customer_invoice(
            company, builder, date(2026, 3, 15), taxes=[("vat", "domestic", "21", "0", "999.00", "209.79", "0")]
        ),
        "april_invoice": customer_invoice(
            company, builder, date(2026, 4, 2), number=("F", 5),
            taxes=[("vat", "domestic", "21", "0", "400.00", "84.00", "0")],
        ),
    }  # fmt: skip
    made["credit_note"] = customer_invoice(
        company, builder, date(2026, 3, 25), number=("R", 1), kind="credit_note", invoice_type=rules.R4,
        corrects=made["builder_invoice"], reason="Devolución",
        taxes=[("vat", "domestic", "21", "0", "-100.00", "-21.00", "0")],
    )  # fmt: skip
    stranger = party(other_company, "Cliente de otra empresa, S.L.", "B99999999")
    made["other_company_invoice"] = customer_invoice(
        other_company, stranger, date(2026, 2, 1), number=("F", 1),
        taxes=[("vat", "domestic", "21", "0", "777.00", "163.17", "0")],
    )  # fmt: skip
    wholesaler = party(company, "Ferretería Mayorista, S.A.", "A46111116", is_supplier=True)
    screws = party(company, "Tornillos del Sur, S.L.", "B41222223", is_supplier=True)
    made["wholesale_bill"] = supplier_invoice(
        company, wholesaler, date(2026, 1, 15), "A-101", [("21", "400.00", "84.00"), ("10", "100.00", "10.00")],
        sequence=1,
    )  # fmt: skip
    made["screws_bill"] = supplier_invoice(
        company, screws, date(2026, 2, 28), "TS-77", [("21", "250.00", "52.50")], sequence=2,
        received_date=date(2026, 3, 3),
    )  # fmt: skip
    made["draft_bill"] = supplier_invoice(
        company, screws, date(2026, 3, 20), "TS-80", [("21", "80.00", "16.80")]
    )
    made["other_company_bill"] = supplier_invoice(
        other_company, party(other_company, "Proveedor ajeno, S.L.", "B88888888", is_supplier=True),
        date(2026, 2, 2), "X-1", [("21", "1000.00", "210.00")], sequence=1,
    )  # fmt: skip
    return made


# The period


def test_the_period_defaults_to_the_current_quarter():
    assert vat_reports.vat_period(None, None, today=date(2026, 5, 17)) == (
        date(2026, 4, 1),
        date(2026, 6, 30),
    )
    assert vat_reports.vat_period(None, None, today=date(2026, 12, 31)) == (
        date(2026, 10, 1),
        date(2026, 12, 31),
    )


def test_one_date_alone_is_completed_with_its_quarter():
    assert vat_reports.vat_period(date(2026, 2, 1), None) == (date(2026, 2, 1), date(2026, 3, 31))
    assert vat_reports.vat_period(None, date(2026, 8, 31)) == (date(2026, 7, 1), date(2026, 8, 31))


@pytest.mark.parametrize(
    ("date_from", "date_to", "field"),
    [
        (date(2026, 3, 31), date(2026, 1, 1), "to"),
        (date(2025, 1, 1), date(2026, 3, 31), "to"),
        (date(1899, 12, 1), date(1899, 12, 31), "from"),
    ],
)
def test_a_wrong_period_is_refused_on_its_field(date_from, date_to, field, english):
    with pytest.raises(ValidationFailed) as refused:
        vat_reports.vat_period(date_from, date_to)
    assert refused.value.field_messages() and field in refused.value.field_messages()


# The summary


def test_the_quarter_summary_gives_the_303_boxes(company, vat_quarter, django_assert_num_queries):
    with django_assert_num_queries(2):
        summary = vat_reports.vat_summary(company=company, date_from=Q1[0], date_to=Q1[1])
    assert summary.boxes == {
        "01": D("50.00"), "02": D("4.00"), "03": D("2.00"),
        "04": D("200.00"), "05": D("10.00"), "06": D("20.00"),
        "07": D("1100.00"), "08": D("21.00"), "09": D("231.00"),
        "14": D("-100.00"), "15": D("-21.00"),
        "22": D("100.00"), "23": D("5.20"), "24": D("5.20"),
        "168": D("50.00"), "169": D("0.50"), "170": D("0.25"),
        "27": D("237.45"), "28": D("750.00"), "29": D("146.50"), "45": D("146.50"), "46": D("90.95"),
        "59": D("500.00"), "60": D("300.00"), "120": D("0.00"),
        "64": D("90.95"), "65": D("100.00"), "66": D("90.95"), "78": D("0.00"), "69": D("90.95"), "71": D("90.95"),
    }  # fmt: skip
    assert list(summary.boxes)[:3] == ["01", "02", "03"]
    assert summary.result_kind == "to_pay"


def test_the_summary_nets_credit_notes_by_rate(company, vat_quarter):
    summary = vat_reports.vat_summary(company=company, date_from=Q1[0], date_to=Q1[1])
    assert [(line.rate, line.base, line.quota) for line in summary.output] == [
        (D("21.00"), D("1000.00"), D("210.00")),
        (D("10.00"), D("200.00"), D("20.00")),
        (D("4.00"), D("50.00"), D("2.00")),
    ]
    assert [(line.rate, line.base, line.quota) for line in summary.recargo] == [
        (D("5.20"), D("100.00"), D("5.20")),
        (D("0.50"), D("50.00"), D("0.25")),
    ]
    assert [(line.rate, line.base, line.quota) for line in summary.deductible] == [
        (D("21.00"), D("650.00"), D("136.50")),
        (D("10.00"), D("100.00"), D("10.00")),
    ]
    assert summary.output_vat + summary.output_recargo == summary.boxes["27"]
    assert [(line.boxes, line.base, line.quota) for line in summary.lines_303] == [
        (("01", "02", "03"), D("50.00"), D("2.00")),
        (("04", "05", "06"), D("200.00"), D("20.00")),
        (("07", "08", "09"), D("1100.00"), D("231.00")),
        (("14", "", "15"), D("-100.00"), D("-21.00")),
        (("22", "23", "24"), D("100.00"), D("5.20")),
        (("168", "169", "170"), D("50.00"), D("0.25")),
    ]
    assert [(line.label, line.base) for line in summary.exempt] == [
        ("Exempt exports (art. 21)", D("300.00")),
        ("Exempt intra-EU deliveries of goods (art. 25)", D("500.00")),
    ]


def test_a_month_holds_only_its_invoices(company, vat_quarter):
    summary = vat_reports.vat_summary(company=company, date_from=date(2026, 2, 1), date_to=date(2026, 2, 28))
    assert summary.boxes["07"] == D("100.00") and summary.boxes["09"] == D("21.00")
    assert summary.boxes["27"] == D("28.45")  # 21.00 + 2.00 + 5.20 + 0.25
    assert summary.boxes["29"] == D("52.50")
    assert summary.boxes["71"] == D("-24.05")
    assert summary.result_kind == "to_compensate"
    assert "04" not in summary.boxes and summary.boxes["59"] == D("0.00")


def test_another_company_sees_only_its_own(other_company, vat_quarter):
    summary = vat_reports.vat_summary(company=other_company, date_from=Q1[0], date_to=Q1[1])
    assert summary.boxes["07"] == D("777.00") and summary.boxes["09"] == D("163.17")
    assert summary.boxes["29"] == D("210.00")
    assert summary.boxes["71"] == D("-46.83")


def test_an_empty_period_is_all_zero(company, vat_quarter):
    summary = vat_reports.vat_summary(company=company, date_from=date(2025, 1, 1), date_to=date(2025, 3, 31))
    assert summary.output == [] and summary.deductible == []
    assert summary.boxes["27"] == summary.boxes["45"] == summary.boxes["71"] == D("0.00")
    assert summary.result_kind == "nil"


def test_a_supplier_invoice_in_another_currency_is_converted_at_its_rate(company, vat_quarter):
    supplier = party(company, "Tools Inc.", "US-1", country="US", is_supplier=True)
    supplier_invoice(
        company, supplier, date(2026, 3, 30), "T-9", [("21", "100.00", "21.00")], sequence=3, currency="USD",
        exchange_rate=D("0.90000000"),
    )  # fmt: skip
    summary = vat_reports.vat_summary(company=company, date_from=Q1[0], date_to=Q1[1])
    assert summary.boxes["28"] == D("840.00")  # 750.00 + 90.00
    assert summary.boxes["29"] == D("165.40")  # 146.50 + 18.90
    rows = [vat_reports.received_row(row) for row in vat_reports.received_book(company, *Q1)]
    assert (rows[-1]["base"], rows[-1]["amount"], rows[-1]["total"]) == (D("90.00"), D("18.90"), D("108.90"))
    assert vat_reports.received_totals(company, *Q1).quota == D("165.40")


# The books


def test_the_issued_book_has_a_row_per_invoice_and_rate(company, vat_quarter):
    rows = [vat_reports.issued_row(row) for row in vat_reports.issued_book(company, *Q1)]
    assert [
        (row["number"], row["date"], row["operation_date"], row["party_name"], row["party_tax_id"], row["base"],
         row["rate"], row["amount"], row["recargo_rate"], row["recargo"], row["total"])
        for row in rows
    ] == [
        ("F-2026-000001", date(2026, 1, 10), None, "Reformas Turia, S.L.", "B46000014", D("1000.00"), D("21.00"),
         D("210.00"), D("0.00"), D("0.00"), D("1210.00")),
        ("F-2026-000001", date(2026, 1, 10), None, "Reformas Turia, S.L.", "B46000014", D("200.00"), D("10.00"),
         D("20.00"), D("0.00"), D("0.00"), D("220.00")),
        ("F-2026-000002", date(2026, 2, 20), date(2026, 2, 15), "Ferretería Turia, S.L.", "B12345674",
         D("100.00"), D("21.00"), D("21.00"), D("5.20"), D("5.20"), D("126.20")),
        ("F-2026-000002", date(2026, 2, 20), date(2026, 2, 15), "Ferretería Turia, S.L.", "B12345674",
         D("50.00"), D("4.00"), D("2.00"), D("0.50"), D("0.25"), D("52.25")),
        ("F-2026-000003", date(2026, 3, 5), None, "Baumarkt Köln GmbH", "DE123456789", D("500.00"), D("0.00"),
         D("0.00"), D("0.00"), D("0.00"), D("500.00")),
        ("F-2026-000004", date(2026, 3, 10), None, FORMULA_NAME, "98-7654321", D("300.00"), D("0.00"),
         D("0.00"), D("0.00"), D("0.00"), D("300.00")),
        ("R-2026-000001", date(2026, 3, 25), None, "Reformas Turia, S.L.", "B46000014", D("-100.00"), D("21.00"),
         D("-21.00"), D("0.00"), D("0.00"), D("-121.00")),
    ]  # fmt: skip
    assert rows[4]["treatment_text"] == "Exempt intra-EU deliveries of goods (art. 25)"
    assert rows[0]["treatment_text"] == ""
    assert rows[0]["invoice_id"] == vat_quarter["builder_invoice"].pk
    totals = vat_reports.issued_totals(company, *Q1)
    assert totals == vat_reports.BookTotals(D("2050.00"), D("232.00"), D("5.45"), D("2287.45"))


def test_the_received_book_has_a_row_per_supplier_invoice_and_rate(company, vat_quarter):
    rows = [vat_reports.received_row(row) for row in vat_reports.received_book(company, *Q1)]
    assert [
        (row["number"], row["supplier_number"], row["date"], row["received_date"], row["party_name"],
         row["party_tax_id"], row["base"], row["rate"], row["amount"], row["total"])
        for row in rows
    ] == [
        ("FR-2026-000001", "A-101", date(2026, 1, 15), None, "Ferretería Mayorista, S.A.", "A46111116",
         D("400.00"), D("21.00"), D("84.00"), D("484.00")),
        ("FR-2026-000001", "A-101", date(2026, 1, 15), None, "Ferretería Mayorista, S.A.", "A46111116",
         D("100.00"), D("10.00"), D("10.00"), D("110.00")),
        ("FR-2026-000002", "TS-77", date(2026, 2, 28), date(2026, 3, 3), "Tornillos del Sur, S.L.", "B41222223",
         D("250.00"), D("21.00"), D("52.50"), D("302.50")),
    ]  # fmt: skip
    assert vat_reports.received_totals(company, *Q1) == vat_reports.BookTotals(
        D("750.00"), D("146.50"), D("0.00"), D("896.50")
    )


def test_the_books_and_the_summary_agree(company, vat_quarter):
    summary = vat_reports.vat_summary(company=company, date_from=Q1[0], date_to=Q1[1])
    issued, received = vat_reports.issued_totals(company, *Q1), vat_reports.received_totals(company, *Q1)
    assert issued.quota + issued.recargo == summary.boxes["27"]
    assert received.quota == summary.boxes["45"]
    assert (
        issued.base
        == sum((line.base for line in summary.output), D(0)) + summary.boxes["59"] + summary.boxes["60"]
    )

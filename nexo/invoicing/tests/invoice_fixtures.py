"""Invoices for the page and PDF tests, written as posting leaves them (figures hand-computed here), so the
pages are tested apart from the services that compute them.

- `retail_invoice`: Ferretería Turia (subject to recargo), posted F-2026-000007 of 15 March 2026, operation
  date 10 March: 10 x 10.00 at 21 % + 5.2 % and 5 x 8.00 at 10 % + 1.4 % → base 140.00, VAT 21.00 + 4.00,
  recargo 5.20 + 0.56, total 170.76.
- `service_invoice`: Estudio Norte (withholds IRPF), posted F-2026-000008: a 1,000.00 service at 21 % with
  IRPF 15 % → total 1,210.00, withholding 150.00, amount due 1,060.00.
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.test import Client
from django.utils import timezone

from nexo.invoicing import rules
from nexo.invoicing.models import Invoice, InvoiceLine, InvoiceTax
from nexo.parties.models import Address, Party


@pytest.fixture
def accountant(make_user):
    return make_user("contable", "accounting", language="en")


@pytest.fixture
def accountant_client(accountant):
    client = Client()
    client.force_login(accountant)
    return client


@pytest.fixture
def retailer(company):
    party = Party.objects.create(
        company=company, name="Ferretería Turia, S.L.", tax_id="B12345674", status=Party.Status.CUSTOMER,
        email="admin@turia.example", subject_to_recargo=True, language="es",
    )  # fmt: skip
    Address.objects.create(
        company=company, party=party, kind=Address.Kind.BILLING, street="Calle Mayor 5", postal_code="46001",
        city="Valencia", province="Valencia", country="ES", is_default=True,
    )  # fmt: skip
    return party


@pytest.fixture
def studio(company):
    """A customer with no address at all (as the lead form leaves it), who withholds IRPF, reads English."""
    return Party.objects.create(
        company=company, name="Estudio Norte, S.L.P.", tax_id="12345678Z", status=Party.Status.CUSTOMER,
        email="cuentas@norte.example", withholds_irpf=True, language="en",
    )  # fmt: skip


def make_invoice(
    company, party, lines, taxes, *, totals, number=None, day=date(2026, 3, 15), by=None, **fields
):
    """An invoice with its lines and tax rows as given; `number` (series, sequence) posts it."""
    invoice = Invoice.objects.create(
        company=company, party=party, date=day, currency="EUR", language=party.language, created_by=by,
        **totals, **fields,
    )  # fmt: skip
    InvoiceLine.objects.bulk_create(
        InvoiceLine(invoice=invoice, position=position, **line)
        for position, line in enumerate(lines, start=1)
    )
    InvoiceTax.objects.bulk_create(InvoiceTax(invoice=invoice, **tax) for tax in taxes)
    if number is not None:
        series, sequence = number
        Invoice.objects.filter(pk=invoice.pk).update(
            state=Invoice.State.POSTED, series=series, year=day.year, sequence=sequence,
            number=rules.invoice_number(series, day.year, sequence), posted_at=timezone.now(), posted_by=by,
            party_name=party.name, party_tax_id=party.tax_id,
            party_address="Calle Mayor 5\n46001 Valencia\nValencia" if party.addresses.exists() else "",
            party_country="ES",
        )  # fmt: skip
        invoice.refresh_from_db()
    return invoice


RETAIL_TOTALS = {
    "base": D("140.00"), "vat": D("25.00"), "recargo": D("5.76"), "total": D("170.76"),
    "amount_due": D("170.76"),
}  # fmt: skip


def retail_lines(count: int = 2) -> list[dict]:
    """The retail invoice's two lines, or `count` lines adding up to the same figures (the first line holds
    the rest of the 21 % base)."""
    lines = [
        {"description": "Tornillos 4x40 (caja)", "quantity": D("10"), "unit_price": D("10"), "net": D("100.00"),
         "vat_rate": D("21"), "recargo_rate": D("5.2"), "treatment": "domestic"},
        {"description": "Tacos nylon", "quantity": D("5"), "unit_price": D("8"), "net": D("40.00"),
         "vat_rate": D("10"), "recargo_rate": D("1.4"), "treatment": "domestic"},
    ]  # fmt: skip
    extra = count - 2
    if extra > 0:
        lines[0] = {**lines[0], "quantity": D(10 - extra), "net": D(100 - 10 * extra)}
        lines += [
            {**lines[0], "description": f"Brocas {index}", "quantity": D(1), "net": D("10.00")}
            for index in range(extra)
        ]
    return lines


RETAIL_TAXES = [
    {"kind": "vat", "treatment": "domestic", "rate": D("21"), "recargo_rate": D("5.2"), "base": D("100.00"),
     "amount": D("21.00"), "recargo": D("5.20")},
    {"kind": "vat", "treatment": "domestic", "rate": D("10"), "recargo_rate": D("1.4"), "base": D("40.00"),
     "amount": D("4.00"), "recargo": D("0.56")},
]  # fmt: skip


@pytest.fixture
def retail_invoice(company, retailer, accountant):
    return make_invoice(
        company, retailer, retail_lines(), RETAIL_TAXES, totals=RETAIL_TOTALS, number=("F", 7), by=accountant,
        operation_date=date(2026, 3, 10), payment_terms="Transferencia a 30 días", treatment="domestic",
    )  # fmt: skip


SERVICE_LINE = {
    "description": "Asesoría técnica de marzo", "quantity": D("1"), "unit_price": D("1000"), "net": D("1000.00"),
    "vat_rate": D("21"), "irpf_rate": D("15"), "treatment": "domestic",
}  # fmt: skip
SERVICE_TAXES = [
    {"kind": "vat", "treatment": "domestic", "rate": D("21"), "base": D("1000.00"), "amount": D("210.00")},
    {"kind": "irpf", "rate": D("15"), "base": D("1000.00"), "amount": D("150.00")},
]  # fmt: skip
SERVICE_TOTALS = {
    "base": D("1000.00"), "vat": D("210.00"), "withholding": D("150.00"), "total": D("1210.00"),
    "amount_due": D("1060.00"),
}  # fmt: skip


@pytest.fixture
def service_draft(company, studio, accountant):
    """A draft for the studio, which has no billing address yet."""
    return make_invoice(company, studio, [SERVICE_LINE], SERVICE_TAXES, totals=SERVICE_TOTALS, by=accountant)


@pytest.fixture
def credit_note(company, retailer, retail_invoice, accountant):
    """A posted credit note R-2026-000001 taking back 2 boxes of screws (-20.00 at 21 % + 5.2 %)."""
    line = retail_invoice.lines.get(position=1)
    return make_invoice(
        company, retailer,
        [{"description": line.description, "quantity": D("-2"), "unit_price": D("10"), "net": D("-20.00"),
          "vat_rate": D("21"), "recargo_rate": D("5.2"), "treatment": "domestic", "corrects_line": line}],
        [{"kind": "vat", "treatment": "domestic", "rate": D("21"), "recargo_rate": D("5.2"),
          "base": D("-20.00"), "amount": D("-4.20"), "recargo": D("-1.04")}],
        totals={"base": D("-20.00"), "vat": D("-4.20"), "recargo": D("-1.04"), "total": D("-25.24"),
                "amount_due": D("-25.24")},
        number=("R", 1), day=date(2026, 3, 20), by=accountant, kind=Invoice.Kind.CREDIT_NOTE,
        invoice_type=rules.R4, corrects=retail_invoice, reason="Dos cajas llegaron dañadas",
    )  # fmt: skip

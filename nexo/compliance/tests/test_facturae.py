"""Facturae 3.2.2 files of posted invoices: each kind of invoice validates against the official schema and
carries the invoice's own figures; texts come out as plain text; what the schema would refuse is refused."""

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from nexo.accounting.services.payment_terms import payment_term_save
from nexo.compliance import facturae
from nexo.compliance.facturae import builder, schema
from nexo.compliance.services.settings import settings_update
from nexo.core.errors import Conflict, NotFound
from nexo.invoicing import services
from nexo.invoicing.models import Invoice, InvoiceLine
from nexo.invoicing.services import InvoiceLineInput
from nexo.invoicing.tests.customer_invoices import DAY
from nexo.parties.models import Party

D = Decimal
EXEMPT_SUPPLY = "Entrega intracomunitaria exenta \u2013 art. 25 Ley 37/1992"
GERMAN_ADDRESS = {
    "street": "Hauptstr. 1",
    "postal_code": "10115",
    "city": "Berlin",
    "country": "DE",
    "kind": "billing",
}


def parsed(content: bytes) -> etree._Element:
    return etree.fromstring(content, schema.safe_parser())


def text(root: etree._Element, path: str) -> str:
    found = root.find(path)
    assert found is not None, f"no {path}"
    return found.text


def texts(root: etree._Element, path: str) -> list[str]:
    return [element.text for element in root.findall(path)]


def exported(company, invoice) -> etree._Element:
    file = facturae.invoice_facturae(company=company, invoice_id=invoice.pk)
    assert schema.facturae_errors(file.content) == []
    return parsed(file.content)


@pytest.fixture
def shop(make_customer):
    """A retailer under the recargo de equivalencia that withholds IRPF on professional services."""
    return make_customer("Droguería Ruzafa, S.L.", "B46000022", subject_to_recargo=True, withholds_irpf=True)


@pytest.fixture
def full_invoice(company, accountant, shop, items, post):
    """10 tiles at 10.00 less 10 % (21 % + 5.2 %), 4 books at 20.00 (10 % + 1.4 %) and 2 consultancy hours at
    50.00 (21 %, no recargo on a service, IRPF 15 %); paid half at 30 days, half at 60."""
    term = payment_term_save(company=company, by=accountant, name="30-60", lines=[(30, D("50")), (60, None)])
    draft = services.invoice_create(
        company=company, by=accountant, party_id=shop.pk, date=DAY, payment_term_id=term.pk,
        lines=[
            InvoiceLineInput(items["tile"].pk, "Baldosa gres 33x33", D("10"), D("10.00"), discount=D("10")),
            InvoiceLineInput(items["book"].pk, "Manual de alicatado", D("4"), D("20.00")),
            InvoiceLineInput(items["hour"].pk, "Asesoría técnica", D("2"), D("50.00")),
        ],
    )  # fmt: skip
    return post(draft)


def test_a_full_invoice_with_two_vat_rates_recargo_and_irpf_validates_and_carries_its_figures(
    company, full_invoice
):
    invoice = full_invoice
    assert invoice.withholding > 0 and invoice.recargo > 0
    root = exported(company, invoice)
    expected_total = invoice.total - invoice.withholding
    assert text(root, "FileHeader/SchemaVersion") == "3.2.2"
    assert text(root, "FileHeader/Modality") == "I"
    assert text(root, "FileHeader/InvoiceIssuerType") == "EM"
    assert text(root, "FileHeader/Batch/BatchIdentifier") == f"B46123451{invoice.number}"
    assert D(text(root, "FileHeader/Batch/TotalInvoicesAmount/TotalAmount")) == expected_total
    assert D(text(root, "FileHeader/Batch/TotalExecutableAmount/TotalAmount")) == expected_total

    seller = root.find("Parties/SellerParty")
    assert texts(seller, "TaxIdentification/*") == ["J", "R", "B46123451"]
    assert text(seller, "LegalEntity/CorporateName") == "Suministros Prueba, S.L."
    assert texts(seller, "LegalEntity/AddressInSpain/*") == [
        "Calle de la Industria, 24", "46980", "Paterna", "Valencia", "ESP",
    ]  # fmt: skip
    buyer = root.find("Parties/BuyerParty")
    assert texts(buyer, "TaxIdentification/*") == ["J", "R", "B46000022"]
    # The customer's address had no province: its postal code's is written.
    assert texts(buyer, "LegalEntity/AddressInSpain/*") == [
        "Calle Colón 12", "46004", "Valencia", "Valencia/València", "ESP",
    ]  # fmt: skip

    node = root.find("Invoices/Invoice")
    assert texts(node, "InvoiceHeader/*") == [invoice.number, "F", "FC", "OO"]
    assert texts(node, "InvoiceIssueData/*") == ["2026-03-02", "EUR", "EUR", "es"]
    assert [
        (tax.findtext("TaxTypeCode"), tax.findtext("TaxRate"), tax.findtext("TaxableBase/TotalAmount"),
         tax.findtext("TaxAmount/TotalAmount"), tax.findtext("EquivalenceSurcharge"),
         tax.findtext("EquivalenceSurchargeAmount/TotalAmount"))
        for tax in node.findall("TaxesOutputs/Tax")
    ] == [
        ("01", "21.00", "90.00", "18.90", "5.20", "4.68"),
        ("01", "21.00", "100.00", "21.00", None, None),  # the service: no recargo
        ("01", "10.00", "80.00", "8.00", "1.40", "1.12"),
    ]  # fmt: skip
    assert texts(node, "TaxesWithheld/Tax/*") == ["04", "15.00", None, None]
    assert texts(node, "TaxesWithheld/Tax/*/TotalAmount") == ["100.00", "15.00"]
    totals = {child.tag: D(child.text) for child in node.find("InvoiceTotals")}
    assert totals == {
        "TotalGrossAmount": invoice.base, "TotalGrossAmountBeforeTaxes": invoice.base,
        "TotalTaxOutputs": invoice.vat + invoice.recargo, "TotalTaxesWithheld": invoice.withholding,
        "InvoiceTotal": expected_total, "TotalOutstandingAmount": expected_total,
        "TotalExecutableAmount": expected_total,
    }  # fmt: skip
    assert totals["TotalGrossAmount"] == sum(
        D(value) for value in texts(node, "Items/InvoiceLine/GrossAmount")
    )

    tile, book, hour = node.findall("Items/InvoiceLine")
    assert [tile.findtext(tag) for tag in ("ItemDescription", "Quantity", "UnitOfMeasure", "UnitPriceWithoutTax",
                                          "TotalCost", "GrossAmount", "ArticleCode")] == [
        "Baldosa gres 33x33", "10.00", "01", "10.000000", "100.00", "90.00", "TILE-01",
    ]  # fmt: skip
    assert texts(tile, "DiscountsAndRebates/Discount/*") == ["Descuento", "10.00", "10.00"]
    assert texts(tile, "TaxesOutputs/Tax/*") == ["01", "21.00", None, None, "5.20", None]
    assert tile.find("TaxesWithheld") is None
    assert book.find("DiscountsAndRebates") is None
    assert texts(hour, "TaxesWithheld/Tax/*/TotalAmount") == ["100.00", "15.00"]
    assert hour.find("TaxesOutputs/Tax/EquivalenceSurcharge") is None

    assert [texts(installment, "*") for installment in node.findall("PaymentDetails/Installment")] == [
        ["2026-04-01", "154.35", "04"],
        ["2026-05-01", "154.35", "04"],
    ]
    assert invoice.amount_due == D("308.70") == expected_total
    assert node.find("LegalLiterals") is None


def test_a_credit_note_is_an_original_corrective_naming_the_invoice_it_corrects(
    company, accountant, full_invoice, post
):
    draft = services.credit_note_create(
        company=company, by=accountant, invoice_id=full_invoice.pk, reason="Devolución de 2 cajas rotas"
    )
    credit_note = post(draft)
    root = exported(company, credit_note)
    header = root.find("Invoices/Invoice/InvoiceHeader")
    assert texts(header, "*")[:4] == [credit_note.number, "R", "FC", "OR"]
    assert [child.tag for child in header.find("Corrective")] == [
        "InvoiceNumber", "InvoiceSeriesCode", "ReasonCode", "ReasonDescription", "TaxPeriod", "CorrectionMethod",
        "CorrectionMethodDescription", "AdditionalReasonDescription", "InvoiceIssueDate",
    ]  # fmt: skip
    assert texts(header, "Corrective/*") == [
        full_invoice.number, "F", "16", "Base imponible", None, "02", "Rectificación por diferencias",
        "Devolución de 2 cajas rotas", "2026-03-02",
    ]  # fmt: skip
    assert texts(header, "Corrective/TaxPeriod/*") == ["2026-03-01", "2026-03-31"]
    totals = root.find("Invoices/Invoice/InvoiceTotals")
    assert D(totals.findtext("InvoiceTotal")) == credit_note.total - credit_note.withholding < 0
    assert D(totals.findtext("TotalGrossAmount")) == credit_note.base
    assert root.find("Invoices/Invoice/PaymentDetails") is None
    assert D(text(root, "FileHeader/Batch/TotalInvoicesAmount/TotalAmount")) == D(
        totals.findtext("InvoiceTotal")
    )


def test_a_simplified_invoice_is_a_facturae_fa(company, customer, hand_invoice, post):
    invoice = post(hand_invoice([("2", "10.00", "21")], simplified=True))
    assert invoice.invoice_type == "F2"
    root = exported(company, invoice)
    assert texts(root, "Invoices/Invoice/InvoiceHeader/*") == [invoice.number, "FS", "FA", "OO"]
    assert D(text(root, "Invoices/Invoice/InvoiceTotals/InvoiceTotal")) == invoice.total == D("24.20")


def test_an_intra_eu_customer_has_an_overseas_address_and_the_exemption_literal(
    company, accountant, make_customer, items, post
):
    buyer = make_customer(
        "Bauhaus GmbH", "DE100000008", eu_vat_valid=True, country="DE", addresses=[GERMAN_ADDRESS]
    )
    draft = services.invoice_create(
        company=company, by=accountant, party_id=buyer.pk, date=DAY,
        lines=[InvoiceLineInput(items["tile"].pk, "", D("10"), D("10.00"))],
    )  # fmt: skip
    invoice = post(draft)
    root = exported(company, invoice)
    buyer_node = root.find("Parties/BuyerParty")
    assert texts(buyer_node, "TaxIdentification/*") == ["J", "U", "DE100000008"]
    assert texts(buyer_node, "LegalEntity/OverseasAddress/*") == [
        "Hauptstr. 1",
        "10115 Berlin",
        "Berlin",
        "DEU",
    ]
    node = root.find("Invoices/Invoice")
    assert texts(node, "TaxesOutputs/Tax/TaxRate") == ["0.00"]
    assert texts(node, "LegalLiterals/LegalReference") == [EXEMPT_SUPPLY]
    assert texts(node, "Items/InvoiceLine/SpecialTaxableEvent/*") == [
        "01", EXEMPT_SUPPLY,
    ]  # fmt: skip
    assert D(text(node, "InvoiceTotals/InvoiceTotal")) == invoice.total == D("100.00")


def test_an_english_invoice_is_written_in_english(company, make_customer, hand_invoice, post):
    reader = make_customer("Thames Ltd", "B46000030")
    Party.objects.filter(pk=reader.pk).update(language="en")
    invoice = post(hand_invoice([("1", "10.00", "21")], party=reader))
    root = exported(company, invoice)
    assert text(root, "Invoices/Invoice/InvoiceIssueData/LanguageName") == "en"


def test_a_person_is_an_individual_with_name_and_surnames(company, make_customer, hand_invoice, post):
    person = make_customer("García López, Ana María", "12345678Z")
    invoice = post(hand_invoice([("1", "10.00", "21")], party=person))
    buyer = exported(company, invoice).find("Parties/BuyerParty")
    assert texts(buyer, "TaxIdentification/*") == ["F", "R", "12345678Z"]
    assert texts(buyer, "Individual/*")[:3] == ["Ana María", "García", "López"]


def test_control_characters_are_dropped_and_formulas_and_markup_stay_plain_text(
    company, accountant, customer, hand_invoice, post
):
    # Texts written to the database directly, past the forms that refuse control characters; the VERI*FACTU
    # record is off so that posting takes them as they are.
    settings_update(company=company, by=accountant, verifactu_enabled=False)
    Party.objects.filter(pk=customer.pk).update(name="=CMD|' /C calc'!A0\x0b Turia")
    draft = hand_invoice([("1", "10.00", "21")], notes='=HYPERLINK("http://x")')
    InvoiceLine.objects.filter(invoice=draft).update(description="=SUM(A1:A9)\x07 <b>&\x1b\u2028ok")
    Invoice.objects.filter(pk=draft.pk).update(notes='=HYPERLINK("http://x")\x01 & <script>')
    invoice = post(draft)
    file = facturae.invoice_facturae(company=company, invoice_id=invoice.pk)
    assert not {b"\x01", b"\x07", b"\x1b"} & {bytes([byte]) for byte in file.content}
    assert b"&lt;b&gt;&amp;" in file.content
    assert (
        text(parsed(file.content), "Parties/BuyerParty/LegalEntity/CorporateName")
        == "=CMD|' /C calc'!A0 Turia"
    )
    root = parsed(file.content)
    assert text(root, "Invoices/Invoice/Items/InvoiceLine/ItemDescription") == "=SUM(A1:A9) <b>&\u2028ok"
    assert (
        text(root, "Invoices/Invoice/InvoiceIssueData/InvoiceDescription")
        == '=HYPERLINK("http://x") & <script>'
    )
    assert schema.facturae_errors(file.content) == []


def test_a_draft_another_companys_invoice_and_a_foreign_currency_are_refused(
    company, other_company, hand_invoice, post
):
    draft = hand_invoice([("1", "10.00", "21")])
    with pytest.raises(Conflict, match="draft"):
        facturae.invoice_facturae(company=company, invoice_id=draft.pk)
    invoice = post(draft)
    with pytest.raises(NotFound):
        facturae.invoice_facturae(company=other_company, invoice_id=invoice.pk)
    in_dollars = hand_invoice([("1", "10.00", "21")])
    Invoice.objects.filter(pk=in_dollars.pk).update(currency="USD")
    in_dollars = post(in_dollars)
    with pytest.raises(Conflict, match="USD"):
        facturae.invoice_facturae(company=company, invoice_id=in_dollars.pk)


def test_a_cancelled_invoice_has_no_facturae_file(company, accountant, hand_invoice, post):
    invoice = post(hand_invoice([("1", "10.00", "21")]))
    services.invoice_cancel(company=company, by=accountant, invoice_id=invoice.pk, reason="Emitida por error")
    with pytest.raises(Conflict, match="was cancelled"):
        facturae.invoice_facturae(company=company, invoice_id=invoice.pk)


def test_an_invoice_posted_without_the_customers_address_is_refused_saying_what_is_missing(
    company, make_customer, hand_invoice, post
):
    counter = make_customer("Cliente de mostrador", "B46000048", addresses=())
    invoice = post(hand_invoice([("1", "10.00", "21")], party=counter, simplified=True))
    with pytest.raises(Conflict, match="customer's street, postal code, town, province"):
        facturae.invoice_facturae(company=company, invoice_id=invoice.pk)


def test_a_file_the_schema_refuses_never_leaves_and_the_schemas_reason_is_given(
    company, hand_invoice, post, monkeypatch
):
    invoice = post(hand_invoice([("1", "10.00", "21")]))

    def without_totals(*args, **kwargs):
        root = parsed(builder_document(*args, **kwargs))
        node = root.find("Invoices/Invoice")
        node.remove(node.find("InvoiceTotals"))
        return etree.tostring(root)

    builder_document = facturae.facturae_document
    monkeypatch.setattr(facturae, "facturae_document", without_totals)
    with pytest.raises(Conflict, match=r"Facturae 3\.2\.2 schema: .*Items.*InvoiceTotals"):
        facturae.invoice_facturae(company=company, invoice_id=invoice.pk)


def test_the_schema_refuses_what_breaks_its_rules_and_reads_nothing_from_the_network():
    assert schema.facturae_errors(b"<Facturae/>")
    assert schema.facturae_errors(b"not xml")
    external = b'<!DOCTYPE x [<!ENTITY e SYSTEM "http://127.0.0.1:9/x">]><x>&e;</x>'
    assert schema.facturae_errors(external)
    with pytest.raises(Conflict, match="does not validate"):
        schema.facturae_validate(b"<Facturae/>")


def test_the_file_is_built_in_a_constant_number_of_queries(
    company, full_invoice, django_assert_max_num_queries
):
    # The invoice, its lines, its taxes, the customer's holiday month, the term's installments, the certificate.
    with django_assert_max_num_queries(6):
        facturae.invoice_facturae(company=company, invoice_id=full_invoice.pk)


# The pieces


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("10"), "10.00"),
        (D("-0.001"), "0.00"),
        (D("1E+3"), "1000.00"),
        (D("2.345"), "2.35"),
        (D("-2.345"), "-2.35"),
    ],
)
def test_amounts_have_two_decimals_and_no_exponent(value, expected):
    assert builder.amount(value) == expected


def test_unit_prices_keep_six_decimals_and_quantities_their_own():
    assert builder.unit_price(D("0.1234565")) == "0.123457"
    assert (builder.quantity(D("3.0000")), builder.quantity(D("2.5000")), builder.quantity(D("0.1250"))) == (
        "3.00", "2.50", "0.125",
    )  # fmt: skip


def test_the_tax_period_is_the_calendar_month():
    assert builder.tax_period(date(2024, 2, 10)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert builder.tax_period(date(2026, 12, 31)) == (date(2026, 12, 1), date(2026, 12, 31))

"""A public administration as buyer: its DIR3 codes written as the BuyerParty's AdministrativeCentres (code,
FACe's role, the buyer's address), valid against the Facturae 3.2.2 schema signed or not; a customer that
requires Facturae files without its codes is refused (409) through every door, saying what is missing."""

import pytest
from django.test import Client
from django.urls import reverse
from lxml import etree

from nexo.compliance import facturae
from nexo.compliance.facturae import schema
from nexo.compliance.services.einvoicing import party_einvoicing_save
from nexo.compliance.tests.test_facturae_signing import credentials, stored_certificate  # noqa: F401 (fixtures)
from nexo.conftest import ApiClient
from nexo.core.errors import Conflict

CODES = {"accounting_office": "L01462508", "managing_body": "L01462508", "processing_unit": "LA0007435"}
MISSING = "the codes of its accounting office, managing body, processing unit are missing"
FRENCH_ADDRESS = {"street": "1 rue de Rivoli", "postal_code": "75001", "city": "Paris", "country": "FR"}


@pytest.fixture
def administration(make_customer):
    return make_customer("Ajuntament de València", "P4625200C")


def set_codes(company, accountant, party, **fields):
    return party_einvoicing_save(company=company, by=accountant, party_id=party.pk, **fields)


def exported(company, invoice) -> etree._Element:
    file = facturae.invoice_facturae(company=company, invoice_id=invoice.pk)
    assert schema.facturae_errors(file.content) == []
    return etree.fromstring(file.content, schema.safe_parser())


def centres_of(root: etree._Element) -> list[list[str]]:
    return [
        [centre.findtext("CentreCode"), centre.findtext("RoleTypeCode"), centre.findtext("CentreDescription")]
        for centre in root.findall("Parties/BuyerParty/AdministrativeCentres/AdministrativeCentre")
    ]


def test_the_buyers_centres_carry_their_codes_roles_and_the_buyers_address_and_the_file_validates(
    company, accountant, administration, hand_invoice, post
):
    set_codes(
        company, accountant, administration, **CODES, proposing_body="ge0000000", facturae_required=True
    )
    invoice = post(hand_invoice([("2", "10.00", "21")], party=administration))
    root = exported(company, invoice)
    assert centres_of(root) == [
        ["L01462508", "01", "Oficina contable"],
        ["L01462508", "02", "Órgano gestor"],
        ["LA0007435", "03", "Unidad tramitadora"],
        ["GE0000000", "04", "Órgano proponente"],
    ]
    buyer = root.find("Parties/BuyerParty")
    assert [child.tag for child in buyer] == ["TaxIdentification", "AdministrativeCentres", "LegalEntity"]
    address = [element.text for element in buyer.find("LegalEntity/AddressInSpain")]
    assert address == ["Calle Colón 12", "46004", "Valencia", "Valencia/València", "ESP"]
    for centre in buyer.findall("AdministrativeCentres/AdministrativeCentre"):
        assert [element.text for element in centre.find("AddressInSpain")] == address
    assert root.find("Parties/SellerParty/AdministrativeCentres") is None


def test_without_the_optional_proposing_body_three_centres_are_written(
    company, accountant, administration, hand_invoice, post
):
    set_codes(company, accountant, administration, **CODES)
    invoice = post(hand_invoice([("1", "10.00", "21")], party=administration))
    assert [role for _code, role, _name in centres_of(exported(company, invoice))] == ["01", "02", "03"]


def test_a_customer_without_codes_has_no_centres(company, accountant, customer, hand_invoice, post):
    set_codes(company, accountant, customer)  # a profile with nothing in it
    invoice = post(hand_invoice([("1", "10.00", "21")]))
    root = exported(company, invoice)
    assert root.find("Parties/BuyerParty/AdministrativeCentres") is None
    assert centres_of(root) == []


def test_a_buyer_abroad_has_its_centres_at_its_overseas_address(
    company, accountant, make_customer, hand_invoice, post
):
    buyer = make_customer("Mairie de Paris", "FR44732829320", country="FR", addresses=[FRENCH_ADDRESS])
    set_codes(company, accountant, buyer, **CODES)
    invoice = post(hand_invoice([("1", "10.00", "21")], party=buyer))
    root = exported(company, invoice)
    centre = root.find("Parties/BuyerParty/AdministrativeCentres/AdministrativeCentre")
    assert [element.text for element in centre.find("OverseasAddress")] == [
        "1 rue de Rivoli", "75001 Paris", "Paris", "FRA",
    ]  # fmt: skip


def test_the_codes_are_read_when_the_file_is_made_so_a_corrected_code_reaches_the_next_file(
    company, accountant, administration, hand_invoice, post
):
    invoice = post(hand_invoice([("1", "10.00", "21")], party=administration))
    assert centres_of(exported(company, invoice)) == []
    set_codes(company, accountant, administration, **CODES)
    assert [code for code, _role, _name in centres_of(exported(company, invoice))] == [
        "L01462508", "L01462508", "LA0007435",
    ]  # fmt: skip


def test_the_signed_file_with_centres_validates(
    company,
    accountant,
    administration,
    hand_invoice,
    post,
    stored_certificate,  # noqa: F811 (a fixture)
):
    set_codes(company, accountant, administration, **CODES, proposing_body="GE0000000")
    invoice = post(hand_invoice([("1", "10.00", "21")], party=administration))
    file = facturae.invoice_facturae(company=company, invoice_id=invoice.pk)
    assert file.signed
    assert schema.facturae_errors(file.content) == []
    assert b"<CentreCode>LA0007435</CentreCode>" in file.content


def test_a_customer_that_requires_facturae_without_its_codes_is_refused_naming_them(
    company, accountant, administration, hand_invoice, post
):
    set_codes(company, accountant, administration, facturae_required=True)
    invoice = post(hand_invoice([("1", "10.00", "21")], party=administration))
    with pytest.raises(
        Conflict, match=f"^Ajuntament de València requires Facturae files with its DIR3 codes: {MISSING}"
    ):
        facturae.invoice_facturae(company=company, invoice_id=invoice.pk)
    set_codes(company, accountant, administration, **CODES, facturae_required=True)
    assert len(centres_of(exported(company, invoice))) == 3


def test_the_refusal_is_a_409_in_the_api_and_a_message_on_the_invoice_page(
    company, accountant, make_user, administration, hand_invoice, post
):
    set_codes(company, accountant, administration, facturae_required=True)
    invoice = post(hand_invoice([("1", "10.00", "21")], party=administration))
    api = ApiClient(accountant)
    api.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = api.get(f"/compliance/invoices/{invoice.pk}/facturae")
    assert response.status_code == 409 and response["Content-Type"] == "application/problem+json"
    assert MISSING in response.json()["detail"]
    browser = Client()
    browser.force_login(make_user("contable-en", "accounting", language="en"))
    page = browser.get(reverse("compliance:invoice_facturae", kwargs={"invoice_id": invoice.pk}), follow=True)
    assert page.redirect_chain[-1][0] == reverse("invoicing:invoice_view", kwargs={"invoice_id": invoice.pk})
    assert MISSING in page.content.decode()


def test_the_centres_cost_no_query_more(
    company, accountant, administration, hand_invoice, post, django_assert_max_num_queries
):
    set_codes(company, accountant, administration, **CODES)
    invoice = post(hand_invoice([("1", "10.00", "21")], party=administration))
    # As without centres: the invoice (its customer's profile joined), lines, taxes, the holiday month, the
    # term's installments, the certificate.
    with django_assert_max_num_queries(6):
        file = facturae.invoice_facturae(company=company, invoice_id=invoice.pk)
    assert b"<RoleTypeCode>03</RoleTypeCode>" in file.content

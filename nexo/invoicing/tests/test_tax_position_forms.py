"""Where invoices read a party's tax position and an item's withholding and exemption: the party form and
page, the item form and page."""

from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from nexo.catalog.models import Item, TaxCategory, Unit
from nexo.parties.models import Party


@pytest.fixture(autouse=True)
def _english(english):
    """Pages are read in English here; the Spanish catalogue has its own test."""


@pytest.fixture
def manager_client(make_user):
    client = Client()
    client.force_login(make_user("jefa", "manager", language="en"))
    return client


PARTY = {
    "kind": "organisation", "name": "Ferretería Turia, S.L.", "country": "ES", "tax_id": "B12345674",
    "language": "es", "status": "customer", "is_active": "on",
}  # fmt: skip


def test_the_party_form_keeps_the_tax_position_and_the_page_shows_it(manager_client, company):
    form = _text(manager_client.get(reverse("parties:party_create")))
    for name in ("subject_to_recargo", "withholds_irpf", "eu_vat_valid"):
        assert f'name="{name}"' in form
    created = manager_client.post(reverse("parties:party_create"), PARTY | {"subject_to_recargo": "on"})
    party = Party.objects.get(company=company)
    assert created.status_code == 302
    assert (party.subject_to_recargo, party.withholds_irpf, party.eu_vat_valid) == (True, False, False)
    manager_client.post(
        reverse("parties:party_edit", args=[party.pk]), PARTY | {"withholds_irpf": "on", "eu_vat_valid": "on"}
    )
    party.refresh_from_db()
    assert (party.subject_to_recargo, party.withholds_irpf, party.eu_vat_valid) == (False, True, True)
    page = _text(manager_client.get(reverse("parties:party_view", args=[party.pk])))
    assert "Withholds IRPF" in page and "EU VAT number valid (VIES)" in page


def test_a_party_without_a_tax_position_reads_general(manager_client, company):
    manager_client.post(reverse("parties:party_create"), PARTY)
    party = Party.objects.get(company=company)
    page = _text(manager_client.get(reverse("parties:party_view", args=[party.pk])))
    assert "General: VAT as the items and address say" in page


def _item_form(company, **changes) -> dict:
    vat = TaxCategory.objects.get(company=company, code="general")
    unit = Unit.objects.get(company=company, code="ud")
    form = {
        "sku": "ASES-01", "name": "Asesoría técnica", "kind": "service", "unit": unit.pk, "sale_tax": vat.pk,
        "purchase_tax": vat.pk, "base_price": "60", "is_active": "on",
    }  # fmt: skip
    return form | changes


def test_the_item_form_keeps_the_withholding_and_the_exemption(manager_client, company, catalog):
    created = manager_client.post(
        reverse("catalog:item_create"), _item_form(company, irpf_rate="15", vat_exemption="9")
    )
    item = Item.objects.get(company=company, sku="ASES-01")
    assert created.status_code == 302 and (item.irpf_rate, item.vat_exemption) == (D("15.00"), 9)
    page = _text(manager_client.get(reverse("catalog:item_view", args=[item.pk])))
    assert 'id="item-irpf">15 %' in page and "art. 20.Uno.9 LIVA" in page
    manager_client.post(
        reverse("catalog:item_edit", args=[item.pk]),
        _item_form(company, irpf_rate="", vat_exemption="", valuation_method="average", min_margin="15"),
    )
    item.refresh_from_db()
    assert (item.irpf_rate, item.vat_exemption) == (D("0.00"), None)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"vat_exemption": "30"}, "Ensure this value is less than or equal to 29."),
        ({"vat_exemption": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"irpf_rate": "100"}, "Ensure this value is less than or equal to 99.99."),
        ({"irpf_rate": "abc"}, "Enter a number."),
    ],
)
def test_the_item_form_refuses_an_exemption_or_withholding_out_of_range(
    manager_client, company, catalog, changes, message
):
    response = manager_client.post(reverse("catalog:item_create"), _item_form(company, **changes))
    assert response.status_code == 422 and message in _text(response)
    assert not Item.objects.filter(company=company, sku="ASES-01").exists()


def _text(response) -> str:
    return response.content.decode()

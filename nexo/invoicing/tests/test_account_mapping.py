"""The account mapping: categories' sales and purchase accounts and taxes' accounts per side and rate, set on
the page /invoicing/accounts/ and through the API, and used by the next posting."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from nexo.accounting.models import Account, Entry, EntryLine
from nexo.accounting.services.ledger import journal_of
from nexo.catalog.models import Item
from nexo.catalog.services import category_create
from nexo.core.errors import ValidationFailed
from nexo.invoicing import services
from nexo.invoicing.models import CategoryAccounts, TaxAccounts
from nexo.invoicing.services import InvoiceLineInput
from nexo.invoicing.services.entries import CategoryAccountsInput, TaxAccountInput, account_mapping_set
from nexo.invoicing.tests.customer_invoices import *  # noqa: F403 (the fixtures)
from nexo.invoicing.tests.customer_invoices import DAY

D = Decimal


@pytest.fixture
def chart(company):
    """The books set up, with a sales account of hardware (7001) and a VAT account of the 10 % rate (47701)."""
    journal_of(company, "GEN")
    accounts = {account.code: account for account in Account.objects.filter(company=company)}
    accounts["7001"] = Account.objects.create(
        company=company, code="7001", name="Ventas de ferretería", parent=accounts["700"], nature="income"
    )
    accounts["47701"] = Account.objects.create(
        company=company, code="47701", name="IVA repercutido 10 %", parent=accounts["477"], nature="liability"
    )
    return accounts


@pytest.fixture
def hardware(company, sales_user, items):
    category = category_create(company=company, by=sales_user, name="Ferretería")
    Item.objects.filter(pk=items["tile"].pk).update(category=category)
    return category


@pytest.fixture
def books_client(make_user):
    """An accountant who reads English (the messages below are asserted in English)."""
    client = Client()
    client.force_login(make_user("contable-en", "accounting", language="en"))
    return client


def test_the_page_sets_a_categorys_sales_account_and_a_tax_account(
    company, chart, hardware, books_client, accountant, customer, items, django_assert_max_num_queries
):
    url = reverse("invoicing:account_mapping")
    with django_assert_max_num_queries(15):
        page = books_client.get(url)
    text = page.content.decode()
    assert page.status_code == 200 and "Ferretería" in text and f'name="category-{hardware.pk}-sales"' in text
    # Every usual rate is offered, its default shown.
    assert 'value="vat"' in text and 'placeholder="4770"' in text and 'placeholder="472"' in text
    form = {
        f"category-{hardware.pk}-sales": "7001", f"category-{hardware.pk}-purchase": "",
        "tax-count": "1", "tax-0-kind": "vat", "tax-0-side": "sale", "tax-0-rate": "10", "tax-0-account": "47701",
    }  # fmt: skip
    saved = books_client.post(url, form)
    assert saved.status_code == 302
    mapped = CategoryAccounts.objects.get(category=hardware)
    assert (mapped.sales_account.code, mapped.purchase_account) == ("7001", None)
    assert list(TaxAccounts.objects.values_list("kind", "side", "rate", "account__code")) == [
        ("vat", "sale", D("10.00"), "47701")
    ]
    # The next invoice posts to them: tiles (Ferretería) to 7001, the book's VAT 10 % to 47701.
    draft = services.invoice_create(
        company=company, by=accountant, party_id=customer.pk, date=DAY,
        lines=[InvoiceLineInput(items["tile"].pk, "", D("2"), D("10")), InvoiceLineInput(items["book"].pk, "", D("1"), D("20"))],
    )  # fmt: skip
    posted = services.invoice_post(company=company, by=accountant, invoice_id=draft.pk)
    entry = Entry.objects.get(origin_model="invoicing.invoice", origin_id=posted.pk)
    assert [
        (line.account.code, line.debit, line.credit)
        for line in EntryLine.objects.filter(entry=entry).select_related("account").order_by("position")
    ] == [
        ("4300", D("46.20"), D("0")),
        ("7001", D("0"), D("20.00")),
        ("700", D("0"), D("20.00")),
        ("4770", D("0"), D("4.20")),
        ("47701", D("0"), D("2.00")),
    ]
    # Emptied, the category's row goes.
    form[f"category-{hardware.pk}-sales"] = ""
    assert books_client.post(url, form).status_code == 302
    assert not CategoryAccounts.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9999", "There is no account 9999 in the chart."),
        ("70", "is a view account"),
        ("600", "A sales account is an income account"),
    ],
)
def test_the_page_refuses_a_bad_account_and_keeps_what_was_typed(
    chart, hardware, books_client, typed, message
):
    answer = books_client.post(
        reverse("invoicing:account_mapping"), {f"category-{hardware.pk}-sales": typed, "tax-count": "0"}
    )
    text = answer.content.decode()
    assert answer.status_code == 422 and message in text
    assert f'value="{typed}"' in text and 'aria-invalid="true"' in text
    assert not CategoryAccounts.objects.exists()


def test_a_salesperson_cannot_open_the_page(chart, sales_client):
    assert sales_client.get(reverse("invoicing:account_mapping")).status_code == 403


def test_the_api_reads_and_sets_the_mapping(chart, hardware, accountant, api_as, other_company):
    api = api_as(accountant)
    body = api.get("/invoicing/account-mapping").json()
    assert body["categories"] == [
        {"category_id": hardware.pk, "category": "Ferretería", "sales_account": "", "purchase_account": ""}
    ]
    assert {"kind": "vat", "side": "purchase", "rate": "21.00", "account": "", "default": "472"} in body[
        "taxes"
    ]
    assert body["defaults"]["sales"] == "700"
    answer = api.call(
        "put",
        "/invoicing/account-mapping",
        {
            "categories": [{"category_id": hardware.pk, "sales_account": "7001"}],
            "taxes": [{"kind": "vat", "side": "sale", "rate": "10", "account": "47701"}],
        },
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["categories"][0]["sales_account"] == "7001"
    assert {
        "kind": "vat",
        "side": "sale",
        "rate": "10.00",
        "account": "47701",
        "default": "4770",
    } in answer.json()["taxes"]
    refused = api.call(
        "put",
        "/invoicing/account-mapping",
        {"taxes": [{"kind": "vat", "side": "sale", "rate": "21", "account": "70"}]},
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "taxes.0.account"
    assert TaxAccounts.objects.get().account.code == "47701"  # nothing changed
    foreign = category_create(company=other_company, by=accountant, name="Ajena")
    answer = api.call(
        "put",
        "/invoicing/account-mapping",
        {"categories": [{"category_id": foreign.pk, "sales_account": "7001"}]},
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "categories.0.category_id"


def test_a_salesperson_cannot_read_the_mapping_through_the_api(api):
    assert api.get("/invoicing/account-mapping").status_code == 403


def test_a_tax_listed_twice_is_refused(company, chart, accountant):
    with pytest.raises(ValidationFailed, match="listed twice"):
        account_mapping_set(
            company=company, by=accountant,
            taxes=[TaxAccountInput("vat", "sale", D("10"), "47701"), TaxAccountInput("vat", "sale", D("10.00"), "4770")],
        )  # fmt: skip
    tools = category_create(company=company, by=accountant, name="Herramientas")
    with pytest.raises(ValidationFailed, match="expense account"):
        account_mapping_set(
            company=company, by=accountant, categories=[CategoryAccountsInput(tools.pk, "", "700")]
        )
    assert not TaxAccounts.objects.exists() and not CategoryAccounts.objects.exists()

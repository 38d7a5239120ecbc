"""The chart's pages: the chart with balances rolled up to its groups, adding and editing an account, the
journals, the default accounts, and the accounting panel on a party's page; each for the roles that may."""

import os
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from nexo.accounting.models import Account, AccountDefault, PartyAccounting
from nexo.accounting.services import ledger as ledger_services
from nexo.accounting.services.ledger import LineInput

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def accountant_client(accountant):
    client = Client()
    client.force_login(accountant)
    return client


def _sale(company, user, books, customer, amount, day):
    ledger_services.entry_record(
        company=company, by=user, journal="VEN", date=day,
        lines=[
            LineInput(books["4300"].pk, debit=D(amount) * D("1.21"), party_id=customer.pk),
            LineInput(books["700"].pk, credit=D(amount)),
            LineInput(books["4770"].pk, credit=D(amount) * D("0.21")),
        ],
    )  # fmt: skip


def test_the_chart_shows_balances_rolled_up_in_constant_queries(
    accountant_client, company, accountant, books, customer, django_assert_max_num_queries
):
    _sale(company, accountant, books, customer, "100.00", date(2026, 1, 15))
    url = reverse("accounting:account_list")
    accountant_client.get(url)  # caches warmed (content types, the session's first read)
    with django_assert_max_num_queries(12) as before:
        first = accountant_client.get(url, {"q": "4"})
    for index in range(5):
        _sale(company, accountant, books, customer, "10.00", date(2026, 1, 16 + index))
    Account.objects.create(company=company, code="43000001", name="Más", parent=books["4300"], nature="asset")
    with django_assert_max_num_queries(12) as after:
        answer = accountant_client.get(url, {"q": "4"})
    assert first.status_code == answer.status_code == 200
    assert len(after.captured_queries) == len(before.captured_queries)
    rows = {row.code: row for row in answer.context["listing"].rows}
    assert rows["4300"].balance == D("181.50")  # 121.00 + 5 times 12.10
    assert rows["430"].balance == rows["43"].balance == D("181.50")
    assert rows["4770"].balance == rows["477"].balance == D("-31.50")
    assert rows["4"].balance == D("150.00")
    assert rows["4300"].depth == 3 and rows["4"].depth == 0
    # Only the codes that begin with 4 (or whose name has a 4): the 7s are left out.
    assert "700" not in rows


def test_the_chart_filters_by_level_and_nature(accountant_client, books):
    url = reverse("accounting:account_list")
    groups = accountant_client.get(url, {"level": "1"}).context["listing"].rows
    assert [row.code for row in groups] == ["1", "2", "3", "4", "5", "6", "7"]
    income = accountant_client.get(url, {"nature": "income", "level": "4"}).context["listing"].rows
    assert [row.code for row in income] == ["7060", "7080", "7090"]
    searched = accountant_client.get(url, {"q": "mercaderías ventas"}).context["listing"].rows
    assert {row.code for row in searched} >= {"700", "7080"}


def test_names_follow_the_users_language(make_user, books):
    client = Client()
    client.force_login(make_user("accountant-en", "accounting", language="en"))
    page = client.get(reverse("accounting:account_list"), {"q": "4300"}).content.decode()
    assert "Customers (euros)" in page and "Clientes (euros)" not in page
    spanish = Client()
    spanish.force_login(make_user("contable-es", "accounting", language="es"))
    page = spanish.get(reverse("accounting:account_list"), {"q": "4300"}).content.decode()
    assert "Clientes (euros)" in page


def test_adding_an_account_from_its_page(accountant_client, company, books):
    url = reverse("accounting:account_create")
    assert accountant_client.get(url, {"under": "572"}).context["form"].initial["code"] == "572"
    answer = accountant_client.post(
        url, {"code": "5720001", "name": "Banco Uno", "name_en": "", "needs_party": ""}
    )
    assert answer.status_code == 302
    account = Account.objects.get(company=company, code="5720001")
    assert account.parent == books["572"] and account.nature == "asset"
    assert AccountDefault.objects.get(company=company, role="bank").account == account
    # The page says that the bank role moved to the new account.
    followed = accountant_client.get(answer["Location"])
    assert "took its place" in followed.content.decode() or "ocupa su lugar" in followed.content.decode()


def test_a_wrong_account_is_a_form_error(accountant_client, company, books):
    url = reverse("accounting:account_create")
    duplicate = accountant_client.post(url, {"code": "4300", "name": "Otra"})
    assert duplicate.status_code == 422 and duplicate.context["form"].errors["code"]
    control = accountant_client.post(url, {"code": "43000001", "name": "Mal\x02nombre"})
    assert control.status_code == 422 and control.context["form"].errors["name"]
    assert not Account.objects.filter(company=company, code="43000001").exists()


def test_editing_an_account(accountant_client, company, accountant, books, customer):
    url = reverse("accounting:account_edit", args=[books["4300"].pk])
    _sale(company, accountant, books, customer, "100.00", date(2026, 1, 15))
    refused = accountant_client.post(
        url, {"code": "4300", "name": "Clientes", "name_en": "Customers", "needs_party": "on"}
    )
    assert refused.status_code == 422  # unticked "active": the account has a balance
    assert Account.objects.get(pk=books["4300"].pk).active
    saved = accountant_client.post(
        url, {"code": "4300", "name": "Clientes nacionales", "name_en": "Domestic customers", "needs_party": "on", "active": "on"}
    )  # fmt: skip
    assert saved.status_code == 302
    assert Account.objects.get(pk=books["4300"].pk).name == "Clientes nacionales"


def test_another_companys_account_is_404(accountant_client, other_company, books):
    ledger_services.journal_of(other_company, "GEN")
    foreign = Account.objects.get(company=other_company, code="700")
    assert accountant_client.get(reverse("accounting:account_edit", args=[foreign.pk])).status_code == 404


def test_journals_page(accountant_client, books):
    page = accountant_client.get(reverse("accounting:journal_list"))
    assert page.status_code == 200
    assert [journal.code for journal in page.context["journals"]] == [
        "BAN",
        "CAJ",
        "CIE",
        "COM",
        "EXI",
        "GEN",
        "VEN",
        "VEN-R",
        "VEN-S",
    ]


def test_default_accounts_page(accountant_client, company, books):
    url = reverse("accounting:default_accounts")
    page = accountant_client.get(url)
    assert page.status_code == 200
    assert [row["role"] for row in page.context["rows"]][:2] == ["receivable", "payable"]
    saved = accountant_client.post(url, {"bank_charges": str(books["669"].pk), "sales": str(books["700"].pk)})
    assert saved.status_code == 302
    assert AccountDefault.objects.get(company=company, role="bank_charges").account == books["669"]
    refused = accountant_client.post(url, {"sales": str(books["70"].pk)})
    assert refused.status_code == 422
    assert AccountDefault.objects.get(company=company, role="sales").account == books["700"]


def test_roles_without_the_permission_see_or_change_nothing(make_user, sales_client, books, customer):
    for name in ("account_list", "account_create", "journal_list", "default_accounts"):
        assert sales_client.get(reverse(f"accounting:{name}")).status_code == 403, name
    assert sales_client.get(reverse("accounting:account_edit", args=[books["700"].pk])).status_code == 403
    assert (
        sales_client.post(reverse("accounting:party_accounts_set", args=[customer.pk]), {}).status_code == 403
    )
    # The panel on the party's page is left out for a role that may not see accounts.
    page = sales_client.get(reverse("parties:party_view", args=[customer.pk]))
    assert page.status_code == 200 and "party-accounting-title" not in page.content.decode()


def test_a_reader_sees_the_chart_but_cannot_change_defaults(make_user, roles, books):
    from django.contrib.auth.models import Permission

    reader = make_user("lector", "sales")
    reader.user_permissions.add(Permission.objects.get(codename="view_account"))
    client = Client()
    client.force_login(reader)
    assert client.get(reverse("accounting:account_list")).status_code == 200
    assert (
        client.post(reverse("accounting:default_accounts"), {"sales": str(books["701"].pk)}).status_code
        == 403
    )


def test_the_party_panel_shows_its_accounts_and_sets_its_own(
    accountant_client, company, accountant, books, customer
):
    _sale(company, accountant, books, customer, "100.00", date(2026, 1, 15))
    page = accountant_client.get(reverse("parties:party_view", args=[customer.pk]))
    html = page.content.decode()
    assert "party-accounting-title" in html and "4300" in html
    assert "121,00" in html or "121.00" in html
    answer = accountant_client.post(
        reverse("accounting:party_accounts_set", args=[customer.pk]),
        {"receivable": str(books["4309"].pk), "payable": ""},
    )
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "parties:party_view", args=[customer.pk]
    )
    assert PartyAccounting.objects.get(party=customer).receivable == books["4309"]
    refused = accountant_client.post(
        reverse("accounting:party_accounts_set", args=[customer.pk]),
        {"receivable": str(books["572"].pk)},
        follow=True,
    )
    assert PartyAccounting.objects.get(party=customer).receivable == books["4309"]
    assert "572" in refused.content.decode()


# In the browser: keyboard only, a laptop and a phone, Spanish and English.

SIZES = ((1366, 768), (390, 844))
SHOTS = os.environ.get("NEXO_SCREENSHOTS", "")


def _look_at(page, name: str, language: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (page.url, width)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/chart-{name}-{language}-{width}x{height}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_an_accountant_adds_a_bank_account_with_the_keyboard(
    language, page, signed_in_page, live_server, make_user, company, customer
):
    from playwright.sync_api import expect

    page.set_default_navigation_timeout(120_000)  # a busy machine serves the first pages slowly

    user = make_user(f"contable-{language}", "accounting", language=language)
    books = {account.code: account for account in _books(company)}
    _sale(company, user, books, customer, "100.00", date(2026, 1, 15))
    page = signed_in_page(user.username)
    page.goto(f"{live_server.url}{reverse('accounting:account_list')}")
    _look_at(page, "list", language)
    page.focus("#list-q")
    page.keyboard.type("57")
    expect(page.locator("#list-results tbody tr")).to_have_count(3)  # 57, 570, 572
    page.goto(f"{live_server.url}{reverse('accounting:account_create')}?under=572")
    page.keyboard.press("End")  # the code field has the focus, 572 already typed
    page.keyboard.type("0001")
    page.keyboard.press("Tab")
    page.keyboard.type("Banco Santander")
    page.keyboard.press("Tab")
    page.keyboard.type("Santander bank")
    _look_at(page, "form", language)
    page.keyboard.press("Enter")
    expect(page.locator("#list-results")).to_contain_text("5720001")
    _look_at(page, "added", language)
    assert Account.objects.get(company=company, code="5720001").parent_id == books["572"].pk
    page.goto(f"{live_server.url}{reverse('accounting:default_accounts')}")
    _look_at(page, "defaults", language)
    page.goto(f"{live_server.url}{reverse('parties:party_view', args=[customer.pk])}")
    expect(page.locator("#party-account-receivable")).to_contain_text("4300")
    _look_at(page, "party", language)


def _books(company):
    ledger_services.journal_of(company, "GEN")
    return Account.objects.filter(company=company)

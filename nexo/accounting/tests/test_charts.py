"""The chart templates are data: the PGC PYMES and the generic chart load the same way, each with a default
account for every posting role, and a company on the generic chart posts with its accounts."""

from datetime import date
from decimal import Decimal

import pytest

from nexo.accounting.charts import generic, pgc_pymes
from nexo.accounting.models import Account, AccountDefault, AccountingSettings, EntryLine
from nexo.accounting.rules import ledger
from nexo.accounting.services import ledger as ledger_services
from nexo.accounting.services.charts import chart_load, parent_code
from nexo.accounting.services.defaults import default_account, default_accounts
from nexo.accounting.services.ledger import LineInput
from nexo.core.models import Company

NATURES = {ledger.ASSET, ledger.LIABILITY, ledger.EQUITY, ledger.INCOME, ledger.EXPENSE}


@pytest.mark.parametrize("template", [pgc_pymes, generic], ids=["pgc_pymes", "generic"])
def test_a_template_is_a_well_formed_tree(template):
    codes = [row[0] for row in template.ACCOUNTS]
    assert len(codes) == len(set(codes)), "a code appears twice"
    rows = {row[0]: row for row in template.ACCOUNTS}
    for code, name_es, name_en, nature, is_view, needs_party in template.ACCOUNTS:
        assert code.isdigit() and 1 <= len(code) <= 16
        assert name_es.strip() and name_en.strip()
        assert nature in NATURES
        has_children = any(parent_code(other, rows) == code for other in codes if other != code)
        assert is_view == has_children, f"{code}: a view account exactly when it has sub-accounts"
        if len(code) > 1:
            assert parent_code(code, rows) is not None, f"{code} has no parent"
        assert not (is_view and needs_party)
    assert set(template.DEFAULTS) == set(ledger.DEFAULT_ROLES)
    for role, code in template.DEFAULTS.items():
        assert code in rows, f"{role} → {code} is not in the chart"
        assert not rows[code][4], f"{role} → {code} is a view account"


def test_pgc_natures_and_parties_follow_the_pgc():
    rows = {row[0]: row for row in pgc_pymes.ACCOUNTS}
    nature = {code: row[3] for code, row in rows.items()}
    assert nature["472"] == nature["473"] == ledger.ASSET
    assert nature["477"] == nature["4770"] == nature["4751"] == ledger.LIABILITY
    for contra in ("280", "281", "291", "390", "490"):
        assert nature[contra] == ledger.ASSET, contra
    assert nature["129"] == nature["100"] == nature["112"] == ledger.EQUITY
    assert nature["170"] == nature["400"] == nature["4100"] == nature["520"] == ledger.LIABILITY
    assert nature["600"] == nature["610"] == nature["626"] == nature["681"] == ledger.EXPENSE
    assert nature["700"] == nature["705"] == nature["7080"] == nature["769"] == ledger.INCOME
    for party_account in ("4000", "4009", "4100", "4300", "4309", "4310", "4312", "4315"):
        assert rows[party_account][5], party_account
    for plain in ("472", "477", "570", "572", "700", "600"):
        assert not rows[plain][5], plain
    assert rows["4300"][1] == "Clientes (euros)"
    assert rows["572"][1] == "Bancos e instituciones de crédito c/c vista, euros"
    # The usual accounts around the ones Nexo posts to.
    for code in ("112", "113", "171", "173", "217", "281", "310", "401", "407", "4109", "436", "438", "465",
                 "4700", "4709", "4750", "476", "480", "485", "523", "551", "555", "6090", "623", "629",
                 "631", "640", "642", "662", "669", "680", "694", "7090", "740", "752", "759", "794"):  # fmt: skip
        assert code in rows, code


def test_company_set_up_with_the_pgc(company):
    ledger_services.journal_of(company, "GEN")  # sets the books up
    accounts = {account.code: account for account in Account.objects.filter(company=company)}
    assert len(accounts) == len(pgc_pymes.ACCOUNTS)
    assert accounts["4300"].parent == accounts["430"]
    assert accounts["430"].parent == accounts["43"]
    assert accounts["43"].parent == accounts["4"]
    assert accounts["4"].parent is None
    assert default_account(default_accounts(company), "receivable") == accounts["4300"]


def test_loading_twice_changes_nothing(company):
    ledger_services.journal_of(company, "GEN")
    Account.objects.filter(company=company, code="700").update(name="Ventas propias")
    chart_load(company, "pgc_pymes")
    assert Account.objects.filter(company=company).count() == len(pgc_pymes.ACCOUNTS)
    assert AccountDefault.objects.filter(company=company).count() == len(ledger.DEFAULT_ROLES)
    assert Account.objects.get(company=company, code="700").name == "Ventas propias"


def test_a_company_on_the_generic_chart_posts_with_its_accounts(db, sales_user):
    company = Company.objects.create(name="Generic Trading Ltd", tax_id="B99999999", city="Dublin")
    AccountingSettings.objects.update_or_create(company=company, defaults={"chart_template": "generic"})
    # Another company's chart (made by signal or by hand) keeps to itself.
    ledger_services.journal_of(company, "GEN")
    accounts = {account.code: account for account in Account.objects.filter(company=company)}
    assert set(accounts) == {row[0] for row in generic.ACCOUNTS}
    assert "4300" not in accounts and accounts["1200"].needs_party
    assert accounts["1200"].parent == accounts["1"]
    defaults = default_accounts(company)
    assert {role: account.code for role, account in defaults.items()} == generic.DEFAULTS
    from nexo.parties.models import Party

    customer = Party.objects.create(company=company, name="Customer One", status="customer")
    entry = ledger_services.entry_record(
        company=company, by=sales_user, journal="VEN", date=date(2026, 3, 2),
        lines=[
            LineInput(defaults["receivable"].pk, debit=Decimal("121.00"), party_id=customer.pk),
            LineInput(defaults["sales"].pk, credit=Decimal("100.00")),
            LineInput(defaults["output_vat"].pk, credit=Decimal("21.00")),
        ],
    )  # fmt: skip
    assert entry.number == "VEN/2026/000001"
    posted = EntryLine.objects.filter(entry=entry).order_by("position")
    assert [(line.account.code, line.debit, line.credit) for line in posted] == [
        ("1200", Decimal("121.00"), Decimal("0.00")),
        ("4000", Decimal("0.00"), Decimal("100.00")),
        ("2100", Decimal("0.00"), Decimal("21.00")),
    ]


def test_an_unknown_template_is_refused(company):
    from nexo.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="Unknown chart template"):
        chart_load(company, "../settings")

"""Templates of common entries: each finds the company's accounts by role or PGC code, fills balanced lines
from its amounts, and says which accounts a chart lacks instead of failing."""

from decimal import Decimal

import pytest
from django.utils import translation

from nexo.accounting import entry_templates
from nexo.accounting.entry_templates import TemplateProblem, accounts_for, missing_accounts, template_fill
from nexo.accounting.models import Account
from nexo.accounting.services.charts import chart_load
from nexo.core.models import Company

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_every_template_balances_for_any_amounts():
    class Fake:
        def __init__(self, code):
            self.code = code

    for template in entry_templates.TEMPLATES:
        accounts = {line.reference: Fake(line.code) for line in template.lines}
        for values in (
            (D("100"), D("21"), D("6.35"), D("15")),
            (D("0.01"), D("0.01"), D("0"), D("0")),
            (D("10"), D("30"), D("1"), D("1")),
        ):
            amounts = dict(zip((asked.name for asked in template.amounts), values, strict=False))
            try:
                lines = template_fill(template, accounts, amounts)
            except TemplateProblem:
                continue
            assert sum(line.debit for line in lines) == sum(line.credit for line in lines), template.key


def test_payroll_splits_the_gross_into_what_is_owed(company, books):
    template = entry_templates.template_of("payroll")
    Account.objects.bulk_create(
        Account(company=company, code=code, name=code, nature=nature)
        for code, nature in (
            ("640", "expense"),
            ("642", "expense"),
            ("476", "liability"),
            ("465", "liability"),
        )
        if not Account.objects.filter(company=company, code=code).exists()
    )
    accounts = accounts_for(company, template)
    assert missing_accounts(template, accounts) == []
    lines = template_fill(
        template,
        accounts,
        {"gross": D("3000"), "company_ss": D("960"), "employee_ss": D("190.50"), "irpf": D("450")},
    )
    assert [(line.account.code, line.debit, line.credit) for line in lines] == [
        ("640", D("3000.00"), D("0.00")),
        ("642", D("960.00"), D("0.00")),
        ("476", D("0.00"), D("1150.50")),
        ("4751", D("0.00"), D("450.00")),
        ("465", D("0.00"), D("2359.50")),
    ]
    with pytest.raises(TemplateProblem, match="negative line"):
        template_fill(template, accounts, {"gross": D("100"), "employee_ss": D("90"), "irpf": D("20")})


def test_the_vat_settlement_ends_payable_or_receivable(company, books):
    template = entry_templates.template_of("vat_settlement")
    for code, nature in (("4750", "liability"), ("4700", "asset")):
        if not Account.objects.filter(company=company, code=code).exists():
            Account.objects.create(company=company, code=code, name=code, nature=nature)
    accounts = accounts_for(company, template)
    payable = template_fill(template, accounts, {"output_vat": D("2100"), "input_vat": D("800")})
    assert [(line.account.code, line.debit, line.credit) for line in payable] == [
        ("4770", D("2100.00"), D("0.00")), ("472", D("0.00"), D("800.00")), ("4750", D("0.00"), D("1300.00")),
    ]  # fmt: skip
    receivable = template_fill(template, accounts, {"output_vat": D("500"), "input_vat": D("800")})
    assert receivable[-1].account.code == "4700" and receivable[-1].debit == D("300.00")


def test_a_generic_chart_has_bank_charges_by_role_and_lacks_the_payroll_accounts(db):
    generic = Company.objects.create(name="Generic Ltd", tax_id="B00000000")
    chart_load(generic, "generic")
    bank = entry_templates.template_of("bank_charges")
    accounts = accounts_for(generic, bank)
    assert missing_accounts(bank, accounts) == []
    assert [accounts[line.reference].code for line in bank.lines] == ["5900", "1100"]
    payroll = entry_templates.template_of("payroll")
    accounts = accounts_for(generic, payroll)
    assert {"640", "642", "476", "465"} <= set(missing_accounts(payroll, accounts))
    with pytest.raises(TemplateProblem, match="no account 640"):
        template_fill(payroll, accounts, {"gross": D("1000")})


def test_amounts_typed_wrong_are_refused(company, books):
    template = entry_templates.template_of("bank_charges")
    accounts = accounts_for(company, template)
    with pytest.raises(TemplateProblem):
        template_fill(template, accounts, {"amount": D("-1")})
    with pytest.raises(TemplateProblem):
        template_fill(template, accounts, {"amount": D("1e14")})
    with pytest.raises(TemplateProblem, match="at least one amount"):
        template_fill(template, accounts, {})
    assert template_fill(template, accounts, {"amount": D("1.005")})[0].debit == D("1.01")  # half-up

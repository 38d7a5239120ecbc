"""Bank accounts: IBAN and BIC checked, the IBAN stored compact, a new 572x sub-account each, or an asset
account chosen; the SEPA creditor identifier's check digits verified."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexo.accounting.models import Account
from nexo.core.errors import NotFound, ValidationFailed
from nexo.payments.models import BankAccount
from nexo.payments.rules.bank_accounts import creditor_check_digits
from nexo.payments.services.bank_accounts import bank_account_save, creditor_id_clean
from nexo.payments.tests.factories_payments import *  # noqa: F403 -- the shared fixtures
from nexo.payments.tests.factories_payments import IBAN, IBAN_2


def test_the_creditor_check_digits_of_the_published_examples():
    assert creditor_check_digits("DE", "09999999999") == "98"
    assert creditor_check_digits("ES", "47690558N") == "23"
    assert creditor_id_clean("es23 zzz 47690558n") == "ES23ZZZ47690558N"


@given(st.from_regex(r"[A-Z0-9]{9}", fullmatch=True), st.from_regex(r"[A-Z0-9]{3}", fullmatch=True))
def test_a_creditor_identifier_with_its_own_check_digits_is_accepted_and_one_digit_changed_is_not(nif, code):
    check = creditor_check_digits("ES", nif)
    assert creditor_id_clean(f"ES{check}{code}{nif}") == f"ES{check}{code}{nif}"
    wrong = f"{(int(check) + 1) % 100:02d}"
    with pytest.raises(ValidationFailed):
        creditor_id_clean(f"ES{wrong}{code}{nif}")


def test_each_new_bank_account_gets_the_next_572_sub_account(company, accountant):
    first = bank_account_save(
        company=company, by=accountant, name="Banco Turia", iban=" es91 2100 0418 4502 0005 1332 "
    )
    second = bank_account_save(
        company=company, by=accountant, name="Caja Rural", iban=IBAN_2, bic="caixesbbxxx"
    )
    assert (first.iban, first.account.code, second.account.code) == (IBAN, "5720001", "5720002")
    assert second.bic == "CAIXESBBXXX"
    assert Account.objects.get(company=company, code="572").is_view


def test_a_chosen_account_must_be_an_asset_posting_account_of_the_company(company, other_company, accountant):
    bank_account_save(company=company, by=accountant, name="Banco Turia", iban=IBAN)
    sales = Account.objects.get(company=company, code="700")
    with pytest.raises(ValidationFailed, match="asset account") as refused:
        bank_account_save(company=company, by=accountant, name="Otro", iban=IBAN_2, account_id=sales.pk)
    assert refused.value.errors[0]["field"] == "account"
    cash = Account.objects.get(company=company, code="570")
    saved = bank_account_save(company=company, by=accountant, name="Otro", iban=IBAN_2, account_id=cash.pk)
    assert saved.account == cash


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"iban": "ES9121000418450200051333"}, "iban", "not a valid IBAN"),
        ({"iban": "XX12"}, "iban", "not a valid IBAN"),
        ({"bic": "CAIXES"}, "bic", "not a valid BIC"),
        ({"creditor_id": "ES47000B46123451"}, "creditor_id", "check digits"),
        ({"creditor_id": "ES46000B4612345"}, "creditor_id", "9-character"),
        ({"creditor_id": "46000B46123451"}, "creditor_id", "country"),
        ({"name": "  "}, "name", "name"),
    ],
)
def test_bad_bank_details_are_field_errors_and_save_nothing(company, accountant, fields, field, message):
    with pytest.raises(ValidationFailed, match=message) as refused:
        bank_account_save(company=company, by=accountant, **{"name": "Banco", "iban": IBAN, **fields})
    assert refused.value.errors[0]["field"] == field
    assert not BankAccount.objects.exists()


def test_changing_a_bank_account_keeps_its_account_and_refuses_another_companys(
    company, other_company, accountant
):
    saved = bank_account_save(company=company, by=accountant, name="Banco Turia", iban=IBAN)
    changed = bank_account_save(
        company=company, by=accountant, bank_account_id=saved.pk, name="Banco Turia (nómina)", iban=IBAN,
        creditor_id="ES46000B46123451", active=False,
    )  # fmt: skip
    assert (changed.account_id, changed.creditor_id, changed.active) == (
        saved.account_id,
        "ES46000B46123451",
        False,
    )
    with pytest.raises(NotFound):
        bank_account_save(
            company=other_company, by=accountant, bank_account_id=saved.pk, name="X", iban=IBAN_2
        )

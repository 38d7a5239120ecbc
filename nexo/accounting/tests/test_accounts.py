"""The chart as an accountant keeps it: accounts added at any level under the code that begins theirs,
edited and deactivated within the ledger's rules, the default account per role, a party's own accounts."""

from datetime import date
from decimal import Decimal

import pytest

from nexo.accounting.models import Account, AccountDefault, PartyAccounting
from nexo.accounting.services import accounts as services
from nexo.accounting.services import ledger as ledger_services
from nexo.accounting.services.ledger import LineInput
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.parties.models import Party

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
D = Decimal


def _post(
    company, user, books, debit_account, credit_account, amount="100.00", party=None, day=date(2026, 3, 1)
):
    return ledger_services.entry_record(
        company=company, by=user, journal="GEN", date=day,
        lines=[
            LineInput(debit_account.pk, debit=D(amount), party_id=party.pk if debit_account.needs_party else None),
            LineInput(credit_account.pk, credit=D(amount), party_id=party.pk if credit_account.needs_party else None),
        ],
    )  # fmt: skip


def test_a_sub_account_goes_under_the_longest_code_that_begins_it(company, books, accountant):
    account = services.account_create(company, accountant, "43000001", "Cliente Uno", name_en="Customer One")
    assert account.parent == books["4300"]
    assert account.nature == "asset" and account.needs_party
    books["4300"].refresh_from_db()
    assert books["4300"].is_view
    # The receivable role pointed at 4300, now a view: it moves to its only sub-account.
    assert AccountDefault.objects.get(company=company, role="receivable").account == account
    deeper = services.account_create(company, accountant, "6290001", "Mensajería", needs_party=False)
    assert deeper.parent == books["629"] and deeper.nature == "expense" and not deeper.needs_party


def test_an_account_between_levels_takes_the_accounts_its_code_begins(company, books, accountant):
    services.account_create(company, accountant, "70000", "Ventas nacionales")
    middle = services.account_create(company, accountant, "7000", "Ventas de mercaderías en España")
    assert middle.parent == books["700"] and middle.is_view
    assert Account.objects.get(company=company, code="70000").parent == middle


def test_a_parent_with_lines_cannot_gain_sub_accounts(company, books, accountant, customer):
    _post(company, accountant, books, books["572"], books["100"])
    with pytest.raises(Conflict, match="already has entry lines"):
        services.account_create(company, accountant, "5720001", "Banco Uno")
    assert not Account.objects.filter(company=company, code="5720001").exists()
    books["572"].refresh_from_db()
    assert not books["572"].is_view


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "1 to 16 digits"),
        ("43a", "1 to 16 digits"),
        ("1" * 17, "1 to 16 digits"),
        (
            "\uff14\uff13\uff10\uff10\uff11",
            "1 to 16 digits",
        ),  # full-width digits are digits to Python, not to an accountant
        ("4300", "already has an account 4300"),
        ("8000", "No account of the chart begins 8000"),
        ("9", "No account of the chart begins 9"),
    ],
)
def test_bad_codes_are_refused(company, books, accountant, code, message):
    with pytest.raises(ValidationFailed, match=message) as failure:
        services.account_create(company, accountant, code, "Cuenta")
    assert failure.value.errors[0]["field"] == "code"


@pytest.mark.parametrize(
    ("name", "name_en", "field"),
    [("", "", "name"), ("   ", "", "name"), ("x" * 201, "", "name"), ("Bien", "y" * 201, "name_en"),
     ("Con\x01control", "", "name"), ("Bien", "bad\x00", "name_en")],
)  # fmt: skip
def test_bad_names_are_refused(company, books, accountant, name, name_en, field):
    with pytest.raises(ValidationFailed) as failure:
        services.account_create(company, accountant, "43000009", name, name_en=name_en)
    assert failure.value.errors[0]["field"] == field


def test_update_renames_and_keeps_the_code_of_an_account_with_lines(company, books, accountant):
    updated = services.account_update(
        company, accountant, books["626"].pk, name="Comisiones bancarias", name_en="Bank fees"
    )
    assert (updated.name, updated.name_en) == ("Comisiones bancarias", "Bank fees")
    _post(company, accountant, books, books["626"], books["572"])
    with pytest.raises(Conflict, match="has entry lines: its code stays"):
        services.account_update(company, accountant, books["626"].pk, code="6260")
    with pytest.raises(ValidationFailed, match="cannot go under itself"):
        services.account_update(company, accountant, books["627"].pk, code="6271")
    recoded = services.account_update(company, accountant, books["627"].pk, code="6200")
    assert recoded.code == "6200" and recoded.parent == books["62"] and recoded.nature == "expense"
    assert Account.objects.get(pk=books["627"].pk).code == "6200"


def test_an_account_with_a_balance_or_a_role_stays_active(company, books, accountant):
    _post(company, accountant, books, books["622"], books["570"])
    with pytest.raises(Conflict, match=r"balance of 100\.00"):
        services.account_update(company, accountant, books["622"].pk, active=False)
    with pytest.raises(Conflict, match="default account for"):
        services.account_update(company, accountant, books["626"].pk, active=False)
    # A view account's balance is its accounts'.
    with pytest.raises(Conflict, match="balance"):
        services.account_update(company, accountant, books["62"].pk, active=False)
    services.account_update(company, accountant, books["624"].pk, active=False)
    assert not Account.objects.get(pk=books["624"].pk).active
    _post(company, accountant, books, books["570"], books["622"])  # back to zero
    assert not services.account_update(company, accountant, books["622"].pk, active=False).active


def test_another_companys_account_is_not_found(company, other_company, books, accountant):
    ledger_services.journal_of(other_company, "GEN")
    foreign = Account.objects.get(company=other_company, code="700")
    with pytest.raises(NotFound):
        services.account_update(company, accountant, foreign.pk, name="Mía")
    with pytest.raises(ValidationFailed) as failure:
        services.default_set(company, accountant, "sales", foreign.pk)
    assert failure.value.errors[0]["field"] == "account"


def test_default_set_takes_a_posting_account_only(company, books, accountant):
    row = services.default_set(company, accountant, "sales", books["701"].pk)
    assert AccountDefault.objects.get(company=company, role="sales").account == books["701"] == row.account
    with pytest.raises(ValidationFailed, match="view account"):
        services.default_set(company, accountant, "sales", books["70"].pk)
    with pytest.raises(ValidationFailed, match="Unknown role"):
        services.default_set(company, accountant, "salary", books["640"].pk)
    services.account_update(company, accountant, books["704"].pk, active=False)
    with pytest.raises(ValidationFailed, match="inactive"):
        services.default_set(company, accountant, "sales", books["704"].pk)
    assert AccountDefault.objects.get(company=company, role="sales").account == books["701"]


def test_a_party_gets_its_own_accounts(company, books, accountant, customer):
    own = services.account_create(company, accountant, "4301", "Clientes grupo", needs_party=True)
    row = services.party_accounting_set(company, accountant, customer.pk, own.pk, None)
    assert (row.receivable, row.payable) == (own, None)
    with pytest.raises(ValidationFailed, match="does not keep accounts per party") as failure:
        services.party_accounting_set(company, accountant, customer.pk, books["572"].pk, None)
    assert failure.value.errors[0]["field"] == "receivable"
    with pytest.raises(ValidationFailed, match="view account"):
        services.party_accounting_set(company, accountant, customer.pk, None, books["400"].pk)
    cleared = services.party_accounting_set(company, accountant, customer.pk, None, None)
    assert (cleared.receivable, cleared.payable) == (None, None)
    assert PartyAccounting.objects.get(party=customer).receivable is None


def test_clearing_a_partys_accounts_keeps_its_terms_and_credit_limit(company, books, accountant, customer):
    from nexo.accounting.services.payment_terms import party_profile_set

    own = services.account_create(company, accountant, "4301", "Clientes grupo", needs_party=True)
    services.party_accounting_set(company, accountant, customer.pk, own.pk, None)
    party_profile_set(
        company=company, by=accountant, party_id=customer.pk, credit_limit=D("5000"), holiday_month=8
    )
    services.party_accounting_set(company, accountant, customer.pk, None, None)
    row = PartyAccounting.objects.get(party=customer)
    assert (row.receivable, row.credit_limit, row.holiday_month) == (None, D("5000.00"), 8)


def test_another_companys_party_is_not_found(company, other_company, books, accountant):
    stranger = Party.objects.create(company=other_company, name="Ajena, S.L.", status="customer")
    with pytest.raises(NotFound):
        services.party_accounting_set(company, accountant, stranger.pk, books["4300"].pk, None)
    with pytest.raises(NotFound):
        services.party_accounting_set(company, accountant, 2**70, books["4300"].pk, None)


def test_a_party_account_keeps_needing_a_party(company, books, accountant, customer):
    services.party_accounting_set(company, accountant, customer.pk, books["4309"].pk, None)
    with pytest.raises(Conflict, match="keeps needing a party"):
        services.account_update(company, accountant, books["4309"].pk, needs_party=False)


def test_names_follow_the_language(books):
    assert services.account_name(books["4300"], "en") == "Customers (euros)"
    assert services.account_name(books["4300"], "es") == "Clientes (euros)"
    books["4300"].name_en = ""
    assert services.account_name(books["4300"], "en") == "Clientes (euros)"

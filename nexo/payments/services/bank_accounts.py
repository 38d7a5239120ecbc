"""The company's bank accounts: IBAN and BIC checked with schwifty, the ledger account each posts to (a new
572x sub-account of the bank default unless an asset account is chosen), and the SEPA creditor identifier
direct debits are collected under."""

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from nexo.accounting.models import Account, EntryLine, Nature
from nexo.accounting.services.accounts import account_create
from nexo.accounting.services.defaults import default_account, default_accounts
from nexo.accounting.services.ledger import journal_of
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.validation import MAX_ID
from nexo.payments.models import BankAccount
from nexo.payments.rules.bank_accounts import creditor_check_digits
from nexo.payments.rules.sepa import CREDITOR_ID

#: Sub-accounts of the bank account are numbered to seven digits (5720001, 5720002…), the Spanish habit.
SUB_ACCOUNT_DIGITS = 7
MAX_NAME = 100
#: Length of the national identifier in a creditor identifier, where the country fixes it (Spain: a NIF).
NATIONAL_ID_LENGTH = {"ES": 9}


def creditor_id_clean(value: str) -> str:
    """A SEPA creditor identifier compact and upper-case ("" stays ""); refused when its form or its check
    digits are wrong."""
    compact = re.sub(r"[\s-]", "", value or "").upper()
    if not compact:
        return ""
    match = CREDITOR_ID.fullmatch(compact)
    if match is None or len(compact) > 35:
        raise ValidationFailed.on(
            "creditor_id",
            _(
                "A creditor identifier is the country (2 letters), 2 check digits, a 3-character business code "
                "and the national identifier, e.g. ES46000B46123451."
            ),
        )
    country, check, _business, national_id = match.groups()
    if country in NATIONAL_ID_LENGTH and len(national_id) != NATIONAL_ID_LENGTH[country]:
        raise ValidationFailed.on(
            "creditor_id",
            _("A Spanish creditor identifier ends with the company's 9-character tax id (NIF)."),
        )
    if creditor_check_digits(country, national_id) != check:
        raise ValidationFailed.on(
            "creditor_id", _("The check digits of the creditor identifier are wrong: check it.")
        )
    return compact


def iban_clean(value: str, field: str = "iban") -> IBAN:
    try:
        return IBAN(value or "")
    except (SchwiftyException, ValueError):
        raise ValidationFailed.on(field, _("This is not a valid IBAN: check its digits.")) from None


def bic_clean(value: str, field: str = "bic") -> str:
    compact = re.sub(r"\s", "", value or "").upper()
    if not compact:
        return ""
    try:
        return str(BIC(compact))
    except (SchwiftyException, ValueError):
        raise ValidationFailed.on(field, _("This is not a valid BIC (8 or 11 characters).")) from None


def _name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ValidationFailed.on("name", _("Give the bank account a name."))
    if len(name) > MAX_NAME:
        raise ValidationFailed.on("name", _("At most %(count)s characters.") % {"count": MAX_NAME})
    return name


def _chosen_account(company: Company, account_id) -> Account:
    found = None
    if isinstance(account_id, int) and 0 < account_id <= MAX_ID:
        found = Account.objects.filter(company=company, pk=account_id).first()
    if found is None or found.is_view or not found.active or found.nature != Nature.ASSET:
        raise ValidationFailed.on("account", _("Choose an active posting asset account of this company."))
    return found


def _new_bank_account(company: Company, by: User | None, name: str) -> Account:
    """The next 572x sub-account under the bank default (or under the group it belongs to). When the default
    already has entry lines it cannot group sub-accounts: the company's first bank account then posts to it."""
    journal_of(company, "BAN")  # a company whose books are not set up yet gets them first
    bank = default_account(default_accounts(company), "bank")
    base = bank.code
    if len(base) >= SUB_ACCOUNT_DIGITS:
        base = bank.parent.code if bank.parent_id else base[:3]
    if not bank.is_view and EntryLine.objects.filter(account=bank).exists():
        if not BankAccount.objects.filter(company=company, account=bank).exists():
            return bank
        raise ValidationFailed.on(
            "account",
            _("%(account)s already has entries and cannot group sub-accounts: choose the account.")
            % {"account": bank},
        )
    codes = Account.objects.filter(company=company, code__startswith=base).values_list("code", flat=True)
    width = SUB_ACCOUNT_DIGITS - len(base)
    numbers = [int(code[len(base) :]) for code in codes if len(code) == SUB_ACCOUNT_DIGITS and code.isdigit()]
    code = f"{base}{max(numbers, default=0) + 1:0{width}d}"
    return account_create(company, by, code=code, name=name[:200], needs_party=False)


def bank_account_save(
    *,
    company: Company,
    by: User | None,
    bank_account_id: int | None = None,
    name: str,
    iban: str,
    bic: str = "",
    account_id: int | None = None,
    creditor_id: str = "",
    active: bool = True,
) -> BankAccount:
    """Add a bank account (`bank_account_id` None) or change one. Without `account_id` a new one gets its
    own 572x sub-account; an account already chosen stays unless another is given."""
    name = _name(name)
    iban_value = iban_clean(iban)
    bic = bic_clean(bic)
    creditor_id = creditor_id_clean(creditor_id)
    with transaction.atomic():
        if bank_account_id is None:
            bank_account = BankAccount(company=company, created_by=by)
        else:
            bank_account = (
                BankAccount.objects.select_for_update().filter(company=company, pk=bank_account_id).first()
            )
            if bank_account is None:
                raise NotFound(_("No such bank account."))
        if (
            BankAccount.objects.filter(company=company, iban=iban_value.compact)
            .exclude(pk=bank_account.pk)
            .exists()
        ):
            raise ValidationFailed.on("iban", _("The company already has a bank account with this IBAN."))
        if account_id is not None:
            bank_account.account = _chosen_account(company, account_id)
        elif bank_account.account_id is None:
            bank_account.account = _new_bank_account(company, by, name)
        bank_account.name = name
        bank_account.iban = iban_value.compact
        bank_account.bic = bic
        bank_account.creditor_id = creditor_id
        bank_account.active = bool(active)
        bank_account.updated_by = by
        try:
            with transaction.atomic():
                bank_account.save()
        except IntegrityError:
            raise Conflict(_("The company already has a bank account with this IBAN.")) from None
        return bank_account


def bank_account_get(company: Company, bank_account_id) -> BankAccount:
    found = BankAccount.objects.filter(company=company, pk=bank_account_id).select_related("account").first()
    if found is None:
        raise NotFound(_("No such bank account."))
    return found


__all__ = ["bank_account_get", "bank_account_save", "creditor_check_digits", "creditor_id_clean"]

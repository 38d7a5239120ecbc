"""The chart of accounts as an accountant keeps it: add an account at any level (under the longest code that
begins it, whose nature it takes), rename, deactivate, the company's default account per role, and a
party's own receivable and payable accounts.

A posting account that gains a sub-account becomes a view account, which takes no lines: so it must have
none yet, and the defaults and party accounts that pointed at it move to the new sub-account (its only
child), so that posting never finds a view account where it expects one."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.accounting.models import Account, AccountDefault, EntryLine, PartyAccounting
from nexo.accounting.rules import ledger
from nexo.core.aggregates import MoneySum
from nexo.core.api import CONTROL_CHARACTERS
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.validation import MAX_ID
from nexo.parties.models import Party

MAX_CODE_LENGTH = 16  # Account.code's column
MAX_NAME_LENGTH = 200  # Account.name's column

#: What each default role is for, as the default accounts page shows it (ledger.DEFAULT_ROLES).
ROLE_LABELS = {
    "receivable": gettext_lazy("Customers (receivable)"),
    "payable": gettext_lazy("Suppliers (payable)"),
    "sales": gettext_lazy("Sales of goods"),
    "sales_returns": gettext_lazy("Sales returns"),
    "services_income": gettext_lazy("Services rendered"),
    "purchases": gettext_lazy("Purchases of goods"),
    "purchase_returns": gettext_lazy("Purchase returns"),
    "output_vat": gettext_lazy("Output VAT"),
    "output_recargo": gettext_lazy("Output equivalence surcharge"),
    "input_vat": gettext_lazy("Input VAT"),
    "withholding_receivable": gettext_lazy("Withholdings our customers make (IRPF)"),
    "withholding_payable": gettext_lazy("Withholdings we make (IRPF)"),
    "stock": gettext_lazy("Stock of goods"),
    "stock_variation": gettext_lazy("Change in stock"),
    "result": gettext_lazy("Result of the year"),
    "bank": gettext_lazy("Bank"),
    "cash": gettext_lazy("Cash"),
    "bank_charges": gettext_lazy("Bank charges"),
}


def account_name(account: Account, language: str | None = None) -> str:
    """The account's name in the language given (the active one by default): English when it has one."""
    if language is None:
        from django.utils.translation import get_language

        language = get_language() or ""
    return account.name_en if language.startswith("en") and account.name_en else account.name


def _text(field: str, value: str | None, *, required: bool, max_length: int = MAX_NAME_LENGTH) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed.on(field, _("Enter a name."))
    if len(value) > max_length:
        raise ValidationFailed.on(field, _("Use at most %(count)s characters.") % {"count": max_length})
    if CONTROL_CHARACTERS.search(value) or "\x00" in value:
        raise ValidationFailed.on(field, _("Remove the invisible control characters (pasted with the text)."))
    return value


def _code(value: str | None) -> str:
    code = (value or "").strip()
    if not code.isascii() or not code.isdigit() or not 1 <= len(code) <= MAX_CODE_LENGTH:
        raise ValidationFailed.on(
            "code",
            _("An account code has 1 to %(count)s digits and nothing else.") % {"count": MAX_CODE_LENGTH},
        )
    return code


def _has_lines(account_ids) -> set[int]:
    return set(
        EntryLine.objects.filter(account_id__in=list(account_ids))
        .values_list("account_id", flat=True)
        .distinct()
    )


def _parent_for(company: Company, code: str) -> Account:
    """The longest existing code of the chart that begins `code`, locked: the new account goes under it."""
    prefixes = [code[:length] for length in range(len(code) - 1, 0, -1)]
    candidates = {
        account.code: account
        for account in Account.objects.select_for_update().filter(company=company, code__in=prefixes)
    }
    for prefix in prefixes:
        if prefix in candidates:
            return candidates[prefix]
    raise ValidationFailed.on(
        "code",
        _(
            "No account of the chart begins %(code)s: an account goes under an existing one (its first digits)."
        )
        % {"code": code},
    )


def _make_view(parent: Account, child: Account) -> None:
    """A posting parent gains its first sub-account: it becomes a view, and what pointed at it moves down."""
    if parent.is_view:
        return
    if _has_lines([parent.pk]):
        raise Conflict(
            _(
                "%(account)s already has entry lines: it cannot group sub-accounts. Create the new account "
                "under another one, or with a longer code under a sub-account."
            )
            % {"account": parent}
        )
    parent.is_view = True
    parent.save(update_fields=["is_view"])
    defaults = AccountDefault.objects.filter(company_id=parent.company_id, account=parent)
    child.moved_roles = list(defaults.values_list("role", flat=True))
    defaults.update(account=child)
    child.moved_parties = PartyAccounting.objects.filter(receivable=parent).update(receivable=child)
    child.moved_parties += PartyAccounting.objects.filter(payable=parent).update(payable=child)


def account_create(
    company: Company,
    by: User | None,
    code: str,
    name: str,
    name_en: str = "",
    needs_party: bool | None = None,
) -> Account:
    """Add an account under the longest existing code that begins its own; it takes that parent's nature
    (and its need of a party unless told). Accounts whose code it begins move under it, making it a view."""
    code = _code(code)
    name = _text("name", name, required=True)
    name_en = _text("name_en", name_en, required=False)
    with transaction.atomic():
        if Account.objects.filter(company=company, code=code).exists():
            raise ValidationFailed.on(
                "code", _("The chart already has an account %(code)s.") % {"code": code}
            )
        parent = _parent_for(company, code)
        # Accounts already under the parent whose code begins the new one's go under the new account.
        below = list(
            Account.objects.select_for_update().filter(company=company, parent=parent, code__startswith=code)
        )
        account = Account(
            company=company, code=code, name=name, name_en=name_en, parent=parent, nature=parent.nature,
            is_view=bool(below), needs_party=parent.needs_party if needs_party is None else bool(needs_party),
        )  # fmt: skip
        try:
            with transaction.atomic():
                account.save()
        except IntegrityError:
            raise ValidationFailed.on(
                "code", _("The chart already has an account %(code)s.") % {"code": code}
            ) from None
        if below:
            Account.objects.filter(pk__in=[child.pk for child in below]).update(parent=account)
        else:
            _make_view(parent, account)
    return account


def _account_of(company: Company, account_id, field: str | None = None, *, lock: bool = False) -> Account:
    if not isinstance(account_id, int) or not 0 < account_id <= MAX_ID:
        found = None
    else:
        queryset = Account.objects.select_for_update() if lock else Account.objects
        found = queryset.filter(company=company, pk=account_id).first()
    if found is None:
        if field is None:
            raise NotFound(_("No such account."))
        raise ValidationFailed.on(field, _("Choose an account of this company."))
    return found


def account_balance(account: Account) -> Decimal:
    """Debits minus credits of the posted lines of the account and of every account below it."""
    totals = EntryLine.objects.filter(
        company_id=account.company_id, posted=True, account__code__startswith=account.code
    ).aggregate(debit=MoneySum("debit"), credit=MoneySum("credit"))
    return (totals["debit"] or ledger.ZERO) - (totals["credit"] or ledger.ZERO)


def account_update(
    company: Company,
    by: User | None,
    account_id: int,
    name: str | None = None,
    name_en: str | None = None,
    active: bool | None = None,
    needs_party: bool | None = None,
    code: str | None = None,
) -> Account:
    """Rename, (de)activate, or say whether lines need a party; None keeps a value. The code changes only
    while the account has no lines and no sub-accounts; an account with a balance, or that a role posts
    to by default, stays active."""
    with transaction.atomic():
        account = _account_of(company, account_id, lock=True)
        fields = []
        if name is not None:
            account.name = _text("name", name, required=True)
            fields.append("name")
        if name_en is not None:
            account.name_en = _text("name_en", name_en, required=False)
            fields.append("name_en")
        if needs_party is not None and bool(needs_party) != account.needs_party:
            if (
                not needs_party
                and PartyAccounting.objects.filter(Q(receivable=account) | Q(payable=account)).exists()
            ):
                raise Conflict(
                    _("Parties post to %(account)s as their own account: it keeps needing a party.")
                    % {"account": account}
                )
            account.needs_party = bool(needs_party)
            fields.append("needs_party")
        if code is not None and _code(code) != account.code:
            _recode(company, account, _code(code))
            fields += ["code", "parent", "nature"]
        if active is not None and bool(active) != account.active:
            if not active:
                _check_can_deactivate(account)
            account.active = bool(active)
            fields.append("active")
        if fields:
            account.save(update_fields=fields)
    return account


def _recode(company: Company, account: Account, code: str) -> None:
    if account.is_view or Account.objects.filter(parent=account).exists():
        raise Conflict(_("%(account)s groups other accounts: its code stays.") % {"account": account})
    if _has_lines([account.pk]):
        raise Conflict(_("%(account)s has entry lines: its code stays.") % {"account": account})
    if Account.objects.filter(company=company, code=code).exists():
        raise ValidationFailed.on("code", _("The chart already has an account %(code)s.") % {"code": code})
    if Account.objects.filter(company=company, code__startswith=code).exclude(pk=account.pk).exists():
        raise ValidationFailed.on(
            "code",
            _("Other accounts begin with %(code)s: choose a code no account begins with.") % {"code": code},
        )
    parent = _parent_for(company, code)
    if parent.pk == account.pk:  # the old code begins the new one
        raise ValidationFailed.on("code", _("An account cannot go under itself."))
    _make_view(parent, account)
    account.code, account.parent, account.nature = code, parent, parent.nature


def _check_can_deactivate(account: Account) -> None:
    balance = account_balance(account)
    if balance != ledger.ZERO:
        raise Conflict(
            _("%(account)s has a balance of %(balance)s: bring it to zero before deactivating it.")
            % {"account": account, "balance": balance}
        )
    roles = list(
        AccountDefault.objects.filter(
            company_id=account.company_id, account__code__startswith=account.code
        ).values_list("role", flat=True)
    )
    if roles:
        raise Conflict(
            _("%(account)s is the default account for %(roles)s: choose another account for it first.")
            % {"account": account, "roles": ", ".join(str(ROLE_LABELS.get(role, role)) for role in roles)}
        )


def _posting_account(company: Company, account_id, field: str) -> Account:
    account = _account_of(company, account_id, field)
    if account.is_view:
        raise ValidationFailed.on(
            field,
            _("%(account)s is a view account that groups others: choose one of its accounts.")
            % {"account": account},
        )
    if not account.active:
        raise ValidationFailed.on(field, _("%(account)s is inactive.") % {"account": account})
    return account


def default_set(company: Company, by: User | None, role: str, account_id: int) -> AccountDefault:
    """The company's account for a role (ledger.DEFAULT_ROLES): a posting account of its chart."""
    if role not in ledger.DEFAULT_ROLES:
        raise ValidationFailed.on("role", _("Unknown role %(role)s.") % {"role": str(role)[:40]})
    with transaction.atomic():
        account = _posting_account(company, account_id, "account")
        row, _created = AccountDefault.objects.update_or_create(
            company=company, role=role, defaults={"account": account}
        )
    return row


def party_accounting_set(
    company: Company, by: User | None, party_id: int, receivable_id: int | None, payable_id: int | None
) -> PartyAccounting | None:
    """A party's own receivable and payable accounts (None: the company's default). Each must be a posting
    account of the company that needs a party on its lines. Both None: the party uses the defaults."""
    if not isinstance(party_id, int) or not 0 < party_id <= MAX_ID:
        raise NotFound(_("No such party."))
    with transaction.atomic():
        party = Party.objects.filter(company=company, pk=party_id).first()
        if party is None:
            raise NotFound(_("No such party."))
        accounts = {}
        for field, account_id in (("receivable", receivable_id), ("payable", payable_id)):
            if account_id is None:
                accounts[field] = None
                continue
            account = _posting_account(company, account_id, field)
            if not account.needs_party:
                raise ValidationFailed.on(
                    field,
                    _("%(account)s does not keep accounts per party: choose one that needs a party.")
                    % {"account": account},
                )
            accounts[field] = account
        if accounts["receivable"] is None and accounts["payable"] is None:
            # Back to the company's accounts; the profile's terms, credit limit and holiday month stay.
            PartyAccounting.objects.filter(party=party).update(receivable=None, payable=None)
            return PartyAccounting.objects.filter(party=party).first()
        row, _created = PartyAccounting.objects.update_or_create(party=party, defaults=accounts)
    return row

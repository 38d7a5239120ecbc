"""Which account a posting module falls back to: the company's default per role (from the chart template)
and a party's own receivable and payable accounts. Read once per document, never per line."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from nexo.accounting.models import Account, AccountDefault, PartyAccounting
from nexo.core.errors import Conflict
from nexo.core.models import Company


def default_accounts(company: Company) -> dict[str, Account]:
    """role → the company's account for it (ledger.DEFAULT_ROLES), in one query."""
    return {
        row.role: row.account
        for row in AccountDefault.objects.filter(company=company).select_related("account")
    }


def default_account(defaults: dict[str, Account], role: str) -> Account:
    found = defaults.get(role)
    if found is None:
        raise Conflict(
            _("The chart of accounts has no default account for %(role)s: an accountant sets it.")
            % {"role": role}
        )
    return found


def party_accounts(party_ids: Iterable[int]) -> dict[int, tuple[int | None, int | None]]:
    """party id → (its receivable account id, its payable account id), for parties that have their own."""
    return {
        row.party_id: (row.receivable_id, row.payable_id)
        for row in PartyAccounting.objects.filter(party_id__in=list(party_ids))
    }

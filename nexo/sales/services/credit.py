"""A customer's credit limit, checked when a quotation is accepted or an order confirmed directly.

The exposure is what the customer owes (its balance on its receivable accounts in the books, which always
equals its open due amounts less its unapplied payments) plus its open orders (confirmed and not fully
invoiced: what is left to invoice, with VAT) plus the document being accepted. Over the limit
(`accounting.PartyAccounting.credit_limit`; none: no limit) the action is refused, unless a manager
(`sales.override_credit_limit`) overrides it: the override is recorded (`CreditOverride`) with the figures
seen. Sales reads the books here, not the payments module (a layer above it).

The party's row is locked before the figures are read, so two acceptances for one customer queue there and
the second counts the order the first made: together they cannot pass the limit unseen."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from nexo.accounting.models import AccountDefault, EntryLine, PartyAccounting
from nexo.core import formatting
from nexo.core.aggregates import MoneySum
from nexo.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.rules import round_money
from nexo.core.validation import locked
from nexo.parties.models import Party
from nexo.sales import rules
from nexo.sales.models import CreditOverride, Quotation, SalesOrder, SalesOrderLine

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
REASON_LENGTH = 300  # CreditOverride.reason's column
OVERRIDE_PERMISSION = "sales.override_credit_limit"


@dataclass(frozen=True)
class Exposure:
    """What a customer owes and has on order, against its credit limit (None: no limit)."""

    credit_limit: Decimal | None
    ledger_balance: Decimal
    open_orders: Decimal
    currency: str

    @property
    def total(self) -> Decimal:
        return self.ledger_balance + self.open_orders

    @property
    def available(self) -> Decimal | None:
        return None if self.credit_limit is None else self.credit_limit - self.total

    def exceeded_by(self, amount: Decimal) -> bool:
        """Whether `amount` more would put the customer over its limit."""
        return self.credit_limit is not None and self.total + amount > self.credit_limit


def credit_limit_of(party_id: int) -> Decimal | None:
    return PartyAccounting.objects.filter(party_id=party_id).values_list("credit_limit", flat=True).first()


def receivable_balance(company: Company, party_id: int) -> Decimal:
    """The party's balance (debit less credit) on its receivable accounts: its own and the company's
    default (4300), posted entries only, in one query."""
    receivable_accounts = Q(
        account_id__in=AccountDefault.objects.filter(company=company, role="receivable").values("account_id")
    ) | Q(
        account_id__in=PartyAccounting.objects.filter(party_id=party_id, receivable__isnull=False).values(
            "receivable_id"
        )
    )
    sums = EntryLine.objects.filter(
        receivable_accounts, company=company, posted=True, party_id=party_id
    ).aggregate(debit=MoneySum("debit"), credit=MoneySum("credit"))
    return (sums["debit"] or ZERO) - (sums["credit"] or ZERO)


def open_order_amount(net, invoiced_net, tax_rate, quantity, cancelled) -> Decimal:
    """What an order line still has to invoice, with its VAT: its net less what was cancelled and what was
    invoiced (net of credit notes), never below zero."""
    if not quantity:
        return ZERO
    ordered_net = net * (quantity - cancelled) / quantity
    left = max(ordered_net - invoiced_net, ZERO)
    return round_money(left * (1 + tax_rate / HUNDRED))


def open_orders_amount(company: Company, party_id: int) -> Decimal:
    """The party's confirmed orders not fully invoiced: what they have left to invoice, with VAT (one
    query)."""
    rows = SalesOrderLine.objects.filter(
        order__company=company, order__party_id=party_id, order__state=rules.ORDER_CONFIRMED,
        order__invoice_state__in=(rules.TO_INVOICE, rules.PARTIALLY_INVOICED),
    ).values_list("net", "invoiced_net", "tax_rate", "quantity", "cancelled")  # fmt: skip
    return sum((open_order_amount(*row) for row in rows), ZERO)


def exposure(company: Company, party_id: int) -> Exposure:
    """The customer's credit limit, receivable balance and open orders (three queries)."""
    return _exposure(company, party_id, credit_limit_of(party_id))


def _exposure(company: Company, party_id: int, credit_limit: Decimal | None) -> Exposure:
    return Exposure(
        credit_limit=credit_limit,
        ledger_balance=receivable_balance(company, party_id),
        open_orders=open_orders_amount(company, party_id),
        currency=company.currency,
    )


def _over_limit_message(figures: Exposure, amount: Decimal) -> str:
    money = lambda value: formatting.money(value, figures.currency)  # noqa: E731
    return _(
        "Over the customer's credit limit: it owes %(balance)s and has %(orders)s on open orders; with this "
        "%(amount)s it would reach %(total)s, over its limit of %(limit)s by %(over)s. A manager may override it."
    ) % {
        "balance": money(figures.ledger_balance), "orders": money(figures.open_orders), "amount": money(amount),
        "total": money(figures.total + amount), "limit": money(figures.credit_limit),
        "over": money(figures.total + amount - figures.credit_limit),
    }  # fmt: skip


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_LENGTH:
        raise ValidationFailed.on(
            "credit_override_reason", _("Use at most %(count)s characters.") % {"count": REASON_LENGTH}
        )
    return reason


def credit_check(
    company: Company,
    party_id: int,
    amount: Decimal,
    *,
    by: User,
    override: bool = False,
    reason: str = "",
    quotation: Quotation | None = None,
) -> CreditOverride | None:
    """Check that `amount` more (the document being accepted or confirmed) keeps the customer within its
    credit limit; runs in the caller's transaction, the party's row locked first.

    Over the limit: refused (409) with the figures, unless `override` by a user who may override it (else
    403), which records the override and returns it (`override_attach` notes the order on it once made)."""
    reason = _reason(reason)
    with transaction.atomic():
        try:
            locked(Party, company=company, pk=party_id, missing="")
        except NotFound:
            return None  # the caller refuses an unknown party with its own message
        limit = credit_limit_of(party_id)
        if limit is None:
            return None
        figures = _exposure(company, party_id, limit)
        if not figures.exceeded_by(amount):
            return None
        if not override:
            raise Conflict(_over_limit_message(figures, amount))
        if not by.has_perm(OVERRIDE_PERMISSION):
            raise Forbidden(
                _("Only a manager may let a customer go over its credit limit. %(figures)s")
                % {"figures": _over_limit_message(figures, amount)}
            )
        return CreditOverride.objects.create(
            company=company, party_id=party_id, quotation=quotation, credit_limit=limit,
            exposure=figures.total, amount=amount, reason=reason, created_by=by, updated_by=by,
        )  # fmt: skip


def override_attach(override: CreditOverride | None, order: SalesOrder) -> None:
    """The order an accepted quotation made, noted on the override that let it through."""
    if override is not None:
        CreditOverride.objects.filter(pk=override.pk).update(order=order)
        override.order = order


@dataclass(frozen=True)
class QuotationCredit:
    """A quotation's customer position as its editor shows it."""

    figures: Exposure
    amount: Decimal

    @property
    def exceeds(self) -> bool:
        return self.figures.exceeded_by(self.amount)

    @property
    def available_after(self) -> Decimal | None:
        available = self.figures.available
        return None if available is None else available - self.amount


def quotation_credit(company: Company, quotation: Quotation) -> QuotationCredit:
    """The customer's position beside an open quotation, and whether accepting it would pass the limit."""
    return QuotationCredit(figures=exposure(company, quotation.party_id), amount=quotation.total)


__all__ = [
    "OVERRIDE_PERMISSION",
    "Exposure",
    "QuotationCredit",
    "credit_check",
    "credit_limit_of",
    "exposure",
    "open_order_amount",
    "open_orders_amount",
    "override_attach",
    "quotation_credit",
    "receivable_balance",
]

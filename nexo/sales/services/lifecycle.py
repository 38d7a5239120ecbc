"""A quotation's decisions: sent, accepted, rejected, revised into a new version, cancelled, expired.

Every move goes through `core.states.state_change` with the quotation's lifecycle
(`rules.QUOTATION_LIFECYCLE`), inside the service's transaction and with the quotation locked, so it is
checked, assigned and logged alike from every door. Accepting wins the opportunity (crm), makes a lead a customer (parties) and creates the sales
order, in one transaction that locks the opportunity first.
"""

from datetime import date as Date
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.core import plainsql
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.formatting import day_text
from nexo.core.models import Company, User
from nexo.core.states import state_change, states_change
from nexo.crm import services as crm
from nexo.crm.models import Opportunity
from nexo.parties import services as parties
from nexo.parties.models import Party
from nexo.sales import rules
from nexo.sales.models import Quotation, SalesOrder
from nexo.sales.services.approval import check_approved
from nexo.sales.services.common import locked_quotation, settings_of
from nexo.sales.services.credit import credit_check, override_attach
from nexo.sales.services.orders import sales_order_from
from nexo.sales.services.pricing import recompute

# The quotations expired in one transaction (their rows locked together, their moves logged in one insert).
EXPIRY_BATCH = 500


def _close(quotation: Quotation, target: str, *, by: User, refused: str, reason: str = "") -> None:
    """Move an open quotation to `target` (rejected, cancelled) and say who closed it, when and why;
    `refused` is the message when its lifecycle does not allow it."""
    state_change(
        quotation, target, lifecycle=rules.QUOTATION_LIFECYCLE, by=by, refused=refused
    )
    _closed_by(quotation, by, reason)


def _closed_by(quotation: Quotation, by: User, reason: str = "", *, only_closing: bool = False) -> None:
    """Who closed the quotation, when and why; the quotation saved (with `only_closing`, only its state
    and these fields, in one plain UPDATE, for a caller that changed nothing else)."""
    quotation.closed_at, quotation.closed_by = timezone.now(), by
    quotation.close_reason = reason[:500]
    quotation.updated_by = by
    if only_closing:
        plainsql.update(Quotation, [quotation], CLOSING_FIELDS)
    else:
        quotation.save()


CLOSING_FIELDS = ("state", "closed_at", "closed_by", "close_reason", "updated_by", "updated_at")


def mark_sent(company: Company, by: User, quotation_id: int, sent_to: str = "") -> Quotation:
    """The quotation locked and moved to sent, with its lines checked; runs in the caller's transaction."""
    quotation = locked_quotation(company, quotation_id)
    check_approved(quotation)  # a draft under its minimum margin waits for a manager
    state_change(
        quotation, rules.SENT, lifecycle=rules.QUOTATION_LIFECYCLE, by=by,
        refused=_("Quotation %(quotation)s is %(state)s: it cannot be sent."),
    )  # fmt: skip
    if not quotation.lines.exists():
        raise ValidationFailed.on("lines", _("Add at least one line before sending."))
    quotation.sent_at, quotation.sent_to = timezone.now(), sent_to[:254]
    quotation.updated_by = by
    # Only what sending changes, in one plain UPDATE (the row is locked; the ORM's full save cost more).
    plainsql.update(Quotation, [quotation], ("state", "sent_at", "sent_to", "updated_by", "updated_at"))
    return quotation


def quotation_mark_sent(*, company: Company, by: User, quotation_id: int, sent_to: str = "") -> Quotation:
    """Sent (by other means than Nexo's e-mail): from now on it is never edited (a revision makes a new
    version). The quotation is locked; the move is logged."""
    with transaction.atomic():
        return mark_sent(company, by, quotation_id, sent_to)


def _expired_by_date(quotation: Quotation, today: Date) -> bool:
    return quotation.state == rules.SENT and quotation.valid_until < today


def quotation_accept(
    *,
    company: Company,
    by: User,
    quotation_id: int,
    override_credit: bool = False,
    credit_override_reason: str = "",
) -> SalesOrder:
    """Accepting, in one transaction: the opportunity is won with the quotation's net, its other open
    quotations are cancelled as superseded, a lead becomes a customer, and the sales order is created.
    A customer that would go over its credit limit is refused unless a manager overrides it
    (`override_credit`, recorded with the reason: `credit.credit_check`).

    The opportunity is locked before any quotation, and the party after them, so two acceptances of one
    opportunity queue there and the second finds it won, and two for one customer queue at the party."""
    with transaction.atomic():
        found = Quotation.objects.filter(company=company, pk=quotation_id).values_list(
            "opportunity_id", flat=True
        )
        if not found:
            raise NotFound(_("No such quotation."))
        opportunity_id = found[0]
        if opportunity_id:
            opportunity = Opportunity.objects.select_for_update().get(pk=opportunity_id)
            if opportunity.status == Opportunity.Status.WON:
                raise Conflict(_("The opportunity is already won: this quotation can no longer be accepted."))
        quotation = locked_quotation(company, quotation_id)
        if quotation.state == rules.ACCEPTED:
            raise Conflict(_("Quotation %(quotation)s is already accepted.") % {"quotation": quotation})
        if quotation.state == rules.DRAFT:
            raise Conflict(
                _("Quotation %(quotation)s is a draft: send it before it can be accepted.")
                % {"quotation": quotation}
            )
        if _expired_by_date(quotation, timezone.localdate()):
            raise Conflict(
                _("Quotation %(quotation)s expired on %(day)s: revise it for a new version.")
                % {"quotation": quotation, "day": day_text(quotation.valid_until)}
            )
        # Moved (or refused) before the opportunity is touched; saved once the order follows.
        state_change(
            quotation, rules.ACCEPTED, lifecycle=rules.QUOTATION_LIFECYCLE, by=by,
            refused=_("Quotation %(quotation)s is %(state)s: it cannot be accepted."),
        )  # fmt: skip
        override = credit_check(
            company, quotation.party_id, quotation.total, by=by, override=override_credit,
            reason=credit_override_reason, quotation=quotation,
        )  # fmt: skip
        if opportunity_id:
            crm.opportunity_win(
                company=company, opportunity_id=opportunity_id, by=by, amount=quotation.net, by_hand=False,
                note=_("Quotation %(quotation)s accepted") % {"quotation": quotation},
            )  # fmt: skip
            _supersede(quotation, opportunity_id, by)
        party = quotation.party
        if party.status == Party.Status.LEAD:
            parties.party_update(company=company, party_id=party.pk, by=by, status=Party.Status.CUSTOMER)
        _closed_by(quotation, by, only_closing=True)  # accepting changes only its state and closing
        order = sales_order_from(quotation, by)
        override_attach(override, order)
        return order


def _supersede(accepted: Quotation, opportunity_id: int, by: User) -> None:
    """The opportunity's other open quotations cancelled, locked in id order, their moves logged at once."""
    others = list(
        Quotation.objects.select_for_update()
        .filter(opportunity_id=opportunity_id, state__in=rules.OPEN_STATES)
        .exclude(pk=accepted.pk)
        .order_by("pk")
    )
    if not others:
        return
    states_change(others, rules.CANCELLED, lifecycle=rules.QUOTATION_LIFECYCLE, by=by)
    now = timezone.now()
    Quotation.objects.filter(pk__in=[other.pk for other in others]).update(
        state=rules.CANCELLED, closed_at=now, closed_by=by, updated_by=by, updated_at=now,
        close_reason=(_("Superseded by %(quotation)s, accepted") % {"quotation": accepted})[:500],
    )  # fmt: skip


def _rejection_reason(reason: str) -> str:
    """Why the customer said no, as typed: required, at most 500 characters."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.on("reason", _("Say why the quotation was rejected."))
    if len(reason) > 500:
        raise ValidationFailed.on("reason", _("Ensure this value has at most 500 characters."))
    return reason


def quotation_reject(
    *, company: Company, by: User, quotation_id: int, reason: str, revise: bool = False
) -> Quotation:
    """The customer said no. The last open quotation of an opportunity rejected loses the opportunity with
    the same reason — unless the user revises it, which returns the new draft version. The quotation is
    locked; the move is logged."""
    reason = _rejection_reason(reason)
    with transaction.atomic():
        quotation = locked_quotation(company, quotation_id)
        _close(
            quotation, rules.REJECTED, by=by, reason=reason,
            refused=_("Quotation %(quotation)s is %(state)s: it cannot be rejected."),
        )  # fmt: skip
        if revise:
            return _revision(quotation, by)
        if quotation.opportunity_id:
            others_open = Quotation.objects.filter(
                opportunity_id=quotation.opportunity_id, state__in=rules.OPEN_STATES
            ).exists()
            if not others_open and quotation.opportunity.status == Opportunity.Status.OPEN:
                crm.opportunity_lose(
                    company=company, opportunity_id=quotation.opportunity_id, by=by, reason=reason
                )
        return quotation


def quotation_revise(*, company: Company, by: User, quotation_id: int) -> Quotation:
    """A new version (same number, next version) with the same lines, as a draft; an open old version is
    superseded by it. Only the latest version of a number can be revised. The old version is locked."""
    with transaction.atomic():
        quotation = locked_quotation(company, quotation_id)
        if quotation.state == rules.ACCEPTED:
            raise Conflict(
                _("Quotation %(quotation)s is accepted: it cannot be revised.") % {"quotation": quotation}
            )
        if quotation.is_open:
            # Superseded, not cancelled: nobody cancelled it, the new version takes its place.
            _close(
                quotation, rules.SUPERSEDED, by=by, reason="",
                refused=_("Quotation %(quotation)s is %(state)s: it cannot be revised."),
            )  # fmt: skip
        return _revision(quotation, by)


def _revision(quotation: Quotation, by: User) -> Quotation:
    latest = (
        Quotation.objects.filter(company=quotation.company, number=quotation.number)
        .order_by("-version").values_list("version", flat=True).first()
    )  # fmt: skip
    if latest != quotation.version:
        raise Conflict(
            _("A newer version of %(number)s exists: revise that one.") % {"number": quotation.number}
        )
    if quotation.opportunity_id and quotation.opportunity.status != Opportunity.Status.OPEN:
        if quotation.opportunity.status == Opportunity.Status.WON:
            raise Conflict(_("The opportunity is already won."))
        crm.opportunity_reopen(company=quotation.company, opportunity_id=quotation.opportunity_id, by=by)
    settings = settings_of(quotation.company)
    today = timezone.localdate()
    lines = list(quotation.lines.all())
    revision = Quotation.objects.get(pk=quotation.pk)
    revision.pk = None
    revision.version = quotation.version + 1
    revision.revision_of = quotation
    revision.state = rules.DRAFT  # a new record: it starts its lifecycle, it does not move in it
    revision.date, revision.valid_until = today, today + timedelta(days=settings.quotation_validity_days)
    revision.sent_at = revision.closed_at = revision.closed_by = revision.email_sent_at = None
    revision.sent_to = revision.close_reason = revision.email_status = revision.email_error = ""
    # A new record: no manager has decided on it yet.
    revision.approval, revision.approval_by, revision.approval_at = rules.APPROVAL_UNDECIDED, None, None
    revision.approval_note = revision.approved_lines = ""
    revision.created_by = revision.updated_by = by
    revision.save(force_insert=True)
    for line in lines:
        line.pk, line.quotation = None, revision
    recompute(revision, lines, insert=True)
    return revision


def quotation_cancel(*, company: Company, by: User, quotation_id: int, reason: str = "") -> Quotation:
    """An open quotation cancelled (why, optionally). The quotation is locked; the move is logged."""
    with transaction.atomic():
        quotation = locked_quotation(company, quotation_id)
        _close(
            quotation, rules.CANCELLED, by=by, reason=(reason or "").strip(),
            refused=_("Quotation %(quotation)s is %(state)s: it cannot be cancelled."),
        )  # fmt: skip
        return quotation


def quotations_expire(*, today: Date | None = None, company: Company | None = None) -> int:
    """Sent quotations past their validity become expired; returns how many. Run daily (a task) or by hand.

    In batches, each one transaction: the quotations still sent and past their validity are locked (one
    accepted or revised meanwhile is left out), moved through their lifecycle with one log insert, and
    saved in one statement."""
    today = today or timezone.localdate()
    due = Quotation.objects.filter(state=rules.SENT, valid_until__lt=today)
    if company is not None:
        due = due.filter(company=company)
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    expired = 0
    for start in range(0, len(ids), EXPIRY_BATCH):
        with transaction.atomic():
            chunk = ids[start : start + EXPIRY_BATCH]
            batch = list(due.select_for_update().filter(pk__in=chunk).order_by("pk"))
            states_change(batch, rules.EXPIRED, lifecycle=rules.QUOTATION_LIFECYCLE, by=None)
            now = timezone.now()
            Quotation.objects.filter(pk__in=[quotation.pk for quotation in batch]).update(
                state=rules.EXPIRED, closed_at=now, updated_at=now
            )
            expired += len(batch)
    return expired

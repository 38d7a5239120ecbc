"""A manager's approval of a quotation with a line under its minimum margin (docs/decisions/0008).

When the company's sales settings ask for it, such a quotation cannot be sent (by e-mail or marked sent)
until a manager approves it. The decision is a lifecycle of its own (`rules.QUOTATION_APPROVAL`, field
`approval`), moved through `core.states` and logged; who decided, when and why is kept on the quotation,
with the fingerprint of the lines it was made on, so that other lines void it (`approval_void`).
"""

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.states import state_change
from nexo.sales import rules
from nexo.sales.models import Quotation, QuotationLine, SalesSettings
from nexo.sales.services.common import locked_quotation

# What a decision was made on: a change to any of these voids it.
LINE_FACTS = (
    "item_id",
    "description",
    "quantity",
    "unit_price",
    "discount",
    "unit_cost",
    "net",
    "min_margin",
)


def lines_fingerprint(lines) -> str:
    """A short digest of the lines as a manager saw them."""
    rows = sorted(
        (line.position, line.pk or 0, *(str(getattr(line, fact)) for fact in LINE_FACTS)) for line in lines
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def awaits_approval(quotation: Quotation, lines=None) -> bool:
    """Whether the quotation waits for a manager's approval before it can be sent. No query for a quotation
    that is not a draft, nor (given its lines) for one with no line under its minimum margin."""
    if quotation.state != rules.DRAFT or quotation.approval == rules.APPROVED:
        return False
    if lines is None:
        below = QuotationLine.objects.filter(quotation=quotation, below_min_margin=True).exists()
    else:
        below = any(line.below_min_margin for line in lines)
    if not below:
        return False
    required = SalesSettings.objects.filter(company_id=quotation.company_id, margin_approval=True).exists()
    return rules.awaits_approval(required=required, below_min_margin=below, approval=quotation.approval)


def check_approved(quotation: Quotation) -> None:
    """Refuses (409) to send a quotation that waits for a manager's approval."""
    if awaits_approval(quotation):
        if quotation.approval == rules.APPROVAL_REFUSED:
            message = _(
                "Quotation %(quotation)s has lines under their minimum margin and a manager refused it: "
                "change its lines or ask again before sending it."
            )
        else:
            message = _(
                "Quotation %(quotation)s has lines under their minimum margin: a manager must approve it "
                "before it is sent."
            )
        raise Conflict(message % {"quotation": quotation})


def approval_void(quotation: Quotation, lines, by) -> None:
    """After its lines changed: a decision made on other lines is undone (logged), the quotation unsaved."""
    if quotation.approval == rules.APPROVAL_UNDECIDED or quotation.approved_lines == lines_fingerprint(lines):
        return
    state_change(
        quotation, rules.APPROVAL_UNDECIDED, lifecycle=rules.QUOTATION_APPROVAL, by=by, field="approval",
    )  # fmt: skip
    quotation.approved_lines = ""


def _decide(*, company: Company, by: User, quotation_id: int, target: str, note: str) -> Quotation:
    with transaction.atomic():
        quotation = locked_quotation(company, quotation_id)
        if quotation.state != rules.DRAFT:
            raise Conflict(
                _("Quotation %(quotation)s is %(state)s: only a draft is approved or refused.")
                % {"quotation": quotation, "state": quotation.get_state_display().lower()}
            )
        lines = list(quotation.lines.all())
        if not any(line.below_min_margin for line in lines):
            raise Conflict(
                _("Quotation %(quotation)s has no line under its minimum margin: it needs no approval.")
                % {"quotation": quotation}
            )
        if quotation.approval == target:
            pass  # a second word on the same lines: the note and the time are updated, nothing moves
        else:
            state_change(
                quotation, target, lifecycle=rules.QUOTATION_APPROVAL, by=by, field="approval",
                refused=_("Quotation %(quotation)s is %(state)s: it cannot be %(target)s."),
            )  # fmt: skip
        quotation.approval_by, quotation.approval_at = by, timezone.now()
        quotation.approval_note = note
        quotation.approved_lines = lines_fingerprint(lines)
        quotation.updated_by = by
        quotation.save(
            update_fields=[
                "approval", "approval_by", "approval_at", "approval_note", "approved_lines", "updated_by",
                "updated_at",
            ]
        )  # fmt: skip
        return quotation


def _note(note: str, *, required: bool) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationFailed.on("note", _("Say why the approval is refused."))
    if len(note) > 500:
        raise ValidationFailed.on("note", _("Ensure this value has at most 500 characters."))
    return note


def quotation_approve(*, company: Company, by: User, quotation_id: int, note: str = "") -> Quotation:
    """A manager approves a draft with lines under their minimum margin, as its lines are now (optional
    note); it may then be sent. The quotation is locked; the decision is logged."""
    return _decide(
        company=company, by=by, quotation_id=quotation_id, target=rules.APPROVED,
        note=_note(note, required=False),
    )  # fmt: skip


def quotation_refuse_approval(*, company: Company, by: User, quotation_id: int, note: str) -> Quotation:
    """A manager refuses a draft under its minimum margin, saying why; it cannot be sent until its lines
    change and a manager approves it. The quotation is locked; the decision is logged."""
    return _decide(
        company=company, by=by, quotation_id=quotation_id, target=rules.APPROVAL_REFUSED,
        note=_note(note, required=True),
    )  # fmt: skip

"""Sending a purchase order to its supplier by e-mail, with its PDF: recorded in the transaction, e-mailed
after it commits (docs/decisions/0005-side-effects-after-commit.md).

`purchase_order_send` checks the order (confirmed, not cancelled) and the address, and records the e-mail
on the order as queued, the order locked; once the transaction commits, a task
(`tasks.send_purchase_order_email`) builds the PDF and talks to the mail server, holding no lock, and records
the outcome on the order: sent with the time, or failed with the error. Sending again is the same action.

The text is fixed, in the supplier's language: the sales e-mail templates name a quotation's facts
(validity, salesperson) that an order has not.
"""

from functools import partial

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from nexo.core import mailing
from nexo.core.errors import Conflict
from nexo.core.models import Company, User
from nexo.core.validation import locked
from nexo.parties.queries import email_address_of
from nexo.purchasing import documents, rules
from nexo.purchasing.models import PurchaseOrder

EmailStatus = PurchaseOrder.EmailStatus
#: Orders that may go to the supplier: decided, not cancelled (a draft is not an order yet).
SENDABLE = (rules.CONFIRMED, rules.PARTIALLY_RECEIVED, rules.RECEIVED)


def default_recipient(order: PurchaseOrder) -> str:
    """Where the order goes unless the sender says otherwise: the supplier's primary contact (else its
    first contact with an e-mail), else the supplier's own address."""
    return email_address_of(order.supplier)


def order_email(order: PurchaseOrder, by: User | None = None) -> tuple[str, str]:
    """The subject and text of the order's e-mail, in the supplier's language, its dates written for it."""
    with translation.override(documents.order_language(order)):
        values = {
            "order": order.number,
            "company": order.company.name,
            "date": documents.date_text(order.date),
            "expected": documents.date_text(order.expected_date),
            "warehouse": order.warehouse.name,
            "sender": (by.get_full_name() or by.username) if by else "",
        }
        subject = _("Purchase order %(order)s from %(company)s") % values
        if order.expected_date:
            asked = _("Please deliver it by %(expected)s to our warehouse %(warehouse)s.") % values
        else:
            asked = _("Please deliver it to our warehouse %(warehouse)s.") % values
        body = "\n\n".join(
            part
            for part in (
                _("Hello,"),
                _("Please find attached our purchase order %(order)s of %(date)s.") % values + " " + asked,
                _("Please quote the order's number on the delivery note and the invoice."),
                "\n".join(filter(None, (_("Kind regards,"), values["sender"], values["company"]))),
            )
        )
    return subject, body


def purchase_order_send(
    *, company: Company, by: User, order_id: int, to: str = "", message: str = ""
) -> PurchaseOrder:
    """E-mail the order's PDF to `to` (else the supplier's contact, else the supplier) once this commits.

    In one transaction, the order locked: a draft or a cancelled order is refused (409), so is a missing or
    invalid address (422); the e-mail is recorded on the order as queued, with its recipient. The mail
    server is only called after the commit, by a task that records whether it went."""
    with transaction.atomic():
        order = locked(PurchaseOrder, company=company, pk=order_id, missing=_("No such purchase order."))
        if order.state not in SENDABLE:
            raise Conflict(
                _("Only a confirmed purchase order can be sent to the supplier (%(order)s: %(state)s).")
                % {"order": order, "state": order.get_state_display()}
            )
        recipient = mailing.recipient(
            to or default_recipient(order), missing=_("Give the e-mail address to send the order to.")
        )
        subject, body = order_email(order, by)
        order.updated_by = by
        mailing.queue_email(
            order, to=recipient, subject=subject, body=(message or "").strip() or body, reply_to=by.email or "",
            enqueue=partial(_enqueue_delivery, order_id=order.pk),
        )  # fmt: skip
        return order


def _enqueue_delivery(*, order_id: int, **email) -> None:
    # Imported here: the tasks module imports this one.
    from nexo.purchasing import tasks

    tasks.send_purchase_order_email.enqueue(order_id=order_id, **email)


def purchase_order_email_deliver(
    *, order_id: int, to: str, subject: str, body: str, reply_to: str = ""
) -> str:
    """Build the order's PDF and e-mail it, then record the outcome on the order (sent with the time, or
    failed with the error, as `mailing.deliver` does); returns it."""
    order = (
        PurchaseOrder.objects.select_related("company", "supplier", "warehouse").filter(pk=order_id).first()
    )
    return mailing.deliver(
        order, to=to, subject=subject, body=body, reply_to=reply_to,
        attachment=lambda order: (documents.order_filename(order), documents.order_pdf(order), "application/pdf"),
    )  # fmt: skip

"""Sending a quotation by e-mail: marked sent in the transaction, e-mailed after it commits.

`quotation_send` validates the address, marks the quotation sent and records the e-mail on it as queued,
all with the quotation locked; once the transaction commits, a task (`tasks.send_quotation_email`) builds
the PDF and talks to the mail server, holding no lock, and records the outcome on the quotation: sent, with
the time, or failed, with the error. A failed e-mail can be sent again (`quotation_resend`).
"""

from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from nexo.core import mailing
from nexo.core.errors import Conflict
from nexo.core.models import Company, User
from nexo.sales import documents, rules
from nexo.sales.models import Quotation
from nexo.sales.services.common import locked_quotation
from nexo.sales.services.emails import default_recipient, quotation_email
from nexo.sales.services.lifecycle import mark_sent

EmailStatus = Quotation.EmailStatus


def _recipient(address: str) -> str:
    return mailing.recipient(address, missing=_("Give the e-mail address to send the quotation to."))


def _queue_email(quotation: Quotation, company: Company, by: User, recipient: str, message: str) -> None:
    """Record the e-mail on the quotation as queued and hand it to the task queue once the transaction
    commits. Subject and text are written now, from the company's template in the customer's language (the
    text as the sender left it, when given); the PDF is made by the task."""
    # The company's template in the customer's language, its dates and amounts written for that language.
    email = quotation_email(quotation)
    mailing.queue_email(
        quotation, to=recipient, subject=email.subject, body=(message or "").strip() or email.body,
        reply_to=by.email or "", enqueue=partial(_enqueue_delivery, quotation_id=quotation.pk),
    )  # fmt: skip


def _enqueue_delivery(*, quotation_id: int, **email) -> None:
    # Imported here: the tasks module imports the services.
    from nexo.sales import tasks

    tasks.send_quotation_email.enqueue(quotation_id=quotation_id, **email)


def quotation_send(
    *, company: Company, by: User, quotation_id: int, to: str = "", message: str = ""
) -> Quotation:
    """Mark the quotation sent and e-mail its PDF to `to` (else the party's contact, else the party) once
    that is committed.

    In one transaction, the quotation locked: it moves to sent (logged), the address is checked (none or an
    invalid one refuses it all: the quotation stays a draft) and the e-mail is recorded as queued. The mail
    server is only called after the commit, by a task that records whether it was sent."""
    with transaction.atomic():
        quotation = mark_sent(company, by, quotation_id)
        _queue_email(quotation, company, by, _recipient(to or default_recipient(quotation)), message)
        return quotation


def quotation_resend(
    *, company: Company, by: User, quotation_id: int, to: str = "", message: str = ""
) -> Quotation:
    """E-mail a sent quotation whose e-mail failed once more, to `to` or where it went before; as in
    `quotation_send`, queued in the transaction (the quotation locked) and sent after the commit."""
    with transaction.atomic():
        quotation = locked_quotation(company, quotation_id)
        if quotation.state != rules.SENT or quotation.email_status != EmailStatus.FAILED:
            raise Conflict(
                _("Quotation %(quotation)s has no failed e-mail to send again.") % {"quotation": quotation}
            )
        quotation.updated_by = by
        _queue_email(quotation, company, by, _recipient(to or quotation.sent_to), message)
        return quotation


def quotation_email_deliver(
    *, quotation_id: int, to: str, subject: str, body: str, reply_to: str = ""
) -> str:
    """Build the quotation's PDF and e-mail it, then record the outcome on the quotation (sent with the
    time, or failed with the error, as `mailing.deliver` does); returns it."""
    quotation = (
        Quotation.objects.select_related("company", "party", "salesperson").filter(pk=quotation_id).first()
    )
    return mailing.deliver(
        quotation, to=to, subject=subject, body=body, reply_to=reply_to,
        attachment=lambda quotation: (
            documents.quotation_filename(quotation), documents.quotation_pdf(quotation), "application/pdf"
        ),
    )  # fmt: skip

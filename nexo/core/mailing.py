"""A document e-mailed with its PDF: recorded in the transaction, sent after it commits, its outcome recorded
on the document (docs/decisions/0005-side-effects-after-commit.md).

A document that is e-mailed (a quotation, a purchase order) has the fields `sent_to`, `email_status`
(queued, sent, failed), `email_error` and `email_sent_at`. Its module's service checks the document with
its row locked and calls `queue_email`, which records the e-mail as queued and, once the transaction
commits, hands it to the module's task; the task calls `deliver`, which builds the attachment and talks to
the mail server holding no lock, then records sent (with the time) or failed (with the error) in one
UPDATE.
"""

import logging
from collections.abc import Callable
from functools import partial

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone

from nexo.core.errors import ValidationFailed

logger = logging.getLogger(__name__)
QUEUED, SENT, FAILED = "queued", "sent", "failed"
EMAIL_FIELDS = ["sent_to", "email_status", "email_error", "email_sent_at", "updated_by", "updated_at"]


def recipient(address: str, *, missing: str) -> str:
    """The address, trimmed, when it is one; else a 422 on the field `to` saying `missing`."""
    address = (address or "").strip()
    try:
        validate_email(address)
    except DjangoValidationError as error:
        raise ValidationFailed.on("to", missing) from error
    return address


def queue_email(
    document: models.Model, *, to: str, subject: str, body: str, reply_to: str, enqueue: Callable[..., object]
) -> None:
    """Record `document`'s e-mail to `to` as queued (the caller holds its row, in the transaction; it has
    set `updated_by`) and, once the transaction commits, call `enqueue(to=, subject=, body=, reply_to=)`
    to hand it to the module's task. A queue that refuses it leaves the e-mail failed, to be sent again."""
    document.sent_to = to
    document.email_status, document.email_error, document.email_sent_at = QUEUED, "", None
    document.save(update_fields=EMAIL_FIELDS)
    transaction.on_commit(
        partial(
            _enqueue,
            type(document),
            document.pk,
            enqueue,
            to=to,
            subject=subject,
            body=body,
            reply_to=reply_to,
        )
    )


def _enqueue(model: type[models.Model], pk: int, enqueue: Callable[..., object], **email) -> None:
    try:
        enqueue(**email)
    except Exception as error:  # the queue itself refused it: say so where it can be sent again
        logger.exception("The e-mail of %s %s could not be queued.", model._meta.verbose_name, pk)
        record_failure(model, pk, error)


def record_failure(model: type[models.Model], pk: int, error: Exception) -> None:
    text = str(error).strip() or type(error).__name__
    model.objects.filter(pk=pk).update(email_status=FAILED, email_error=text[:500])


def deliver(
    document: models.Model | None,
    *,
    to: str,
    subject: str,
    body: str,
    reply_to: str = "",
    attachment: Callable[[models.Model], tuple[str, bytes, str]],
) -> str:
    """E-mail `document` with `attachment(document)` (filename, content, MIME type), then record the outcome
    on it; returns it ("sent" or "failed", or the status it already had).

    Run by a task after the sending transaction committed: no transaction is open and no row is locked while
    the mail server answers. A failure is recorded, not raised. An e-mail no longer queued (already sent) is
    not sent twice; a document that is gone returns ""."""
    if document is None or document.email_status != QUEUED:
        return document.email_status if document else ""
    model, pk = type(document), document.pk
    try:
        email = EmailMessage(subject=subject, body=body, to=[to], reply_to=[reply_to] if reply_to else None)
        email.attach(*attachment(document))
        email.send()
    except Exception as error:  # whatever the server or the PDF says, the document tells the user
        logger.warning("The e-mail of %s %s to %s failed: %s", model._meta.verbose_name, document, to, error)
        record_failure(model, pk, error)
        return FAILED
    model.objects.filter(pk=pk).update(email_status=SENT, email_error="", email_sent_at=timezone.now())
    return SENT

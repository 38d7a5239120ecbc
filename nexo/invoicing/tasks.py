"""Background work of invoicing, on the Django Tasks API (stored by django-tasks-db, run by `nexo db_worker`).

An invoice's e-mail to its customer is sent by `send_invoice_email`, queued by `sending.invoice_send` once the
transaction that recorded it has committed: the mail server is never called inside a transaction or while a
row is locked, and the outcome is recorded on the invoice.
"""

from django_tasks import task

from nexo.invoicing import sending


@task()
def send_invoice_email(invoice_id: int, to: str, subject: str, body: str, reply_to: str = "") -> str:
    """E-mail an invoice's PDF to its customer and record on it whether it went; "sent" or "failed"."""
    return sending.invoice_email_deliver(
        invoice_id=invoice_id, to=to, subject=subject, body=body, reply_to=reply_to
    )

"""Background work of purchasing, on the Django Tasks API (stored by django-tasks-db, run by `nexo db_worker`).

A purchase order's e-mail to its supplier is sent by `send_purchase_order_email`, queued by
`sending.purchase_order_send` once the transaction that recorded it has committed: the mail server is never
called inside a transaction or while a row is locked, and the outcome is recorded on the order.
"""

from django_tasks import task

from nexo.purchasing import sending


@task()
def send_purchase_order_email(order_id: int, to: str, subject: str, body: str, reply_to: str = "") -> str:
    """E-mail a purchase order's PDF to its supplier and record on it whether it went; "sent" or "failed"."""
    return sending.purchase_order_email_deliver(
        order_id=order_id, to=to, subject=subject, body=body, reply_to=reply_to
    )

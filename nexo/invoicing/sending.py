"""Sending a posted invoice (or credit note) to its customer by e-mail, with its PDF: recorded in the
transaction, e-mailed after it commits (docs/decisions/0005-side-effects-after-commit.md).

`invoice_send` checks the invoice (posted: a draft is not an invoice yet) and the address, and records the
e-mail on the invoice as queued, the invoice locked; once the transaction commits, a task
(`tasks.send_invoice_email`) builds the PDF and talks to the mail server, holding no lock, and records the
outcome on the invoice: sent with the time, or failed with the error. Sending again is the same action.
The e-mail fields are not legal content: a posted invoice may change them (the immutability trigger leaves
them out).
"""

from functools import partial

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from nexo.core import formatting, mailing
from nexo.core.errors import Conflict
from nexo.core.models import Company, User
from nexo.core.validation import locked
from nexo.invoicing import documents
from nexo.invoicing.models import Invoice
from nexo.parties.queries import email_address_of

EmailStatus = Invoice.EmailStatus


def default_recipient(invoice: Invoice) -> str:
    """Where the invoice goes unless the sender says otherwise: the customer's primary contact (else its
    first contact with an e-mail), else the customer's own address."""
    return email_address_of(invoice.party)


def invoice_email(invoice: Invoice, by: User | None = None) -> tuple[str, str]:
    """The subject and text of the invoice's e-mail, in the customer's language, its dates written for it."""
    with translation.override(documents.invoice_language(invoice)):
        values = {
            "document": documents.document_title(invoice).lower(),
            "number": invoice.number,
            "company": invoice.company.name,
            "date": documents.date_text(invoice.date),
            "total": formatting.money(invoice.amount_due, invoice.currency),
            "sender": (by.get_full_name() or by.username) if by else "",
        }
        subject = _("Invoice %(number)s from %(company)s") % values
        if invoice.kind == Invoice.Kind.CREDIT_NOTE:
            subject = _("Corrective invoice %(number)s from %(company)s") % values
        body = "\n\n".join(
            part
            for part in (
                _("Hello,"),
                _("Please find attached our %(document)s %(number)s of %(date)s, for %(total)s.") % values,
                "\n".join(filter(None, (_("Kind regards,"), values["sender"], values["company"]))),
            )
        )
    return subject, body


def invoice_send(*, company: Company, by: User, invoice_id: int, to: str = "", message: str = "") -> Invoice:
    """E-mail the invoice's PDF to `to` (else the customer's contact, else the customer) once this commits.

    In one transaction, the invoice locked: a draft is refused (409), so is a missing or invalid address
    (422); the e-mail is recorded on the invoice as queued, with its recipient. The mail server is only
    called after the commit, by a task that records whether it went."""
    with transaction.atomic():
        invoice = locked(Invoice, company=company, pk=invoice_id, missing=_("No such invoice."))
        if invoice.state != Invoice.State.POSTED:
            raise Conflict(
                _("Only a posted invoice can be sent: post %(invoice)s first.") % {"invoice": invoice}
            )
        recipient = mailing.recipient(
            to or default_recipient(invoice), missing=_("Give the e-mail address to send the invoice to.")
        )
        subject, body = invoice_email(invoice, by)
        # `updated_by` stays: on a posted invoice only the e-mail's record may change (the immutability trigger).
        mailing.queue_email(
            invoice, to=recipient, subject=subject, body=(message or "").strip() or body,
            reply_to=by.email or "", enqueue=partial(_enqueue_delivery, invoice_id=invoice.pk),
        )  # fmt: skip
        return invoice


def _enqueue_delivery(*, invoice_id: int, **email) -> None:
    # Imported here: the tasks module imports this one.
    from nexo.invoicing import tasks

    tasks.send_invoice_email.enqueue(invoice_id=invoice_id, **email)


def invoice_email_deliver(*, invoice_id: int, to: str, subject: str, body: str, reply_to: str = "") -> str:
    """Build the invoice's PDF and e-mail it, then record the outcome on the invoice (sent with the time, or
    failed with the error, as `mailing.deliver` does); returns it."""
    invoice = Invoice.objects.select_related("company", "party", "corrects").filter(pk=invoice_id).first()
    return mailing.deliver(
        invoice, to=to, subject=subject, body=body, reply_to=reply_to,
        attachment=lambda invoice: (
            documents.invoice_filename(invoice), documents.invoice_pdf(invoice), "application/pdf"
        ),
    )  # fmt: skip

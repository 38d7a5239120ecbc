"""Sending a customer its statement of account by e-mail, with the PDF, in its language.

`statement_send` checks the party, the dates and the address, then hands the e-mail to a task once the
transaction commits (docs/decisions/0005-side-effects-after-commit.md): the PDF is built and the mail server
called there, holding no lock. A statement is not a stored document: nothing records it but the log and the
mail server; sending again is the same action."""

import logging
from datetime import date as Date

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from nexo.core import formatting, mailing
from nexo.core.documents import date_text
from nexo.core.models import Company, User
from nexo.parties.queries import email_address_of
from nexo.payments.services.position import Statement, statement_of_account, statement_range
from nexo.payments.services.position_pdf import statement_filename, statement_language, statement_pdf

logger = logging.getLogger(__name__)


def statement_email(statement: Statement, by: User | None = None) -> tuple[str, str]:
    """The subject and text of the statement's e-mail, in the customer's language."""
    with translation.override(statement_language(statement.party)):
        values = {
            "company": statement.party.company.name,
            "start": date_text(statement.start),
            "end": date_text(statement.end),
            "balance": formatting.money(statement.closing_balance, statement.currency),
            "sender": (by.get_full_name() or by.username) if by else "",
        }
        subject = _("Statement of account from %(company)s") % values
        body = "\n\n".join(
            part
            for part in (
                _("Hello,"),
                _(
                    "Please find attached your statement of account from %(start)s to %(end)s. The balance on "
                    "%(end)s is %(balance)s."
                )
                % values,
                "\n".join(filter(None, (_("Kind regards,"), values["sender"], values["company"]))),
            )
        )
    return subject, body


def statement_send(
    *,
    company: Company,
    by: User,
    party_id: int,
    start: Date | None = None,
    end: Date | None = None,
    to: str = "",
    message: str = "",
) -> str:
    """E-mail the party's statement of account (`start` to `end`, this year to date by default) to `to`, else
    its contact's or its own address, once the transaction commits; returns the address. A missing or invalid
    address: 422; another company's party: 404."""
    start, end = statement_range(start, end)
    with transaction.atomic():
        statement = statement_of_account(company, party_id, start, end)  # another company's party: 404
        party = statement.party
        recipient = mailing.recipient(
            to or email_address_of(party), missing=_("Give the e-mail address to send the statement to.")
        )
        subject, body = statement_email(statement, by)
        email = {
            "company_id": company.pk, "party_id": party.pk, "start": start.isoformat(), "end": end.isoformat(),
            "to": recipient, "subject": subject, "body": (message or "").strip() or body,
            "reply_to": by.email or "",
        }  # fmt: skip
        transaction.on_commit(lambda: send_statement_email.enqueue(**email))
    return recipient


def statement_deliver(
    *,
    company_id: int,
    party_id: int,
    start: str,
    end: str,
    to: str,
    subject: str,
    body: str,
    reply_to: str = "",
) -> str:
    """Build the statement's PDF as it stands now and e-mail it; "sent", or "failed" (logged)."""
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        return ""
    try:
        statement = statement_of_account(
            company, party_id, Date.fromisoformat(start), Date.fromisoformat(end)
        )
        email = EmailMessage(subject=subject, body=body, to=[to], reply_to=[reply_to] if reply_to else None)
        email.attach(statement_filename(statement), statement_pdf(statement), "application/pdf")
        email.send()
    except Exception as error:  # the mail server or the PDF failed: logged, the user may send it again
        logger.warning("The statement of account of party %s to %s failed: %s", party_id, to, error)
        return mailing.FAILED
    return mailing.SENT


@task()
def send_statement_email(
    company_id: int, party_id: int, start: str, end: str, to: str, subject: str, body: str, reply_to: str = ""
) -> str:
    """E-mail a customer its statement of account (queued by `statement_send` after its commit)."""
    return statement_deliver(
        company_id=company_id, party_id=party_id, start=start, end=end, to=to, subject=subject, body=body,
        reply_to=reply_to,
    )  # fmt: skip


__all__ = ["send_statement_email", "statement_deliver", "statement_email", "statement_send"]

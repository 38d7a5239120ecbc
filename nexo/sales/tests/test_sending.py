"""Sending a quotation by e-mail: marked sent in the transaction, the e-mail sent by a task after the commit,
its outcome recorded on the quotation and shown on its page."""

import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.urls import reverse
from django_tasks import default_task_backend

from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.states import state_history
from nexo.sales import services, tasks

LINE = {"description": "Material", "quantity": "1", "unit_price": "100.00"}
REFUSING = "nexo.sales.tests.test_sending.RefusingBackend"
WATCHING = "nexo.sales.tests.test_sending.WatchingBackend"
# Whether a transaction was open each time the watching backend was asked to send.
in_transaction: list[bool] = []


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPResponseException(550, "5.1.1 Mailbox unavailable")


class WatchingBackend(BaseEmailBackend):
    """A mail server that notes whether the sender held a transaction open while talking to it."""

    def send_messages(self, email_messages):
        in_transaction.append(connection.in_atomic_block)
        return len(email_messages)


@pytest.fixture
def kept_tasks(settings):
    """Queued tasks are kept, not run: the test runs them itself."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    return default_task_backend


def test_the_e_mail_is_queued_in_the_transaction_and_sent_by_the_task(
    company, sales_user, make_quotation, mailoutbox, kept_tasks
):
    quotation = make_quotation([LINE])
    services.quotation_send(company=company, by=sales_user, quotation_id=quotation.pk, message="Adjunto.")
    quotation.refresh_from_db()
    assert (quotation.state, quotation.email_status) == ("sent", "queued")
    assert quotation.sent_to == "compras@turia.es"
    assert not mailoutbox  # the transaction committed without calling the mail server
    moves = [(move.from_state, move.to_state, move.by) for move in state_history(quotation)]
    assert moves == [("draft", "sent", sales_user)]

    (queued,) = kept_tasks.results
    assert queued.task.module_path == tasks.send_quotation_email.module_path
    assert queued.task.call(*queued.args, **queued.kwargs) == "sent"
    (message,) = mailoutbox
    assert (message.to, message.body) == (["compras@turia.es"], "Adjunto.")
    assert message.attachments[0][1].startswith(b"%PDF")
    quotation.refresh_from_db()
    assert quotation.email_status == "sent" and quotation.email_sent_at is not None
    assert queued.task.call(*queued.args, **queued.kwargs) == "sent" and len(mailoutbox) == 1  # never twice


def test_nothing_is_queued_when_the_address_is_refused(company, sales_user, make_quotation, kept_tasks):
    quotation = make_quotation([LINE])
    with pytest.raises(ValidationFailed, match="e-mail address"):
        services.quotation_send(
            company=company, by=sales_user, quotation_id=quotation.pk, to="not-an-address"
        )
    quotation.refresh_from_db()
    assert (quotation.state, quotation.email_status, kept_tasks.results) == ("draft", "", [])


@pytest.mark.django_db(transaction=True)
def test_the_mail_server_is_called_after_the_commit_outside_any_transaction(
    company, sales_user, make_quotation, settings
):
    settings.EMAIL_BACKEND = WATCHING
    in_transaction.clear()
    quotation = make_quotation([LINE])
    services.quotation_send(company=company, by=sales_user, quotation_id=quotation.pk)
    assert in_transaction == [False]
    quotation.refresh_from_db()
    assert (quotation.state, quotation.email_status) == ("sent", "sent")


def test_a_refused_e_mail_is_recorded_and_the_quotation_stays_sent_until_sent_again(
    company, sales_user, make_quotation, mailoutbox, settings
):
    quotation = make_quotation([LINE])
    settings.EMAIL_BACKEND = REFUSING
    services.quotation_send(company=company, by=sales_user, quotation_id=quotation.pk)
    quotation.refresh_from_db()
    assert (quotation.state, quotation.email_status) == ("sent", "failed")
    assert "Mailbox unavailable" in quotation.email_error and quotation.email_sent_at is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.quotation_resend(company=company, by=sales_user, quotation_id=quotation.pk, to="obra@turia.es")
    quotation.refresh_from_db()
    assert (quotation.state, quotation.email_status, quotation.email_error) == ("sent", "sent", "")
    assert quotation.sent_to == "obra@turia.es" and mailoutbox[0].to == ["obra@turia.es"]
    with pytest.raises(Conflict, match="no failed e-mail"):
        services.quotation_resend(company=company, by=sales_user, quotation_id=quotation.pk)


def test_a_revision_starts_without_the_e_mail_of_the_version_it_revises(company, sales_user, make_quotation):
    quotation = make_quotation([LINE])
    services.quotation_send(company=company, by=sales_user, quotation_id=quotation.pk)
    revision = services.quotation_revise(company=company, by=sales_user, quotation_id=quotation.pk)
    assert (revision.email_status, revision.email_error, revision.email_sent_at) == ("", "", None)


# The quotation's page


def _view(quotation):
    return reverse("sales:quotation_view", args=[quotation.pk])


def test_the_page_shows_the_e_mail_sent_or_failed_and_sends_it_again(
    sales_client, sales_user, make_quotation, mailoutbox, settings
):
    sales_user.language = "en"
    sales_user.save(update_fields=["language"])
    sent, failed = make_quotation([LINE]), make_quotation([LINE])
    sales_client.post(reverse("sales:quotation_send", args=[sent.pk]), {"to": "compras@turia.es"})
    page = sales_client.get(_view(sent)).content.decode()
    assert "E-mail to compras@turia.es sent on" in page and 'id="resend-toggle"' not in page

    settings.EMAIL_BACKEND = REFUSING
    response = sales_client.post(
        reverse("sales:quotation_send", args=[failed.pk]), {"to": "compras@turia.es"}, follow=True
    )
    said = [str(message) for message in response.context["messages"]]
    assert said == [f"Quotation {failed} is sent, but its e-mail to compras@turia.es failed."]
    page = response.content.decode()
    assert "E-mail to compras@turia.es failed: (550, &#x27;5.1.1 Mailbox unavailable&#x27;)" in page
    assert 'id="resend-toggle"' in page and 'value="compras@turia.es"' in page

    sales_user.language = "es"
    sales_user.save(update_fields=["language"])
    page = sales_client.get(_view(failed)).content.decode()
    assert "El correo electrónico a compras@turia.es no se pudo enviar" in page and "Enviar de nuevo" in page

    refused = sales_client.post(reverse("sales:quotation_resend", args=[failed.pk]), {"resend-to": "x"})
    assert refused.status_code == 422 and refused.context["resend_form"].errors["to"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sales_client.post(reverse("sales:quotation_resend", args=[failed.pk]), {"resend-to": "obra@turia.es"})
    page = sales_client.get(_view(failed)).content.decode()
    assert "Correo electrónico a obra@turia.es enviado el" in page
    assert [message.to for message in mailoutbox] == [["compras@turia.es"], ["obra@turia.es"]]

"""The e-mail that sends a quotation: to the party's contact (else the party), its text from the company's
template in the customer's language with dates written for it, previewed on the send form; and a version
replaced by a revision reads "Superseded by v2"."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from nexo.core.errors import ValidationFailed
from nexo.parties.models import Contact
from nexo.sales import services

LINE = {"quantity": "3", "description": "Instalación", "unit_price": "100.00"}


@pytest.fixture
def manager_client(manager_user):
    client = Client()
    client.force_login(manager_user)
    return client


@pytest.fixture
def quotation(make_quotation):
    return make_quotation([LINE], date=date(2026, 12, 6), valid_until=date(2027, 1, 5))


def _url(name, *args):
    return reverse(f"sales:{name}", args=args)


def test_the_default_e_mail_writes_the_date_in_the_customers_language(quotation, lead):
    spanish = services.quotation_email(quotation)
    assert (
        spanish.language == "es" and "5 de enero de 2027" in spanish.body and "2027-01-05" not in spanish.body
    )
    assert str(quotation) in spanish.subject
    lead.language = "en"
    lead.save(update_fields=["language"])
    quotation.refresh_from_db()
    english = services.quotation_email(quotation)
    assert "valid until 5 January 2027" in english.body and "ventas" in english.body


def test_the_companys_template_per_language(company, manager_user, quotation, mailoutbox, sales_user):
    services.quotation_email_template_save(
        company=company, by=manager_user, language="es", subject="Presupuesto {quotation}",
        body="Hola {customer}: válido hasta el {valid_until}, total {total}. {salesperson}",
    )  # fmt: skip
    email = services.quotation_email(quotation)
    assert email.subject == f"Presupuesto {quotation}"
    assert email.body.startswith(
        "Hola Reformas Turia, S.L.: válido hasta el 5 de enero de 2027, total 300,00\xa0€. ventas"
    )
    services.quotation_send(company=company, by=sales_user, quotation_id=quotation.pk)
    (message,) = mailoutbox
    assert (message.subject, message.body) == (email.subject, email.body)


@pytest.mark.parametrize(
    ("field", "subject", "body"),
    [
        ("body", "Presupuesto", "Hola {cliente}"),  # an unknown placeholder
        ("body", "Presupuesto", "Hola {customer"),  # a brace left open
        ("subject", "Presupuesto\nBcc: x@y.z", "Hola"),  # a header injected
        ("subject", "", "Hola"),
    ],
)
def test_a_bad_template_is_refused_on_its_field(company, manager_user, field, subject, body):
    with pytest.raises(ValidationFailed) as refused:
        services.quotation_email_template_save(
            company=company, by=manager_user, language="es", subject=subject, body=body
        )
    assert refused.value.errors[0]["field"] == field


def test_the_recipient_is_the_partys_contact_else_the_party(company, sales_user, quotation, lead):
    assert services.default_recipient(quotation) == "compras@turia.es"
    Contact.objects.create(company=company, party=lead, name="Ana", email="ana@turia.es")
    Contact.objects.create(company=company, party=lead, name="Pilar", email="pilar@turia.es", is_primary=True)
    assert services.default_recipient(quotation) == "pilar@turia.es"


def test_the_send_form_previews_the_e_mail(sales_client, sales_user, quotation):
    sales_user.language = "en"
    sales_user.save(update_fields=["language"])
    response = sales_client.get(_url("quotation_view", quotation.pk))
    page = response.content.decode()
    form = response.context["send_form"]
    assert form["to"].label == "To" and form.initial["to"] == "compras@turia.es"
    assert "5 de enero de 2027" in form.initial["message"]  # the customer reads Spanish
    assert 'id="email-subject"' in page and f"Presupuesto {quotation}" in page
    assert f'href="{_url("quotation_pdf", quotation.pk)}" id="email-pdf"' in page
    sales_user.language = "es"
    sales_user.save(update_fields=["language"])
    response = sales_client.get(_url("quotation_view", quotation.pk))
    assert str(response.context["send_form"]["to"].label) == "Para"  # the recipient, not "Hasta"


def test_managers_edit_the_templates_on_the_settings_page(manager_client, company, quotation):
    bad = manager_client.post(
        _url("email_template", "en"), {"email-en-subject": "Quote {nope}", "email-en-body": "Hi"}
    )
    assert bad.status_code == 422
    manager_client.post(
        _url("email_template", "en"),
        {"email-en-subject": "Quote {quotation}", "email-en-body": "Hi {customer}"},
    )
    assert services.template_for(company, "en") == ("Quote {quotation}", "Hi {customer}")
    assert manager_client.post(_url("email_template", "xx"), {}).status_code == 404


def test_a_revised_version_reads_superseded_by_the_new_one(sales_client, sales_user, company, quotation):
    sales_user.language = "en"
    sales_user.save(update_fields=["language"])
    revision = services.quotation_revise(company=company, by=sales_user, quotation_id=quotation.pk)
    page = sales_client.get(_url("quotation_view", quotation.pk)).content.decode()
    assert "Superseded by v2" in page and _url("quotation_view", revision.pk) in page
    assert "Cancelled" not in page
    listing = sales_client.get(_url("quotation_list"), {"state": "superseded"})
    assert [q.pk for q in listing.context["listing"].page] == [quotation.pk]

"""A purchase order's PDF and its e-mail to the supplier: the document shows what the supplier needs (tax
ids, addresses, references, taxes per rate), the e-mail is recorded in the transaction and sent by a task
after the commit with the PDF attached, and a draft, a cancelled order or a missing address is refused."""

import io
import smtplib

import pypdfium2
import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.urls import reverse
from django_tasks import default_task_backend

from nexo.catalog.models import TaxCategory
from nexo.core.errors import Conflict, ValidationFailed
from nexo.parties.services import address_add, contact_add, party_create
from nexo.purchasing import documents, sending, services, tasks
from nexo.purchasing.models import PurchaseOrder
from nexo.purchasing.tests.test_pages import client_of

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
REFUSING = "nexo.purchasing.tests.test_order_documents.RefusingBackend"


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPResponseException(550, "5.1.1 Mailbox unavailable")


@pytest.fixture(autouse=True)
def work_after_commit(settings, monkeypatch):
    """What a service leaves for after its commit runs when the service's outermost transaction ends (the
    test's own never commits), and the tasks it queues run at once, as in nexo/sales/tests/conftest.py."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    leave_atomic = transaction.Atomic.__exit__

    def leave_then_run_committed(self, exc_type, exc_value, traceback):
        leave_atomic(self, exc_type, exc_value, traceback)
        connection = transaction.get_connection(self.using)
        blocks = connection.atomic_blocks
        if exc_type is None and blocks and all(block._from_testcase for block in blocks):
            waiting, connection.run_on_commit = connection.run_on_commit, []
            for _savepoints, callback, _robust in waiting:
                callback()

    monkeypatch.setattr(transaction.Atomic, "__exit__", leave_then_run_committed)


@pytest.fixture
def buyer(make_user):
    user = make_user("compras", "purchasing")
    user.email, user.first_name, user.last_name = "compras@suministros.es", "Marta", "Ruiz"
    user.save()
    return user


@pytest.fixture
def vendor(company, buyer):
    """A supplier who reads English, with a tax id, an address and a primary contact."""
    party = party_create(
        company=company, by=buyer, name="Iberian Cables Ltd", is_supplier=True, tax_id="B12345674",
        email="info@iberian.example", language="en",
    )  # fmt: skip
    address_add(
        company=company, party_id=party.pk, by=buyer, street="Calle Mayor 7", postal_code="46001",
        city="Valencia", is_default=True,
    )  # fmt: skip
    contact_add(
        company=company, party_id=party.pk, by=buyer, name="Ana Pérez", email="pedidos@iberian.example",
        is_primary=True,
    )  # fmt: skip
    return party


@pytest.fixture
def confirmed(company, buyer, vendor, make_item, make_supplier_price, stock):
    """An order of two lines at 21 % and one at 10 %, the cable with the supplier's reference."""
    reduced = TaxCategory.objects.get(company=company, code="reducido")
    cable, tube = make_item("CAB-1", name="Cable RV-K 3G2,5"), make_item("TUB-1", name="Tubo corrugado")
    food = make_item("CAF-1", name="Café para la oficina", purchase_tax_id=reduced.pk)
    make_supplier_price(cable, "0.80", supplier_id=vendor.pk, supplier_code="IC-3G25")
    draft = services.purchase_order_create(
        company=company, by=buyer, supplier_id=vendor.pk, currency="EUR", expected_date="2026-12-20",
        lines=[{"item_id": cable.pk, "quantity": "100"},
               {"item_id": tube.pk, "quantity": "3", "unit_price": "0.15"},
               {"item_id": food.pk, "quantity": "2", "unit_price": "7.25"}],
    )  # fmt: skip
    return services.purchase_order_confirm(company=company, by=buyer, order_id=draft.pk)


def pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(io.BytesIO(content))
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def test_the_pdf_shows_the_supplier_the_lines_and_the_taxes_per_rate_in_its_language(company, confirmed):
    order = documents.printable_order(company, confirmed.pk)
    content = documents.order_pdf(order)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    for expected in (
        "PURCHASE ORDER", confirmed.number, "Suministros Prueba, S.L.", "Iberian Cables Ltd", "B12345674",
        "Calle Mayor 7", "DELIVER TO", "20 December 2026", "Your ref. IC-3G25", "Cable RV-K 3G2,5",
    ):  # fmt: skip
        assert expected in text, expected
    # 80.00 + 0.45 at 21 % → tax 16.89; 14.50 at 10 % → 1.45; total 94.95 + 18.34 = 113.29.
    for amount in ("€80.00", "€80.45", "€16.89", "€14.50", "€1.45", "€94.95", "€113.29"):
        assert amount in text, amount
    spanish = pdf_text(documents.order_pdf(order, language="es"))
    assert "PEDIDO DE COMPRA" in spanish and "113,29 €" in spanish and "20 de diciembre de 2026" in spanish


def test_the_pdf_is_offered_on_the_page_and_through_the_api(company, buyer, confirmed, other_company):
    client = client_of(buyer)
    page = client.get(reverse("purchasing:order_view", args=[confirmed.pk]), **EN).content.decode()
    assert reverse("purchasing:order_pdf", args=[confirmed.pk]) in page and "Send to supplier" in page
    # The page shows the tax the PDF shows.
    assert "VAT 21 %" in page and "VAT 10 %" in page and "€113.29" in page
    download = client.get(reverse("purchasing:order_pdf", args=[confirmed.pk]))
    assert download["Content-Type"] == "application/pdf" and download.content.startswith(b"%PDF")
    assert f'filename="{confirmed.number}.pdf"' in download["Content-Disposition"]
    response = client.get(f"/api/v1/purchase-orders/{confirmed.pk}/pdf")
    assert response.status_code == 200 and confirmed.number in pdf_text(response.content)
    assert client.get("/api/v1/purchase-orders/999999/pdf").status_code == 404
    schema = client.get("/api/v1/openapi.json").json()
    assert "application/pdf" in str(schema["paths"]["/api/v1/purchase-orders/{order_id}/pdf"])


def test_sending_queues_the_e_mail_and_the_task_sends_the_pdf_after_the_commit(
    company, buyer, confirmed, mailoutbox, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    sending.purchase_order_send(company=company, by=buyer, order_id=confirmed.pk)
    confirmed.refresh_from_db()
    assert (confirmed.email_status, confirmed.sent_to) == ("queued", "pedidos@iberian.example")
    assert not mailoutbox  # the transaction committed without calling the mail server
    (queued,) = default_task_backend.results
    assert queued.task.module_path == tasks.send_purchase_order_email.module_path
    assert queued.task.call(*queued.args, **queued.kwargs) == "sent"
    (message,) = mailoutbox
    assert message.to == ["pedidos@iberian.example"] and message.reply_to == ["compras@suministros.es"]
    assert message.subject == f"Purchase order {confirmed.number} from Suministros Prueba, S.L."
    assert "of 6 December 2026" in message.body or "Please find attached our purchase order" in message.body
    assert "by 20 December 2026" in message.body and "Marta Ruiz" in message.body
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == (f"{confirmed.number}.pdf", "application/pdf")
    assert confirmed.number in pdf_text(content)
    confirmed.refresh_from_db()
    assert confirmed.email_status == "sent" and confirmed.email_sent_at is not None
    # Run twice, the task sends nothing more.
    assert queued.task.call(*queued.args, **queued.kwargs) == "sent" and len(mailoutbox) == 1


def test_a_spanish_supplier_gets_the_spanish_text_with_its_dates(
    company, buyer, confirmed, vendor, mailoutbox
):
    vendor.language = "es"
    vendor.save()
    sending.purchase_order_send(company=company, by=buyer, order_id=confirmed.pk, to="otro@iberian.example")
    (message,) = mailoutbox
    assert message.to == ["otro@iberian.example"]
    assert message.subject == f"Pedido de compra {confirmed.number} de Suministros Prueba, S.L."
    assert "antes del 20 de diciembre de 2026" in message.body


def test_a_failed_e_mail_is_recorded_and_can_be_sent_again(company, buyer, confirmed, mailoutbox, settings):
    settings.EMAIL_BACKEND = REFUSING
    sending.purchase_order_send(company=company, by=buyer, order_id=confirmed.pk, message="Urgente.")
    confirmed.refresh_from_db()
    assert confirmed.email_status == "failed" and "Mailbox unavailable" in confirmed.email_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sending.purchase_order_send(company=company, by=buyer, order_id=confirmed.pk, message="Urgente.")
    confirmed.refresh_from_db()
    assert (confirmed.email_status, confirmed.email_error) == ("sent", "")
    assert [message.body for message in mailoutbox] == ["Urgente."]


def test_a_draft_a_cancelled_order_or_no_address_is_refused_and_nothing_changes(
    company, buyer, supplier, make_item, stock, mailoutbox
):
    item = make_item("RF-1")
    draft = services.purchase_order_create(
        company=company, by=buyer, supplier_id=supplier.pk, lines=[{"item_id": item.pk, "quantity": "1", "unit_price": "1"}]
    )  # fmt: skip
    with pytest.raises(Conflict, match="Only a confirmed purchase order can be sent"):
        sending.purchase_order_send(company=company, by=buyer, order_id=draft.pk, to="a@b.es")
    services.purchase_order_confirm(company=company, by=buyer, order_id=draft.pk)
    with pytest.raises(ValidationFailed, match="Give the e-mail address"):  # the supplier has none
        sending.purchase_order_send(company=company, by=buyer, order_id=draft.pk)
    with pytest.raises(ValidationFailed, match="Give the e-mail address"):
        sending.purchase_order_send(company=company, by=buyer, order_id=draft.pk, to="not-an-address")
    services.purchase_order_cancel(company=company, by=buyer, order_id=draft.pk)
    with pytest.raises(Conflict, match="Cancelled"):
        sending.purchase_order_send(company=company, by=buyer, order_id=draft.pk, to="a@b.es")
    draft.refresh_from_db()
    assert (draft.email_status, draft.sent_to, mailoutbox) == ("", "", [])


def test_the_api_sends_and_refuses(company, buyer, confirmed, supplier, make_item, stock, mailoutbox):
    client = client_of(buyer)
    url = f"/api/v1/purchase-orders/{confirmed.pk}/send"
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["email_status"], body["sent_to"]) == ("sent", "pedidos@iberian.example")
    assert len(mailoutbox) == 1
    bad = client.post(url, {"to": "nope"}, content_type="application/json")
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/problem+json")
    item = make_item("API-1")
    draft = services.purchase_order_create(
        company=company, by=buyer, supplier_id=supplier.pk, lines=[{"item_id": item.pk, "quantity": "1", "unit_price": "1"}]
    )  # fmt: skip
    refused = client.post(
        f"/api/v1/purchase-orders/{draft.pk}/send", {"to": "a@b.es"}, content_type="application/json"
    )
    assert refused.status_code == 409
    assert (
        client.post("/api/v1/purchase-orders/999999/send", {}, content_type="application/json").status_code
        == 404
    )
    assert len(mailoutbox) == 1


def test_the_page_prefills_the_supplier_and_sends(company, buyer, confirmed, mailoutbox):
    client = client_of(buyer)
    page = client.get(reverse("purchasing:order_view", args=[confirmed.pk]), **EN).content.decode()
    assert 'value="pedidos@iberian.example"' in page and "Please find attached our purchase order" in page
    url = reverse("purchasing:order_send", args=[confirmed.pk])
    refused = client.post(url, {"to": "nope", "message": "Hola"}, **EN)
    assert refused.status_code == 422 and "Enter a valid email address." in refused.content.decode()
    response = client.post(url, {"to": "ventas@iberian.example", "message": "Hola"}, **EN)
    assert response.status_code == 302
    (message,) = mailoutbox
    assert (message.to, message.body) == (["ventas@iberian.example"], "Hola")
    page = client.get(reverse("purchasing:order_view", args=[confirmed.pk]), **EN).content.decode()
    assert 'data-status="sent"' in page and "E-mail to ventas@iberian.example sent on" in page
    spanish = client.get(reverse("purchasing:order_view", args=[confirmed.pk]), HTTP_ACCEPT_LANGUAGE="es")
    assert "Enviar al proveedor" in spanish.content.decode()


def test_a_draft_shows_no_send_button(company, buyer, supplier, make_item, stock):
    item = make_item("DR-1")
    draft = services.purchase_order_create(
        company=company, by=buyer, supplier_id=supplier.pk, lines=[{"item_id": item.pk, "quantity": "1", "unit_price": "1"}]
    )  # fmt: skip
    client = client_of(buyer)
    page = client.get(reverse("purchasing:order_view", args=[draft.pk]), **EN).content.decode()
    assert "Send to supplier" not in page
    refused = client.post(reverse("purchasing:order_send", args=[draft.pk]), {"to": "a@b.es"}, **EN)
    assert refused.status_code == 302
    assert PurchaseOrder.objects.get(pk=draft.pk).email_status == ""
    download = client.get(reverse("purchasing:order_pdf", args=[draft.pk]))
    assert download.content.startswith(b"%PDF") and f"draft-{draft.pk}.pdf" in download["Content-Disposition"]

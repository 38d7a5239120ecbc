"""The SEPA pages: a mandate added with the customer picker (a bad IBAN is a form error), a remittance chosen
from the due amounts a mandate covers (one without a mandate is refused with nothing changed), its page with
the file to download, posted, a line returned, a draft cancelled; in Spanish and English; constant queries."""

import pytest
import xmlschema
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nexo.payments.models import DueAmount, Mandate, Remittance, RemittanceLine
from nexo.payments.services import sepa
from nexo.payments.tests import factories_sepa as make

pytestmark = pytest.mark.django_db


@pytest.fixture
def accountant(make_user, company):
    return make_user("contable", "accounting", language="en")


@pytest.fixture
def web(accountant):
    client = Client()
    client.force_login(accountant)
    return client


@pytest.fixture
def bank(company):
    return make.bank_account(company)


@pytest.fixture
def turia(company, accountant):
    return make.customer(company, accountant, "Reformas Turia, S.L.", "B46000014")


@pytest.fixture
def norte(company, accountant):
    return make.customer(company, accountant, "Estudio Norte, S.L.P.", "B46000022")


def test_a_mandate_is_added_on_its_form_and_a_bad_iban_is_a_form_error(web, turia):
    url = reverse("payments:mandate_create")
    assert web.get(url).status_code == 200
    form = {
        "party": turia.pk, "reference": "TURIA-001", "iban": "ES02 2100 0418 4101 2345 6780", "bic": "",
        "signed_on": "2025-01-15", "scheme": "CORE", "active": "on",
    }  # fmt: skip
    refused = web.post(url, form)
    assert refused.status_code == 422
    assert "Enter a valid IBAN" in refused.content.decode()
    assert not Mandate.objects.exists()
    no_date = web.post(url, {**form, "iban": make.IBANS[0], "signed_on": ""})
    assert no_date.status_code == 422 and "Enter the date the customer signed" in no_date.content.decode()
    saved = web.post(url, {**form, "iban": make.IBANS[0]})
    assert saved.status_code == 302
    mandate = Mandate.objects.get()
    assert (mandate.party_id, mandate.iban, mandate.active) == (turia.pk, make.IBANS[0], True)
    listed = web.get(reverse("payments:mandate_list"))
    assert "TURIA-001" in listed.content.decode() and "Reformas Turia" in listed.content.decode()
    edit = web.post(reverse("payments:mandate_edit", args=[mandate.pk]), {**form, "iban": make.IBANS[1]})
    assert edit.status_code == 302 and Mandate.objects.get().iban == make.IBANS[1]


def test_a_remittance_of_a_customer_without_mandate_is_a_form_error(
    web, company, accountant, bank, turia, norte
):
    make.mandate(company, accountant, turia, "TURIA-001")
    dues = [make.due_of(make.posted_invoice(company, accountant, party)) for party in (turia, norte)]
    answer = web.post(
        reverse("payments:remittance_create"),
        {
            "charge_date": timezone.localdate().isoformat(),
            "bank_account": bank.pk,
            "due": [d.pk for d in dues],
        },
    )
    assert answer.status_code == 422
    assert "Estudio Norte" in answer.content.decode() and "no active SEPA mandate" in answer.content.decode()
    assert not Remittance.objects.exists()
    assert set(DueAmount.objects.values_list("state", flat=True)) == {"open"}


def test_the_remittance_pages_from_candidates_to_return(web, company, accountant, bank, turia, norte):
    make.mandate(company, accountant, turia, "TURIA-001")
    due = make.due_of(make.posted_invoice(company, accountant, turia))
    make.posted_invoice(company, accountant, norte)  # no mandate: not offered
    today = timezone.localdate()
    url = reverse("payments:remittance_create")
    shown = web.get(url, {"charge_date": today.isoformat(), "until": due.due_date.isoformat()})
    page = shown.content.decode()
    assert shown.status_code == 200 and f'value="{due.pk}"' in page and "Estudio Norte" not in page
    created = web.post(
        url,
        {
            "charge_date": today.isoformat(),
            "bank_account": bank.pk,
            "until": due.due_date.isoformat(),
            "due": [due.pk],
        },
    )
    remittance = Remittance.objects.get()
    assert created.status_code == 302 and created["Location"] == reverse(
        "payments:remittance_view", args=[remittance.pk]
    )
    view = web.get(created["Location"])
    assert view.status_code == 200 and remittance.number in view.content.decode()

    download = web.get(reverse("payments:remittance_file", args=[remittance.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/xml"
    xmlschema.XMLSchema(str(sepa.SCHEMA_FILE)).validate(download.content.decode())

    assert web.post(reverse("payments:remittance_post", args=[remittance.pk])).status_code == 302
    assert Remittance.objects.get().state == "posted"
    assert DueAmount.objects.get(pk=due.pk).state == "paid"
    line = RemittanceLine.objects.get()
    refused = web.post(
        reverse("payments:remittance_line_return", args=[line.pk]),
        {"reason": "AM04", "date": today.isoformat(), "charges": "-3"},
    )
    assert refused.status_code == 422 and "zero or more" in refused.content.decode()
    assert RemittanceLine.objects.get().state == "collected"
    returned = web.post(
        reverse("payments:remittance_line_return", args=[line.pk]),
        {"reason": "AM04", "date": today.isoformat(), "charges": "3,50"},
    )
    assert returned.status_code == 302
    assert RemittanceLine.objects.get().state == "returned"
    assert DueAmount.objects.get(pk=due.pk).state == "returned"
    assert make.balance_4300(company, turia) == make.open_dues(company, turia)


def test_a_draft_is_cancelled_from_its_page(web, company, accountant, bank, turia):
    make.mandate(company, accountant, turia, "TURIA-001")
    due = make.due_of(make.posted_invoice(company, accountant, turia))
    remittance = sepa.remittance_create(
        company=company,
        by=accountant,
        bank_account_id=bank.pk,
        charge_date=timezone.localdate(),
        due_ids=[due.pk],
    )
    answer = web.post(reverse("payments:remittance_cancel", args=[remittance.pk]))
    assert answer.status_code == 302 and answer["Location"] == reverse("payments:remittance_list")
    assert not Remittance.objects.exists() and DueAmount.objects.get(pk=due.pk).state == "open"


def test_the_pages_speak_spanish(company, make_user, bank, turia):
    user = make_user("contable_es", "accounting", language="es")
    client = Client()
    client.force_login(user)
    page = client.get(reverse("payments:remittance_create")).content.decode()
    assert "Nueva remesa SEPA" in page and "Fecha de cargo" in page
    assert "Mandatos SEPA" in client.get(reverse("payments:mandate_list")).content.decode()


def test_another_companys_remittance_is_a_404(company, other_company, make_user, accountant, bank, turia):
    make.mandate(company, accountant, turia, "TURIA-001")
    due = make.due_of(make.posted_invoice(company, accountant, turia))
    remittance = sepa.remittance_create(
        company=company,
        by=accountant,
        bank_account_id=bank.pk,
        charge_date=timezone.localdate(),
        due_ids=[due.pk],
    )
    outsider = Client()
    outsider.force_login(make_user("ajeno", "accounting", companies=[other_company]))
    for name in ("payments:remittance_view", "payments:remittance_file"):
        assert outsider.get(reverse(name, args=[remittance.pk])).status_code == 404
    assert outsider.post(reverse("payments:remittance_cancel", args=[remittance.pk])).status_code == 404
    assert Remittance.objects.count() == 1


def test_pages_run_a_constant_number_of_queries(
    web, company, accountant, bank, turia, norte, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make.mandate(company, accountant, turia, "TURIA-001")
    make.mandate(company, accountant, norte, "NORTE-001", iban=make.IBANS[1])
    today = timezone.localdate()

    def remit(parties):
        dues = [make.due_of(make.posted_invoice(company, accountant, party)) for party in parties]
        return sepa.remittance_create(
            company=company,
            by=accountant,
            bank_account_id=bank.pk,
            charge_date=today,
            due_ids=[d.pk for d in dues],
        )

    def counted(url, params=None):
        with CaptureQueriesContext(connection) as captured:
            assert web.get(url, params or {}).status_code == 200
        return len(captured)

    small, large = remit([turia]), remit([turia, norte, turia, norte, norte])
    web.get(reverse("payments:remittance_list"))  # warm the session and content types
    view = counted(reverse("payments:remittance_view", args=[small.pk]))
    assert counted(reverse("payments:remittance_view", args=[large.pk])) == view
    lists = {name: counted(reverse(name)) for name in ("payments:remittance_list", "payments:mandate_list")}
    until = {"until": (today.replace(year=today.year + 1)).isoformat()}
    candidates = counted(reverse("payments:remittance_create"), until)
    remit([norte])
    make.mandate(company, accountant, norte, "NORTE-002", iban=make.IBANS[2])
    make.posted_invoice(company, accountant, turia)
    make.posted_invoice(company, accountant, norte)
    assert {name: counted(reverse(name)) for name in lists} == lists
    assert counted(reverse("payments:remittance_create"), until) == candidates
    with django_assert_max_num_queries(view):
        web.get(reverse("payments:remittance_view", args=[large.pk]))

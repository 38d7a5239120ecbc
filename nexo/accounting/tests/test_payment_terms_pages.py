"""The payment terms' pages (list, editor with its installments and preview, default, deactivate, delete) and
the collection part of the accounting panel on a party's page; each for the roles that may, in constant
queries, bad input a form error that changes nothing."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from nexo.accounting.models import PartyAccounting, PaymentTerm, PaymentTermLine
from nexo.accounting.services import payment_terms as services
from nexo.accounting.services.ledger import settings_of

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def accountant_client(accountant):
    client = Client()
    client.force_login(accountant)
    return client


def _client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(name="45 días", rows=((45, ""),), **fields) -> dict:
    data = {
        "name": name, "name_en": "", "payment_days": "", "active": "on",
        "lines-TOTAL_FORMS": str(len(rows) + 1), "lines-INITIAL_FORMS": "0",
        f"lines-{len(rows)}-days": "", f"lines-{len(rows)}-percent": "",
    }  # fmt: skip
    for index, (days, percent) in enumerate(rows):
        data[f"lines-{index}-days"], data[f"lines-{index}-percent"] = str(days), str(percent)
    return data | fields


def test_the_list_summarises_each_term_in_constant_queries(
    accountant_client, company, accountant, books, django_assert_max_num_queries
):
    url = reverse("accounting:payment_term_list")
    accountant_client.get(url)
    with django_assert_max_num_queries(10) as before:
        first = accountant_client.get(url)
    for number in range(5):
        services.payment_term_save(
            company=company, by=accountant, name=f"Plazo {number}", lines=[(30, D(50)), (60 + number, None)]
        )
    with django_assert_max_num_queries(10) as after:
        answer = accountant_client.get(url)
    assert first.status_code == answer.status_code == 200
    assert len(after.captured_queries) == len(before.captured_queries)
    html = answer.content.decode()
    assert "30-60-90 días" in html and "30-64 días (50 %, partes iguales)" in html
    rows = {term.name: term for term in answer.context["terms"]}
    assert rows["30 días"].is_default and not rows["60 días"].is_default
    assert rows["30 días, días de pago 5 y 20"].payment_days == "5,20"
    assert 'id="default-term"' in html


def test_the_list_speaks_english_to_an_english_reader(make_user, books):
    client = _client_of(make_user("accountant-en", "accounting", language="en"))
    html = client.get(reverse("accounting:payment_term_list")).content.decode()
    assert "30-60-90 days" in html and "Payment terms" in html and "Make default" in html


def test_a_reader_sees_the_list_but_cannot_change_terms(make_user, books, sales_client):
    reader = make_user("lector", "sales")
    reader.user_permissions.add(Permission.objects.get(codename="view_account"))
    client = _client_of(reader)
    html = client.get(reverse("accounting:payment_term_list")).content.decode()
    assert "30-60-90" in html and "new-term" not in html
    term = PaymentTerm.objects.get(name="60 días")
    assert client.get(reverse("accounting:payment_term_create")).status_code == 403
    assert client.post(reverse("accounting:payment_term_default", args=[term.pk])).status_code == 403
    assert client.post(reverse("accounting:payment_term_delete", args=[term.pk])).status_code == 403
    assert sales_client.get(reverse("accounting:payment_term_list")).status_code == 403
    assert PaymentTerm.objects.filter(pk=term.pk).exists()


def test_a_term_is_added_from_its_page_with_installments(accountant_client, company, books):
    url = reverse("accounting:payment_term_create")
    page = accountant_client.get(url)
    assert page.status_code == 200 and "lines-0-days" in page.content.decode()
    assert page.context["preview"]["rows"][0][1] == D("100.00")  # 30 days: all of it
    answer = accountant_client.post(
        url, _form("40-60", rows=((30, "40"), (60, "")), payment_days="20, 5", end_of_month="on")
    )
    assert answer.status_code == 302, answer.context and answer.context["form"].errors
    term = PaymentTerm.objects.get(company=company, name="40-60")
    assert term.payment_days == "5,20" and term.end_of_month
    assert [(line.days, line.percent) for line in term.lines.all()] == [(30, D("40.00")), (60, None)]


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (_form(rows=((30, "60"), (60, "60"))), "general"),  # 120 %
        (_form(rows=((30, "150"),)), "lines-0-percent"),
        (_form(rows=((800, ""),)), "lines-0-days"),
        (_form(rows=(("", "50"), (60, ""))), "lines-0-days"),
        (_form(payment_days="32"), "payment_days"),
        (_form(name="30 días"), "name"),
        (_form(name=""), "name"),
        (_form(rows=()), "general"),
    ],
)
def test_a_wrong_term_is_a_form_error_and_nothing_changes(accountant_client, books, data, where):
    before = PaymentTerm.objects.count(), PaymentTermLine.objects.count()
    answer = accountant_client.post(reverse("accounting:payment_term_create"), data)
    assert answer.status_code == 422
    if where == "general":
        assert answer.context["general_errors"]
    elif where.startswith("lines-"):
        _prefix, index, field = where.split("-")
        assert answer.context["installments"].forms[int(index)].errors[field]
    else:
        assert answer.context["form"].errors[where]
    assert (PaymentTerm.objects.count(), PaymentTermLine.objects.count()) == before


def test_more_installments_adds_rows_and_the_preview_button_saves_nothing(accountant_client, books):
    url = reverse("accounting:payment_term_create")
    more = accountant_client.post(url, _form(rows=((30, ""),)) | {"add_lines": "1"})
    assert more.status_code == 200 and len(more.context["installments"].forms) == 5
    assert not more.context["form"].errors
    before = PaymentTerm.objects.count()
    preview = accountant_client.post(url, _form(rows=((30, ""), (60, ""), (90, ""))) | {"preview": "1"})
    assert [amount for _due, amount in preview.context["preview"]["rows"]] == [
        D("33.33"),
        D("33.33"),
        D("33.34"),
    ]
    assert PaymentTerm.objects.count() == before


def test_the_live_preview_splits_100_as_typed(accountant_client, books):
    url = reverse("accounting:payment_term_preview")
    answer = accountant_client.post(url, _form(rows=((30, ""), (60, ""), (90, ""))), HTTP_HX_REQUEST="true")
    html = answer.content.decode()
    assert answer.status_code == 200 and "33,34" in html and "term-preview-table" in html
    wrong = accountant_client.post(url, _form(rows=((30, "70"), (60, "70")))).content.decode()
    assert "term-preview-error" in wrong and "140" in wrong
    assert "term-preview-error" in accountant_client.post(url, {"lines-TOTAL_FORMS": "x"}).content.decode()


def test_editing_a_term_replaces_its_installments(accountant_client, company, books):
    term = PaymentTerm.objects.get(company=company, name="60 días")
    url = reverse("accounting:payment_term_edit", args=[term.pk])
    page = accountant_client.get(url)
    assert page.status_code == 200 and page.context["form"].initial["name"] == "60 días"
    answer = accountant_client.post(url, _form("60-90 días", rows=((60, ""), (90, "")), name_en="60-90 days"))
    assert answer.status_code == 302
    term.refresh_from_db()
    assert term.name_en == "60-90 days" and [line.days for line in term.lines.all()] == [60, 90]


def test_default_deactivate_and_delete_from_the_pages(
    accountant_client, company, accountant, books, customer
):
    sixty = PaymentTerm.objects.get(company=company, name="60 días")
    answer = accountant_client.post(reverse("accounting:payment_term_default", args=[sixty.pk]))
    assert answer.status_code == 302 and settings_of(company).default_term == sixty
    # The default cannot be deleted: the page says so and offers to deactivate (not for the default).
    refused = accountant_client.post(reverse("accounting:payment_term_delete", args=[sixty.pk]), follow=True)
    assert (
        "desactívela en su lugar" in refused.content.decode()
        and PaymentTerm.objects.filter(pk=sixty.pk).exists()
    )
    cash = PaymentTerm.objects.get(company=company, name="Contado")
    services.party_profile_set(company=company, by=accountant, party_id=customer.pk, customer_term_id=cash.pk)
    refused = accountant_client.post(reverse("accounting:payment_term_delete", args=[cash.pk]), follow=True)
    assert "desactívela en su lugar" in refused.content.decode()
    assert 'id="toggle-term"' in refused.content.decode()
    accountant_client.post(reverse("accounting:payment_term_activate", args=[cash.pk]), {"active": "0"})
    cash.refresh_from_db()
    assert not cash.active
    unused = PaymentTerm.objects.get(company=company, name="30 días fin de mes")
    accountant_client.post(reverse("accounting:payment_term_delete", args=[unused.pk]))
    assert not PaymentTerm.objects.filter(pk=unused.pk).exists()


def test_another_companys_term_is_404(accountant_client, other_company, books):
    services.payment_terms_setup(other_company)
    theirs = PaymentTerm.objects.get(company=other_company, name="60 días")
    assert accountant_client.get(reverse("accounting:payment_term_edit", args=[theirs.pk])).status_code == 404
    assert (
        accountant_client.post(reverse("accounting:payment_term_delete", args=[theirs.pk])).status_code == 404
    )
    accountant_client.post(reverse("accounting:payment_term_default", args=[theirs.pk]))
    assert settings_of(other_company).default_term != settings_of(books["4300"].company).default_term


# The party panel


def test_the_party_panel_shows_and_sets_its_collection_terms(
    accountant_client, company, books, customer, django_assert_max_num_queries
):
    url = reverse("parties:party_view", args=[customer.pk])
    accountant_client.get(url)
    with django_assert_max_num_queries(60) as before:
        html = accountant_client.get(url).content.decode()
    assert "party-collection" in html and "(company default)" not in html  # Spanish by default
    assert "30 días" in html and "agosto" in html  # the month choices, in the user's language
    ninety = PaymentTerm.objects.get(company=company, name="30-60-90 días")
    answer = accountant_client.post(
        reverse("accounting:party_profile_set", args=[customer.pk]),
        {
            "customer_term": str(ninety.pk),
            "supplier_term": "",
            "credit_limit": "2500,50",
            "holiday_month": "8",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == url
    row = PartyAccounting.objects.get(party=customer)
    assert (row.customer_term, row.credit_limit, row.holiday_month) == (ninety, D("2500.50"), 8)
    with django_assert_max_num_queries(60) as after:
        html = accountant_client.get(url).content.decode()
    assert len(after.captured_queries) == len(before.captured_queries)
    assert 'id="party-holiday-month">agosto' in html and "2.500,50" in html


def test_the_party_panel_in_english(make_user, company, books, customer):
    client = _client_of(make_user("accountant-en", "accounting", language="en"))
    services.party_profile_set(company=company, by=None, party_id=customer.pk, holiday_month=8)
    html = client.get(reverse("parties:party_view", args=[customer.pk])).content.decode()
    assert 'id="party-holiday-month">August' in html and "30 days" in html and "(company default)" in html


@pytest.mark.parametrize(
    "data",
    [
        {"credit_limit": "-5"},
        {"credit_limit": "mucho"},
        {"credit_limit": "1.005"},
        {"holiday_month": "13"},
        {"holiday_month": "agosto"},
        {"customer_term": "999999999"},
        {"supplier_term": "x"},
    ],
)
def test_a_wrong_profile_is_an_error_message_and_changes_nothing(
    accountant_client, company, books, customer, data
):
    answer = accountant_client.post(
        reverse("accounting:party_profile_set", args=[customer.pk]), data, follow=True
    )
    assert answer.status_code == 200
    assert any(message.level_tag == "error" for message in answer.context["messages"])
    assert not PartyAccounting.objects.filter(party=customer).exists()


def test_the_profile_form_needs_the_permission(make_user, sales_client, books, customer):
    reader = make_user("lector", "sales")
    reader.user_permissions.add(Permission.objects.get(codename="view_account"))
    html = _client_of(reader).get(reverse("parties:party_view", args=[customer.pk])).content.decode()
    assert "party-collection" in html and "party-collection-form" not in html
    url = reverse("accounting:party_profile_set", args=[customer.pk])
    assert _client_of(reader).post(url, {"credit_limit": "1"}).status_code == 403
    assert sales_client.post(url, {"credit_limit": "1"}).status_code == 403
    assert not PartyAccounting.objects.filter(party=customer).exists()

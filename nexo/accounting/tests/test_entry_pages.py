"""Journal entry pages: the list, one entry, typing a manual entry (draft, or posted at once), editing a draft,
posting, reversing and deleting through the page actions, drawing an entry from a template; who may do it;
bad input on every form; constant queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from nexo.accounting.models import Account, Entry, EntryLine
from nexo.accounting.services.ledger import LineInput, entry_create, entry_post, entry_record, journal_of
from nexo.parties.models import Party

TODAY = date.today()


@pytest.fixture
def desk(accountant, books):
    client = Client()
    client.force_login(accountant)
    return client


def post_lines(client, url, lines, *, journal, day=TODAY, description="Manual", **extra):
    data = {
        "journal": journal.pk, "date": day.isoformat(), "description": description,
        "lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0", **extra,
    }  # fmt: skip
    for index, line in enumerate(lines):
        for name, value in line.items():
            data[f"lines-{index}-{name}"] = value
    return client.post(url, data)


def manual(company, books, accountant, *, amount="100.00", post=False, day=TODAY):
    entry = entry_create(
        company=company, by=accountant, journal_id=journal_of(company, "GEN").pk, date=day,
        lines=[LineInput(books["626"].pk, debit=Decimal(amount)), LineInput(books["572"].pk, credit=Decimal(amount))],
        description="Comisión",
    )  # fmt: skip
    if post:
        entry = entry_post(company=company, by=accountant, entry_id=entry.pk)
    return entry


def test_a_sales_user_is_refused_every_entry_page(sales_client, company, books, accountant):
    entry = manual(company, books, accountant)
    for url in (
        reverse("accounting:entry_list"), reverse("accounting:entry_detail", args=[entry.pk]),
        reverse("accounting:entry_create"), reverse("accounting:entry_edit", args=[entry.pk]),
        reverse("accounting:entry_from_template"),
    ):  # fmt: skip
        assert sales_client.get(url).status_code == 403, url
    for name in ("entry_post", "entry_reverse", "entry_delete"):
        assert sales_client.post(reverse(f"accounting:{name}", args=[entry.pk])).status_code == 403
    assert Entry.objects.get(pk=entry.pk).state == "draft"


def test_the_accountant_types_an_entry_and_posts_it_at_once(desk, company, books):
    general = journal_of(company, "GEN")
    answer = post_lines(
        desk, reverse("accounting:entry_create"),
        [{"account": books["626"].pk, "debit": "12,50"}, {"account": books["572"].pk, "credit": "12.50"}, {}],
        journal=general, post="1",
    )  # fmt: skip
    assert answer.status_code == 302, answer.content.decode()[:3000]
    entry = Entry.objects.get(company=company)
    assert (entry.state, entry.total, entry.number) == (
        "posted",
        Decimal("12.50"),
        f"GEN/{TODAY.year}/000001",
    )
    page = desk.get(answer["Location"]).content.decode()
    assert "626" in page and "Servicios bancarios y similares" in page and "12,50" in page


def test_the_detail_speaks_english_with_the_english_account_names(desk, company, books, accountant):
    entry = manual(company, books, accountant, post=True)
    page = desk.get(reverse("accounting:entry_detail", args=[entry.pk]), HTTP_ACCEPT_LANGUAGE="en")
    accountant.language = "en"
    accountant.save()
    page = desk.get(reverse("accounting:entry_detail", args=[entry.pk])).content.decode()
    assert "Bank services" in page and "Servicios bancarios" not in page


def test_an_unbalanced_entry_posted_keeps_the_typed_lines_and_saves_nothing(desk, company, books):
    answer = post_lines(
        desk, reverse("accounting:entry_create"),
        [{"account": books["626"].pk, "debit": "10"}, {"account": books["572"].pk, "credit": "9.99"}],
        journal=journal_of(company, "GEN"), post="1",
    )  # fmt: skip
    assert answer.status_code == 422
    page = answer.content.decode()
    assert "does not balance" in page or "no cuadra" in page or "0.01" in page or "0,01" in page
    assert 'value="9.99"' in page
    assert not Entry.objects.filter(company=company).exists()


def test_a_draft_may_be_saved_unbalanced_then_edited_and_posted(desk, company, books):
    general = journal_of(company, "GEN")
    answer = post_lines(
        desk, reverse("accounting:entry_create"),
        [{"account": books["626"].pk, "debit": "10"}, {"account": books["572"].pk, "credit": "9"}],
        journal=general, save="1",
    )  # fmt: skip
    assert answer.status_code == 302
    entry = Entry.objects.get(company=company)
    assert entry.state == "draft"
    assert desk.get(reverse("accounting:entry_edit", args=[entry.pk])).status_code == 200
    answer = post_lines(
        desk, reverse("accounting:entry_edit", args=[entry.pk]),
        [{"account": books["626"].pk, "debit": "10"}, {"account": books["572"].pk, "credit": "10"}],
        journal=general, save="1",
    )  # fmt: skip
    assert answer.status_code == 302
    assert desk.post(reverse("accounting:entry_post", args=[entry.pk])).status_code == 302
    entry.refresh_from_db()
    assert entry.state == "posted" and entry.total == Decimal("10.00")
    # A posted entry's edit page sends back to it; deleting it is refused.
    assert desk.get(reverse("accounting:entry_edit", args=[entry.pk])).status_code == 302
    desk.post(reverse("accounting:entry_delete", args=[entry.pk]))
    assert Entry.objects.filter(pk=entry.pk).exists()


def test_reversing_from_the_page_links_both_ways_and_only_once(desk, company, books, accountant):
    entry = manual(company, books, accountant, post=True)
    answer = desk.post(reverse("accounting:entry_reverse", args=[entry.pk]), {"date": TODAY.isoformat()})
    reversal = Entry.objects.get(reverses=entry)
    assert answer["Location"] == reverse("accounting:entry_detail", args=[reversal.pk])
    original_page = desk.get(reverse("accounting:entry_detail", args=[entry.pk])).content.decode()
    assert reversal.number in original_page and 'id="entry-reversed-by"' in original_page
    assert entry.number in desk.get(answer["Location"]).content.decode()
    desk.post(reverse("accounting:entry_reverse", args=[entry.pk]), {"date": TODAY.isoformat()})
    assert Entry.objects.filter(reverses=entry).count() == 1
    answer = desk.post(reverse("accounting:entry_reverse", args=[reversal.pk]), {"date": "not a date"})
    assert answer.status_code == 302 and Entry.objects.count() == 2


def test_deleting_a_draft(desk, company, books, accountant):
    entry = manual(company, books, accountant)
    assert desk.post(reverse("accounting:entry_delete", args=[entry.pk]))["Location"] == reverse(
        "accounting:entry_list"
    )
    assert not Entry.objects.filter(pk=entry.pk).exists()
    assert desk.get(reverse("accounting:entry_delete", args=[entry.pk])).status_code == 405


def test_a_receivable_line_needs_its_party_and_another_companys_ids_are_refused(
    desk, company, books, other_company, customer
):
    general = journal_of(company, "GEN")
    journal_of(other_company, "GEN")
    foreign_account = Account.objects.get(company=other_company, code="572")
    foreign_party = Party.objects.create(company=other_company, name="Ajena")
    url = reverse("accounting:entry_create")
    answer = post_lines(
        desk, url, [{"account": books["4300"].pk, "debit": "5"}, {"account": books["700"].pk, "credit": "5"}],
        journal=general, save="1",
    )  # fmt: skip
    assert answer.status_code == 422 and "4300" in answer.content.decode()
    for line in (
        {"account": foreign_account.pk, "debit": "5"},
        {"account": books["4300"].pk, "party": foreign_party.pk, "debit": "5"},
    ):
        answer = post_lines(
            desk, url, [line, {"account": books["700"].pk, "credit": "5"}], journal=general, save="1"
        )
        assert answer.status_code == 422
    answer = post_lines(
        desk, url, [{"account": books["4300"].pk, "party": customer.pk, "debit": "5"}, {"account": books["700"].pk, "credit": "5"}],
        journal=general, post="1",
    )  # fmt: skip
    assert answer.status_code == 302
    assert EntryLine.objects.get(account=books["4300"]).party_id == customer.pk
    foreign = Entry.objects.create(
        company=other_company, journal=journal_of(other_company, "GEN"),
        fiscal_year=Entry.objects.get(company=company).fiscal_year.__class__.objects.get(company=other_company),
        date=TODAY,
    )  # fmt: skip
    for name in ("entry_detail", "entry_edit"):
        assert desk.get(reverse(f"accounting:{name}", args=[foreign.pk])).status_code == 404
    for name in ("entry_post", "entry_reverse", "entry_delete"):
        assert desk.post(reverse(f"accounting:{name}", args=[foreign.pk])).status_code == 404


@pytest.mark.parametrize(
    "line, message",
    [
        ({"debit": "1" * 40}, "too large"),
        ({"debit": "12.345"}, "cents"),
        ({"debit": "-5"}, "negative"),
        ({"debit": "abc"}, "Enter an amount"),
        ({"debit": "5", "credit": "5"}, "not both"),
        ({"description": "bad\x00text", "debit": "5"}, "control characters"),
        ({"description": "x" * 500, "debit": "5"}, "at most 200"),
    ],
)
def test_bad_lines_are_form_errors_that_keep_what_was_typed(desk, company, books, accountant, line, message):
    accountant.language = "en"
    accountant.save()
    answer = post_lines(
        desk, reverse("accounting:entry_create"),
        [{"account": books["626"].pk, **line}, {"account": books["572"].pk, "credit": "5"}],
        journal=journal_of(company, "GEN"), save="1",
    )  # fmt: skip
    assert answer.status_code == 422
    assert message in answer.content.decode()
    assert not Entry.objects.exists()


def test_bad_headers_and_management_data_are_refused_without_a_500(desk, company, books):
    url = reverse("accounting:entry_create")
    good = [{"account": books["626"].pk, "debit": "5"}, {"account": books["572"].pk, "credit": "5"}]
    general = journal_of(company, "GEN")
    for extra in (
        {"date": "2026-13-45"},
        {"journal": "999999999"},
        {"journal": "x"},
        {"description": "a\x01b"},
    ):
        data = {
            "journal": general.pk,
            "date": TODAY.isoformat(),
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
        }
        for index, line in enumerate(good):
            for name, value in line.items():
                data[f"lines-{index}-{name}"] = value
        data.update(extra)
        assert desk.post(url, data).status_code == 422, extra
    assert desk.post(url, {"lines-TOTAL_FORMS": "99999999", "lines-INITIAL_FORMS": "0"}).status_code == 422
    assert desk.post(url, {"lines-TOTAL_FORMS": "x"}).status_code == 422
    answer = desk.post(
        url, {"journal": general.pk, "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "add_lines": "1"}
    )
    assert answer.status_code == 200 and 'name="lines-2-debit"' in answer.content.decode()
    # A date in a year that has no fiscal year: the service's error lands on the date.
    answer = post_lines(desk, url, good, journal=general, day=date(1999, 1, 1), save="1")
    assert answer.status_code == 422 and not Entry.objects.exists()


def test_the_list_filters_searches_sums_and_keeps_its_queries_constant(
    desk, company, books, accountant, django_assert_max_num_queries
):
    for amount in ("10.00", "20.00", "30.00"):
        manual(company, books, accountant, amount=amount, post=True)
    draft = manual(company, books, accountant, amount="5.00")
    url = reverse("accounting:entry_list")
    page = desk.get(url).content.decode()
    assert 'id="matching-total">65,00' in page
    page = desk.get(url, {"state": "draft"}).content.decode()
    assert 'id="matching-total">5,00' in page and reverse("accounting:entry_detail", args=[draft.pk]) in page
    page = desk.get(url, {"q": "000002"}).content.decode()
    assert 'id="matching-total">20,00' in page
    page = desk.get(
        url, {"account": books["626"].pk, "date_from": TODAY.isoformat(), "date_to": TODAY.isoformat()}
    )
    assert 'id="matching-total">65,00' in page.content.decode()
    assert (
        desk.get(url, {"q": "x" * 500 + "\x00", "page": "abc", "sort": "nope", "journal": "zzz"}).status_code
        == 200
    )
    with django_assert_max_num_queries(14) as few:
        desk.get(url)
    for amount in range(40):
        manual(company, books, accountant, amount=f"{amount + 1}.00", post=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        desk.get(url)


def test_the_detail_runs_a_fixed_number_of_queries_whatever_its_lines(
    desk, company, books, accountant, customer, django_assert_max_num_queries
):
    lines = [LineInput(books["4300"].pk, debit=Decimal("1.00"), party_id=customer.pk) for _ in range(60)]
    lines.append(LineInput(books["700"].pk, credit=Decimal("60.00")))
    entry = entry_record(company=company, by=accountant, journal="GEN", date=TODAY, lines=lines)
    small = manual(company, books, accountant, post=True)
    with django_assert_max_num_queries(20) as few:
        desk.get(reverse("accounting:entry_detail", args=[small.pk]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = desk.get(reverse("accounting:entry_detail", args=[entry.pk]))
    assert page.content.decode().count(customer.name) == 60


def test_an_entry_from_the_bank_charges_template(desk, company, books):
    url = reverse("accounting:entry_from_template")
    assert (
        "Bank charges" in desk.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        or desk.get(url).status_code == 200
    )
    assert desk.get(url, {"template": "bank_charges"}).status_code == 200
    assert desk.get(url, {"template": "nope"}).status_code == 400
    answer = desk.post(url, {"template": "bank_charges", "date": TODAY.isoformat(), "amount": "7,25"})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'value="7.25"' in page and "626" in page and "572" in page
    assert f'action="{reverse("accounting:entry_create")}"' in page
    answer = desk.post(url, {"template": "bank_charges", "date": TODAY.isoformat(), "amount": "-1"})
    assert answer.status_code == 422

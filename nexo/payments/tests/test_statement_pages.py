"""The bank statement pages: the import form (a broken line a form error naming it, nothing imported), the
statement's page with each line's proposal in a constant number of queries, a line confirmed through HTMX
(its row and the counts swapped), posted to 626, unmatched; another company's statement a 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from nexo.accounting.models import Account
from nexo.payments.models import BankStatement, StatementLine
from nexo.payments.tests.factories_payments import *  # noqa: F403 -- the shared fixtures
from nexo.payments.tests.factories_statements import *  # noqa: F403
from nexo.payments.tests.factories_statements import line, norma43_file

HTMX = {"HX-Request": "true"}


def upload(client, bank, content: bytes, name="abril.n43", **fields):
    return client.post(
        reverse("payments:statement_import"),
        {"bank_account": bank.pk, "file": SimpleUploadedFile(name, content), "format": "", **fields},
    )


def test_importing_a_file_leads_to_its_statement(accountant_client, bank, make_invoice):
    invoice = make_invoice("100.00")
    answer = upload(accountant_client, bank, norma43_file(line("121.00", invoice.number)))
    statement = BankStatement.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "payments:statement_view", args=[statement.pk]
    )
    page = accountant_client.get(answer["Location"]).content.decode()
    assert invoice.number in page and "Reformas Turia" in page
    assert 'id="progress-to-match">1<' in page


def test_a_broken_line_is_a_form_error_naming_it(accountant_client, bank):
    records = norma43_file(line("10.00", "A")).decode("latin-1").split("\r\n")
    records[1] = records[1][:27] + "7" + records[1][28:]
    answer = upload(accountant_client, bank, "\r\n".join(records).encode("latin-1"))
    assert answer.status_code == 422
    assert "Line 2:" in answer.content.decode()
    assert not BankStatement.objects.exists()


def test_an_unknown_format_is_a_form_error(accountant_client, bank):
    answer = upload(accountant_client, bank, b"nothing a bank would send", name="x.txt")
    assert answer.status_code == 422
    assert "Unknown file format" in answer.content.decode()


def test_the_statement_page_runs_a_constant_number_of_queries(
    accountant_client, import_lines, make_invoice, django_assert_max_num_queries
):
    invoices = [make_invoice(f"{10 + n}.00") for n in range(3)]
    small = import_lines(line("1.00", "A"))
    big = import_lines(
        *[line(str(invoice.total), invoice.number) for invoice in invoices], line("-3.00", "FEE")
    )
    accountant_client.get(reverse("payments:statement_view", args=[small.pk]))
    with django_assert_max_num_queries(16) as few:
        accountant_client.get(reverse("payments:statement_view", args=[small.pk]))
    with django_assert_max_num_queries(len(few)) as many:
        answer = accountant_client.get(reverse("payments:statement_view", args=[big.pk]))
    assert answer.status_code == 200
    assert len(many) == len(few)


def test_a_line_confirmed_through_htmx_swaps_its_row_and_the_counts(
    company, accountant_client, import_lines, make_invoice
):
    invoice = make_invoice("100.00")
    statement = import_lines(line("121.00", invoice.number), line("-3.00", "FEE"))
    first = StatementLine.objects.get(statement=statement, line_number=2)
    url = reverse("payments:statement_line_confirm", args=[first.pk])
    answer = accountant_client.post(url, {}, headers=HTMX)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert html.lstrip().startswith(f'<tr id="line-{first.pk}"')
    assert 'hx-swap-oob="true"' in html and 'id="progress-matched">1<' in html
    first.refresh_from_db()
    assert first.state == "matched"
    again = accountant_client.post(url, {}, headers=HTMX)
    assert again.status_code == 422 and "already matched" in again.content.decode()


def test_a_line_posted_to_626_and_unmatched(company, accountant_client, import_lines):
    statement = import_lines(line("-3.00", "FEE"))
    fee = StatementLine.objects.get(statement=statement)
    charges = Account.objects.get(company=company, code="626")
    answer = accountant_client.post(
        reverse("payments:statement_line_post", args=[fee.pk]), {"account": charges.pk}, headers=HTMX
    )
    assert answer.status_code == 200, answer.content.decode()
    fee.refresh_from_db()
    assert fee.state == "posted" and fee.entry_id
    answer = accountant_client.post(reverse("payments:statement_line_unmatch", args=[fee.pk]))
    assert answer.status_code == 302
    fee.refresh_from_db()
    assert (fee.state, fee.entry_id) == ("open", None)


def test_another_companys_statement_is_not_found(accountant_client, import_lines, make_user, other_company):
    from django.test import Client

    statement = import_lines(line("1.00", "A"))
    outsider = Client()
    outsider.force_login(make_user("fuera", "accounting", companies=[other_company]))
    assert outsider.get(reverse("payments:statement_view", args=[statement.pk])).status_code == 404
    (only,) = StatementLine.objects.filter(statement=statement)
    assert outsider.post(reverse("payments:statement_line_confirm", args=[only.pk])).status_code == 404


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_list_and_the_import_form_answer_in_both_languages(accountant_client, import_lines, language):
    import_lines(line("1.00", "A"))
    accountant_client.cookies["django_language"] = language
    listed = accountant_client.get(reverse("payments:statement_list"), headers={"Accept-Language": language})
    assert listed.status_code == 200
    form = accountant_client.get(reverse("payments:statement_import"), headers={"Accept-Language": language})
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.content.decode()


def test_a_long_statement_pages_through_its_lines_and_shows_those_to_match(
    accountant_client, import_lines, monkeypatch
):
    from nexo.payments.views import statements as views

    monkeypatch.setattr(views, "PAGE_LINES", 2)
    statement = import_lines(*[line(f"{n}.00", f"R{n}") for n in range(1, 6)])
    url = reverse("payments:statement_view", args=[statement.pk])
    first = accountant_client.get(url).content.decode()
    assert first.count("data-line ") == 2 and "Page 1 of 3" in first and 'id="page-next"' in first
    last = accountant_client.get(url, {"page": "3"}).content.decode()
    assert last.count("data-line ") == 1 and 'id="page-previous"' in last
    assert accountant_client.get(url, {"page": "99"}).status_code == 200  # the last page
    StatementLine.objects.filter(statement=statement, line_number__lt=5).update(state="posted")
    open_only = accountant_client.get(url, {"open": "1"}).content.decode()
    assert open_only.count("data-line ") == 2 and "Page 1 of 1" not in open_only

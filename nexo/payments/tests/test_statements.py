"""Bank statements: a file imported whole or not at all, each line proposed the invoice it pays (by
reference, by amount, by the party's IBAN), confirmed into a payment posted 572 against 4300 that pays the
due amount, never confirmed twice; a line no invoice explains posted to bank charges (626); unmatched back."""

from datetime import date

import pytest

from nexo.accounting.models import Account, EntryLine
from nexo.core.errors import Conflict, ValidationFailed
from nexo.payments.formats import bank_csv
from nexo.payments.formats.statement import ParsedStatement
from nexo.payments.models import BankStatement, DueAmount, Mandate, Payment, StatementLine
from nexo.payments.services.dues import dues_of
from nexo.payments.services.statements import (
    line_confirm,
    line_post,
    line_unmatch,
    lines_confirm_all,
    statement_import,
    statement_proposals,
)
from nexo.payments.tests.factories_payments import *  # noqa: F403 -- the shared fixtures
from nexo.payments.tests.factories_payments import ADDRESS, IBAN_2, D
from nexo.payments.tests.factories_statements import *  # noqa: F403
from nexo.payments.tests.factories_statements import line, norma43_file


def due_of(company, invoice) -> DueAmount:
    (due,) = dues_of(company, "invoicing.invoice", [invoice.pk])[invoice.pk]
    return due


def lines_of(statement) -> list[StatementLine]:
    return list(StatementLine.objects.filter(statement=statement).order_by("line_number"))


def entry_lines(entry) -> set:
    return {
        (row.account.code, row.debit, row.credit)
        for row in EntryLine.objects.filter(entry=entry).select_related("account")
    }


def test_a_norma_43_file_is_imported_with_its_lines_balances_and_line_numbers(company, import_lines, bank):
    statement = import_lines(line("121.00", "FV-1"), line("-12.50", "COMISION", description="Comisión"))
    assert (statement.format, statement.line_count, statement.bank_account_id) == ("norma43", 2, bank.pk)
    assert (statement.start, statement.end) == (date(2026, 4, 1), date(2026, 4, 30))
    assert (statement.opening_balance, statement.closing_balance) == (D("1000.00"), D("1108.50"))
    first, second = lines_of(statement)
    assert (first.line_number, first.amount, first.reference, first.state) == (2, D("121.00"), "FV-1", "open")
    assert (second.line_number, second.amount, second.description) == (3, D("-12.50"), "Comisión")


def test_a_broken_line_names_its_line_number_and_imports_nothing(company, accountant, bank):
    content = norma43_file(line("121.00", "FV-1"), line("-12.50", "COMISION")).decode("latin-1").splitlines()
    content[2] = content[2][:27] + "9" + content[2][28:]  # a D/H code that is neither 1 nor 2
    with pytest.raises(ValidationFailed) as refused:
        statement_import(
            company=company, by=accountant, bank_account_id=bank.pk, file_name="x.n43",
            content="\r\n".join(content).encode("latin-1"),
        )  # fmt: skip
    assert refused.value.errors[0]["field"] == "file"
    assert refused.value.errors[0]["message"].startswith("Line 3:")
    assert not BankStatement.objects.exists() and not StatementLine.objects.exists()


def test_a_file_in_an_unknown_format_is_refused(company, accountant, bank):
    with pytest.raises(ValidationFailed) as refused:
        statement_import(
            company=company,
            by=accountant,
            bank_account_id=bank.pk,
            file_name="x.txt",
            content=b"hello world\n",
        )
    assert "Unknown file format" in refused.value.detail
    assert not BankStatement.objects.exists()


def test_a_statement_of_another_iban_or_imported_twice_is_refused(company, import_lines):
    with pytest.raises(ValidationFailed, match="is a statement of ES79"):
        import_lines(line("10.00"), iban=IBAN_2)
    import_lines(line("10.00", "A"))
    with pytest.raises(Conflict, match="already imported"):
        import_lines(line("10.00", "A"))
    assert BankStatement.objects.count() == 1


def test_the_proposal_finds_the_invoice_by_its_number_in_the_reference(company, make_invoice, import_lines):
    invoice = make_invoice("100.00")
    make_invoice("100.00")  # the same amount: the amount alone cannot tell them apart
    statement = import_lines(line("121.00", description=f"TRANSFERENCIA PAGO FRA {invoice.number}"))
    (proposal,) = statement_proposals(company, statement.pk).values()
    assert proposal.due_ids == (due_of(company, invoice).pk,)
    assert proposal.numbers == (invoice.number,)
    assert {"reference", "amount"} <= set(proposal.reasons)
    assert proposal.score >= 80


def test_the_proposal_finds_the_invoice_by_its_amount_alone(company, customer, make_invoice, import_lines):
    make_invoice("50.00")
    invoice = make_invoice("80.00")  # 96.80
    statement = import_lines(line("96.80", "TRANSFER"))
    (proposal,) = statement_proposals(company, statement.pk).values()
    assert proposal.due_ids == (due_of(company, invoice).pk,)
    assert proposal.party_id == customer.pk
    assert set(proposal.reasons) >= {"amount", "unique"}
    assert "reference" not in proposal.reasons


def test_the_proposal_prefers_the_party_whose_mandate_iban_sent_the_money(
    company, accountant, bank, customer, sales_user, make_invoice
):
    from nexo.parties.services import party_create

    other = party_create(company=company, by=sales_user, name="Otro Cliente, S.L.", status="customer",
        tax_id="B46000022", addresses=[ADDRESS], country="ES",
    )  # fmt: skip
    make_invoice("100.00", party=other)
    invoice = make_invoice("100.00")
    Mandate.objects.create(
        company=company, party=customer, reference="M-1", iban=IBAN_2, signed_on=date(2026, 1, 1)
    )
    csv = bank_csv.render(
        ParsedStatement(lines=[line("121.00", "TRANSFER", iban=IBAN_2)])
    )  # N43 has no IBANs
    statement = statement_import(
        company=company, by=accountant, bank_account_id=bank.pk, file_name="movimientos.csv", content=csv
    )
    assert statement.format == "csv"
    (proposal,) = statement_proposals(company, statement.pk).values()
    assert proposal.due_ids == (due_of(company, invoice).pk,)
    assert "iban" in proposal.reasons


def test_confirming_a_line_records_the_payment_posts_572_against_4300_and_pays_the_due_amount(
    company, accountant, customer, bank, make_invoice, import_lines
):
    invoice = make_invoice("100.00")
    statement = import_lines(line("121.00", invoice.number))
    (first,) = lines_of(statement)
    confirmed = line_confirm(company=company, by=accountant, line_id=first.pk)
    assert (confirmed.state, confirmed.matched_by) == ("matched", accountant)
    payment = Payment.objects.get(pk=confirmed.payment_id)
    assert (payment.party_id, payment.amount, payment.date, payment.method) == (
        customer.pk, D("121.00"), date(2026, 4, 2), "transfer",
    )  # fmt: skip
    assert payment.bank_account_id == bank.pk and payment.reference == invoice.number
    assert entry_lines(payment.entry) == {
        ("5720001", D("121.00"), D("0.00")),
        ("4300", D("0.00"), D("121.00")),
    }
    due = due_of(company, invoice)
    assert (due.paid, due.state) == (D("121.00"), DueAmount.State.PAID)
    assert customer_balance(company, customer) == D("0.00")  # noqa: F405


def test_the_same_line_cannot_be_confirmed_twice(company, accountant, make_invoice, import_lines):
    invoice = make_invoice("100.00")
    statement = import_lines(line("121.00", invoice.number))
    (first,) = lines_of(statement)
    line_confirm(company=company, by=accountant, line_id=first.pk)
    with pytest.raises(Conflict, match="already matched"):
        line_confirm(company=company, by=accountant, line_id=first.pk, due_ids=[due_of(company, invoice).pk])
    assert Payment.objects.count() == 1


def test_a_line_of_more_than_is_due_needs_keep_credit(
    company, accountant, customer, make_invoice, import_lines
):
    invoice = make_invoice("100.00")
    statement = import_lines(line("150.00", invoice.number))
    (first,) = lines_of(statement)
    due = due_of(company, invoice)
    with pytest.raises(ValidationFailed, match="as the party's credit"):
        line_confirm(company=company, by=accountant, line_id=first.pk, due_ids=[due.pk])
    confirmed = line_confirm(
        company=company, by=accountant, line_id=first.pk, due_ids=[due.pk], keep_credit=True
    )
    payment = Payment.objects.get(pk=confirmed.payment_id)
    assert (payment.amount, payment.applied) == (D("150.00"), D("121.00"))


def test_money_out_pays_a_supplier_invoice_found_by_the_suppliers_number(
    company, accountant, supplier, supplier_invoice, import_lines
):
    invoice = supplier_invoice("200.00", number="A-7781")
    statement = import_lines(line("-242.00", "PAGO FRA A-7781"))
    (first,) = lines_of(statement)
    (proposal,) = statement_proposals(company, statement.pk).values()
    assert proposal.party_id == supplier.pk and "reference" in proposal.reasons
    confirmed = line_confirm(company=company, by=accountant, line_id=first.pk)
    payment = Payment.objects.get(pk=confirmed.payment_id)
    assert (payment.direction, payment.party_id, payment.amount) == ("payable", supplier.pk, D("242.00"))
    (due,) = dues_of(company, "invoicing.supplierinvoice", [invoice.pk])[invoice.pk]
    assert due.state == DueAmount.State.PAID


def test_an_unmatched_line_is_posted_to_bank_charges(company, accountant, bank, import_lines):
    statement = import_lines(line("-12.50", "COMISION", description="Comisión mantenimiento"))
    (first,) = lines_of(statement)
    charges = Account.objects.get(company=company, code="626")
    posted = line_post(company=company, by=accountant, line_id=first.pk, account_id=charges.pk)
    assert posted.state == "posted"
    assert entry_lines(posted.entry) == {("626", D("12.50"), D("0.00")), ("5720001", D("0.00"), D("12.50"))}
    assert posted.entry.journal.code == "BAN"
    with pytest.raises(Conflict):
        line_confirm(company=company, by=accountant, line_id=first.pk, party_id=1)


def test_unmatching_reverses_the_payment_and_reopens_line_and_due_amount(
    company, accountant, make_invoice, import_lines
):
    invoice = make_invoice("100.00")
    statement = import_lines(line("121.00", invoice.number))
    (first,) = lines_of(statement)
    confirmed = line_confirm(company=company, by=accountant, line_id=first.pk)
    reopened = line_unmatch(company=company, by=accountant, line_id=first.pk)
    assert (reopened.state, reopened.payment_id) == ("open", None)
    assert Payment.objects.get(pk=confirmed.payment_id).state == "reversed"
    assert due_of(company, invoice).state == DueAmount.State.OPEN
    again = line_confirm(company=company, by=accountant, line_id=first.pk)
    assert again.state == "matched"


def test_confirm_all_confirms_the_sure_lines_only(company, accountant, make_invoice, import_lines):
    sure = make_invoice("100.00")
    make_invoice("300.00")
    statement = import_lines(
        line("121.00", sure.number), line("50.00", "SOMETHING ELSE"), line("-3.00", "FEE")
    )
    confirmed = lines_confirm_all(company=company, by=accountant, statement_id=statement.pk)
    assert [row.reference for row in confirmed] == [sure.number]
    assert [row.state for row in lines_of(statement)] == ["matched", "open", "open"]


def test_another_companys_line_is_not_found(company, other_company, accountant, make_invoice, import_lines):
    from nexo.core.errors import NotFound

    statement = import_lines(line("121.00", "X"))
    (first,) = lines_of(statement)
    with pytest.raises(NotFound):
        line_confirm(company=other_company, by=accountant, line_id=first.pk, party_id=1)
    with pytest.raises(NotFound):
        statement_proposals(other_company, statement.pk)

"""Keeping payment terms: a term saved with its installments (each checked where it was typed), its name
unique, deleted only while nothing uses it, the company's default; a party's terms, credit limit and
holiday month; and a preview of a split. Bad input changes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps

from nexo.accounting.models import AccountingSettings, PartyAccounting, PaymentTerm, PaymentTermLine
from nexo.accounting.services import accounts as account_services
from nexo.accounting.services import payment_terms as services
from nexo.accounting.services.ledger import settings_of
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.parties.models import Party

pytestmark = pytest.mark.django_db
D = Decimal


def _save(company, user, **fields):
    values = {"name": "90 días", "lines": [(90, None)]} | fields
    return services.payment_term_save(company=company, by=user, **values)


def _failure_fields(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as raised:
        call()
    return raised.value.field_messages()


def _lines(term) -> list[tuple[int, Decimal | None]]:
    return [
        (line.days, line.percent) for line in PaymentTermLine.objects.filter(term=term).order_by("position")
    ]


def test_a_new_company_has_the_standard_terms_and_30_days_as_default(company, books):
    names = set(PaymentTerm.objects.filter(company=company).values_list("name", flat=True))
    assert {"Contado", "30 días", "30-60-90 días"} <= names
    assert settings_of(company).default_term.name == "30 días"


def test_a_term_is_saved_with_its_installments_and_payment_days_in_order(company, accountant, books):
    term = _save(
        company, accountant, name="40 % a la entrega, resto a 30-60", name_en="40% now, rest 30-60",
        payment_days="20; 5", end_of_month=True, lines=[(0, D("40")), (30, None), (60, None)],
    )  # fmt: skip
    term.refresh_from_db()
    assert term.payment_days == "5,20" and term.end_of_month and term.active
    assert term.created_by == accountant and term.updated_by == accountant
    assert _lines(term) == [(0, D("40.00")), (30, None), (60, None)]
    assert services.installments_summary(term.lines.all()) == "0-30-60 days (40 %, equal part, equal part)"
    # Changing it replaces every installment.
    services.payment_term_save(
        company=company, by=accountant, term_id=term.pk, name=term.name, lines=[(45, None)], active=True
    )
    assert _lines(term) == [(45, None)]
    term.refresh_from_db()
    assert term.payment_days == "" and not term.end_of_month and term.name_en == ""


def test_the_summary_reads_like_the_terms_name(company, books):
    term = PaymentTerm.objects.get(company=company, name="30-60-90 días")
    assert services.installments_summary(term.lines.all()) == "30-60-90 days"
    cash = PaymentTerm.objects.get(company=company, name="Contado")
    assert services.installments_summary(cash.lines.all()) == "on the invoice date"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "Con\x07campana"}, "name"),
        ({"name_en": "y" * 101}, "name_en"),
        ({"payment_days": "32"}, "payment_days"),
        ({"payment_days": "5, veinte"}, "payment_days"),
        ({"lines": []}, "lines"),
        ({"lines": [(30, D("60")), (60, D("60"))]}, "lines"),  # 120 %
        ({"lines": [(30, D("50"))]}, "lines"),  # 50 % and nothing for the rest
        ({"lines": [(30, D("100")), (60, None)]}, "lines"),  # nothing left for the equal part
        ({"lines": [(30, D("150"))]}, "lines.0.percent"),
        ({"lines": [(30, None), (60, D("0"))]}, "lines.1.percent"),
        ({"lines": [(30, D("33.333")), (60, None)]}, "lines.0.percent"),
        ({"lines": [(30, "mucho")]}, "lines.0.percent"),
        ({"lines": [(731, None)]}, "lines.0.days"),
        ({"lines": [(-1, None)]}, "lines.0.days"),
        ({"lines": [(day, None) for day in range(25)]}, "lines"),
        ({"lines": [30]}, "lines.0"),
    ],
)
def test_bad_input_is_a_field_error_and_changes_nothing(company, accountant, books, fields, field):
    before = PaymentTerm.objects.count(), PaymentTermLine.objects.count()
    assert field in _failure_fields(lambda: _save(company, accountant, **fields))
    assert (PaymentTerm.objects.count(), PaymentTermLine.objects.count()) == before


def test_a_name_is_unique_in_the_company_whatever_its_case(company, other_company, accountant, books):
    assert "name" in _failure_fields(lambda: _save(company, accountant, name="30 DÍAS"))
    services.payment_terms_setup(other_company)
    own = _save(other_company, accountant, name="90 días")  # another company may use it
    assert own.company == other_company
    existing = PaymentTerm.objects.get(company=company, name="60 días")
    renamed = lambda: services.payment_term_save(  # noqa: E731
        company=company, by=accountant, term_id=existing.pk, name="30 días", lines=[(60, None)]
    )
    assert "name" in _failure_fields(renamed)


def test_another_companys_term_is_not_found(company, other_company, accountant, books):
    services.payment_terms_setup(other_company)
    theirs = PaymentTerm.objects.get(company=other_company, name="60 días")
    with pytest.raises(NotFound):
        _save(company, accountant, term_id=theirs.pk)
    with pytest.raises(NotFound):
        services.payment_term_delete(company=company, by=accountant, term_id=theirs.pk)
    assert PaymentTerm.objects.filter(pk=theirs.pk, name="60 días").exists()


def test_the_default_term_stays_active_and_cannot_be_deleted(company, accountant, books):
    default = settings_of(company).default_term
    with pytest.raises(Conflict):
        services.payment_term_activate(company=company, by=accountant, term_id=default.pk, active=False)
    with pytest.raises(Conflict):
        _save(company, accountant, term_id=default.pk, name=default.name, lines=[(30, None)], active=False)
    with pytest.raises(Conflict, match="deactivate it instead"):
        services.payment_term_delete(company=company, by=accountant, term_id=default.pk)
    default.refresh_from_db()
    assert default.active


def test_a_term_a_party_uses_cannot_be_deleted_but_can_be_deactivated(company, accountant, books, customer):
    term = PaymentTerm.objects.get(company=company, name="60 días")
    services.party_profile_set(company=company, by=accountant, party_id=customer.pk, supplier_term_id=term.pk)
    with pytest.raises(Conflict, match="deactivate it instead"):
        services.payment_term_delete(company=company, by=accountant, term_id=term.pk)
    services.payment_term_activate(company=company, by=accountant, term_id=term.pk, active=False)
    term.refresh_from_db()
    assert not term.active and PartyAccounting.objects.get(party=customer).supplier_term == term


def test_a_term_a_quotation_uses_cannot_be_deleted(company, accountant, books, customer, warehouse):
    term = _save(company, accountant, name="45 días", lines=[(45, None)])
    # The quotation's module sits above accounting: its model is reached through the app registry.
    apps.get_model("sales", "Quotation").objects.create(
        company=company, number="P-1", party=customer, salesperson=accountant, date=date(2026, 3, 1),
        valid_until=date(2026, 3, 31), currency="EUR", warehouse=warehouse, payment_term=term,
    )  # fmt: skip
    with pytest.raises(Conflict, match="in use"):
        services.payment_term_delete(company=company, by=accountant, term_id=term.pk)
    assert PaymentTermLine.objects.filter(term=term).count() == 1


def test_an_unused_term_is_deleted_with_its_installments(company, accountant, books):
    term = _save(company, accountant, name="45 días", lines=[(45, D(50)), (75, None)])
    services.payment_term_delete(company=company, by=accountant, term_id=term.pk)
    assert not PaymentTerm.objects.filter(pk=term.pk).exists()
    assert not PaymentTermLine.objects.filter(term_id=term.pk).exists()


def test_the_default_term_is_an_active_term_of_the_company(company, other_company, accountant, books):
    sixty = PaymentTerm.objects.get(company=company, name="60 días")
    services.default_term_set(company, accountant, sixty.pk)
    assert AccountingSettings.objects.get(company=company).default_term == sixty
    services.payment_terms_setup(other_company)
    theirs = PaymentTerm.objects.get(company=other_company, name="Contado")
    assert "term" in _failure_fields(lambda: services.default_term_set(company, accountant, theirs.pk))
    cash = PaymentTerm.objects.get(company=company, name="Contado")
    services.payment_term_activate(company=company, by=accountant, term_id=cash.pk, active=False)
    assert "term" in _failure_fields(lambda: services.default_term_set(company, accountant, cash.pk))
    assert AccountingSettings.objects.get(company=company).default_term == sixty


def test_a_partys_profile_keeps_its_terms_limit_and_holiday_month(company, accountant, books, customer):
    ninety = PaymentTerm.objects.get(company=company, name="30-60-90 días")
    row = services.party_profile_set(
        company=company, by=accountant, party_id=customer.pk, customer_term_id=ninety.pk,
        credit_limit="5000.5", holiday_month=8,
    )  # fmt: skip
    row.refresh_from_db()
    assert row.customer_term == ninety and row.supplier_term is None
    assert row.credit_limit == D("5000.50") and row.holiday_month == 8
    customer_term, supplier_term, holiday = services.party_terms(company, customer.pk)
    assert customer_term == ninety and supplier_term.name == "30 días" and holiday == 8
    # Clearing them: the defaults again, no limit.
    services.party_profile_set(company=company, by=accountant, party_id=customer.pk)
    row.refresh_from_db()
    assert (row.customer_term, row.credit_limit, row.holiday_month) == (None, None, None)


def test_the_profile_leaves_the_partys_own_accounts_alone(company, accountant, books, customer):
    own = account_services.account_create(company=company, by=accountant, code="43000009", name="Cliente Uno")
    account_services.party_accounting_set(company, accountant, customer.pk, own.pk, None)
    services.party_profile_set(company=company, by=accountant, party_id=customer.pk, credit_limit=D("100"))
    row = PartyAccounting.objects.get(party=customer)
    assert row.receivable == own and row.credit_limit == D("100.00")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"credit_limit": D("-1")}, "credit_limit"),
        ({"credit_limit": D("1.001")}, "credit_limit"),
        ({"credit_limit": "mil"}, "credit_limit"),
        ({"credit_limit": D("1e17")}, "credit_limit"),
        ({"holiday_month": 13}, "holiday_month"),
        ({"holiday_month": 0}, "holiday_month"),
        ({"holiday_month": "8"}, "holiday_month"),
        ({"customer_term_id": 2**63}, "customer_term"),
    ],
)
def test_a_bad_profile_is_a_field_error_and_changes_nothing(
    company, accountant, books, customer, fields, field
):
    call = lambda: services.party_profile_set(company=company, by=accountant, party_id=customer.pk, **fields)  # noqa: E731
    assert field in _failure_fields(call)
    assert not PartyAccounting.objects.filter(party=customer).exists()


def test_another_companys_term_or_party_is_refused(company, other_company, accountant, books, customer):
    services.payment_terms_setup(other_company)
    theirs = PaymentTerm.objects.get(company=other_company, name="60 días")
    call = lambda: services.party_profile_set(  # noqa: E731
        company=company, by=accountant, party_id=customer.pk, supplier_term_id=theirs.pk
    )
    assert "supplier_term" in _failure_fields(call)
    stranger = Party.objects.create(company=other_company, name="Ajeno, S.L.", status="customer")
    with pytest.raises(NotFound):
        services.party_profile_set(company=company, by=accountant, party_id=stranger.pk, credit_limit=D(1))
    assert not PartyAccounting.objects.exists()


def test_an_inactive_term_is_not_chosen_anew_but_may_stay(company, accountant, books, customer, supplier):
    sixty = PaymentTerm.objects.get(company=company, name="60 días")
    services.party_profile_set(
        company=company, by=accountant, party_id=customer.pk, customer_term_id=sixty.pk
    )
    services.payment_term_activate(company=company, by=accountant, term_id=sixty.pk, active=False)
    # The customer keeps it while its credit limit changes…
    services.party_profile_set(
        company=company, by=accountant, party_id=customer.pk, customer_term_id=sixty.pk, credit_limit=D(10)
    )
    # …but nobody else may choose it.
    call = lambda: services.party_profile_set(  # noqa: E731
        company=company, by=accountant, party_id=supplier.pk, supplier_term_id=sixty.pk
    )
    assert "supplier_term" in _failure_fields(call)


def test_a_split_preview_uses_the_term_and_the_holiday_month(company, accountant, books):
    ninety = PaymentTerm.objects.get(company=company, name="30-60-90 días")
    dues = services.term_split(company=company, term_id=ninety.pk, total=D("100.00"), start=date(2026, 6, 1))
    assert dues == [
        (date(2026, 7, 1), D("33.33")),
        (date(2026, 7, 31), D("33.33")),
        (date(2026, 8, 30), D("33.34")),
    ]
    august_off = services.term_split(
        company=company, term_id=ninety.pk, total=D("0.02"), start=date(2026, 6, 1), holiday_month=8
    )
    assert august_off[2] == (date(2026, 9, 1), D("0.00"))
    assert "total" in _failure_fields(
        lambda: services.term_split(
            company=company, term_id=ninety.pk, total=D("1.001"), start=date(2026, 6, 1)
        )
    )
    assert "date" in _failure_fields(
        lambda: services.term_split(company=company, term_id=ninety.pk, total=D(1), start=date(9999, 12, 1))
    )

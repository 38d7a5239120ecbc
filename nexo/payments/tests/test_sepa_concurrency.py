"""On PostgreSQL: one due amount remitted twice at once lands in one remittance only (the due amounts' row
locks make the second read it remitted), and a remittance posted twice at once is posted once."""

import pytest
from django.utils import timezone

from nexo.core.errors import DomainError
from nexo.payments.models import DueAmount, Payment, Remittance, RemittanceLine
from nexo.payments.services import sepa
from nexo.payments.tests import factories_sepa as make
from nexo.tests.concurrency import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def accountant(make_user, company):
    return make_user("contable", "accounting")


def _at_once(action, count: int = 2) -> list[str]:
    """`action` run `count` times at the same moment: "done", or "refused: <why>" for a domain refusal."""

    def outcome() -> str:
        try:
            action()
        except DomainError as error:
            return f"refused: {error.detail}"
        return "done"

    return sorted(at_once([outcome] * count))


def test_one_due_amount_remitted_twice_at_once_is_in_one_remittance(company, accountant):
    bank = make.bank_account(company)
    turia = make.customer(company, accountant, "Reformas Turia, S.L.", "B46000014")
    make.mandate(company, accountant, turia, "TURIA-001")
    due = make.due_of(make.posted_invoice(company, accountant, turia))
    today = timezone.localdate()
    results = _at_once(
        lambda: sepa.remittance_create(
            company=company, by=accountant, bank_account_id=bank.pk, charge_date=today, due_ids=[due.pk]
        )
    )
    assert results[0] == "done" and "cannot be charged" in results[1], results
    assert Remittance.objects.count() == 1 and RemittanceLine.objects.count() == 1
    assert DueAmount.objects.get(pk=due.pk).state == "remitted"


def test_a_remittance_posted_twice_at_once_is_posted_once(company, accountant):
    bank = make.bank_account(company)
    turia = make.customer(company, accountant, "Reformas Turia, S.L.", "B46000014")
    make.mandate(company, accountant, turia, "TURIA-001")
    due = make.due_of(make.posted_invoice(company, accountant, turia))
    remittance = sepa.remittance_create(
        company=company,
        by=accountant,
        bank_account_id=bank.pk,
        charge_date=timezone.localdate(),
        due_ids=[due.pk],
    )
    results = _at_once(
        lambda: sepa.remittance_post(company=company, by=accountant, remittance_id=remittance.pk)
    )
    assert results[0] == "done" and "already posted" in results[1], results
    assert Payment.objects.count() == 1
    assert make.balance_4300(company, turia) == make.open_dues(company, turia) == 0

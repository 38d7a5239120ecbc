"""On PostgreSQL: one due amount remitted twice at once lands in one remittance only (the due amounts' row
locks make the second read it remitted), and a remittance posted twice at once is posted once."""

import threading

import pytest
from django.db import connection
from django.utils import timezone, translation

from nexo.core.errors import DomainError
from nexo.payments.models import DueAmount, Payment, Remittance, RemittanceLine
from nexo.payments.services import sepa
from nexo.payments.tests import factories_sepa as make

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def accountant(make_user, company):
    return make_user("contable", "accounting")


def _at_once(action, count: int = 2) -> list[str]:
    results, barrier = [], threading.Barrier(count)

    def run():
        try:
            barrier.wait()
            with translation.override("en"):
                action()
            results.append("done")
        except DomainError as error:
            results.append(f"refused: {error.detail}")
        except Exception as error:  # a deadlock or any other failure shows up in the assertion
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(results)


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

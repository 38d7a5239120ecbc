"""On PostgreSQL: one statement line confirmed twice at once makes one payment; the line's row lock makes the
second confirmation read that the line is matched (a line is matched once)."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from nexo.core.errors import DomainError
from nexo.payments.models import DueAmount, Payment, StatementLine
from nexo.payments.services.statements import line_confirm
from nexo.payments.tests.factories_payments import *  # noqa: F403 -- the shared fixtures
from nexo.payments.tests.factories_statements import *  # noqa: F403
from nexo.payments.tests.factories_statements import line


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_line_confirmed_twice_at_once_makes_one_payment(company, accountant, make_invoice, import_lines):
    invoice = make_invoice("100.00")
    statement = import_lines(line("121.00", invoice.number))
    (only,) = StatementLine.objects.filter(statement=statement)
    results, barrier = [], threading.Barrier(2)

    def confirm():
        try:
            barrier.wait()
            with translation.override("en"):
                line_confirm(company=company, by=accountant, line_id=only.pk)
            results.append("matched")
        except DomainError as error:
            results.append("refused" if "already matched" in error.detail else error.detail)
        except Exception as error:  # a deadlock or any other failure shows up in the assertion
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["matched", "refused"]
    assert Payment.objects.count() == 1
    assert DueAmount.objects.get(origin_id=invoice.pk, origin_model="invoicing.invoice").state == "paid"

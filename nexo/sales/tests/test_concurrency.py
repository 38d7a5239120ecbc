import threading

import pytest
from django.db import connection
from django.utils import translation

from nexo.core.errors import Conflict
from nexo.sales import services
from nexo.sales.models import Quotation, SalesOrder


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_quotations_of_one_opportunity_accepted_at_once_let_exactly_one_win(
    company, sales_user, opportunity, stocked_items, make_quotation
):
    quotations = [make_quotation([{"item_id": stocked_items["fifo"].pk, "quantity": str(n)}]) for n in (1, 2)]
    for quotation in quotations:
        services.quotation_mark_sent(company=company, by=sales_user, quotation_id=quotation.pk)
    results, barrier = [], threading.Barrier(2)

    def accept(quotation_id):
        try:
            barrier.wait()
            with translation.override("en"):  # each thread starts in the default language (Spanish)
                services.quotation_accept(company=company, by=sales_user, quotation_id=quotation_id)
            results.append("accepted")
        except Conflict as error:
            results.append("conflict" if "already won" in error.detail else error.detail)
        except Exception as error:  # a deadlock or any other failure shows up in the assertion
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(quotation.pk,)) for quotation in quotations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["accepted", "conflict"]
    assert SalesOrder.objects.count() == 1
    assert sorted(Quotation.objects.values_list("state", flat=True)) == ["accepted", "cancelled"]
    opportunity.refresh_from_db()
    assert opportunity.status == "won"

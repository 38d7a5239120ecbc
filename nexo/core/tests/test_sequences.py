import threading

import pytest
from django.db import connection, transaction

from nexo.core.models import Sequence
from nexo.core.services import sequence_next


def test_numbers_are_consecutive_per_company_series_and_year(company, other_company):
    assert [sequence_next(company_id=company.pk, series="Q", year=2026) for _ in range(3)] == [1, 2, 3]
    assert sequence_next(company_id=company.pk, series="Q", year=2027) == 1
    assert sequence_next(company_id=company.pk, series="INV", year=2026) == 1
    assert sequence_next(company_id=other_company.pk, series="Q", year=2026) == 1
    assert Sequence.objects.get(company=company, series="Q", year=2026).last_number == 3


def test_a_rolled_back_allocation_leaves_no_gap(company):
    sequence_next(company_id=company.pk, series="Q", year=2026)
    with pytest.raises(RuntimeError), transaction.atomic():
        sequence_next(company_id=company.pk, series="Q", year=2026)
        raise RuntimeError("the document could not be saved")
    assert sequence_next(company_id=company.pk, series="Q", year=2026) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_allocations_give_twenty_consecutive_numbers(company):
    numbers, errors = [], []
    barrier = threading.Barrier(20)

    def allocate():
        try:
            barrier.wait()
            numbers.append(sequence_next(company_id=company.pk, series="INV", year=2026))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 21))

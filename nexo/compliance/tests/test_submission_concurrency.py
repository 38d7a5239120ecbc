"""On PostgreSQL: workers sending a company's records at the same time never send a record twice, and the
AEAT receives the chain in its order (the settings' row lock lets one claim the records; the others find
that submission in flight and leave it)."""

import pytest

from nexo.compliance.models import Submission, SubmittedRecord
from nexo.compliance.services import submission as services
from nexo.compliance.services.submission import records_submit
from nexo.compliance.tests.submission_fixtures import *  # noqa: F403 (the fixtures)
from nexo.tests.concurrency import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def four_workers_send(company) -> list[str]:
    """Four workers sending the company's records at the same moment: the state each one sent, or "nothing"."""

    def send() -> str:
        sent = records_submit(company=company).submission
        return sent.state if sent is not None else "nothing"

    return sorted(at_once([send] * 4))


def test_four_workers_sending_at_once_send_each_record_once_and_in_chain_order(
    sending_company, fake_aeat, post_invoices, monkeypatch
):
    monkeypatch.setattr(services, "MAX_RECORDS", 2)  # three requests for six records
    records = post_invoices(6)
    fake_aeat.mode, fake_aeat.delay, fake_aeat.wait_seconds = "slow", 0.3, 0
    rounds = [four_workers_send(sending_company) for _ in range(4)]
    assert rounds[:3] == [["accepted", "nothing", "nothing", "nothing"]] * 3, rounds
    assert rounds[3] == ["nothing"] * 4
    assert [number for _op, number, _day in fake_aeat.sent_records()] == [r.invoice_number for r in records]
    assert Submission.objects.filter(state="accepted").count() == 3
    assert SubmittedRecord.objects.filter(outcome="accepted").count() == 6

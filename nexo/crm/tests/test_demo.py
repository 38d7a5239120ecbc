import io
from datetime import timedelta
from itertools import pairwise

from django.core.management import call_command
from django.db.models import Max, Min
from django.utils import timezone

from nexo.core.models import Company
from nexo.crm import rules
from nexo.crm.demo import plan_pipeline
from nexo.crm.models import Activity, Opportunity, Stage, StageChange


def _counts(company):
    return (
        Opportunity.objects.filter(company=company).count(),
        Activity.objects.filter(company=company).count(),
        StageChange.objects.filter(opportunity__company=company).count(),
    )


def test_demo_pipeline_is_believable_consistent_and_idempotent(roles):
    """One run of the demo (it takes a few seconds) checked from every side, then run again."""
    out = io.StringIO()
    call_command("demo", only="parties,catalog,crm", stdout=out)
    assert "120 opportunities (45 open, 45 won, 30 lost)" in out.getvalue()
    company = Company.objects.get(tax_id="B46123451")
    opportunities = Opportunity.objects.filter(company=company)
    assert opportunities.count() >= 110
    for stage in Stage.objects.filter(company=company):
        assert opportunities.filter(stage=stage).exists(), stage.name
    assert 35 <= opportunities.filter(status="open").count() <= 55
    assert 35 <= opportunities.filter(status="won").count() <= 55
    assert 20 <= opportunities.filter(status="lost").count() <= 40
    assert not opportunities.filter(status="lost", lost_reason="").exists()
    assert opportunities.filter(status="lost").values("lost_reason").distinct().count() >= 4
    assert opportunities.values("owner__username").distinct().count() == 3
    assert opportunities.values("source").distinct().count() == len(Opportunity.Source.choices)
    assert not opportunities.filter(party__is_supplier=True, party__status="lead").exists()
    amounts = opportunities.aggregate(low=Min("amount"), high=Max("amount"))
    assert 250 <= amounts["low"] < 1000 and 30000 < amounts["high"] <= 66000

    now, today = timezone.now(), timezone.localdate()
    open_ones = opportunities.filter(status="open")
    assert open_ones.filter(expected_close__lt=today).exists()  # a few overdue
    assert open_ones.filter(expected_close__gt=today + timedelta(days=90)).exists()
    activities = Activity.objects.filter(company=company)
    assert activities.filter(done=False, due_at__lt=now).count() >= 5
    assert activities.filter(done=False, due_at__gt=now).count() >= 20
    assert activities.filter(done=True).exclude(outcome="").count() >= 60
    for opportunity in open_ones.prefetch_related("activities"):
        assert 1 <= len(opportunity.activities.all()) <= 3
    span = opportunities.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert span["last"] - span["first"] > timedelta(days=270)
    assert span["first"] > now - timedelta(days=366)

    lines = [
        rules.ForecastLine(*row)
        for row in open_ones.values_list(
            "owner__username", "expected_close", "amount", "probability", "status"
        )
    ]
    assert rules.forecast(lines).total.weighted > 0

    _assert_history_is_consistent(company)
    before = _counts(company)
    call_command("demo", only="parties,catalog,crm", stdout=io.StringIO())
    assert _counts(company) == before


def _assert_history_is_consistent(company):
    """Created before every move, moves in order, closed on the day of the last one, nothing in the future."""
    now, today = timezone.now(), timezone.localdate()
    opportunities = Opportunity.objects.filter(company=company).prefetch_related(
        "stage_changes", "activities"
    )
    for opportunity in opportunities:
        changes = sorted(opportunity.stage_changes.all(), key=lambda change: change.id)
        assert changes[0].from_stage_id is None and changes[0].at == opportunity.created_at
        assert all(a.at < b.at for a, b in pairwise(changes))
        assert all(a.to_stage_id == b.from_stage_id for a, b in pairwise(changes))
        assert changes[-1].to_stage_id == opportunity.stage_id and changes[-1].at < now
        if opportunity.status == "open":
            assert opportunity.closed_on is None
        else:
            assert opportunity.closed_on == timezone.localdate(changes[-1].at) < today
        for activity in opportunity.activities.all():
            assert activity.party_id == opportunity.party_id
            assert opportunity.created_at <= activity.created_at <= now
            if activity.done:
                assert activity.done_at <= now and activity.outcome
            if opportunity.status != "open":
                assert activity.done and activity.due_at <= changes[-1].at


def test_the_plan_is_deterministic():
    first, second = plan_pipeline(25, 29, 4), plan_pipeline(25, 29, 4)
    assert first == second
    assert [plan.outcome for plan in first].count("open") == 45
    assert plan_pipeline(25, 29, 4, seed=1) != first

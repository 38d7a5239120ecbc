"""Every lifecycle every module declares, walked move by move, and the state-change log behind them.

A module declares its documents' lifecycles on its AppConfig (`lifecycles`, read through
`lifecycle_tables()`); this file needs no change when a module adds one: each (lifecycle, state, target)
becomes its own test. A move the table allows is assigned and logged; every other is refused with a
Conflict and leaves the record as it was (docs/decisions/0002-lifecycle-and-derived-states.md).
"""

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import NOT_PROVIDED
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nexo.core.errors import Conflict
from nexo.core.models import StateChange, User
from nexo.core.modules import nexo_modules
from nexo.core.rules import Lifecycle
from nexo.core.states import state_assign, state_change, state_history, states_change
from nexo.parties.services import party_create
from nexo.sales import services as sales

# The documents whose lifecycles must be declared, as (model label, state field).
EXPECTED_LIFECYCLES = {
    ("crm.Opportunity", "status"),
    ("inventory.StockMove", "state"),
    ("purchasing.PurchaseOrder", "state"),
    ("sales.Quotation", "state"),
}
# An in-memory record needs these only to fill the log row; nothing is saved.
COMPANY_ID, RECORD_ID, CLERK_ID = 7, 42, 3


def declared_lifecycles() -> list[tuple[str, str, str, Lifecycle]]:
    """(declaring module, model label, state field, lifecycle) for every lifecycle of every module."""
    return [
        (module.label, label, field, lifecycle)
        for module in nexo_modules()
        for label, field, lifecycle in module.lifecycle_tables()
    ]


DECLARED = declared_lifecycles()
LIFECYCLES = [
    pytest.param(label, field, lifecycle, id=f"{label}.{field}")
    for _module, label, field, lifecycle in DECLARED
]
MOVES = [
    pytest.param(label, field, lifecycle, current, target, id=f"{label}.{field}:{current}->{target}")
    for _module, label, field, lifecycle in DECLARED
    for current in lifecycle.states
    for target in lifecycle.states
]


def test_the_documents_lifecycles_are_declared_once_by_their_own_module():
    declared = [(label, field) for _module, label, field, _lifecycle in DECLARED]
    assert len(declared) == len(set(declared)), "a lifecycle is declared twice"
    assert set(declared) >= EXPECTED_LIFECYCLES, "a document's lifecycle is not declared"
    for module, label, _field, _lifecycle in DECLARED:
        assert label.split(".")[0] == module, f"{label} is declared by {module}, not by its own module"


@pytest.mark.parametrize(("label", "field", "lifecycle"), LIFECYCLES)
def test_a_lifecycles_states_are_its_fields_choices(label, field, lifecycle):
    """The states are declared once: the model's choices take their values from the lifecycle's."""
    state_field = apps.get_model(label)._meta.get_field(field)
    choices = [value for value, _label in state_field.choices]
    assert len(choices) == len(set(choices))
    assert set(lifecycle.states) == set(choices)
    if state_field.default is not NOT_PROVIDED:
        assert state_field.default in lifecycle.states


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "field", "lifecycle", "current", "target"), MOVES)
def test_every_move_is_allowed_by_the_table_or_refused(label, field, lifecycle, current, target):
    model = apps.get_model(label)
    record = model(**{field: current}, company_id=COMPANY_ID, pk=RECORD_ID)
    clerk = User(pk=CLERK_ID, username="clerk")
    if target in lifecycle.transitions[current]:
        change = state_assign(record, target, lifecycle=lifecycle, by=clerk, field=field)
        assert getattr(record, field) == target
        assert (change.field, change.from_state, change.to_state) == (field, current, target)
        assert (change.company_id, change.object_id, change.by_id) == (COMPANY_ID, RECORD_ID, CLERK_ID)
        assert change.content_type.model_class() is model
        assert change.at is not None and change.pk is None  # returned, not written
    else:
        with pytest.raises(Conflict) as refusal:
            state_assign(record, target, lifecycle=lifecycle, by=clerk, field=field)
        assert refusal.value.status == 409
        labels = dict(model._meta.get_field(field).choices)
        assert str(labels[current]).lower() in refusal.value.detail  # the state as people read it, in the sentence
        assert getattr(record, field) == current
    assert not StateChange.objects.exists()


# The helpers on saved records. The table is the test's own, so that these tests do not depend on how a
# module draws its quotation's lifecycle; the states are the quotation's.
OFFER = Lifecycle(
    "offer",
    {
        "draft": frozenset({"sent", "cancelled"}),
        "sent": frozenset({"accepted", "cancelled"}),
        "accepted": frozenset(),
        "cancelled": frozenset(),
    },
)


def a_draft_quotation(company, salesperson, customer="Reformas Turia, S.L."):
    party = party_create(company=company, by=salesperson, name=customer)
    return sales.quotation_create(company=company, by=salesperson, party_id=party.pk)


def saved_state(record) -> str:
    return type(record).objects.values_list("state", flat=True).get(pk=record.pk)


def test_state_change_logs_who_moved_the_record_when_and_from_what_to_what(company, sales_user, manager_user):
    quotation = a_draft_quotation(company, sales_user)
    other = a_draft_quotation(company, sales_user, "Electricidad Segura, S.L.")
    before = timezone.now()

    left = state_change(quotation, "sent", lifecycle=OFFER, by=sales_user)
    quotation.save(update_fields=["state"])  # the caller saves the record, with its other changes
    assert left == "draft"
    state_change(quotation, "accepted", lifecycle=OFFER, by=manager_user)
    quotation.save(update_fields=["state"])

    assert saved_state(quotation) == "accepted"
    history = list(state_history(quotation))
    assert [(change.from_state, change.to_state, change.by, change.field) for change in history] == [
        ("draft", "sent", sales_user, "state"),
        ("sent", "accepted", manager_user, "state"),
    ]
    assert {change.company_id for change in history} == {company.pk}
    assert before <= history[0].at <= history[1].at <= timezone.now()
    assert list(state_history(other)) == []  # each record has its own history


def test_states_change_moves_many_records_and_logs_them_in_one_insert(company, sales_user):
    quotations = [a_draft_quotation(company, sales_user, f"Cliente {number}") for number in (1, 2, 3)]
    with CaptureQueriesContext(connection) as queries:
        moved = states_change(quotations, "sent", lifecycle=OFFER, by=None)  # a task: nobody in particular
    log_inserts = [
        query for query in queries if query["sql"].startswith("INSERT") and "statechange" in query["sql"]
    ]
    assert len(log_inserts) == 1
    assert moved == quotations and {quotation.state for quotation in quotations} == {"sent"}
    changes = [change for quotation in quotations for change in state_history(quotation)]
    assert [(change.object_id, change.from_state, change.to_state, change.by) for change in changes] == [
        (quotation.pk, "draft", "sent", None) for quotation in quotations
    ]
    assert len({change.at for change in changes}) == 1  # one moment for the batch


def test_a_refused_move_changes_and_writes_nothing(company, sales_user):
    quotation = a_draft_quotation(company, sales_user)
    logged = StateChange.objects.count()
    with pytest.raises(Conflict) as refusal:
        state_change(
            quotation, "accepted", lifecycle=OFFER, by=sales_user,
            refused="Quotation %(record)s is %(state)s: it cannot become %(target)s.",
        )  # fmt: skip
    draft, accepted = (
        str(dict(quotation._meta.get_field("state").choices)[state]).lower() for state in ("draft", "accepted")
    )
    assert refusal.value.detail == f"Quotation {quotation} is {draft}: it cannot become {accepted}."
    assert quotation.state == saved_state(quotation) == "draft"
    assert StateChange.objects.count() == logged

    # Many at once: one refusal and none moves, not even those that could.
    sent = a_draft_quotation(company, sales_user, "Electricidad Segura, S.L.")
    state_change(sent, "sent", lifecycle=OFFER, by=sales_user)
    sent.save(update_fields=["state"])
    logged = StateChange.objects.count()
    with pytest.raises(Conflict):
        states_change([sent, quotation], "accepted", lifecycle=OFFER, by=sales_user)
    assert (sent.state, quotation.state) == ("sent", "draft")
    assert StateChange.objects.count() == logged

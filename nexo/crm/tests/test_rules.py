import pytest

from nexo.core.rules import InvalidTransition
from nexo.crm.rules import LOST, OPEN, OPPORTUNITY_LIFECYCLE, WON

OPPORTUNITY_TRANSITIONS = OPPORTUNITY_LIFECYCLE.transitions
opportunity_transition = OPPORTUNITY_LIFECYCLE.check

ALLOWED = {(OPEN, OPEN), (OPEN, WON), (OPEN, LOST), (LOST, OPEN)}


@pytest.mark.parametrize("current", [OPEN, WON, LOST])
@pytest.mark.parametrize("target", [OPEN, WON, LOST])
def test_the_state_table_allows_exactly_what_the_rules_say(current, target):
    if (current, target) in ALLOWED:
        assert opportunity_transition(current, target) == target
    else:
        with pytest.raises(InvalidTransition):
            opportunity_transition(current, target)


def test_won_is_final_and_lost_can_only_reopen():
    assert OPPORTUNITY_TRANSITIONS[WON] == set()
    assert OPPORTUNITY_TRANSITIONS[LOST] == {OPEN}

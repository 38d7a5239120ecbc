"""What the CRM's endpoints share: money and percentages both ways, and the opportunity as it is shown."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from nexo.core.api import MoneyOut, PercentOut, decimal_in
from nexo.crm.models import Opportunity

MoneyIn = decimal_in(
    max_digits=14, places=2, ge=0, pattern=r"^\d{1,12}(\.\d{1,2})?$", example="1234.50",
    about="Amount in the company's currency, a decimal string ≥ 0 with up to 2 decimals.",
)  # fmt: skip

Title = Annotated[str, Field(min_length=1, max_length=200)]
Source = Literal[tuple(Opportunity.Source.values)]  # type: ignore[valid-type]
OpportunityStatus = Literal[tuple(Opportunity.Status.values)]  # type: ignore[valid-type]


class NextActivityOut(Schema):
    subject: str
    kind: str
    due_at: datetime


class OpportunityOut(Schema):
    id: int
    title: str
    party_id: int
    party_name: str
    owner_id: int
    owner_username: str
    stage_id: int
    stage_name: str
    status: OpportunityStatus
    amount: MoneyOut
    probability: PercentOut
    expected_close: date
    source: str
    notes: str
    lost_reason: str
    closed_on: date | None
    next_activity: NextActivityOut | None = Field(description="The earliest pending activity, or null")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_next_activity(opportunity) -> dict | None:
        if isinstance(opportunity, dict):  # an answer stored for an Idempotency-Key, replayed as it was
            return opportunity.get("next_activity")
        if opportunity.next_activity_subject is None:
            return None
        return {
            "subject": opportunity.next_activity_subject,
            "kind": opportunity.next_activity_kind,
            "due_at": opportunity.next_activity_due,
        }

"""Every change to the pipeline: stages, opportunities (move, win, lose, reopen), lead capture, activities."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nexo.core import plainsql
from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.modules import contributions
from nexo.core.states import state_change
from nexo.core.validation import assign, full_clean, locked
from nexo.crm import rules
from nexo.crm.models import Activity, Opportunity, Stage, StageChange
from nexo.parties.models import Address, Contact, Party
from nexo.parties.rules import InvalidTaxId, normalize_tax_id
from nexo.parties.services import party_create, tax_id_message

OPPORTUNITY_FIELDS = ("party", "title", "owner", "amount", "probability", "expected_close", "source", "notes")
STAGE_FIELDS = ("name", "sequence", "probability", "is_active")
ACTIVITY_FIELDS = ("kind", "subject", "party", "opportunity", "due_at", "owner", "outcome")


class DuplicateParty(ValidationFailed):
    """A lead that already exists as a party; `party` is the one found."""

    def __init__(self, detail: str, *, field: str, party: Party, others: dict[str, list[str]] | None = None):
        # The duplicate first, then the lead's other wrong fields, so one answer names them all.
        others_flat = [
            {"field": name, "message": str(message)}
            for name, messages in (others or {}).items()
            for message in messages
        ]
        super().__init__(
            detail, errors=[{"field": field, "message": detail, "party_id": party.pk}, *others_flat]
        )
        self.party = party


# Stages


def stages_ensure_defaults(*, company: Company) -> list[Stage]:
    """The default pipeline (Nuevo … Perdido) for a company that has no stages yet."""
    with transaction.atomic():
        # The company's row lock serialises two first visits that would both create the defaults.
        Company.objects.select_for_update().filter(pk=company.pk).first()
        if not Stage.objects.filter(company=company).exists():
            Stage.objects.bulk_create(
                Stage(
                    company=company, name=name, probability=probability, kind=kind, sequence=(index + 1) * 10
                )
                for index, (name, probability, kind) in enumerate(rules.DEFAULT_STAGES)
            )
        return list(Stage.objects.filter(company=company))


def _closing_stage(company: Company, kind: str) -> Stage:
    stage = (
        Stage.objects.filter(company=company, kind=kind, is_active=True).order_by("sequence", "id").first()
    )
    if stage is None:
        raise Conflict(_("The pipeline has no active stage for this (won or lost)."))
    return stage


def _first_open_stage(company: Company) -> Stage:
    # Plain SQL, and the defaults made (under the company's row lock) only when no stage answers:
    # every lead and opportunity created reads this.
    def first() -> Stage | None:
        where = ("company_id = %s AND kind = %s AND is_active = %s", [company.pk, Stage.Kind.OPEN, True])
        found = plainsql.select(Stage, where, order_by=("sequence", "id"), limit=1)
        return found[0] if found else None

    stage = first()
    if stage is None:
        stages_ensure_defaults(company=company)
        stage = first()
    if stage is None:
        raise Conflict(_("The pipeline has no active open stage."))
    return stage


def _check_closing_stage(stage: Stage) -> None:
    """Won stays at 100 %, lost at 0 %, and the pipeline keeps an active won and lost stage."""
    if stage.kind != Stage.Kind.OPEN:
        fixed = Decimal(100) if stage.kind == Stage.Kind.WON else Decimal(0)
        if stage.probability != fixed:
            raise ValidationFailed.on(
                "probability", _("A won stage has a probability of 100 and a lost stage of 0.")
            )
        others = Stage.objects.filter(company_id=stage.company_id, kind=stage.kind, is_active=True).exclude(
            pk=stage.pk
        )
        if not stage.is_active and not others.exists():
            raise ValidationFailed.on("is_active", _("The pipeline needs an active won and lost stage."))


def stage_create(
    *,
    company: Company,
    by: User,
    name: str,
    probability: Decimal,
    kind: str = "open",
    sequence: int = 100,
    is_active: bool = True,
) -> Stage:
    stage = Stage(company=company, kind=kind, created_by=by, updated_by=by)
    assign(
        stage,
        {"name": name, "probability": probability, "sequence": sequence, "is_active": is_active},
        STAGE_FIELDS,
    )
    with transaction.atomic():
        # Serialise stage changes of a company: two users creating the same name get a clear error.
        Company.objects.select_for_update().filter(pk=company.pk).first()
        return _stage_save(stage)


def stage_update(*, company: Company, stage_id: int, by: User, **fields) -> Stage:
    with transaction.atomic():
        stage = locked(Stage, company=company, pk=stage_id, missing=_("No such stage."))
        assign(stage, fields, STAGE_FIELDS)
        stage.updated_by = by
        if (
            not stage.is_active
            and Opportunity.objects.filter(stage=stage, status=Opportunity.Status.OPEN).exists()
        ):
            raise ValidationFailed.on("is_active", _("Move its open opportunities to another stage first."))
        return _stage_save(stage)


def _stage_save(stage: Stage) -> Stage:
    full_clean(stage)
    _check_closing_stage(stage)
    _check_percentage("probability", stage.probability)
    duplicate = Stage.objects.filter(company_id=stage.company_id, name__iexact=stage.name).exclude(
        pk=stage.pk
    )
    if duplicate.exists():
        raise ValidationFailed.on("name", _("There is already a stage with this name."))
    stage.save()
    return stage


# Opportunities


def _check_percentage(field: str, value: Decimal | None) -> None:
    if value is not None and not Decimal(0) <= value <= Decimal(100):
        raise ValidationFailed.on(field, _("Enter a percentage between 0 and 100."))


def _check_owner(company: Company, owner: User | None, field: str = "owner") -> None:
    if owner is not None and not (owner.is_active and owner.memberships.filter(company=company).exists()):
        raise ValidationFailed.on(field, _("The owner must be an active user of this company."))


def _resolve(company: Company, fields: dict) -> dict:
    """Turn party/owner/opportunity ids into records of this company; unknown ids are field errors."""
    resolved = dict(fields)
    lookups = {
        "party": Party.objects.filter(company=company),
        "owner": User.objects.filter(memberships__company=company, is_active=True),
        "opportunity": Opportunity.objects.filter(company=company),
    }
    for name in ("party", "owner", "opportunity"):
        key = f"{name}_id"
        if key in resolved:
            value = resolved.pop(key)
            record = lookups[name].filter(pk=value).first() if value is not None else None
            if value is not None and record is None:
                labels = {"party": _("party"), "owner": _("owner"), "opportunity": _("opportunity")}
                raise ValidationFailed.on(name, _("Unknown %(what)s.") % {"what": labels[name]})
            resolved[name] = record
    return resolved


def _validated_opportunity(opportunity: Opportunity) -> None:
    errors: dict[str, list[str]] = {}
    try:
        # Party and owner come from _resolve (this company's) or the record; the owner is checked below.
        full_clean(opportunity, exclude=["stage", "status"], resolved=["party", "owner"])
    except ValidationFailed as failure:
        errors.update(failure.field_messages())
    if opportunity.amount is not None and opportunity.amount < 0:
        errors.setdefault("amount", []).append(_("The amount cannot be negative."))
    if opportunity.probability is not None and not Decimal(0) <= opportunity.probability <= Decimal(100):
        errors.setdefault("probability", []).append(_("Enter a percentage between 0 and 100."))
    if errors:
        raise ValidationFailed.from_fields(errors)
    _check_owner(opportunity.company, opportunity.owner)


def opportunity_create(*, company: Company, by: User, stage_id: int | None = None, **fields) -> Opportunity:
    """A new opportunity, in the given open stage or the first one; probability defaults to the stage's."""
    with transaction.atomic():
        fields = _resolve(company, fields)
        stage = (
            _first_open_stage(company)
            if stage_id is None
            else Stage.objects.filter(
                company=company, pk=stage_id, kind=Stage.Kind.OPEN, is_active=True
            ).first()
        )
        if stage is None:
            raise ValidationFailed.on("stage", _("Choose an open stage of this pipeline."))
        opportunity = Opportunity(
            company=company, stage=stage, status=Opportunity.Status.OPEN, created_by=by, updated_by=by
        )
        fields.setdefault("owner", by)
        if fields.get("probability") is None:
            fields.pop("probability", None)  # empty: the stage's default
        assign(opportunity, fields, OPPORTUNITY_FIELDS)
        if opportunity.probability is None:
            opportunity.probability = stage.probability
        _validated_opportunity(opportunity)
        plainsql.insert(Opportunity, [opportunity])
        plainsql.insert(StageChange, [StageChange(opportunity=opportunity, from_stage=None, to_stage=stage, by=by)])
        return opportunity


def _locked_opportunity(company: Company, opportunity_id: int) -> Opportunity:
    return locked(Opportunity, company=company, pk=opportunity_id, missing=_("No such opportunity."))


def opportunity_update(*, company: Company, opportunity_id: int, by: User, **fields) -> Opportunity:
    """Change the details; the stage changes only through move, win, lose and reopen."""
    with transaction.atomic():
        opportunity = _locked_opportunity(company, opportunity_id)
        if opportunity.status == Opportunity.Status.WON and set(fields) - {"notes"}:
            raise Conflict(_("A won opportunity cannot be changed."))
        if "probability" in fields and fields["probability"] is None:
            fields["probability"] = opportunity.stage.probability  # empty: back to the stage's default
        assign(opportunity, _resolve(company, fields), OPPORTUNITY_FIELDS)
        opportunity.updated_by = by
        _validated_opportunity(opportunity)
        opportunity.save()
        return opportunity


def _enter(opportunity: Opportunity, stage: Stage, by: User, *, note: str = "") -> Opportunity:
    """Put the opportunity into a stage: the lifecycle decides its status (logged in core.StateChange
    when it changes), the stage history records the move."""
    within_open = opportunity.status == stage.kind == Opportunity.Status.OPEN
    if not within_open:  # a move between open stages keeps the status: no state change to log
        state_change(
            opportunity, stage.kind, lifecycle=rules.OPPORTUNITY_LIFECYCLE, by=by, field="status",
            refused=_refusal(opportunity, stage),
        )  # fmt: skip
    previous = opportunity.stage
    opportunity.stage = stage
    opportunity.probability = stage.probability
    opportunity.closed_on = timezone.localdate() if stage.kind != Stage.Kind.OPEN else None
    opportunity.updated_by = by
    opportunity.save()
    StageChange.objects.create(
        opportunity=opportunity, from_stage=previous, to_stage=stage, by=by, note=note[:500]
    )
    return opportunity


def _refusal(opportunity: Opportunity, stage: Stage) -> str:
    """What to answer when the lifecycle refuses the opportunity's move into `stage`."""
    if opportunity.status == Opportunity.Status.WON:
        return _("This opportunity is already won; a won opportunity cannot change stage.")
    if opportunity.status == Opportunity.Status.LOST and stage.kind == Stage.Kind.LOST:
        return _("This opportunity is already lost.")
    return _("A lost opportunity must be reopened before it can be won.")


def opportunity_move(*, company: Company, opportunity_id: int, stage_id: int, by: User) -> Opportunity:
    """Move to another stage of the pipeline; a closing stage goes through win or lose and their rules."""
    with transaction.atomic():
        opportunity = _locked_opportunity(company, opportunity_id)
        stage = Stage.objects.filter(company=company, pk=stage_id, is_active=True).first()
        if stage is None:
            raise ValidationFailed.on("stage", _("Unknown stage."))
        if stage.pk == opportunity.stage_id:
            return opportunity
        if stage.kind == Stage.Kind.WON:
            return _win(opportunity, by=by, amount=None, by_hand=True, stage=stage)
        if stage.kind == Stage.Kind.LOST:
            raise ValidationFailed.on("reason", _("Say why the opportunity was lost."))
        if opportunity.status == Opportunity.Status.LOST:
            raise Conflict(_("Reopen the lost opportunity first."))
        return _enter(opportunity, stage, by)


def _win(
    opportunity: Opportunity,
    *,
    by: User,
    amount: Decimal | None,
    by_hand: bool,
    stage: Stage | None = None,
    note: str = "",
) -> Opportunity:
    if opportunity.status == Opportunity.Status.WON:
        raise Conflict(_("This opportunity is already won."))
    if by_hand:
        # Modules above crm object through their `opportunity_win_blocker` hook (an open quotation, say).
        objections = contributions("opportunity_win_blocker", opportunity)
        if objections:
            raise Conflict(objections[0])
    if amount is not None:
        if amount < 0:
            raise ValidationFailed.on("amount", _("The amount cannot be negative."))
        opportunity.amount = amount
        # The amount fits its column; party and owner are the locked record's own.
        full_clean(opportunity, exclude=["stage", "status"], resolved=["party", "owner"])
    return _enter(opportunity, stage or _closing_stage(opportunity.company, Stage.Kind.WON), by, note=note)


def opportunity_win(
    *,
    company: Company,
    opportunity_id: int,
    by: User,
    amount: Decimal | None = None,
    by_hand: bool = True,
    note: str = "",
) -> Opportunity:
    """Mark won (row-locked). Accepting a quotation calls this with its net as amount and by_hand=False;
    by hand it is refused while another module objects (an open quotation)."""
    with transaction.atomic():
        opportunity = _locked_opportunity(company, opportunity_id)
        return _win(opportunity, by=by, amount=amount, by_hand=by_hand, note=note)


def opportunity_lose(*, company: Company, opportunity_id: int, by: User, reason: str) -> Opportunity:
    """Mark lost (row-locked) in the pipeline's first active lost stage, keeping the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.on("reason", _("Say why the opportunity was lost."))
    if len(reason) > 500:
        raise ValidationFailed.on("reason", _("Ensure this value has at most 500 characters."))
    with transaction.atomic():
        opportunity = _locked_opportunity(company, opportunity_id)
        opportunity.lost_reason = reason
        return _enter(opportunity, _closing_stage(company, Stage.Kind.LOST), by, note=reason)


def opportunity_reopen(
    *, company: Company, opportunity_id: int, by: User, stage_id: int | None = None
) -> Opportunity:
    """A lost opportunity goes back to an open stage (the first, unless one is given); a won one never."""
    with transaction.atomic():
        opportunity = _locked_opportunity(company, opportunity_id)
        if opportunity.status != Opportunity.Status.LOST:
            raise Conflict(_("Only a lost opportunity can be reopened."))
        stage = (
            _first_open_stage(company)
            if stage_id is None
            else Stage.objects.filter(
                company=company, pk=stage_id, kind=Stage.Kind.OPEN, is_active=True
            ).first()
        )
        if stage is None:
            raise ValidationFailed.on("stage", _("Choose an open stage of this pipeline."))
        opportunity.lost_reason = ""
        return _enter(opportunity, stage, by)


# Quick lead capture


def _existing_party(company: Company, *, tax_id: str, email: str) -> tuple[str, Party] | None:
    if tax_id:
        try:
            compact = normalize_tax_id(tax_id, "ES")
        except InvalidTaxId:
            compact = ""
        party = Party.objects.filter(company=company, tax_id=compact).first() if compact else None
        if party is not None:
            return "tax_id", party
    if email:
        party = Party.objects.filter(company=company, email__iexact=email).first()
        if party is None:
            contact = (
                Contact.objects.filter(company=company, email__iexact=email).select_related("party").first()
            )
            party = contact.party if contact else None
        if party is not None:
            return "email", party
    return None


LEAD_ADDRESS_FIELDS = ("street", "postal_code", "city", "province", "country")


def _lead_address_errors(company: Company, address: dict) -> dict[str, list[str]]:
    """An address is optional as a whole; once any part is given, it must be complete (province in Spain)."""
    errors: dict[str, list[str]] = {}
    if not any(
        str(address.get(name) or "").strip() for name in ("street", "postal_code", "city", "province")
    ):
        return errors
    country = str(address.get("country") or "").strip().upper()
    required = ["street", "postal_code", "city", "country"] + (["province"] if country == "ES" else [])
    for name in required:
        if not str(address.get(name) or "").strip():
            errors.setdefault(name, []).append(_("Complete the address: this part is missing."))
    record = Address(company=company, kind=Address.Kind.BILLING, **{
        name: str(address.get(name) or "").strip() for name in LEAD_ADDRESS_FIELDS
    })  # fmt: skip
    try:
        full_clean(record, exclude=["party", *errors])
    except ValidationFailed as failure:
        for name, messages in failure.field_messages().items():
            errors.setdefault(name, []).extend(messages)
    return {f"address.{name}": messages for name, messages in errors.items()}


def _lead_errors(
    company: Company, *, name: str, kind: str, tax_id: str, contact_name: str, email: str, phone: str,
    owner_id: int | None, amount: Decimal | None, address: dict,
) -> dict[str, list[str]]:  # fmt: skip
    """Every wrong field of a lead at once, in the lead's names, before anything is written."""
    errors: dict[str, list[str]] = {}

    def collect(check, names: dict[str, str] | None = None) -> None:
        try:
            check()
        except ValidationFailed as failure:
            for field, messages in failure.field_messages().items():
                target = (names or {}).get(field, field)
                errors.setdefault(target, []).extend(m for m in messages if m not in errors.get(target, []))

    party = Party(company=company, name=name, kind=kind, tax_id=tax_id, phone=phone, status=Party.Status.LEAD,
                  email=email if not contact_name.strip() else "")  # fmt: skip
    collect(lambda: full_clean(party, exclude=["tax_id"]))

    def check_tax_id() -> None:
        try:
            normalize_tax_id(tax_id, party.country)
        except InvalidTaxId as error:
            raise ValidationFailed.on("tax_id", tax_id_message(error)) from error

    collect(check_tax_id)
    if contact_name.strip():
        contact = Contact(company=company, name=contact_name, email=email, phone=phone)
        collect(lambda: full_clean(contact, exclude=["party"]), {"name": "contact_name"})
    if amount is not None and amount < 0:
        errors.setdefault("amount", []).append(_("The amount cannot be negative."))
    if owner_id is not None:
        collect(lambda: _resolve(company, {"owner_id": owner_id}))
    for field, messages in _lead_address_errors(company, address or {}).items():
        errors.setdefault(field, []).extend(messages)
    return errors


def lead_check(
    *, company: Company, name: str = "", contact_name: str = "", email: str = "", phone: str = "",
    need: str = "", tax_id: str = "", kind: str = "organisation", owner_id: int | None = None,
    amount: Decimal | None = None, address: dict | None = None, **_unchecked,
) -> None:  # fmt: skip
    """Raise what lead_capture would refuse, every wrong field at once, writing nothing.

    DuplicateParty when the tax id or e-mail belongs to a party of the company (with the other wrong fields
    too), else ValidationFailed naming each wrong field (the address's parts as `address.street`, …).
    """
    email = (email or "").strip()
    address = {name: str((address or {}).get(name) or "").strip() for name in LEAD_ADDRESS_FIELDS}
    errors = _lead_errors(
        company, name=name or "", kind=kind, tax_id=tax_id or "", contact_name=contact_name or "", email=email,
        phone=phone or "", owner_id=owner_id, amount=amount, address=address,
    )  # fmt: skip
    existing = _existing_party(company, tax_id=(tax_id or "").strip(), email=email)
    if existing is not None:
        field, party = existing
        raise DuplicateParty(
            _("%(name)s already has this %(what)s.")
            % {"name": party.name, "what": _("tax id") if field == "tax_id" else _("e-mail")},
            field=field,
            party=party,
            others={name: messages for name, messages in errors.items() if name != field},
        )
    if errors:
        raise ValidationFailed.from_fields(errors)


def lead_capture(
    *, company: Company, by: User, name: str, contact_name: str = "", email: str = "", phone: str = "",
    need: str = "", source: str = Opportunity.Source.OTHER, tax_id: str = "", kind: str = "organisation",
    owner_id: int | None = None, amount: Decimal | None = None, expected_close: date | None = None,
    address: dict | None = None,
) -> Opportunity:  # fmt: skip
    """A new lead party (with its contact and billing address) and an opportunity in the first stage, in one step.

    Refused as lead_check refuses: every wrong field at once, an obvious duplicate with the party found. The
    address, when given, becomes the party's default billing address through the parties services.
    """
    email = (email or "").strip()
    address = {name: str((address or {}).get(name) or "").strip() for name in LEAD_ADDRESS_FIELDS}
    with transaction.atomic():
        lead_check(
            company=company, name=name, contact_name=contact_name, email=email, phone=phone, need=need,
            tax_id=tax_id, kind=kind, owner_id=owner_id, amount=amount, address=address,
        )  # fmt: skip
        contacts = [{"name": contact_name, "email": email, "phone": phone}] if contact_name.strip() else []
        addresses = (
            [{**address, "kind": Address.Kind.BILLING, "is_default": True}] if address["street"] else []
        )
        party = party_create(
            company=company, by=by, name=name, kind=kind, tax_id=tax_id, phone=phone, status=Party.Status.LEAD,
            email=email if not contacts else "", contacts=contacts, addresses=addresses,
        )  # fmt: skip
        title = need.strip()[:200] or _("Opportunity with %(name)s") % {"name": party.name}
        return opportunity_create(
            company=company, by=by, party_id=party.pk, title=title, owner_id=owner_id or by.pk, source=source,
            amount=amount if amount is not None else Decimal(0), notes=need.strip() if len(need.strip()) > 200 else "",
            expected_close=expected_close or timezone.localdate() + timedelta(days=30),
        )  # fmt: skip


# Activities


def _validated_activity(activity: Activity) -> None:
    if activity.due_at is None:
        raise ValidationFailed.on("due_at", _("Give the activity a due date and time."))
    full_clean(activity)
    if activity.party_id is None and activity.opportunity_id is None:
        raise ValidationFailed.on("party", _("An activity belongs to a party or an opportunity."))
    if activity.opportunity_id and activity.party_id and activity.opportunity.party_id != activity.party_id:
        raise ValidationFailed.on("party", _("The party is not the opportunity's."))
    _check_owner(activity.company, activity.owner)


def activity_create(*, company: Company, by: User, **fields) -> Activity:
    with transaction.atomic():
        fields = _resolve(company, fields)
        fields.setdefault("owner", by)
        if fields.get("opportunity") is not None and fields.get("party") is None:
            fields["party"] = fields["opportunity"].party
        activity = Activity(company=company, created_by=by, updated_by=by)
        assign(activity, fields, ACTIVITY_FIELDS)
        _validated_activity(activity)
        activity.save()
        return activity


def _locked_activity(company: Company, activity_id: int) -> Activity:
    return locked(Activity, company=company, pk=activity_id, missing=_("No such activity."))


def activity_update(*, company: Company, activity_id: int, by: User, **fields) -> Activity:
    with transaction.atomic():
        activity = _locked_activity(company, activity_id)
        assign(activity, _resolve(company, fields), ACTIVITY_FIELDS)
        activity.updated_by = by
        _validated_activity(activity)
        activity.save()
        return activity


def activity_complete(
    *, company: Company, activity_id: int, by: User, outcome: str = "", done: bool = True
) -> Activity:
    """Mark done with its outcome (or undo it)."""
    with transaction.atomic():
        activity = _locked_activity(company, activity_id)
        if len(outcome or "") > 2000:
            raise ValidationFailed.on("outcome", _("Ensure this value has at most 2000 characters."))
        activity.done = done
        activity.done_at = timezone.now() if done else None
        if outcome:
            activity.outcome = outcome.strip()
        activity.updated_by = by
        activity.save()
        return activity


def activity_log(
    *,
    company: Company,
    by: User,
    kind: str,
    subject: str,
    outcome: str = "",
    at: datetime | None = None,
    **links,
) -> Activity:
    """Record something already done (a call just made): created done, due now."""
    with transaction.atomic():
        activity = activity_create(
            company=company,
            by=by,
            kind=kind,
            subject=subject,
            due_at=at or timezone.now(),
            outcome=outcome,
            **links,
        )
        activity.done, activity.done_at = True, activity.due_at
        activity.save(update_fields=["done", "done_at"])
        return activity


def activity_delete(*, company: Company, activity_id: int, by: User) -> None:
    with transaction.atomic():
        _locked_activity(company, activity_id).delete()

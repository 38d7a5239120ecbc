"""Payment terms: the standard ones every company starts with, a term as the pure rules' TermSpec, the term
that applies to a party (its own, else the company's default) and the split of a document's total into due
amounts (docs/modules/payments.md)."""

from datetime import date as Date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from nexo.accounting.models import AccountingSettings, PartyAccounting, PaymentTerm, PaymentTermLine
from nexo.accounting.rules.payment_terms import (
    HUNDRED,
    MAX_DAYS,
    MAX_INSTALLMENTS,
    ZERO,
    Installment,
    TermError,
    TermSpec,
    check,
    parse_payment_days,
    split,
)
from nexo.accounting.services.ledger import settings_of
from nexo.core.api import CONTROL_CHARACTERS
from nexo.core.errors import Conflict, NotFound, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.validation import MAX_ID, decimal_of, locked
from nexo.parties.models import Party

CUSTOMER, SUPPLIER = "customer", "supplier"
#: (Spanish name, English name, end of month, payment days, ((days, percent or None: equal part), …))
STANDARD_TERMS = (
    ("Contado", "Cash", False, "", ((0, None),)),
    ("30 días", "30 days", False, "", ((30, None),)),
    ("60 días", "60 days", False, "", ((60, None),)),
    ("30 días fin de mes", "30 days end of month", True, "", ((30, None),)),
    ("30-60-90 días", "30-60-90 days", False, "", ((30, None), (60, None), (90, None))),
    ("50 % a 30 días, 50 % a 60 días", "50% at 30 days, 50% at 60 days", False, "",
     ((30, Decimal(50)), (60, Decimal(50)))),
    ("30 días, días de pago 5 y 20", "30 days, paid on the 5th and 20th", False, "5,20", ((30, None),)),
)  # fmt: skip
DEFAULT_TERM = "30 días"


def payment_terms_setup(company: Company) -> None:
    """The standard terms of a new company (idempotent), and "30 días" as its default."""
    with transaction.atomic():
        existing = set(PaymentTerm.objects.filter(company=company).values_list("name", flat=True))
        for name, name_en, end_of_month, payment_days, installments in STANDARD_TERMS:
            if name in existing:
                continue
            term = PaymentTerm.objects.create(
                company=company,
                name=name,
                name_en=name_en,
                end_of_month=end_of_month,
                payment_days=payment_days,
            )
            PaymentTermLine.objects.bulk_create(
                PaymentTermLine(term=term, position=position, days=days, percent=percent)
                for position, (days, percent) in enumerate(installments)
            )
        settings = settings_of(company)
        if settings.default_term_id is None:
            settings.default_term = PaymentTerm.objects.filter(company=company, name=DEFAULT_TERM).first()
            AccountingSettings.objects.filter(pk=settings.pk).update(default_term=settings.default_term)


def term_spec(term: PaymentTerm, lines=None) -> TermSpec:
    """The term as the pure rules read it (`lines`: its PaymentTermLines when already read)."""
    rows = list(lines if lines is not None else term.lines.all())
    return TermSpec(
        installments=tuple(Installment(row.days, row.percent) for row in rows) or (Installment(0),),
        end_of_month=term.end_of_month,
        payment_days=parse_payment_days(term.payment_days),
    )


def term_label(term: PaymentTerm | None, language: str | None = None) -> str:
    """The term's name in a language (`es` or `en`; None: the active one), for documents and pages; ""
    without a term."""
    if term is None:
        return ""
    language = language or get_language() or "es"
    return (term.name_en or term.name) if language.startswith("en") else term.name


def default_term(company: Company) -> PaymentTerm | None:
    """The company's default term, in one query."""
    found = AccountingSettings.objects.select_related("default_term").filter(company=company).first()
    return found.default_term if found else None


def party_terms(company: Company, party_id: int) -> tuple[PaymentTerm | None, PaymentTerm | None, int | None]:
    """(its term as customer, as supplier, its holiday month), each falling back to the company's default
    term; one query, two when the party lacks a term of its own."""
    own = (
        PartyAccounting.objects.select_related("customer_term", "supplier_term")
        .filter(party_id=party_id)
        .first()
    )
    customer, supplier = (own.customer_term, own.supplier_term) if own else (None, None)
    if customer is None or supplier is None:
        default = default_term(company)
        customer, supplier = customer or default, supplier or default
    return customer, supplier, own.holiday_month if own else None


def term_of_party(company: Company, party_id: int, side: str = CUSTOMER) -> PaymentTerm | None:
    customer, supplier, _holiday = party_terms(company, party_id)
    return customer if side == CUSTOMER else supplier


def due_split(
    term: PaymentTerm | None, total: Decimal, start: Date, holiday_month: int | None = None
) -> list[tuple[Date, Decimal]]:
    """A document's due amounts: (due date, amount) per installment of its term (no term: all on `start`)."""
    if term is None:
        return [(start, total)]
    return split(total, start, term_spec(term), holiday_month)


# Keeping the terms: a term saved with its installments, deleted only while nothing uses it, the company's
# default, and a party's collection profile (its terms, credit limit and holiday month).

MAX_NAME_LENGTH = 100  # PaymentTerm.name's column
MAX_PAYMENT_DAYS_LENGTH = 40  # PaymentTerm.payment_days' column
#: The largest credit limit the column holds (18 digits, 2 of them decimals).
MAX_CREDIT_LIMIT = Decimal("9999999999999999.99")
CENT = Decimal("0.01")


def _name(field: str, value, *, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed.on(field, _("Enter a name."))
    if len(text) > MAX_NAME_LENGTH:
        raise ValidationFailed.on(field, _("Use at most %(count)s characters.") % {"count": MAX_NAME_LENGTH})
    if CONTROL_CHARACTERS.search(text):
        raise ValidationFailed.on(field, _("Remove the invisible control characters (pasted with the text)."))
    return text


def _payment_days(value) -> tuple[int, ...]:
    try:
        days = parse_payment_days(str(value or ""))
    except TermError:
        raise ValidationFailed.on(
            "payment_days", _("Write days of the month from 1 to 31, separated by commas (e.g. 5, 20).")
        ) from None
    if len(",".join(str(day) for day in days)) > MAX_PAYMENT_DAYS_LENGTH:
        raise ValidationFailed.on("payment_days", _("Too many payment days."))
    return days


def _installments(lines) -> tuple[Installment, ...]:
    """The installments as typed, each checked on its own field (`lines.2.percent`), then together."""
    rows = list(lines or [])
    if not rows:
        raise ValidationFailed.on("lines", _("Add at least one installment."))
    if len(rows) > MAX_INSTALLMENTS:
        raise ValidationFailed.on(
            "lines", _("Use at most %(count)s installments.") % {"count": MAX_INSTALLMENTS}
        )
    installments = []
    errors: dict[str, list[str]] = {}
    for index, row in enumerate(rows):
        try:
            days, percent = row
        except (TypeError, ValueError):
            errors[f"lines.{index}"] = [_("Give the days and the percentage (or none).")]
            continue
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DAYS:
            errors[f"lines.{index}.days"] = [
                _("Days after the invoice date: a whole number from 0 to %(max)s.") % {"max": MAX_DAYS}
            ]
        if percent is not None:
            try:
                percent = decimal_of(percent, f"lines.{index}.percent")
            except ValidationFailed as failure:
                errors[f"lines.{index}.percent"] = [failure.detail]
                continue
            if not ZERO < percent <= HUNDRED or percent != percent.quantize(CENT):
                errors[f"lines.{index}.percent"] = [
                    _(
                        "A percentage above 0 and up to 100, with at most 2 decimals (or blank: an equal part)."
                    )
                ]
        if not errors:
            installments.append(Installment(days, percent))
    if errors:
        raise ValidationFailed.from_fields(errors)
    fixed = sum((installment.percent for installment in installments if installment.percent), ZERO)
    equal = sum(1 for installment in installments if installment.percent is None)
    if fixed > HUNDRED:
        raise ValidationFailed.on(
            "lines", _("The percentages add up to %(sum)s: at most 100.") % {"sum": f"{fixed:f}"}
        )
    if not equal and fixed != HUNDRED:
        raise ValidationFailed.on(
            "lines",
            _("The percentages add up to %(sum)s: make them 100, or leave one blank for the rest.")
            % {"sum": f"{fixed:f}"},
        )
    if equal and fixed == HUNDRED:
        raise ValidationFailed.on(
            "lines", _("The percentages already add up to 100: the installments without one would be empty.")
        )
    return tuple(installments)


def term_spec_of(*, lines, end_of_month: bool = False, payment_days="") -> TermSpec:
    """A term as typed (not yet saved) as the pure rules read it, or field errors: what the editor previews."""
    spec = TermSpec(
        installments=_installments(lines),
        end_of_month=bool(end_of_month),
        payment_days=_payment_days(payment_days),
    )
    try:
        check(spec)
    except TermError as error:  # the checks above catch all of these first; kept so a new rule is not a 500
        raise ValidationFailed.on("lines", str(error)) from None
    return spec


def _term_of(company: Company, term_id, field: str | None = None, *, lock: bool = False) -> PaymentTerm:
    """The company's term: NotFound in a path (`field` None), else a field error."""
    if not isinstance(term_id, int) or isinstance(term_id, bool) or not 0 < term_id <= MAX_ID:
        term = None
    elif lock:
        try:
            term = locked(PaymentTerm, company=company, pk=term_id, missing="")
        except NotFound:
            term = None
    else:
        term = PaymentTerm.objects.filter(company=company, pk=term_id).first()
    if term is None:
        if field is None:
            raise NotFound(_("No such payment term."))
        raise ValidationFailed.on(field, _("Choose a payment term of this company."))
    return term


def payment_term_save(
    *,
    company: Company,
    by: User | None,
    term_id: int | None = None,
    name: str,
    name_en: str = "",
    end_of_month: bool = False,
    payment_days: str = "",
    lines: list[tuple[int, Decimal | None]],
    active: bool = True,
) -> PaymentTerm:
    """Add a term (`term_id` None) or change one, its installments replaced by `lines` ((days, percent or
    None for an equal part of what the percentages leave), in order), in one transaction. The company's
    default term stays active. Documents already posted keep the due amounts they were split into."""
    name = _name("name", name, required=True)
    name_en = _name("name_en", name_en, required=False)
    spec = term_spec_of(lines=lines, end_of_month=end_of_month, payment_days=payment_days)
    with transaction.atomic():
        if term_id is None:
            term = PaymentTerm(company=company, created_by=by)
        else:
            term = _term_of(company, term_id, lock=True)
        # Compared casefolded here: SQLite's iexact folds ASCII only ("30 DÍAS" and "30 días").
        others = (
            PaymentTerm.objects.filter(company=company).exclude(pk=term.pk).values_list("name", flat=True)
        )
        if name.casefold() in {other.casefold() for other in others}:
            raise ValidationFailed.on(
                "name", _("There is already a payment term called %(name)s.") % {"name": name}
            )
        if not active and term.pk is not None and settings_of(company).default_term_id == term.pk:
            raise Conflict(
                _("%(term)s is the company's default payment term: it stays active.") % {"term": term}
            )
        term.name, term.name_en, term.active = name, name_en, bool(active)
        term.end_of_month = spec.end_of_month
        term.payment_days = ",".join(str(day) for day in spec.payment_days)
        term.updated_by = by
        try:
            with transaction.atomic():
                term.save()
        except IntegrityError:  # the same name saved at the same moment by someone else
            raise ValidationFailed.on(
                "name", _("There is already a payment term called %(name)s.") % {"name": name}
            ) from None
        PaymentTermLine.objects.filter(term=term).delete()
        PaymentTermLine.objects.bulk_create(
            PaymentTermLine(term=term, position=position, days=installment.days, percent=installment.percent)
            for position, installment in enumerate(spec.installments)
        )
    return term


def payment_term_activate(*, company: Company, by: User | None, term_id: int, active: bool) -> PaymentTerm:
    """Deactivate a term (no longer offered; what already uses it keeps it) or bring it back."""
    with transaction.atomic():
        term = _term_of(company, term_id, lock=True)
        if not active and settings_of(company).default_term_id == term.pk:
            raise Conflict(
                _("%(term)s is the company's default payment term: it stays active.") % {"term": term}
            )
        term.active, term.updated_by = bool(active), by
        term.save(update_fields=["active", "updated_by", "updated_at"])
    return term


def payment_term_delete(*, company: Company, by: User | None, term_id: int) -> None:
    """Delete a term nothing uses: not the company's default, no party, quotation, order or invoice.
    Documents of higher modules point at terms with PROTECT, so the database says whether one is in use."""
    with transaction.atomic():
        term = _term_of(company, term_id, lock=True)
        in_use = (
            settings_of(company).default_term_id == term.pk
            or PartyAccounting.objects.filter(Q(customer_term=term) | Q(supplier_term=term)).exists()
        )
        if not in_use:
            try:
                with transaction.atomic():
                    term.delete()
            except ProtectedError:
                in_use = True
        if in_use:
            raise Conflict(
                _("%(term)s is in use (the company's default, a party or a document): deactivate it instead.")
                % {"term": term}
            )


def default_term_set(company: Company, by: User | None, term_id: int) -> PaymentTerm:
    """The term of every party without its own: an active term of the company."""
    with transaction.atomic():
        term = _term_of(company, term_id, "term")
        if not term.active:
            raise ValidationFailed.on("term", _("%(term)s is inactive.") % {"term": term})
        settings = settings_of(company)
        AccountingSettings.objects.filter(pk=settings.pk).update(default_term=term)
    return term


def _credit_limit(value) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    amount = decimal_of(value, "credit_limit")
    if amount < 0:
        raise ValidationFailed.on("credit_limit", _("The credit limit cannot be negative."))
    if amount != amount.quantize(CENT) or amount > MAX_CREDIT_LIMIT:
        raise ValidationFailed.on("credit_limit", _("Use at most 2 decimals and 16 digits."))
    return amount.quantize(CENT)


def _holiday_month(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
        raise ValidationFailed.on("holiday_month", _("Choose a month from 1 (January) to 12 (December)."))
    return value


def party_profile_set(
    *,
    company: Company,
    by: User | None,
    party_id: int,
    customer_term_id: int | None = None,
    supplier_term_id: int | None = None,
    credit_limit: Decimal | None = None,
    holiday_month: int | None = None,
) -> PartyAccounting:
    """A party's terms as a customer and as a supplier (None: the company's default), its credit limit
    (None: no limit) and the month it pays nothing. A term newly chosen must be active; one it already
    has may stay although it was deactivated since."""
    if isinstance(party_id, bool) or not isinstance(party_id, int) or not 0 < party_id <= MAX_ID:
        raise NotFound(_("No such party."))
    limit = _credit_limit(credit_limit)
    month = _holiday_month(holiday_month)
    with transaction.atomic():
        if not Party.objects.filter(company=company, pk=party_id).exists():
            raise NotFound(_("No such party."))
        current = PartyAccounting.objects.select_for_update().filter(party_id=party_id).first()
        terms = {}
        for field, term_id in (("customer_term", customer_term_id), ("supplier_term", supplier_term_id)):
            if term_id is None:
                terms[field] = None
                continue
            term = _term_of(company, term_id, field)
            if not term.active and getattr(current, f"{field}_id", None) != term.pk:
                raise ValidationFailed.on(field, _("%(term)s is inactive.") % {"term": term})
            terms[field] = term
        row, _created = PartyAccounting.objects.update_or_create(
            party_id=party_id, defaults={**terms, "credit_limit": limit, "holiday_month": month}
        )
    return row


def installments_summary(lines) -> str:
    """ "30-60-90 días" in the active language for lists, "30-60 días (50 %, 50 %)" when the installments
    carry percentages; a single installment at 0 days: "al contado" (`lines`: the PaymentTermLines in order)."""
    rows = list(lines)
    if not rows:
        return ""
    if len(rows) == 1 and rows[0].days == 0 and rows[0].percent in (None, HUNDRED):
        return _("on the invoice date")
    text = _("%(days)s days") % {"days": "-".join(str(row.days) for row in rows)}
    if any(row.percent is not None for row in rows):
        parts = ", ".join(
            f"{row.percent.normalize():f} %" if row.percent is not None else _("equal part") for row in rows
        )
        text = f"{text} ({parts})"
    return text


def term_split(
    *, company: Company, term_id: int, total: Decimal, start: Date, holiday_month: int | None = None
) -> list[tuple[Date, Decimal]]:
    """A preview: how `total` dated `start` would fall due under the company's term (a party's holiday
    month given or not). Nothing is stored."""
    term = _term_of(company, term_id)
    month = _holiday_month(holiday_month)
    amount = decimal_of(total, "total")
    if amount != amount.quantize(CENT) or abs(amount) > MAX_CREDIT_LIMIT:
        raise ValidationFailed.on("total", _("Use at most 2 decimals and 16 digits."))
    try:
        return due_split(term, amount, start, month)
    except OverflowError:
        raise ValidationFailed.on("date", _("The due dates would fall after the year 9999.")) from None
    except TermError as error:  # a term stored before these checks existed
        raise Conflict(str(error)) from None


__all__ = [
    "CUSTOMER",
    "DEFAULT_TERM",
    "STANDARD_TERMS",
    "SUPPLIER",
    "default_term",
    "default_term_set",
    "due_split",
    "installments_summary",
    "party_profile_set",
    "party_terms",
    "payment_term_activate",
    "payment_term_delete",
    "payment_term_save",
    "payment_terms_setup",
    "term_label",
    "term_of_party",
    "term_spec",
    "term_spec_of",
    "term_split",
]

"""The VAT reports of a period: the VAT summary with the figures of modelo 303, and the VAT books (libros
registro de facturas expedidas y recibidas, arts. 62-64 RIVA). Read-only.

Everything is summed in the database over the tax rows of posted invoices dated in the period (one GROUP BY
per side), never in a Python loop over invoices. Customer invoices are in the company's currency; a supplier
invoice in another currency is converted at its own exchange rate: in the summary once per (VAT rate,
exchange rate) group, in the received book once per row.

Box numbers follow the 2024-10 design of modelo 303 (reference §4, and OCA `l10n_es_aeat_mod303`):
- Output VAT of invoices by rate: 4 % 01/02/03, 10 % 04/05/06, 21 % 07/08/09, 0 % 150/151/152,
  5 % and 7.5 % 153/154/155, 2 % 165/166/167. Credit notes go to 14/15 ("modificación bases y cuotas", as
  OCA maps refunds), with their negative figures; the VAT table by rate shows invoices and credit notes
  netted.
- Recargo de equivalencia: 5.2 % 22/23/24, 1.4 % 19/20/21, 0.5 % 168/169/170, 1.75 % 156/157/158,
  others (0, 0.62, 1 %) 16/17/18; credit notes 25/26.
- 27 total output VAT; 28/29 deductible VAT of current domestic operations (posted supplier invoices; the
  recargo paid to a supplier is a cost, not deductible); 45 total deductible; 46 = 27 - 45.
- Information: 59 intra-EU deliveries of goods and services, 60 exports, 120 not subject by the place of
  supply rules (services to customers outside the EU). Domestic operations exempt under art. 20 LIVA go in
  no box of the 303 and are shown apart.
- Result, simplified: the whole result is the State's (65 = 100 %), nothing is carried from earlier periods
  (110 = 78 = 0), no previous return (70 = 0): 64 = 66 = 69 = 71 = 46.
Not covered (Nexo does not record them yet): intra-EU acquisitions and reverse charge on purchases
(10-13, 36-39), imports (32-35), investment goods (30/31), pro-rata and cash accounting.
"""

from dataclasses import dataclass, field
from datetime import date as Date
from decimal import Decimal

from django.db.models import F, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.core.errors import ValidationFailed
from nexo.core.formatting import number
from nexo.core.models import Company
from nexo.core.rules import round_money
from nexo.invoicing import rules, tax
from nexo.invoicing.models import Invoice, InvoiceTax, SupplierInvoiceTax

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
# A report covers at most a year (the 390 period): a longer range is a typing mistake, not a VAT period.
MAX_PERIOD_DAYS = 366
EARLIEST_YEAR = 1900

# Output VAT: rate → (base, rate, quota) boxes.
OUTPUT_BOXES: dict[Decimal, tuple[str, str, str]] = {
    Decimal("4"): ("01", "02", "03"),
    Decimal("10"): ("04", "05", "06"),
    Decimal("21"): ("07", "08", "09"),
    Decimal("0"): ("150", "151", "152"),
    Decimal("5"): ("153", "154", "155"),
    Decimal("7.5"): ("153", "154", "155"),
    Decimal("2"): ("165", "166", "167"),
}
# Recargo de equivalencia: recargo rate → (base, rate, quota) boxes; any other rate goes to 16/17/18.
RECARGO_BOXES: dict[Decimal, tuple[str, str, str]] = {
    Decimal("5.2"): ("22", "23", "24"),
    Decimal("1.4"): ("19", "20", "21"),
    Decimal("0.5"): ("168", "169", "170"),
    Decimal("0.26"): ("168", "169", "170"),
    Decimal("1.75"): ("156", "157", "158"),
}
OTHER_RECARGO_BOXES = ("16", "17", "18")
# Boxes whose sum is box 27 (total output VAT) and box 45 (total deductible VAT).
OUTPUT_QUOTA_BOXES = (
    "152", "03", "167", "155", "06", "09", "11", "13", "15",
    "158", "170", "18", "21", "24", "26",
)  # fmt: skip
DEDUCTIBLE_QUOTA_BOXES = ("29", "31", "33", "35", "37", "39", "41", "42", "43", "44")
INTRA_EU = (tax.INTRA_EU_GOODS.code, tax.EU_SERVICE_REVERSE_CHARGE.code)
EXPORTS = (tax.EXPORT_GOODS.code,)
NOT_SUBJECT = (tax.SERVICE_OUTSIDE_EU.code,)


# The period


def quarter_of(day: Date) -> tuple[Date, Date]:
    """The calendar quarter holding `day`: its first and last days."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = Date(day.year, first_month, 1)
    end = Date(day.year + 1, 1, 1) if first_month == 10 else Date(day.year, first_month + 3, 1)
    return start, end.fromordinal(end.toordinal() - 1)


def vat_period(
    date_from: Date | None, date_to: Date | None, *, today: Date | None = None
) -> tuple[Date, Date]:
    """The period a report covers: the dates given (both inclusive), or the current quarter when neither is;
    one date alone is completed with the other end of its quarter. 422 when `to` is before `from`, a date is
    before 1900 or the range is longer than a year."""
    if date_from is None and date_to is None:
        return quarter_of(today or timezone.localdate())
    for name, value in (("from", date_from), ("to", date_to)):
        if value is not None and value.year < EARLIEST_YEAR:
            raise ValidationFailed.on(name, _("Choose a date from 1900 on."))
    if date_from is None:
        date_from = quarter_of(date_to)[0]
    if date_to is None:
        date_to = quarter_of(date_from)[1]
    if date_to < date_from:
        raise ValidationFailed.on("to", _("The end of the period cannot be before its start."))
    if (date_to - date_from).days >= MAX_PERIOD_DAYS:
        raise ValidationFailed.on("to", _("A VAT report covers a year at most."))
    return date_from, date_to


# The summary


@dataclass(frozen=True)
class Box:
    """One figure of modelo 303: its number, what it holds and its amount (a percentage for a rate box)."""

    number: str
    label: str
    amount: Decimal


@dataclass(frozen=True)
class RateLine:
    """A base, a rate and a quota: one line of the VAT tables and of the 303 (boxes empty when it has none)."""

    label: str
    base: Decimal
    rate: Decimal | None
    quota: Decimal
    boxes: tuple[str, str, str] | None = None


@dataclass
class VatSummary:
    date_from: Date
    date_to: Date
    currency: str
    output: list[RateLine] = field(default_factory=list)  # VAT by rate, invoices and credit notes netted
    recargo: list[RateLine] = field(default_factory=list)  # recargo by rate, netted
    deductible: list[RateLine] = field(default_factory=list)  # input VAT by rate
    exempt: list[RateLine] = field(default_factory=list)  # operations without VAT: 59, 60, 120, art. 20
    boxes: dict[str, Decimal] = field(default_factory=dict)
    lines_303: list[RateLine] = field(
        default_factory=list
    )  # the 303's output and recargo lines, in its order

    @property
    def output_vat(self) -> Decimal:
        return sum((line.quota for line in self.output), ZERO)

    @property
    def output_recargo(self) -> Decimal:
        return sum((line.quota for line in self.recargo), ZERO)

    @property
    def result(self) -> Decimal:
        return self.boxes["71"]

    @property
    def result_kind(self) -> str:
        """to_pay, to_compensate (a negative result carried to later periods, or refunded at year end) or nil."""
        return "to_pay" if self.result > 0 else "to_compensate" if self.result < 0 else "nil"

    def box_list(self) -> list[Box]:
        return [Box(number, box_label(number), amount) for number, amount in self.boxes.items()]


# What each line of the 303 holds (a line's boxes are its base, rate and quota), and the single boxes.
LINE_LABELS = {
    "01": gettext_lazy("General regime 4 %"), "04": gettext_lazy("General regime 10 %"),
    "07": gettext_lazy("General regime 21 %"), "150": gettext_lazy("General regime 0 %"),
    "153": gettext_lazy("General regime 5 %"), "165": gettext_lazy("General regime 2 %"),
    "14": gettext_lazy("Changes to bases and quotas (credit notes)"),
    "16": gettext_lazy("Equivalence surcharge, other rates"), "19": gettext_lazy("Equivalence surcharge 1.4 %"),
    "22": gettext_lazy("Equivalence surcharge 5.2 %"), "156": gettext_lazy("Equivalence surcharge 1.75 %"),
    "168": gettext_lazy("Equivalence surcharge 0.5 %"),
    "25": gettext_lazy("Changes to surcharge bases and quotas (credit notes)"),
    "28": gettext_lazy("Deductible VAT, current domestic operations"),
}  # fmt: skip
SINGLE_LABELS = {
    "27": gettext_lazy("Total output VAT"),
    "45": gettext_lazy("Total deductible VAT"),
    "46": gettext_lazy("Result of the general regime (27 - 45)"),
    "59": gettext_lazy("Intra-EU deliveries of goods and services"),
    "60": gettext_lazy("Exports and similar operations"),
    "120": gettext_lazy("Not subject by the place of supply rules"),
    "64": gettext_lazy("Sum of results"),
    "65": gettext_lazy("Percentage attributable to the State"),
    "66": gettext_lazy("Attributable to the State"),
    "78": gettext_lazy("Amounts to compensate from earlier periods, applied"),
    "69": gettext_lazy("Result of the return"),
    "71": gettext_lazy("Result to pay, compensate or refund"),
}
# Boxes 14/15, 25/26 and 28/29 have no rate box.
LINE_BOXES = {
    "01": ("01", "02", "03"), "04": ("04", "05", "06"), "07": ("07", "08", "09"),
    "150": ("150", "151", "152"), "153": ("153", "154", "155"), "165": ("165", "166", "167"),
    "14": ("14", "", "15"), "16": ("16", "17", "18"), "19": ("19", "20", "21"), "22": ("22", "23", "24"),
    "156": ("156", "157", "158"), "168": ("168", "169", "170"), "25": ("25", "", "26"), "28": ("28", "", "29"),
}  # fmt: skip


def box_label(number: str) -> str:
    """What a box holds, in the active language: "General regime 21 %: quota" for box 09."""
    if number in SINGLE_LABELS:
        return str(SINGLE_LABELS[number])
    for first, numbers in LINE_BOXES.items():
        if number in numbers:
            part = (_("base"), _("rate %"), _("quota"))[numbers.index(number)]
            return f"{LINE_LABELS[first]}: {part}"
    return ""


def _treatment_label(code: str) -> str:
    labels = {
        tax.INTRA_EU_GOODS.code: _("Exempt intra-EU deliveries of goods (art. 25)"),
        tax.EU_SERVICE_REVERSE_CHARGE.code: _("Services to EU businesses (reverse charge)"),
        tax.EXPORT_GOODS.code: _("Exempt exports (art. 21)"),
        tax.SERVICE_OUTSIDE_EU.code: _("Services not subject to Spanish VAT (art. 69)"),
    }
    if code in labels:
        return labels[code]
    if code.startswith("exempt_art20_"):
        return _("Exempt domestic operations (art. 20)")
    return code


def _treatment(code: str, rate: Decimal) -> tax.Treatment:
    """The stored treatment; a code the engine no longer knows is read by its rate rather than refused."""
    try:
        return tax.treatment_of(code or tax.DOMESTIC.code)
    except tax.TaxRuleError:
        return tax.DOMESTIC if rate else tax.Treatment(code, charges_vat=False)


def _posted_customer_taxes(company: Company, date_from: Date, date_to: Date) -> QuerySet:
    return InvoiceTax.objects.filter(
        invoice__company=company,
        invoice__state=rules.POSTED,
        invoice__date__gte=date_from,
        invoice__date__lte=date_to,
        kind=InvoiceTax.Kind.VAT,
    )


def _posted_supplier_taxes(company: Company, date_from: Date, date_to: Date) -> QuerySet:
    return SupplierInvoiceTax.objects.filter(
        invoice__company=company,
        invoice__state=rules.POSTED,
        invoice__date__gte=date_from,
        invoice__date__lte=date_to,
        kind=InvoiceTax.Kind.VAT,
    )


def _money(value) -> Decimal:
    return round_money(Decimal(value or 0))


def _add(boxes: dict[str, Decimal], number: str, amount: Decimal) -> None:
    boxes[number] = boxes.get(number, ZERO) + amount


def vat_summary(
    *, company: Company, date_from: Date | None = None, date_to: Date | None = None
) -> VatSummary:
    """Output VAT, recargo and deductible VAT by rate of a period, with the 303 boxes; two queries."""
    date_from, date_to = vat_period(date_from, date_to)
    summary = VatSummary(date_from=date_from, date_to=date_to, currency=company.currency)
    groups = list(
        _posted_customer_taxes(company, date_from, date_to)
        .values("invoice__kind", "treatment", "rate", "recargo_rate")
        .annotate(base_sum=Sum("base"), amount_sum=Sum("amount"), recargo_sum=Sum("recargo"))
        .order_by()
    )
    purchases = list(
        _posted_supplier_taxes(company, date_from, date_to)
        .values("rate", "invoice__exchange_rate")
        .annotate(base_sum=Sum("base"), amount_sum=Sum("amount"))
        .order_by()
    )

    # Output VAT and recargo by rate, invoices and credit notes netted; the 303's lines keep credit notes apart.
    output: dict[Decimal, list[Decimal]] = {}
    recargo: dict[Decimal, list[Decimal]] = {}
    exempt: dict[str, Decimal] = {}
    boxed: dict[tuple[str, str, str], list] = {}  # boxes → [base, rate, quota]
    boxes: dict[str, Decimal] = {}
    for group in groups:
        base, amount, surcharge = (_money(group[name]) for name in ("base_sum", "amount_sum", "recargo_sum"))
        rate, recargo_rate = Decimal(group["rate"]), Decimal(group["recargo_rate"])
        treatment = _treatment(group["treatment"], rate)
        credit = group["invoice__kind"] == Invoice.Kind.CREDIT_NOTE
        if not treatment.charges_vat:
            exempt[treatment.code] = exempt.get(treatment.code, ZERO) + base
            continue
        totals = output.setdefault(round_money(rate), [ZERO, ZERO])
        totals[0] += base
        totals[1] += amount
        if credit:
            _add(boxes, "14", base)
            _add(boxes, "15", amount)
        else:
            numbers = OUTPUT_BOXES.get(rate)  # a rate the 303 has no line for is shown by rate only
            if numbers is not None:
                line = boxed.setdefault(numbers, [ZERO, rate, ZERO])
                line[0] += base
                line[2] += amount
        if recargo_rate or surcharge:
            totals = recargo.setdefault(round_money(recargo_rate), [ZERO, ZERO])
            totals[0] += base
            totals[1] += surcharge
            if credit:
                _add(boxes, "25", base)
                _add(boxes, "26", surcharge)
            else:
                numbers = RECARGO_BOXES.get(recargo_rate, OTHER_RECARGO_BOXES)
                line = boxed.setdefault(numbers, [ZERO, recargo_rate, ZERO])
                line[0] += base
                line[2] += surcharge

    summary.output = [
        RateLine(_("VAT %(rate)s %%") % {"rate": _rate_text(rate)}, base, rate, quota)
        for rate, (base, quota) in sorted(output.items(), reverse=True)
    ]
    summary.recargo = [
        RateLine(_("Surcharge %(rate)s %%") % {"rate": _rate_text(rate)}, base, rate, quota)
        for rate, (base, quota) in sorted(recargo.items(), reverse=True)
    ]

    deductible: dict[Decimal, list[Decimal]] = {}
    for group in purchases:
        exchange_rate = group["invoice__exchange_rate"]
        base, amount = _money(group["base_sum"]), _money(group["amount_sum"])
        if exchange_rate is not None:
            base, amount = round_money(base * exchange_rate), round_money(amount * exchange_rate)
        totals = deductible.setdefault(round_money(Decimal(group["rate"])), [ZERO, ZERO])
        totals[0] += base
        totals[1] += amount
    summary.deductible = [
        RateLine(_("VAT %(rate)s %%") % {"rate": _rate_text(rate)}, base, rate, quota, ("28", "", "29"))
        for rate, (base, quota) in sorted(deductible.items(), reverse=True)
    ]

    # The 303, in the form's order.
    for numbers, (base, rate, quota) in boxed.items():
        previous_rate = boxes.get(numbers[1])
        boxes[numbers[0]] = boxes.get(numbers[0], ZERO) + base
        boxes[numbers[1]] = rate if previous_rate is None or previous_rate == rate else ZERO
        boxes[numbers[2]] = boxes.get(numbers[2], ZERO) + quota
    boxes["27"] = sum((boxes.get(number, ZERO) for number in OUTPUT_QUOTA_BOXES), ZERO)
    boxes["28"] = sum((line.base for line in summary.deductible), ZERO)
    boxes["29"] = sum((line.quota for line in summary.deductible), ZERO)
    boxes["45"] = sum((boxes.get(number, ZERO) for number in DEDUCTIBLE_QUOTA_BOXES), ZERO)
    boxes["46"] = boxes["27"] - boxes["45"]
    boxes["59"] = sum((exempt.get(code, ZERO) for code in INTRA_EU), ZERO)
    boxes["60"] = sum((exempt.get(code, ZERO) for code in EXPORTS), ZERO)
    boxes["120"] = sum((exempt.get(code, ZERO) for code in NOT_SUBJECT), ZERO)
    boxes["64"] = boxes["46"]
    boxes["65"] = Decimal("100.00")
    boxes["66"] = round_money(boxes["64"] * boxes["65"] / HUNDRED)
    boxes["78"] = ZERO
    boxes["69"] = boxes["66"] - boxes["78"]
    boxes["71"] = boxes["69"]
    summary.boxes = {number: boxes[number] for number in BOX_ORDER if number in boxes}
    summary.lines_303 = [
        RateLine(
            str(LINE_LABELS[first]), boxes[numbers[0]], boxes[numbers[1]] if numbers[1] else None,
            boxes[numbers[2]], numbers,
        )
        for first, numbers in sorted(LINE_BOXES.items(), key=lambda item: BOX_ORDER.index(item[0]))
        if numbers[0] in boxes and first != "28"
    ]  # fmt: skip
    summary.exempt = [
        RateLine(_treatment_label(code), base, None, ZERO) for code, base in sorted(exempt.items()) if base
    ]
    return summary


BOX_ORDER = (
    "150", "151", "152", "165", "166", "167", "01", "02", "03", "153", "154", "155", "04", "05", "06",
    "07", "08", "09", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "156", "157", "158",
    "168", "169", "170", "25", "26", "27", "28", "29", "45", "46", "59", "60", "120", "64", "65", "66", "78",
    "69", "71",
)  # fmt: skip


def _rate_text(rate: Decimal) -> str:
    """A rate as the reader writes it: 21, 5,2 in Spanish, 5.2 in English."""
    return number(rate.normalize())


# The books


@dataclass(frozen=True)
class BookTotals:
    base: Decimal
    quota: Decimal
    recargo: Decimal
    total: Decimal


def issued_book(company: Company, date_from: Date, date_to: Date) -> QuerySet:
    """The issued invoices book: one row per posted invoice or credit note and VAT group, in number order
    within each series (dates follow it: numbers are given in date order). Each row is a dict; a page of it
    is one query, its count another."""
    return (
        _posted_customer_taxes(company, date_from, date_to)
        .order_by("invoice__date", "invoice__series", "invoice__sequence", "invoice_id", "-rate", "id")
        .values(
            "id", "invoice_id", "treatment", "rate", "recargo_rate", "base", "amount", "recargo",
            number=F("invoice__number"), date=F("invoice__date"), operation_date=F("invoice__operation_date"),
            invoice_kind=F("invoice__kind"), party_name=F("invoice__party_name"), party_tax_id=F("invoice__party_tax_id"),
        )
    )  # fmt: skip


def received_book(company: Company, date_from: Date, date_to: Date) -> QuerySet:
    """The received invoices book: one row per posted supplier invoice and VAT rate, in our reception number's
    order (given in date order), amounts in the invoice's currency with its exchange rate."""
    return (
        _posted_supplier_taxes(company, date_from, date_to)
        .order_by("invoice__date", "invoice__series", "invoice__sequence", "invoice_id", "-rate", "id")
        .values(
            "id", "invoice_id", "rate", "recargo_rate", "base", "amount", "recargo",
            number=F("invoice__number"), supplier_number=F("invoice__supplier_number"), date=F("invoice__date"),
            received_date=F("invoice__received_date"), party_name=F("invoice__party__name"),
            party_tax_id=F("invoice__party__tax_id"), currency=F("invoice__currency"),
            exchange_rate=F("invoice__exchange_rate"),
        )
    )  # fmt: skip


def issued_row(row: dict) -> dict:
    """A row of the issued book as shown: amounts rounded, its total, its treatment in words when it charges
    no VAT, the operation date only where it differs."""
    base, quota, recargo = _money(row["base"]), _money(row["amount"]), _money(row["recargo"])
    treatment = row["treatment"] or tax.DOMESTIC.code
    operation_date = row["operation_date"] if row["operation_date"] != row["date"] else None
    return {
        **row, "base": base, "amount": quota, "recargo": recargo, "total": base + quota + recargo,
        "rate": _money(row["rate"]), "recargo_rate": _money(row["recargo_rate"]), "operation_date": operation_date,
        "treatment_text": "" if treatment == tax.DOMESTIC.code else _treatment_label(treatment),
    }  # fmt: skip


def received_row(row: dict) -> dict:
    """A row of the received book as shown, in the company's currency (converted at the invoice's rate)."""
    rate = row["exchange_rate"]
    base, quota, recargo = (_money(row[name]) for name in ("base", "amount", "recargo"))
    if rate is not None:
        base, quota, recargo = (round_money(value * rate) for value in (base, quota, recargo))
    received = row["received_date"] if row["received_date"] != row["date"] else None
    return {
        **row, "base": base, "amount": quota, "recargo": recargo, "total": base + quota + recargo,
        "rate": _money(row["rate"]), "recargo_rate": _money(row["recargo_rate"]), "received_date": received,
    }  # fmt: skip


def issued_totals(company: Company, date_from: Date, date_to: Date) -> BookTotals:
    sums = _posted_customer_taxes(company, date_from, date_to).aggregate(
        base=Sum("base"), quota=Sum("amount"), recargo=Sum("recargo")
    )
    base, quota, recargo = (_money(sums[name]) for name in ("base", "quota", "recargo"))
    return BookTotals(base, quota, recargo, base + quota + recargo)


def received_totals(company: Company, date_from: Date, date_to: Date) -> BookTotals:
    """The received book's sums: in the company's currency, converted per (exchange rate) group; one query."""
    groups = (
        _posted_supplier_taxes(company, date_from, date_to)
        .values("invoice__exchange_rate")
        .annotate(base=Sum("base"), quota=Sum("amount"), recargo=Sum("recargo"))
        .order_by()
    )
    base = quota = recargo = ZERO
    for group in groups:
        rate = group["invoice__exchange_rate"] or Decimal(1)
        base += round_money(_money(group["base"]) * rate)
        quota += round_money(_money(group["quota"]) * rate)
        recargo += round_money(_money(group["recargo"]) * rate)
    return BookTotals(base, quota, recargo, base + quota + recargo)

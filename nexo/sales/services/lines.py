"""A draft quotation's lines: what was typed read into a line (an item or a free text, a quantity, a price
typed by hand, which locks it), and the services that add, change and delete one line."""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cached_property

from django.db import transaction
from django.utils.translation import gettext as _

from nexo.catalog.models import Item, TaxCategory
from nexo.core import plainsql
from nexo.core.errors import NotFound, ValidationFailed
from nexo.core.models import Company, User
from nexo.core.validation import decimal_of, quantity_of, record_id
from nexo.sales.models import Quotation, QuotationLine
from nexo.sales.services.common import editable_quotation, percent_of
from nexo.sales.services.pricing import price_and_cost, recompute

LINE_FIELDS = {"item_id", "description", "quantity", "unit_price", "discount", "tax_category_id"}
# A line without an item is taxed at this category unless another is chosen (the VAT most sales carry).
FREE_TEXT_TAX = "general"


def _price(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    price = decimal_of(value, field)
    if price < 0:
        raise ValidationFailed.on(field, _("The price cannot be negative."))
    if price >= Decimal("1e10") or price != price.quantize(Decimal("0.000001")):
        raise ValidationFailed.on(field, _("Use at most 6 decimals and 10 digits."))
    return price


def items_of(company: Company, lines: Sequence[Mapping]) -> dict[int, Item]:
    """The active items the lines name, in one query (an id not found is looked up, and refused, per line)."""
    ids = {record_id(str(line.get("item_id") or "")) for line in lines if isinstance(line, Mapping)}
    ids.discard(None)
    if not ids:
        return {}
    # Plain SQL: read on every quotation written, where the ORM's query building cost more than the read.
    where = plainsql.both(("company_id = %s AND is_active = %s", [company.pk, True]), plainsql.among("id", ids))
    return {item.pk: item for item in plainsql.select(Item, where, order_by=())}


class TaxChoices:
    """The company's tax categories, read once and only when a line needs them (a free-text line, a
    category chosen by hand): lines of items take their item's and cost no query."""

    def __init__(self, company: Company):
        self.company = company

    @cached_property
    def _categories(self) -> dict[int, str]:
        return dict(TaxCategory.objects.filter(company=self.company).values_list("id", "code"))

    def known(self, category_id: int | None) -> bool:
        return category_id is not None and category_id in self._categories

    def free_text_default(self) -> int | None:
        return next((pk for pk, code in self._categories.items() if code == FREE_TEXT_TAX), None)


def _tax_of(line: QuotationLine, data: Mapping, taxes: TaxChoices, prefix: str) -> None:
    """A category chosen for the line; none chosen: the item's, or the free-text default."""
    if data.get("tax_category_id") in (None, ""):
        if "tax_category_id" in data or (line.pk is None and line.item_id is None):
            line.tax_category_id = line.item.sale_tax_id if line.item_id else taxes.free_text_default()
        return
    chosen = record_id(str(data["tax_category_id"]))
    if not taxes.known(chosen):
        raise ValidationFailed.on(f"{prefix}.tax_category_id", _("Unknown tax category."))
    line.tax_category_id = chosen


def line_from(
    quotation: Quotation,
    position: int,
    data: Mapping,
    line: QuotationLine | None = None,
    *,
    items: Mapping[int, Item] | None = None,
    taxes: TaxChoices | None = None,
) -> QuotationLine:
    """A line from what was typed: an item or a free text, a quantity, a price typed by hand (locked)."""
    prefix = f"lines.{position - 1}"
    unknown = set(data) - LINE_FIELDS
    if unknown:
        raise ValidationFailed.on(f"{prefix}.{sorted(unknown)[0]}", _("Unknown field."))
    line = line or QuotationLine(quotation=quotation, position=position)
    if "item_id" in data or line.pk is None:
        item_id = data.get("item_id")
        item = None
        if item_id not in (None, ""):
            item = (items or {}).get(record_id(str(item_id))) or (
                Item.objects.filter(company=quotation.company, pk=item_id, is_active=True).first()
            )
            if item is None:
                raise ValidationFailed.on(f"{prefix}.item_id", _("Unknown item."))
        if item is not None and item.pk != line.item_id:
            line.item, line.tax_category_id, line.min_margin = item, item.sale_tax_id, item.min_margin
            line.costed_at = None  # a new item: price and cost it again
            if not data.get("description"):
                line.description = item.name
    if "description" in data:
        line.description = (data.get("description") or "").strip()[:300] or (
            line.item.name if line.item else ""
        )
    if "quantity" in data or line.pk is None:
        quantity = quantity_of(data.get("quantity"), f"{prefix}.quantity")
        if quantity != line.quantity:
            line.quantity, line.costed_at = quantity, None
    if "discount" in data:
        line.discount = percent_of(data.get("discount"), f"{prefix}.discount")
    _tax_of(line, data, taxes or TaxChoices(quotation.company), prefix)
    if "unit_price" in data:
        typed = _price(data.get("unit_price"), f"{prefix}.unit_price")
        line.unit_price, line.price_locked = (typed, True) if typed is not None else (line.unit_price, False)
    if line.item_id is None:
        if not line.description:
            raise ValidationFailed.on(
                f"{prefix}.description", _("A line without an item needs a description.")
            )
        if line.unit_price is None:
            raise ValidationFailed.on(f"{prefix}.unit_price", _("A line without an item needs a price."))
        line.price_locked = True
    if line.unit_price is None:
        line.unit_price = Decimal(0)  # priced by price_and_cost
    return line


def lines_from(quotation: Quotation, lines: Sequence[Mapping]) -> list[QuotationLine]:
    """New lines, numbered from 1, from what was typed for each: their items and the tax categories read
    once for all of them."""
    items, taxes = items_of(quotation.company, lines), TaxChoices(quotation.company)
    return [
        line_from(quotation, position, line, items=items, taxes=taxes)
        for position, line in enumerate(lines, start=1)
    ]


def _next_position(quotation: Quotation) -> int:
    last = quotation.lines.order_by("-position").values_list("position", flat=True).first()
    return (last or 0) + 1


def quotation_line_add(*, company: Company, by: User, quotation_id: int, **data) -> QuotationLine:
    """A line at the end of a draft, priced and costed; the draft locked while its totals are recomputed."""
    with transaction.atomic():
        quotation = editable_quotation(company, quotation_id)
        line = line_from(quotation, _next_position(quotation), data)
        line.save()
        lines = list(quotation.lines.all())
        price_and_cost(quotation, lines)
        quotation.updated_by = by
        recompute(quotation, lines)
        return next(current for current in lines if current.pk == line.pk)


def quotation_line_update(
    *, company: Company, by: User, quotation_id: int, line_id: int, **data
) -> QuotationLine:
    """Change one line; a new quantity re-prices it (unless its price is locked) and re-costs it."""
    with transaction.atomic():
        quotation = editable_quotation(company, quotation_id)
        lines = list(quotation.lines.all())
        line = next((current for current in lines if current.pk == line_id), None)
        if line is None:
            raise NotFound(_("No such line on this quotation."))
        line_from(quotation, line.position, data, line)
        price_and_cost(quotation, lines)
        quotation.updated_by = by
        recompute(quotation, lines)
        return line


def quotation_line_delete(*, company: Company, by: User, quotation_id: int, line_id: int) -> Quotation:
    """Delete one line of a draft; its totals are recomputed."""
    with transaction.atomic():
        quotation = editable_quotation(company, quotation_id)
        deleted, _detail = quotation.lines.filter(pk=line_id).delete()
        if not deleted:
            raise NotFound(_("No such line on this quotation."))
        quotation.updated_by = by
        recompute(quotation, list(quotation.lines.all()))
        return quotation

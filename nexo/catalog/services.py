"""Every change to the catalog: set-up of a company, units, categories, items, taxes, price lists, rules."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import ean

from nexo.catalog import pricing
from nexo.catalog.models import (
    CatalogSettings,
    Category,
    Item,
    PartyPricing,
    PriceList,
    PriceRule,
    TaxCategory,
    TaxRate,
    Unit,
    ValuationMethod,
)  # fmt: skip
from nexo.core import plainsql
from nexo.core.audit import audit_record, changed, snapshot
from nexo.core.errors import Forbidden, ValidationFailed
from nexo.core.models import AuditEntry, Company, User
from nexo.core.rules import fold
from nexo.core.validation import MAX_ID, assign, full_clean, locked
from nexo.parties.models import Party

SPANISH_TAXES = [  # code, name, rate %, equivalence surcharge % (IVA since 1 September 2012)
    ("general", "IVA general", Decimal("21"), Decimal("5.2")),
    ("reducido", "IVA reducido", Decimal("10"), Decimal("1.4")),
    ("superreducido", "IVA superreducido", Decimal("4"), Decimal("0.5")),
    ("exento", "Exento de IVA", Decimal("0"), Decimal("0")),
]
SPANISH_TAXES_FROM = date(2012, 9, 1)
UNITS = [("ud", "Unidad"), ("kg", "Kilogramo"), ("m", "Metro"), ("m2", "Metro cuadrado"), ("l", "Litro"),
         ("caja", "Caja"), ("rollo", "Rollo"), ("h", "Hora")]  # fmt: skip
ITEM_FIELDS = (
    "sku", "name", "description", "unit", "category", "kind", "sale_tax", "purchase_tax", "base_price",
    "standard_cost", "valuation_method", "min_margin", "barcode", "is_active", "irpf_rate", "vat_exemption",
)  # fmt: skip
ITEM_RELATIONS = ("unit", "category", "sale_tax", "purchase_tax")
PRICE_LIST_FIELDS = ("name", "currency", "valid_from", "valid_to", "tax_included", "is_active")
RULE_FIELDS = (
    "scope", "item", "category", "min_quantity", "date_from", "date_to", "method", "value", "base_list",
    "rounding", "margin_floor",
)  # fmt: skip


def catalog_setup(*, company: Company) -> CatalogSettings:
    """Units, the Spanish VAT categories with their rates, a general price list and the company defaults."""
    with transaction.atomic():
        settings, _created = CatalogSettings.objects.get_or_create(company=company)
        for code, name in UNITS:
            Unit.objects.get_or_create(company=company, code=code, defaults={"name": name})
        for code, name, rate, surcharge in SPANISH_TAXES:
            category, _created = TaxCategory.objects.get_or_create(
                company=company, code=code, defaults={"name": name}
            )
            TaxRate.objects.get_or_create(
                tax_category=category,
                valid_from=SPANISH_TAXES_FROM,
                defaults={"rate": rate, "surcharge": surcharge},
            )
        if settings.default_price_list_id is None:
            settings.default_price_list, _created = PriceList.objects.get_or_create(
                company=company, name="PVP", defaults={"currency": company.currency}
            )
            settings.save(update_fields=["default_price_list"])
        return settings


def settings_of(company: Company) -> CatalogSettings:
    # Plain SQL: read on every item created, where the ORM's query building cost more than the read.
    found = plainsql.select(CatalogSettings, ("company_id = %s", [company.pk]), limit=1)
    return found[0] if found else catalog_setup(company=company)


# Records of this company given by id


def _of_company(model, company: Company, value, field: str):
    if value is None or isinstance(value, model):
        if value is not None and value.company_id != company.pk:
            raise ValidationFailed.on(field, _("Unknown %(what)s.") % {"what": model._meta.verbose_name})
        return value
    try:
        found = plainsql.select(model, ("company_id = %s AND id = %s", [company.pk, int(value)]), order_by=())
    except (TypeError, ValueError, OverflowError):
        found = []  # not an id at all
    record = found[0] if found else None
    if record is None:
        raise ValidationFailed.on(field, _("Unknown %(what)s.") % {"what": model._meta.verbose_name})
    return record


RELATIONS = {
    "unit": Unit, "category": Category, "sale_tax": TaxCategory, "purchase_tax": TaxCategory,
    "item": Item, "base_list": PriceList,
}  # fmt: skip


def _resolve(company: Company, fields: dict, read: dict | None = None) -> dict:
    """`unit_id=3` or `unit=<Unit>` → the company's record; an unknown one is a field error. `read` holds
    records already read by (model, id), None for an id the company does not have."""
    resolved, read = {}, dict(read or {})
    for name, value in fields.items():
        relation = name.removesuffix("_id")
        if relation in RELATIONS:
            key = (RELATIONS[relation], value if isinstance(value, int) else None)
            if key[1] is None or key not in read:  # the sale and purchase taxes are often one category
                read[key] = _of_company(RELATIONS[relation], company, value, relation)
            elif read[key] is None:
                raise ValidationFailed.on(
                    relation, _("Unknown %(what)s.") % {"what": RELATIONS[relation]._meta.verbose_name}
                )
            resolved[relation] = read[key]
        else:
            resolved[name] = value
    return resolved


# Categories


def _category_save(category: Category) -> Category:
    full_clean(category, exclude=["path", "full_name"])
    parent_name = category.parent.full_name if category.parent else ""
    if len(parent_name) + len(category.name) + 3 > 450 or (
        category.parent and len(category.parent.path) > 450
    ):
        raise ValidationFailed.on("name", _("The category tree is too deep or its names too long here."))
    duplicate = Category.objects.filter(
        company_id=category.company_id, parent=category.parent, name__iexact=category.name
    )
    if duplicate.exclude(pk=category.pk).exists():
        raise ValidationFailed.on("name", _("There is already a category with this name here."))
    category.save()
    _refresh_paths(category)
    return category


def _refresh_paths(category: Category) -> None:
    """Recompute the path and full name of a category and of its whole subtree."""
    parent = category.parent
    category.path = f"{parent.path if parent else '/'}{category.pk}/"
    category.full_name = f"{parent.full_name} / {category.name}" if parent else category.name
    Category.objects.filter(pk=category.pk).update(path=category.path, full_name=category.full_name)
    for child in Category.objects.filter(parent=category):
        child.parent = category
        _refresh_paths(child)


def category_create(*, company: Company, by: User, name: str, parent_id: int | None = None) -> Category:
    with transaction.atomic():
        category = Category(company=company, created_by=by, updated_by=by, path="/", full_name=name)
        assign(category, {"name": name}, ("name",))
        category.parent = _of_company(Category, company, parent_id, "parent")
        return _category_save(category)


def category_update(*, company: Company, category_id: int, by: User, **fields) -> Category:
    with transaction.atomic():
        category = locked(Category, company=company, pk=category_id, missing=_("No such category."))
        if "parent_id" in fields or "parent" in fields:
            parent = _of_company(
                Category, company, fields.pop("parent_id", fields.pop("parent", None)), "parent"
            )
            if parent is not None and (parent.pk == category.pk or parent.path.startswith(category.path)):
                raise ValidationFailed.on("parent", _("A category cannot be inside itself."))
            category.parent = parent
        assign(category, fields, ("name",))
        category.updated_by = by
        return _category_save(category)


# Items


PRICE_PERMISSION = "catalog.change_item_price"
# What a price decision sets (every list price follows the base price; costs and margin floors price too).
PRICE_FIELDS = ("base_price", "standard_cost", "min_margin", "sale_tax")
ITEM_EDITING = ("catalog.add_item", "catalog.change_item")
LOGISTICS_PERMISSION = "catalog.change_item"
# What catalog.change_item covers: every field of an item that is not a price.
LOGISTIC_FIELDS = tuple(name for name in ITEM_FIELDS if name not in PRICE_FIELDS)


def _prices(item: Item) -> dict:
    return _values(item, PRICE_FIELDS)


def _values(item: Item, names: tuple[str, ...]) -> dict:
    return {name: getattr(item, Item._meta.get_field(name).attname) for name in names}


def _refuse_logistic_change(by: User | None, item: Item, before: dict) -> None:
    """A user who may change prices (`catalog.change_item_price`) but not the rest of an item
    (`catalog.change_item`) changes only its prices (Forbidden, 403, naming the other fields touched)."""
    if by is None or not by.is_authenticated or by.has_perm(LOGISTICS_PERMISSION):
        return
    if not by.has_perm(PRICE_PERMISSION):
        return  # the doors check who may edit items at all
    after = _values(item, LOGISTIC_FIELDS)
    names = [name for name in before if not _same(before[name], after[name])]
    if names:
        raise Forbidden(
            _("You may change only the item's prices, not %(fields)s: ask someone who manages items.")
            % {"fields": ", ".join(str(Item._meta.get_field(name).verbose_name) for name in names)}
        )


def _same(old, new) -> bool:
    if old == new:
        return True
    try:
        return Decimal(str(old)) == Decimal(str(new))
    except (ArithmeticError, ValueError, TypeError):
        return False


def _refuse_price_change(by: User | None, item: Item, before: dict) -> None:
    """A user who edits items (the logistic fields) without `catalog.change_item_price` changes no price
    field (Forbidden, 403). `before` holds the prices as they were, or a new item's defaults (a new item
    also takes a sale tax: it needs one). Callers that are not such a user (commands run without a user,
    loaders, price holders) are not limited here: the doors check who may edit items at all."""
    if by is None or not by.is_authenticated or by.has_perm(PRICE_PERMISSION):
        return
    if not any(by.has_perm(perm) for perm in ITEM_EDITING):
        return
    after = _prices(item)
    names = [name for name in before if not _same(before[name], after[name])]
    if names:
        raise Forbidden(
            _("You may not change prices (%(fields)s): ask someone who manages prices.")
            % {"fields": ", ".join(str(Item._meta.get_field(name).verbose_name) for name in names)}
        )


def _validated_item(item: Item, *, sku_checked: bool = False, sku_taken: dict | None = None) -> None:
    """`sku_taken` maps SKUs already looked up to whether another item of the company has them."""
    errors: dict[str, list[str]] = {}
    try:
        # Unit, category and taxes were resolved to this company's records already: no query per field here.
        full_clean(item, exclude=["search_text", *ITEM_RELATIONS])
    except ValidationFailed as failure:
        errors.update(failure.field_messages())
    for name in ("unit", "sale_tax", "purchase_tax"):
        if getattr(item, f"{name}_id") is None:
            errors.setdefault(name, []).append(_("This field is required."))
    if item.barcode and "barcode" not in errors:
        try:
            item.barcode = ean.validate(item.barcode)
        except ean.ValidationError:
            errors["barcode"] = [_("This is not a valid EAN barcode: check its digits.")]
    known = (sku_taken or {}).get(item.sku)
    if item.sku and not sku_checked and (known if known is not None else _sku_taken(item)):
        errors["sku"] = [_("Another item already has this SKU.")]
    if errors:
        raise ValidationFailed.from_fields(errors)


def _sku_taken(item: Item) -> bool:
    """Another item of the company has this SKU, whatever the case (ASCII case on SQLite, as iexact)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM catalog_item WHERE company_id = %s AND UPPER(sku) = UPPER(%s) AND id <> %s LIMIT 1",
            [item.company_id, item.sku, item.pk or 0],
        )
        return cursor.fetchone() is not None


def _audited_save(item: Item, before: dict, by: User) -> Item:
    _save_item(item)
    audit_record(
        instance=item,
        company_id=item.company_id,
        by=by,
        changes=changed(before, snapshot(item, ITEM_FIELDS)),
        action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE,
    )
    return item


def _search_text(item: Item) -> str:
    return fold(" ".join(part for part in (item.sku, item.name, item.barcode) if part))


def _save_item(item: Item) -> Item:
    item.search_text = _search_text(item)
    try:
        if item._state.adding:
            # No savepoint of its own: a SKU taken meanwhile fails item_create's transaction, which the
            # error then leaves (rolled back), as every caller of _save_item is inside one.
            plainsql.insert(Item, [item])
        else:
            with transaction.atomic():
                item.save()
    except IntegrityError as error:
        raise ValidationFailed.on("sku", _("Another item already has this SKU.")) from error
    return item


def _new_item(
    company: Company, by: User | None, settings: CatalogSettings, fields: dict, read: dict | None = None
) -> Item:
    fields = _resolve(company, fields, read)
    item = Item(
        company=company,
        created_by=by,
        updated_by=by,
        valuation_method=settings.default_valuation_method,
        min_margin=settings.default_min_margin,
    )
    for name in ("valuation_method", "min_margin"):
        if fields.get(name) in (None, ""):
            fields.pop(name, None)  # the company default
    assign(item, fields, ITEM_FIELDS)
    return item


def _new_item_checked(
    company: Company, by: User | None, settings: CatalogSettings, fields: dict, read: dict | None = None
) -> Item:
    item = _new_item(company, by, settings, fields, read)
    defaults = {"base_price": Decimal(0), "standard_cost": None, "min_margin": settings.default_min_margin}
    _refuse_price_change(by, item, defaults)
    return item


def _creation_reads(company: Company, fields: dict) -> tuple[CatalogSettings | None, dict, dict]:
    """What creating an item reads, in one statement: the company's catalog settings, the records named by
    id (unit, category, taxes) as `_resolve` reads them, and whether another item has the SKU as given."""
    wanted = {}
    for name, value in fields.items():
        model = RELATIONS.get(name.removesuffix("_id"))
        if model is not None and type(value) is int and 0 < value <= MAX_ID:
            wanted.setdefault((model, value), f"r{len(wanted)}")
    sku = fields.get("sku")
    sku = sku.strip() if isinstance(sku, str) else None
    selected = [plainsql.columns(CatalogSettings, "s")]
    joins, params = [], []
    if sku:
        selected.append(
            "EXISTS (SELECT 1 FROM catalog_item WHERE company_id = %s AND UPPER(sku) = UPPER(%s))"
        )
        params += [company.pk, sku]
    joins.append(f"LEFT JOIN {plainsql.quoted(CatalogSettings._meta.db_table)} s ON s.company_id = %s")
    params.append(company.pk)
    for (model, pk), alias in wanted.items():
        selected.append(plainsql.columns(model, alias))
        joins.append(
            f"LEFT JOIN {plainsql.quoted(model._meta.db_table)} {alias} "
            f"ON {alias}.company_id = %s AND {alias}.id = %s"
        )
        params += [company.pk, pk]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(selected)} FROM (SELECT 1 AS one) one {' '.join(joins)}", params)  # noqa: S608 (names from the models)
        row = cursor.fetchone()
    width = len(CatalogSettings._meta.concrete_fields)
    settings = plainsql.from_row(CatalogSettings, row[:width]) if row[0] is not None else None
    position, taken = width, {}
    if sku:
        taken[sku] = bool(row[position])
        position += 1
    read = {}
    for model, pk in wanted:
        size = len(model._meta.concrete_fields)
        values = row[position : position + size]
        read[(model, pk)] = plainsql.from_row(model, values) if values[0] is not None else None
        position += size
    return settings, read, taken


def item_create(*, company: Company, by: User, **fields) -> Item:
    """A new item; a user who edits items without the price permission leaves its prices at the defaults."""
    with transaction.atomic():
        # One read for the settings, the related records and the SKU (each its own query cost more).
        settings, read, sku_taken = _creation_reads(company, fields)
        item = _new_item_checked(company, by, settings or catalog_setup(company=company), fields, read)
        _validated_item(item, sku_taken=sku_taken)
        return _audited_save(item, {}, by)


def item_update(*, company: Company, item_id: int, by: User, **fields) -> Item:
    """Change an item (row-locked); price fields only with `catalog.change_item_price`, the others only with
    `catalog.change_item` (else 403)."""
    with transaction.atomic():
        item = locked(Item, company=company, pk=item_id, missing=_("No such item."))
        before, prices = snapshot(item, ITEM_FIELDS), _prices(item)
        logistics = _values(item, LOGISTIC_FIELDS)
        assign(item, _resolve(company, fields), ITEM_FIELDS)
        item.updated_by = by
        _refuse_price_change(by, item, prices)
        _refuse_logistic_change(by, item, logistics)
        _validated_item(item)
        return _audited_save(item, before, by)


# Items in bulk (imports): every row checked first, then all written at once


@dataclass
class ItemChange:
    """An item checked and ready to write: new (`before` empty) or an existing one with the fields set."""

    item: Item
    before: dict
    fields: frozenset[str]


def item_checked(
    *, company: Company, by: User | None, fields: dict, item: Item | None, settings: CatalogSettings
) -> ItemChange:
    """What item_create (item None) or item_update would do to `item`, checked as they check it, without
    writing. The caller vouches that the SKU is nobody else's (an import knows every SKU): no query."""
    if item is None:
        item = _new_item_checked(company, by, settings, fields)
        before = {}
    else:
        before, prices = snapshot(item, ITEM_FIELDS), _prices(item)
        assign(item, _resolve(company, fields), ITEM_FIELDS)
        item.updated_by = by
        _refuse_price_change(by, item, prices)
    _validated_item(item, sku_checked=True)
    item.search_text = _search_text(item)
    names = {name.removesuffix("_id") for name in fields}
    return ItemChange(item, before, frozenset(names | {"search_text", "updated_by", "updated_at"}))


def items_write(*, company: Company, by: User | None, changes: list[ItemChange]) -> None:
    """Write checked items in one transaction: the new ones inserted, the others updated in the fields
    their row set, and an audit entry for each. A SKU taken meanwhile by another user is a `sku` error and
    nothing is written. No row locks: the items were read before, outside the transaction, and each keeps
    the fields its row did not set as they are now.

    The statements are sent with executemany, without building a model query per row: the ORM's bulk
    methods spent most of a large import's time compiling SQL (30,000 rows must take seconds)."""
    now = timezone.now()
    user = by if by is not None and by.is_authenticated else None
    new = [change.item for change in changes if not change.before]
    for item in new:
        item.created_at = item.updated_at = now
    updated: dict[frozenset[str], list[Item]] = {}
    for change in changes:
        if change.before:
            change.item.updated_at = now
            updated.setdefault(change.fields, []).append(change.item)
    try:
        with transaction.atomic(savepoint=False):
            # No savepoint: alone this is the transaction; inside a caller's, a failure rolls back the caller's.
            _insert_many(Item, new)
            if new:
                skus = {item.sku for item in new}
                ids = Item.objects.filter(company=company).values_list("sku", "pk")
                pks = {sku: pk for sku, pk in ids.iterator(chunk_size=5000) if sku in skus}
                for item in new:
                    item.pk = pks[item.sku]
            for fields, items in updated.items():
                _update_many(Item, items, sorted(fields))
            content_type = ContentType.objects.get_for_model(Item)
            entries = []
            for change in changes:
                differences = changed(change.before, snapshot(change.item, ITEM_FIELDS))
                if differences or not change.before:
                    entries.append(
                        AuditEntry(
                            company_id=company.pk,
                            content_type=content_type,
                            object_id=change.item.pk,
                            object_repr=str(change.item)[:200],
                            changes=differences,
                            user=user,
                            action=AuditEntry.Action.UPDATE if change.before else AuditEntry.Action.CREATE,
                            at=now,
                        )
                    )
            _insert_many(AuditEntry, entries)
    except IntegrityError as error:
        raise ValidationFailed.on("sku", _("Another item already has this SKU.")) from error


def _insert_many(model, records: list) -> None:
    """INSERT every record (their primary keys are not read back), one statement run many times."""
    if not records:
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    # Table and column names come from the model's metadata, quoted; values are parameters.
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = [[field.get_db_prep_save(getattr(record, field.attname), connection) for field in fields]
            for record in records]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _update_many(model, records: list, names: list[str]) -> None:
    """UPDATE the named fields of every record by primary key, one statement run many times."""
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {columns} "  # noqa: S608 (names from the model, quoted)
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    rows = [[*(field.get_db_prep_save(getattr(record, field.attname), connection) for field in fields), record.pk]
            for record in records]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


# Taxes


def tax_rate_add(
    *,
    company: Company,
    tax_category_id: int,
    valid_from: date,
    rate: Decimal,
    surcharge: Decimal = Decimal(0),
) -> TaxRate:
    """A new rate from a date on (a rate change); earlier documents keep the rate of their date."""
    with transaction.atomic():
        category = locked(
            TaxCategory, company=company, pk=tax_category_id, missing=_("No such tax category.")
        )
        tax_rate = TaxRate(tax_category=category, valid_from=valid_from, rate=rate, surcharge=surcharge)
        full_clean(tax_rate)
        if TaxRate.objects.filter(tax_category=category, valid_from=valid_from).exists():
            raise ValidationFailed.on("valid_from", _("This tax already has a rate from that date."))
        tax_rate.save()
        return tax_rate


# Price lists and rules


def _validated_price_list(price_list: PriceList) -> None:
    full_clean(price_list)
    if price_list.valid_from and price_list.valid_to and price_list.valid_to < price_list.valid_from:
        raise ValidationFailed.on("valid_to", _("The end date is before the start date."))
    same_name = PriceList.objects.filter(company_id=price_list.company_id, name__iexact=price_list.name)
    if same_name.exclude(pk=price_list.pk).exists():
        raise ValidationFailed.on("name", _("There is already a price list with this name."))


def price_list_create(*, company: Company, by: User, **fields) -> PriceList:
    with transaction.atomic():
        price_list = PriceList(company=company, currency=company.currency, created_by=by, updated_by=by)
        assign(price_list, fields, PRICE_LIST_FIELDS)
        _validated_price_list(price_list)
        price_list.save()
        return price_list


def price_list_update(*, company: Company, price_list_id: int, by: User, **fields) -> PriceList:
    with transaction.atomic():
        price_list = locked(PriceList, company=company, pk=price_list_id, missing=_("No such price list."))
        assign(price_list, fields, PRICE_LIST_FIELDS)
        price_list.updated_by = by
        _validated_price_list(price_list)
        price_list.save()
        return price_list


def price_list_set_default(*, company: Company, price_list_id: int | None) -> CatalogSettings:
    with transaction.atomic():
        settings = settings_of(company)
        settings.default_price_list = _of_company(PriceList, company, price_list_id, "price_list")
        settings.save(update_fields=["default_price_list"])
        return settings


def _validated_rule(rule: PriceRule) -> None:
    errors: dict[str, list[str]] = {}
    try:
        full_clean(rule, exclude=["price_list"])
    except ValidationFailed as failure:
        errors.update(failure.field_messages())
    if rule.min_quantity is not None and rule.min_quantity <= 0:
        errors.setdefault("min_quantity", []).append(_("The minimum quantity must be above zero."))
    discount = rule.method in (PriceRule.Method.DISCOUNT_BASE, PriceRule.Method.DISCOUNT_LIST)
    if discount and rule.value is not None and rule.value > 100:
        errors.setdefault("value", []).append(_("A discount cannot be over 100 %."))
    if rule.scope == PriceRule.Scope.ITEM and rule.item is None:
        errors.setdefault("item", []).append(_("Choose the item this rule prices."))
    if rule.scope == PriceRule.Scope.CATEGORY and rule.category is None:
        errors.setdefault("category", []).append(_("Choose the category this rule prices."))
    if rule.scope not in PriceRule.Scope.values:
        errors.setdefault("scope", []).append(_("A rule applies to one item, one category or all items."))
    if rule.method == PriceRule.Method.DISCOUNT_LIST and rule.base_list is None:
        errors.setdefault("base_list", []).append(_("Choose the price list this discount applies to."))
    if rule.rounding is not None and rule.rounding <= 0:
        errors.setdefault("rounding", []).append(_("Round to a positive step, e.g. 0.05."))
    if rule.date_from and rule.date_to and rule.date_to < rule.date_from:
        errors.setdefault("date_to", []).append(_("The end date is before the start date."))
    if errors:
        raise ValidationFailed.from_fields(errors)
    # Only what the scope uses is kept, so the database constraint always holds.
    if rule.scope != PriceRule.Scope.ITEM:
        rule.item = None
    if rule.scope != PriceRule.Scope.CATEGORY:
        rule.category = None
    if rule.method != PriceRule.Method.DISCOUNT_LIST:
        rule.base_list = None
    else:
        _refuse_loop(rule)


def _refuse_loop(rule: PriceRule) -> None:
    based_on: dict[int, set[int]] = {}
    rows = PriceRule.objects.filter(company_id=rule.company_id, method=PriceRule.Method.DISCOUNT_LIST)
    for list_id, base_id in rows.exclude(pk=rule.pk).values_list("price_list_id", "base_list_id"):
        based_on.setdefault(list_id, set()).add(base_id)
    based_on.setdefault(rule.price_list_id, set()).add(rule.base_list_id)
    chain = pricing.loop_through(rule.price_list_id, based_on)
    if chain is not None:
        names = dict(PriceList.objects.filter(pk__in=chain).values_list("pk", "name"))
        raise ValidationFailed.on(
            "base_list",
            _("This would base the price list on itself: %(chain)s.")
            % {"chain": " → ".join(names[pk] for pk in chain)},
        )


def price_rule_create(*, company: Company, price_list_id: int, by: User, **fields) -> PriceRule:
    with transaction.atomic():
        price_list = locked(PriceList, company=company, pk=price_list_id, missing=_("No such price list."))
        rule = PriceRule(company=company, price_list=price_list, created_by=by, updated_by=by)
        assign(rule, _resolve(company, fields), RULE_FIELDS)
        _validated_rule(rule)
        rule.save()
        return rule


def price_rule_update(*, company: Company, rule_id: int, by: User, **fields) -> PriceRule:
    with transaction.atomic():
        rule = locked(PriceRule, company=company, pk=rule_id, missing=_("No such price rule."))
        assign(rule, _resolve(company, fields), RULE_FIELDS)
        rule.updated_by = by
        _validated_rule(rule)
        rule.save()
        return rule


def price_rule_delete(*, company: Company, rule_id: int) -> None:
    with transaction.atomic():
        locked(PriceRule, company=company, pk=rule_id, missing=_("No such price rule.")).delete()


def party_price_list_set(*, company: Company, party_id: int, price_list_id: int | None) -> None:
    """A customer's own price list; None: the company default again."""
    with transaction.atomic():
        party = locked(Party, company=company, pk=party_id, missing=_("No such party."))
        if price_list_id is None:
            PartyPricing.objects.filter(party=party).delete()
            return
        price_list = _of_company(PriceList, company, price_list_id, "price_list")
        PartyPricing.objects.update_or_create(party=party, defaults={"price_list": price_list})


VALUATION_METHODS = ValuationMethod.values

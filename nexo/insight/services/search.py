"""The global search: one box that finds parties (name, trade name, tax id, e-mail, city), items (SKU, name,
barcode), opportunities (title) and documents by their number (quotations, sales orders, delivery notes,
invoices and credit notes, supplier invoices — ours or the supplier's number —, purchase orders, payments).

Parties and items are matched on the folded text their modules keep for their own lists (case and accents
ignored, each word somewhere); a tax id is matched too as it is typed on paper: spaces, dashes and dots
ignored, with or without the ES prefix. Opportunities and numbers are matched ignoring case. Only the kinds
the user may see are searched, through the modules' visibility rules (a salesperson finds their own
opportunities, quotations and orders), always within the user's company.

One query per kind, each cut to `limit_per_kind` + 1 rows (the extra one says there are more, and the group
then links to its module's list with the same words). A text shorter than MIN_LENGTH finds nothing; one longer
than MAX_LENGTH, or with control characters, is refused (ValidationFailed, a 422)."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.catalog.models import Item
from nexo.core.errors import ValidationFailed
from nexo.core.listing import MAX_QUERY_LENGTH
from nexo.core.models import Company, User
from nexo.core.rules import fold
from nexo.crm.models import Opportunity
from nexo.crm.queries import opportunities_visible_to
from nexo.invoicing.models import Invoice, SupplierInvoice
from nexo.parties.models import Party
from nexo.parties.queries import party_search
from nexo.payments.models import Payment
from nexo.purchasing.models import PurchaseOrder
from nexo.sales.models import Delivery, Quotation, SalesOrder
from nexo.sales.queries import deliveries_visible_to, orders_visible_to, quotations_visible_to

MIN_LENGTH = 2
MAX_LENGTH = MAX_QUERY_LENGTH
DEFAULT_LIMIT = 8
MAX_LIMIT = 50
# C0 and C1 control characters (tab and line breaks too: a search box holds one line).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")

PARTY, ITEM, OPPORTUNITY, QUOTATION, ORDER, DELIVERY, INVOICE, SUPPLIER_INVOICE, PURCHASE_ORDER, PAYMENT = (
    "party", "item", "opportunity", "quotation", "order", "delivery", "invoice", "supplier_invoice",
    "purchase_order", "payment",
)  # fmt: skip
KIND_LABELS = {
    PARTY: gettext_lazy("Parties"), ITEM: gettext_lazy("Items"), OPPORTUNITY: gettext_lazy("Opportunities"),
    QUOTATION: gettext_lazy("Quotations"), ORDER: gettext_lazy("Sales orders"),
    DELIVERY: gettext_lazy("Delivery notes"), INVOICE: gettext_lazy("Invoices and credit notes"),
    SUPPLIER_INVOICE: gettext_lazy("Supplier invoices"), PURCHASE_ORDER: gettext_lazy("Purchase orders"),
    PAYMENT: gettext_lazy("Payments"),
}  # fmt: skip


@dataclass(frozen=True)
class Hit:
    kind: str
    record_id: int
    title: str
    subtitle: str
    url: str


@dataclass(frozen=True)
class Group:
    """The hits of one kind, at most the limit asked; `more_url`: its module's list with the same words, when
    there are more."""

    kind: str
    hits: tuple[Hit, ...]
    more_url: str | None = None

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


@dataclass(frozen=True)
class SearchResults:
    text: str
    groups: tuple[Group, ...]  # the kinds with hits, in KINDS order
    searched: bool  # False: too short to search

    @property
    def count(self) -> int:
        return sum(len(group.hits) for group in self.groups)


def clean_text(text: str | None) -> str:
    """The words typed, spaces collapsed; refused when too long or holding control characters."""
    text = text or ""
    if len(text) > MAX_LENGTH * 4:  # refused before any work on it
        raise ValidationFailed.on("q", _("Type at most %(count)s characters.") % {"count": MAX_LENGTH})
    if CONTROL_CHARACTERS.search(text):
        raise ValidationFailed.on("q", _("Type letters, digits and punctuation only."))
    text = " ".join(text.split())
    if len(text) > MAX_LENGTH:
        raise ValidationFailed.on("q", _("Type at most %(count)s characters.") % {"count": MAX_LENGTH})
    return text


def tax_id_text(text: str) -> str:
    """A tax id as the parties keep it, from the way it is typed: letters and digits only, upper case, without
    the ES prefix (a Spanish party's NIF and its ES VAT number are the same id)."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    return compact[2:] if compact.startswith("ES") and len(compact) > 2 else compact


def _words(text: str, condition: Callable[[str], Q]) -> Q:
    found = Q()
    for word in text.split():
        found &= condition(word)
    return found


def _subtitle(*parts) -> str:
    return " · ".join(str(part) for part in parts if part)


def _day(value) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


@dataclass(frozen=True)
class Searcher:
    """How one kind is searched: who may, among which rows, on what, which columns it reads and in which
    order, how a row reads as a hit, and the list page that shows more."""

    permission: str
    rows: Callable[[User | None, Company], QuerySet]
    condition: Callable[[str], Q | None]  # None: nothing of this kind can match the text
    fields: tuple[str, ...]
    ordering: tuple[str, ...]
    hit: Callable[[dict], tuple[str, str, str]]  # title, subtitle, url
    list_url: str


def _party_condition(text: str) -> Q:
    condition = _words(text, party_search)
    tax_id = tax_id_text(text)
    if len(tax_id) >= 3 and any(ch.isdigit() for ch in tax_id):
        condition |= Q(tax_id__icontains=tax_id)
    return condition


def _item_condition(text: str) -> Q:
    return _words(text, lambda word: Q(search_text__contains=fold(word)))


def _number_condition(*fields: str) -> Callable[[str], Q | None]:
    """A document found by its number: the text as one piece (numbers hold no spaces)."""

    def condition(text: str) -> Q | None:
        if " " in text:
            return None
        found = Q()
        for name in fields:
            found |= Q(**{f"{name}__icontains": text})
        return found

    return condition


def _visible(model, visible_to) -> Callable[[User | None, Company], QuerySet]:
    """The company's records the user may see (`visible_to`, the owning module's rule); all of them without
    a user."""

    def rows(user: User | None, company: Company) -> QuerySet:
        return model.objects.filter(company=company) if user is None else visible_to(user, company)

    return rows


def _company_rows(model) -> Callable[[User | None, Company], QuerySet]:
    return lambda user, company: model.objects.filter(company=company)


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value))


def _party_hit(row: dict) -> tuple[str, str, str]:
    return row["name"], _subtitle(row["tax_id"], row["city"]), reverse("parties:party_view", args=[row["pk"]])


def _item_hit(row: dict) -> tuple[str, str, str]:
    return f"{row['sku']} · {row['name']}", "", reverse("catalog:item_view", args=[row["pk"]])


def _opportunity_hit(row: dict) -> tuple[str, str, str]:
    subtitle = _subtitle(row["party__name"], row["stage__name"])
    return row["title"], subtitle, reverse("crm:opportunity_view", args=[row["pk"]])


def _document_hit(
    url_name: str, states, party: str = "party__name"
) -> Callable[[dict], tuple[str, str, str]]:
    """A document's number, then its party, date and state."""

    def hit(row: dict) -> tuple[str, str, str]:
        number = row["number"]
        if row.get("version", 1) > 1:
            number = f"{number} v{row['version']}"
        if row.get("supplier_number"):
            number = f"{number} ({row['supplier_number']})" if number else row["supplier_number"]
        subtitle = _subtitle(row[party], _day(row["date"]), _label(states, row["state"]))
        return number, subtitle, reverse(url_name, args=[row["pk"]])

    return hit


DOCUMENT_FIELDS = ("pk", "number", "party__name", "date", "state")
NEWEST = ("-date", "-pk")

SEARCHERS: dict[str, Searcher] = {
    PARTY: Searcher(
        "parties.view_party", _company_rows(Party), _party_condition, ("pk", "name", "tax_id", "city"),
        ("name", "pk"), _party_hit, "parties:party_list",
    ),
    ITEM: Searcher(
        "catalog.view_item", _company_rows(Item), _item_condition, ("pk", "sku", "name"), ("sku", "pk"), _item_hit,
        "catalog:item_list",
    ),
    OPPORTUNITY: Searcher(
        "crm.view_opportunity", _visible(Opportunity, opportunities_visible_to),
        lambda text: _words(text, lambda word: Q(title__icontains=word)),
        ("pk", "title", "party__name", "stage__name"), ("-created_at", "-pk"), _opportunity_hit,
        "crm:opportunity_list",
    ),
    QUOTATION: Searcher(
        "sales.view_quotation", _visible(Quotation, quotations_visible_to), _number_condition("number"),
        (*DOCUMENT_FIELDS, "version"), NEWEST, _document_hit("sales:quotation_view", Quotation.State.choices),
        "sales:quotation_list",
    ),
    ORDER: Searcher(
        "sales.view_salesorder", _visible(SalesOrder, orders_visible_to), _number_condition("number"),
        DOCUMENT_FIELDS, NEWEST, _document_hit("sales:order_view", SalesOrder.State.choices), "sales:order_list",
    ),
    DELIVERY: Searcher(
        "sales.view_delivery", _visible(Delivery, deliveries_visible_to), _number_condition("number"),
        DOCUMENT_FIELDS, NEWEST, _document_hit("sales:delivery_view", Delivery.State.choices),
        "sales:delivery_list",
    ),
    INVOICE: Searcher(
        "invoicing.view_invoice", _company_rows(Invoice), _number_condition("number"), DOCUMENT_FIELDS, NEWEST,
        _document_hit("invoicing:invoice_view", Invoice.State.choices), "invoicing:invoice_list",
    ),
    SUPPLIER_INVOICE: Searcher(
        "invoicing.view_supplierinvoice", _company_rows(SupplierInvoice),
        _number_condition("number", "supplier_number"), (*DOCUMENT_FIELDS, "supplier_number"), NEWEST,
        _document_hit("invoicing:supplier_invoice_view", SupplierInvoice.State.choices),
        "invoicing:supplier_invoice_list",
    ),
    PURCHASE_ORDER: Searcher(
        "purchasing.view_purchaseorder", _company_rows(PurchaseOrder), _number_condition("number"),
        ("pk", "number", "supplier__name", "date", "state"), NEWEST,
        _document_hit("purchasing:order_view", PurchaseOrder.State.choices, party="supplier__name"),
        "purchasing:order_list",
    ),
    PAYMENT: Searcher(
        "payments.view_payment", _company_rows(Payment), _number_condition("number"), DOCUMENT_FIELDS, NEWEST,
        _document_hit("payments:payment_view", Payment.State.choices), "payments:payment_list",
    ),
}  # fmt: skip
KINDS = tuple(SEARCHERS)


def searchable_kinds(user: User | None) -> tuple[str, ...]:
    """The kinds the user may search (those it may see)."""
    return tuple(kind for kind in KINDS if user is None or user.has_perm(SEARCHERS[kind].permission))


def _group(kind: str, user: User | None, company: Company, text: str, limit: int) -> Group | None:
    searcher = SEARCHERS[kind]
    condition = searcher.condition(text)
    if condition is None:
        return None
    rows = list(
        searcher.rows(user, company)
        .filter(condition)
        .order_by(*searcher.ordering)
        .values(*searcher.fields)[: limit + 1]
    )
    if not rows:
        return None
    hits = tuple(Hit(kind, row["pk"], *searcher.hit(row)) for row in rows[:limit])
    more = f"{reverse(searcher.list_url)}?{urlencode({'q': text})}" if len(rows) > limit else None
    return Group(kind=kind, hits=hits, more_url=more)


def search(
    company: Company, user: User | None, text: str | None, limit_per_kind: int = DEFAULT_LIMIT
) -> SearchResults:
    """What `text` finds in the company among the kinds the user may see, grouped by kind: one query per kind.
    Too short: nothing searched; too long or with control characters: ValidationFailed on `q`."""
    text = clean_text(text)
    if len(text) < MIN_LENGTH:
        return SearchResults(text=text, groups=(), searched=False)
    limit = max(1, min(limit_per_kind, MAX_LIMIT))
    groups = (_group(kind, user, company, text, limit) for kind in searchable_kinds(user))
    return SearchResults(text=text, groups=tuple(group for group in groups if group), searched=True)


__all__ = [
    "DEFAULT_LIMIT",
    "KINDS",
    "KIND_LABELS",
    "MAX_LENGTH",
    "MAX_LIMIT",
    "MIN_LENGTH",
    "Group",
    "Hit",
    "SearchResults",
    "clean_text",
    "search",
    "searchable_kinds",
    "tax_id_text",
]

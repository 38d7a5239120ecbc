"""Purchase order pages: the list, the form with its lines edited in place, one order with its receipts,
its PDF, and the confirm, cancel and send-to-the-supplier actions."""

from datetime import date as Date

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.db.models.functions import Upper
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from nexo.catalog.models import Item
from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.listing import Filter, ListPage, Sort, words_in
from nexo.core.models import Company
from nexo.core.panels import panels
from nexo.core.permissions import page
from nexo.core.rules import round_money
from nexo.core.validation import record_id
from nexo.inventory.models import StockBalance
from nexo.purchasing import documents, rules, sending, services
from nexo.purchasing.forms import OrderLineFormSet, PurchaseOrderForm, SendOrderForm, plain, suppliers_of
from nexo.purchasing.models import PurchaseOrder, Receipt, ReceiptLine, SupplierPrice
from nexo.purchasing.queries import late_orders, line_amount, order_rate, order_totals
from nexo.purchasing.views.common import ZERO, optional_url, price_text

State = PurchaseOrder.State
BLANK_ROWS = 3
ITEM_OPTIONS = 30
# Service field names → the order form's fields.
LINE_FIELDS = {
    "item_id": "item",
    "quantity": "quantity",
    "unit_price": "unit_price",
    "description": "description",
}


def _day(value: str | None) -> Date | None:
    try:
        day = Date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if day.year >= 1900 else None


def _listing(request: HttpRequest) -> ListPage:
    suppliers = [(str(pk), name) for pk, name in suppliers_of(request.company).values_list("pk", "name")]
    return ListPage(
        search=words_in(("number", "supplier__name")),
        sorts={
            "date": Sort(gettext_lazy("Date"), ("date",)),
            "number": Sort(gettext_lazy("Number"), ("number",)),
            "supplier": Sort(gettext_lazy("Supplier"), ("supplier__name",)),
            "expected": Sort(gettext_lazy("Expected"), ("expected_date",)),
        },
        default_sort="date",
        default_descending=True,
        filters=[
            Filter("state", gettext_lazy("State"), State.choices, lambda value: Q(state=value)),
            Filter("supplier", gettext_lazy("Supplier"), suppliers, lambda value: Q(supplier_id=value)),
            Filter("late", gettext_lazy("Late"), [("yes", gettext_lazy("Past the expected date"))], lambda value: late_orders()),
        ],
    )


@page("purchasing.view_purchaseorder")
def order_list(request: HttpRequest) -> HttpResponse:
    orders = PurchaseOrder.objects.filter(company=request.company).select_related("supplier", "warehouse")
    date_from, date_to = _day(request.GET.get("date_from")), _day(request.GET.get("date_to"))
    if date_from:
        orders = orders.filter(date__gte=date_from)
    if date_to:
        orders = orders.filter(date__lte=date_to)
    listing = _listing(request).apply(request, orders)
    listing.page.object_list = rows = list(listing.page.object_list)
    totals = order_totals(order.pk for order in rows)
    for order in rows:
        order.total = totals.get(order.pk, ZERO)
    context = {
        "listing": listing,
        "title": _("Purchase orders"),
        "search_hint": _("Number or supplier"),
        "results_template": "purchasing/_order_results.html",
        "date_from": date_from,
        "date_to": date_to,
        "is_dated": bool(date_from or date_to),
    }
    template = (
        context["results_template"]
        if request.htmx and not request.htmx.boosted
        else "purchasing/order_list.html"
    )
    return render(request, template, context)


# One order


def order_of(request: HttpRequest, order_id: int) -> PurchaseOrder:
    return get_object_or_404(
        PurchaseOrder.objects.select_related("supplier", "warehouse", "created_by", "updated_by"),
        company=request.company,
        pk=order_id,
    )


def order_figures(order: PurchaseOrder, company: Company) -> dict:
    """The order's lines with their amounts, its totals in its currency and the company's, its receipts
    with their moves, and the stock now of its items in its warehouse: a fixed number of queries."""
    lines = list(order.lines.select_related("item", "item__unit"))
    total = ZERO
    for line in lines:
        line.amount = line_amount(line.quantity, line.unit_price)
        line.pending = line.pending_quantity
        line.price_text = price_text(line.unit_price)
        total += line.amount
    rate = order_rate(order, company)
    receipts = list(
        Receipt.objects.filter(order=order)
        .select_related("warehouse", "created_by")
        .prefetch_related(
            Prefetch("lines", queryset=ReceiptLine.objects.select_related("order_line__item", "move").order_by("pk"))
        )
    )  # fmt: skip
    for receipt in receipts:
        for receipt_line in receipt.lines.all():
            receipt_line.move_url = optional_url("inventory:move_view", receipt_line.move_id)
            receipt_line.cost_text = price_text(receipt_line.unit_cost)
    stock = {
        balance.item_id: balance
        for balance in StockBalance.objects.filter(
            warehouse_id=order.warehouse_id, item_id__in=[line.item_id for line in lines]
        )
    }
    for line in lines:
        balance = stock.get(line.item_id)
        line.on_hand = balance.quantity if balance else ZERO
        line.stock_value = balance.value if balance else ZERO
    # The tax the supplier will charge, per rate, as the order's PDF shows it.
    tax_rates = documents.tax_rates_on({line.item.purchase_tax_id for line in lines}, order.date)
    taxes = rules.taxes_by_rate([(tax_rates.get(line.item.purchase_tax_id, ZERO), line.amount) for line in lines])
    tax = sum((tax_line.tax for tax_line in taxes), ZERO)
    return {
        "lines": lines,
        "total": total,
        "taxes": taxes,
        "total_with_tax": total + tax,
        "rate": rate,
        "total_company": round_money(total * rate) if rate is not None else None,
        "pending_total": sum((line.pending for line in lines), ZERO),
        "receipts": receipts,
    }


def _send_form(order: PurchaseOrder, request: HttpRequest) -> SendOrderForm:
    """The send form as it opens: the supplier's address and the text it would get, both editable."""
    _subject, body = sending.order_email(order, request.user)
    return SendOrderForm(initial={"to": order.sent_to or sending.default_recipient(order), "message": body})


def order_context(request: HttpRequest, order: PurchaseOrder, **shown) -> dict:
    can_send = order.state in sending.SENDABLE
    context = {
        "order": order,
        **order_figures(order, request.company),
        "can_change": order.state == State.DRAFT,
        "can_cancel": rules.ORDER_LIFECYCLE.allows(order.state, State.CANCELLED),
        "can_receive": order.state in rules.RECEIVABLE,
        "can_send": can_send,
        "panels": panels("document_panel", request, "purchasing.purchaseorder", order),
        **shown,
    }
    if can_send and "send_form" not in context and request.user.has_perm("purchasing.change_purchaseorder"):
        context["send_form"] = _send_form(order, request)
    return context


@page("purchasing.view_purchaseorder")
def order_view(request: HttpRequest, order_id: int) -> HttpResponse:
    order = order_of(request, order_id)
    return render(request, "purchasing/order_detail.html", order_context(request, order))


@page("purchasing.view_purchaseorder")
def order_pdf(request: HttpRequest, order_id: int) -> HttpResponse:
    order = documents.printable_order(request.company, order_id)
    if order is None:
        raise Http404(_("No such purchase order."))
    response = HttpResponse(documents.order_pdf(order), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.order_filename(order)}"'
    return response


# The form


def _initial_lines(order: PurchaseOrder | None) -> list[dict]:
    """The order's lines as the form shows them; a price that came from the supplier's prices stays blank,
    so it follows them (and the quantity) when the order is saved again."""
    if order is None:
        return []
    lines = order.lines.select_related("item", "supplier_price")
    rows = []
    for line in lines:
        from_supplier = line.supplier_price is not None and line.supplier_price.unit_price == line.unit_price
        rows.append({
            "item": line.item.sku,
            "quantity": plain(line.quantity),
            "unit_price": "" if from_supplier else plain(line.unit_price),
            "description": "" if line.description == line.item.name else line.description,
        })  # fmt: skip
    return rows


def _typed_lines(request: HttpRequest, more: int) -> list[dict]:
    """The rows as typed (raw text, kept as it is), plus `more` blank ones."""
    prefix = "lines"
    count = record_id(request.POST.get(f"{prefix}-TOTAL_FORMS")) or 0
    names = ("item", "quantity", "unit_price", "description")
    rows = [
        {name: request.POST.get(f"{prefix}-{index}-{name}", "") for name in names}
        for index in range(min(count, 200))
    ]
    return rows + [{} for _ in range(more)]


def _items_by_sku(company, skus: set[str]) -> dict[str, Item]:
    if not skus:
        return {}
    items = Item.objects.filter(company=company).annotate(upper_sku=Upper("sku")).filter(upper_sku__in=skus)
    return {item.upper_sku: item for item in items}


def _checked(request: HttpRequest, header: PurchaseOrderForm, lines) -> dict[str, Item] | None:
    """The typed SKUs' items when both forms are valid and every SKU is one of the company's items (each
    wrong row says so at once, with the other errors); else None."""
    header_valid, lines_valid = header.is_valid(), lines.is_valid()
    items = _items_by_sku(request.company, lines.skus())
    for form in lines.forms:
        sku = getattr(form, "cleaned_data", {}).get("item")
        if sku and sku.upper() not in items:
            form.add_error("item", _("Unknown item: type its SKU or pick it from the list."))
            lines_valid = False
    return items if header_valid and lines_valid else None


def _apply_line_failure(header, sources, failure: ValidationFailed) -> None:
    """The service names lines by their position among the non-blank rows: show each error on its row."""
    rest = []
    for error in failure.errors:
        parts = error["field"].split(".")
        if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(sources):
            sources[int(parts[1])].add_error(LINE_FIELDS.get(parts[2]), error["message"])
        elif error["field"] == "lines":
            header.add_error(None, error["message"])
        else:
            rest.append(error)
    if rest:
        apply_failure(header, ValidationFailed(failure.detail, errors=rest))


def _supplier_options(request: HttpRequest, supplier_id: int | None) -> list[Item]:
    """The items the datalist offers at first: those the supplier has prices for."""
    if supplier_id is None:
        return []
    item_ids = SupplierPrice.objects.filter(
        company=request.company, supplier_id=supplier_id, is_active=True
    ).values("item_id")
    return list(Item.objects.filter(pk__in=item_ids, is_active=True).order_by("sku")[:200])


def _order_form(request: HttpRequest, order: PurchaseOrder | None) -> HttpResponse:
    adding = request.method == "POST" and "add_lines" in request.POST
    initial = {}
    if order is None:
        initial = {"supplier": record_id(request.GET.get("supplier")), "date": timezone.localdate()}
    header = PurchaseOrderForm(request.POST or None, instance=order, company=request.company, initial=initial)
    if adding:
        header.errors.clear()  # only more rows were asked for: what was typed stays, without errors yet
        lines = OrderLineFormSet(prefix="lines", initial=_typed_lines(request, BLANK_ROWS))
    elif request.method == "POST":
        lines = OrderLineFormSet(request.POST, prefix="lines")
    else:
        rows = _initial_lines(order)
        item = Item.objects.filter(company=request.company, pk=record_id(request.GET.get("item"))).first()
        if item is not None:
            rows.append({"item": item.sku})
        lines = OrderLineFormSet(prefix="lines", initial=rows + [{} for _ in range(BLANK_ROWS)])
    items = _checked(request, header, lines) if request.method == "POST" and not adding else None
    if items is not None:
        service_lines, sources = lines.service_lines(items)
        try:
            if order is None:
                saved = services.purchase_order_create(
                    company=request.company, by=request.user, lines=service_lines, **header.service_fields()
                )
                messages.success(request, _("Draft purchase order saved."))
            else:
                saved = services.purchase_order_update(
                    company=request.company, by=request.user, order_id=order.pk, lines=service_lines,
                    **header.service_fields(),
                )  # fmt: skip
                messages.success(request, _("Changes saved."))
        except ValidationFailed as failure:
            _apply_line_failure(header, sources, failure)
        except DomainError as error:  # changed meanwhile: confirmed or cancelled by someone else
            header.add_error(None, error.detail)
        else:
            return redirect("purchasing:order_view", order_id=saved.pk)
    supplier_id = record_id(str(header["supplier"].value() or ""))
    has_errors = bool(header.errors) or (lines.is_bound and not lines.is_valid())
    context = {
        "form": header,
        "lines": lines,
        "order": order,
        "item_options": _supplier_options(request, supplier_id),
        "title": _("Edit %(order)s") % {"order": order} if order else _("New purchase order"),
        "cancel_url": reverse("purchasing:order_view", args=[order.pk])
        if order
        else reverse("purchasing:order_list"),
    }
    return render(request, "purchasing/order_form.html", context, status=422 if has_errors else 200)


@page("purchasing.add_purchaseorder")
def order_create(request: HttpRequest) -> HttpResponse:
    return _order_form(request, None)


@page("purchasing.change_purchaseorder")
def order_edit(request: HttpRequest, order_id: int) -> HttpResponse:
    order = order_of(request, order_id)
    if order.state != State.DRAFT:
        messages.error(request, _("Only a draft purchase order can be changed."))
        return redirect("purchasing:order_view", order_id=order.pk)
    return _order_form(request, order)


@page("purchasing.view_purchaseorder")
@require_GET
def item_options(request: HttpRequest) -> HttpResponse:
    """The datalist of items matching what is typed in a line's item box: the supplier's first."""
    typed = next((value for key, value in request.GET.items() if key.endswith("item") and value), "")
    typed = typed.replace("\x00", "").strip()[:40]
    items = Item.objects.filter(company=request.company, is_active=True, kind=Item.Kind.STOCKED)
    if typed:
        items = items.filter(Q(sku__istartswith=typed) | Q(name__icontains=typed))
    supplier_id = record_id(request.GET.get("supplier"))
    preferred = []
    if supplier_id is not None:
        priced = SupplierPrice.objects.filter(company=request.company, supplier_id=supplier_id).values(
            "item_id"
        )
        preferred = list(items.filter(pk__in=priced).order_by("sku")[:ITEM_OPTIONS])
    others = list(items.exclude(pk__in=[item.pk for item in preferred]).order_by("sku")[:ITEM_OPTIONS])
    options = (preferred + others)[:ITEM_OPTIONS]
    return render(request, "purchasing/_item_options.html", {"item_options": options})


# Actions


def _act(request: HttpRequest, order_id: int, action, success: str) -> HttpResponse:
    """Run a state action; a refusal (state changed meanwhile, no exchange rate…) is shown on the page."""
    order = order_of(request, order_id)
    try:
        action(order)
    except DomainError as error:
        messages.error(request, error.detail)
    else:
        messages.success(request, success)
    return redirect("purchasing:order_view", order_id=order.pk)


@page("purchasing.change_purchaseorder")
@require_POST
def order_confirm(request: HttpRequest, order_id: int) -> HttpResponse:
    def confirm(order):
        services.purchase_order_confirm(company=request.company, by=request.user, order_id=order.pk)

    return _act(request, order_id, confirm, _("Purchase order confirmed."))


@page("purchasing.change_purchaseorder")
@require_POST
def order_cancel(request: HttpRequest, order_id: int) -> HttpResponse:
    def cancel(order):
        services.purchase_order_cancel(company=request.company, by=request.user, order_id=order.pk)

    return _act(request, order_id, cancel, _("Purchase order cancelled."))


@page("purchasing.change_purchaseorder")
@require_POST
def order_send(request: HttpRequest, order_id: int) -> HttpResponse:
    """The send form posted: the service records the e-mail and queues it; a refused address is shown
    beside the field, a refused order (a draft, cancelled) as a message."""
    order = order_of(request, order_id)
    form = SendOrderForm(request.POST)
    if form.is_valid():
        try:
            sending.purchase_order_send(
                company=request.company, by=request.user, order_id=order.pk, **form.cleaned_data
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        except DomainError as error:
            messages.error(request, error.detail)
            return redirect("purchasing:order_view", order_id=order.pk)
        else:
            order.refresh_from_db(fields=["email_status"])
            values = {"order": order, "to": form.cleaned_data["to"]}
            if order.email_status == PurchaseOrder.EmailStatus.FAILED:
                messages.error(request, _("The e-mail of %(order)s to %(to)s failed.") % values)
            elif order.email_status == PurchaseOrder.EmailStatus.QUEUED:
                messages.success(request, _("The e-mail of %(order)s to %(to)s is queued.") % values)
            else:
                messages.success(request, _("%(order)s sent to %(to)s.") % values)
            return redirect("purchasing:order_view", order_id=order.pk)
    context = order_context(request, order, send_form=form, show_send=True)
    return render(request, "purchasing/order_detail.html", context, status=422)

"""The page that makes a sales order directly, without a quotation (sales.services.direct_orders), for a
user with the right (`sales.add_salesorder`).

One form: the customer (picker), warehouse, date, references and terms, and the lines (item picker,
quantity, price, discount). Every change sends the form (HTMX) and the lines come back priced and costed
as the order would be — the price from the customer's price list filled in unless one was typed, the
frozen unit cost with its source, the net and margin of each line and the totals — without saving
anything. Enter in a line adds the next one; *Create order* makes it. Without the script the buttons post
the whole page and it answers the same.

A price shown is the list's until another is typed: each row keeps the list price it was shown with, and
a price sent equal to it is the list's (priced again when the quantity or the customer changes)."""

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.accounting.models import PaymentTerm
from nexo.catalog.forms import DateInput
from nexo.catalog.models import Item
from nexo.catalog.pickers import ItemPicker
from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import TextOnly, apply_failure
from nexo.core.permissions import page
from nexo.core.pickers import TEXT_SUFFIX, TypedCode
from nexo.core.validation import record_id
from nexo.crm.models import Opportunity
from nexo.crm.pickers import OpportunityPicker
from nexo.crm.queries import opportunities_visible_to
from nexo.inventory.models import Warehouse
from nexo.inventory.services import settings_of as inventory_settings
from nexo.parties.models import Party
from nexo.parties.pickers import PartyPicker, parties_in_role
from nexo.sales.forms import input_number, typed_number
from nexo.sales.models import QuotationLine
from nexo.sales.services.credit import REASON_LENGTH
from nexo.sales.services.direct_orders import MAX_LINES, priced_lines, sales_order_create
from nexo.sales.services.terms import term_name, terms_to_choose
from nexo.sales.views.common import cost_texts

# Blank lines a new order starts with; Enter in a line (or *Add line*) adds one more.
FIRST_LINES = 3
LINE_INPUTS = ("item", "description", "quantity", "unit_price", "list_price", "discount")
ADD, REMOVE, CREATE = "add_line", "remove_line", "create"


class OrderHeaderForm(TextOnly, forms.Form):
    party = PartyPicker(label=gettext_lazy("Customer"), queryset=Party.objects.none())
    warehouse = forms.ModelChoiceField(
        label=gettext_lazy("Warehouse"), queryset=Warehouse.objects.none(), empty_label=None
    )
    date = forms.DateField(label=gettext_lazy("Date"), widget=DateInput())
    customer_reference = forms.CharField(
        label=gettext_lazy("Customer's reference"), max_length=60, required=False
    )
    payment_term = forms.ModelChoiceField(
        label=gettext_lazy("Payment terms"),
        queryset=PaymentTerm.objects.none(),
        required=False,
        empty_label=gettext_lazy("(the customer's usual term)"),
    )
    opportunity = OpportunityPicker(
        label=gettext_lazy("Opportunity"),
        queryset=Opportunity.objects.none(),
        required=False,
        search={"status": "open"},
        sends={"party": "party"},
        help_text=gettext_lazy("Optional: the open opportunity this order wins."),
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # Shown to managers only (sales.override_credit_limit); the service checks the permission again.
    override_credit = forms.BooleanField(
        label=gettext_lazy("Confirm it over the customer's credit limit (the override is recorded)"),
        required=False,
    )
    credit_override_reason = forms.CharField(
        label=gettext_lazy("Why the limit is overridden"), max_length=REASON_LENGTH, required=False
    )

    def __init__(self, *args, request: HttpRequest, **kwargs):
        super().__init__(*args, **kwargs)
        company = request.company
        self.fields["party"].queryset = parties_in_role(company)
        self.fields["warehouse"].queryset = Warehouse.objects.filter(
            company=company, is_active=True
        ).order_by("code")
        self.fields["payment_term"].queryset = terms_to_choose(company)
        self.fields["payment_term"].label_from_instance = term_name
        self.fields["opportunity"].queryset = opportunities_visible_to(request.user, company).filter(
            status=Opportunity.Status.OPEN
        )


@dataclass
class Row:
    """A line of the form as typed, with what it priced to (`priced`) and what was wrong with it."""

    index: int
    item: Item | None = None
    item_text: str = ""  # typed without choosing (no script): looked up as a code
    inputs: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    priced: QuotationLine | None = None
    picker: str = ""  # the item picker's HTML

    @property
    def blank(self) -> bool:
        return self.item is None and not self.item_text and not self.inputs.get("description")

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def _rows(request: HttpRequest) -> list[Row]:
    """The lines posted, their items read in one query (a code typed without the script: one per line)."""
    post = request.POST
    try:
        count = min(max(int(post.get("line_count", FIRST_LINES)), 0), MAX_LINES)
    except ValueError:
        count = FIRST_LINES
    rows = []
    for index in range(count):
        prefix = f"lines-{index}-"
        row = Row(
            index, inputs={name: post.get(prefix + name, "")[:300] for name in LINE_INPUTS if name != "item"}
        )
        row.inputs["chosen"] = post.get(prefix + "item", "").strip()
        row.item_text = post.get(prefix + "item" + TEXT_SUFFIX, "").strip()[:100]
        rows.append(row)
    items = Item.objects.filter(company=request.company, is_active=True)
    chosen = {record_id(row.inputs["chosen"]) for row in rows} - {None}
    found = {item.pk: item for item in items.filter(pk__in=chosen)} if chosen else {}
    for row in rows:
        chosen_id = record_id(row.inputs.pop("chosen"))
        if chosen_id is not None:
            row.item = found.get(chosen_id)
            if row.item is None:
                row.error("item", _("Unknown item."))
        elif row.item_text:
            matches = list(items.filter(ItemPicker(items).code_match(row.item_text))[:2])
            if len(matches) == 1:
                row.item = matches[0]
            else:
                row.error("item", _("Nothing matches “%(code)s”: type a little and choose from the list.") % {
                    "code": row.item_text
                })  # fmt: skip
        if row.item is not None:
            row.item_text = ""
    return rows


def _service_line(row: Row) -> dict:
    """A row as the service reads a line: a price sent only when it was typed (not the list's as shown)."""
    typed_price = row.inputs["unit_price"].strip()
    line = {
        "item_id": row.item.pk if row.item else None,
        "description": row.inputs["description"],
        "quantity": typed_number(row.inputs["quantity"]),
        "discount": typed_number(row.inputs["discount"]),
    }
    if typed_price and typed_price != row.inputs["list_price"].strip():
        line["unit_price"] = typed_number(typed_price)
    return line


def _errors_to_rows(
    failure: ValidationFailed, filled: list[Row], general: list[str]
) -> ValidationFailed | None:
    """The service's `lines.<n>.<field>` errors onto the rows they are about; what is left, returned."""
    left = []
    for error in failure.errors:
        parts = error["field"].split(".")
        if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(filled):
            name = {"item_id": "item", "tax_category_id": "item"}.get(parts[2], parts[2])
            filled[int(parts[1])].error(name if name in LINE_INPUTS else "item", error["message"])
        elif error["field"] == "lines":
            general.append(error["message"])
        else:
            left.append(error)
    return ValidationFailed("; ".join(e["message"] for e in left), errors=left) if left else None


def _priced(request: HttpRequest, form: OrderHeaderForm, rows: list[Row], general: list[str]):
    """The filled rows priced and costed as the order would be (nothing saved), and the totals."""
    filled = [row for row in rows if not row.blank]
    if not filled or any(row.errors for row in filled):
        return None
    form.is_valid()
    data = (
        form.cleaned_data
    )  # the fields that are valid: a customer not chosen yet prices from the default list
    warehouse = (
        data.get("warehouse")
        or Warehouse.objects.filter(
            company=request.company, pk=inventory_settings(request.company).default_warehouse_id
        ).first()
    )
    if warehouse is None:
        return None
    try:
        lines, figures = priced_lines(
            request.company, party=data.get("party"), warehouse=warehouse, day=data.get("date") or timezone.localdate(),
            lines=[_service_line(row) for row in filled], by=request.user,
        )  # fmt: skip
    except ValidationFailed as failure:
        _errors_to_rows(failure, filled, general)
        return None
    for row, line in zip(filled, lines, strict=True):
        cost_texts(line)
        row.priced = line
        if "unit_price" not in _service_line(row):  # the list's price: shown in the input, kept beside it
            shown = input_number(line.unit_price, 2)
            row.inputs["unit_price"] = row.inputs["list_price"] = shown
        else:
            row.inputs["list_price"] = input_number(line.list_price, 2) if line.list_price is not None else ""
        if not row.inputs["description"] and line.item_id:
            row.inputs["description_placeholder"] = line.description
    return figures


def _create(request: HttpRequest, form: OrderHeaderForm, rows: list[Row], general: list[str]):
    filled = [row for row in rows if not row.blank]
    if not form.is_valid() or any(row.errors for row in filled):
        return None
    data = form.cleaned_data
    try:
        return sales_order_create(
            company=request.company, by=request.user, party_id=data["party"].pk,
            warehouse_id=data["warehouse"].pk, date=data["date"], lines=[_service_line(row) for row in filled],
            payment_term_id=data["payment_term"].pk if data.get("payment_term") else None,
            customer_reference=data["customer_reference"],
            notes=data["notes"], opportunity_id=data["opportunity"].pk if data.get("opportunity") else None,
            override_credit=data.get("override_credit", False),
            credit_override_reason=data.get("credit_override_reason", ""),
        )  # fmt: skip
    except ValidationFailed as failure:
        left = _errors_to_rows(failure, filled, general)
        if left is not None:
            apply_failure(form, left)
    except DomainError as error:
        general.append(error.detail)
    return None


class RowItemPicker(ItemPicker):
    """The item picker of the rows: the labels of the items the rows hold come from those items, already
    read (a chosen item is posted back by its id)."""

    def __init__(self, queryset, *, items: dict[int, Item], **kwargs):
        super().__init__(queryset, **kwargs)
        self.items = items

    def label_for(self, value) -> str:
        item = self.items.get(record_id(str(value))) if not isinstance(value, TypedCode) else None
        return self.label_from_instance(item) if item is not None else super().label_for(value)


def _item_picker(request: HttpRequest, rows: list[Row]) -> ItemPicker:
    items = {row.item.pk: row.item for row in rows if row.item is not None}
    return RowItemPicker(
        Item.objects.filter(company=request.company, is_active=True), items=items, required=False
    )


def _picker_html(picker: ItemPicker, row: Row, focus: int | None) -> str:
    """The row's item picker, its label from the item at hand (no query); a line just added takes the
    focus."""
    attrs = {
        "id": f"line-{row.index}-item", "class": "line-input item-input",
        "aria-label": _("Line %(number)d: item") % {"number": row.index + 1},
    }  # fmt: skip
    if row.index == focus:
        attrs["autofocus"] = True
    if row.errors.get("item"):
        attrs |= {"aria-invalid": "true", "aria-describedby": f"line-{row.index}-item-error"}
    value = str(row.item.pk) if row.item else (TypedCode(row.item_text) if row.item_text else "")
    return picker.widget.render(f"lines-{row.index}-item", value, attrs)


def _removed(action: str) -> int | None:
    """The row a remove_line:<n> action names."""
    text = action.partition(":")[2]
    return int(text) if text.isascii() and text.isdigit() else None


@page("sales.add_salesorder")
def order_create(request: HttpRequest) -> HttpResponse:
    """GET: the empty form. POST: `action` create makes the order (then its page); add_line and
    remove_line:<n> change the rows; any other post (a change) prices the lines again."""
    today = timezone.localdate()
    initial = {"date": today, "warehouse": inventory_settings(request.company).default_warehouse_id}
    general: list[str] = []
    figures = None
    focus = None
    if request.method == "POST":
        form = OrderHeaderForm(request.POST, request=request, initial=initial)
        rows = _rows(request)
        action = request.POST.get("action", "")
        if action == CREATE:
            order = _create(request, form, rows, general)
            if order is not None:
                messages.success(
                    request, _("Sales order %(order)s created and confirmed.") % {"order": order}
                )
                return redirect("sales:order_view", order_id=order.pk)
        elif action == ADD and len(rows) < MAX_LINES:
            rows.append(Row(len(rows), inputs={"quantity": "1"}))
            focus = rows[-1].index
        elif action.startswith(REMOVE + ":"):
            removed = _removed(action)
            rows = [row for row in rows if row.index != removed]
            for index, row in enumerate(rows):
                row.index = index
        figures = _priced(request, form, rows, general)
    else:
        form = OrderHeaderForm(request=request, initial=initial)
        rows = [Row(index, inputs={"quantity": "1"}) for index in range(FIRST_LINES)]
    picker = _item_picker(request, rows)
    for row in rows:
        for name in LINE_INPUTS:
            row.inputs.setdefault(name, "")
        row.picker = _picker_html(picker, row, focus)
    context = {
        "form": form,
        "rows": rows,
        "figures": figures,
        "margin_percent": figures.margin_percent if figures else None,
        "general_errors": general,
        "focus": focus,
        "currency": request.company.currency,
        "title": _("New sales order"),
    }
    template = (
        "sales/_order_create_lines.html"
        if request.htmx and request.method == "POST"
        else "sales/order_create.html"
    )
    status = 422 if request.method == "POST" and request.POST.get("action") == CREATE else 200
    return render(request, template, context, status=status)

"""The receive page: what arrived of each pending line, when and where; what is missing stays on order."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.formatting import number
from nexo.core.forms import apply_failure
from nexo.core.permissions import page
from nexo.purchasing import rules, services
from nexo.purchasing.forms import ReceiveForm
from nexo.purchasing.views.common import ZERO
from nexo.purchasing.views.orders import order_of


def _failure_on_form(form: ReceiveForm, failure: ValidationFailed) -> None:
    """The service names a line's quantity `quantities.<line id>`: show it on that line's input."""
    renamed = []
    for error in failure.errors:
        field = error["field"]
        if field.startswith("quantities."):
            field = f"line_{field.removeprefix('quantities.')}"
        elif field == "quantities":
            field = "__all__"
        renamed.append({**error, "field": field})
    apply_failure(form, ValidationFailed(failure.detail, errors=renamed))


@page("purchasing.view_purchaseorder", "purchasing.add_receipt")
def order_receive(request: HttpRequest, order_id: int) -> HttpResponse:
    order = order_of(request, order_id)
    if order.state not in rules.RECEIVABLE:
        messages.error(
            request,
            _("The purchase order is %(state)s: nothing can be received.")
            % {"state": order.get_state_display().lower()},
        )
        return redirect("purchasing:order_view", order_id=order.pk)
    lines = [line for line in order.lines.select_related("item", "item__unit") if line.pending_quantity > 0]
    form = ReceiveForm(request.POST or None, order=order, lines=lines)
    over = False
    if request.method == "POST" and form.is_valid():
        over = form.asks_over_receipt()
        try:
            receipt = services.purchase_order_receive(
                company=request.company, by=request.user, order_id=order.pk, quantities=form.quantities(),
                date=form.cleaned_data["date"], warehouse_id=form.cleaned_data["warehouse"].pk,
                allow_over_receipt=form.cleaned_data["allow_over_receipt"], note=form.cleaned_data["note"],
            )  # fmt: skip
        except ValidationFailed as failure:
            _failure_on_form(form, failure)
        except Conflict as error:  # received or cancelled meanwhile
            messages.error(request, error.detail)
            return redirect("purchasing:order_view", order_id=order.pk)
        else:
            pending = sum((line.pending_quantity for line in order.lines.all()), ZERO)
            text = _("Receipt %(number)s posted.") % {"number": receipt.number}
            if pending > 0:
                text += " " + _("%(pending)s still pending: they stay on order.") % {
                    "pending": number(pending)
                }
            messages.success(request, text)
            return redirect("purchasing:order_view", order_id=order.pk)
    context = {
        "order": order,
        "form": form,
        "rows": form.quantity_fields(),
        # Shown once an over-receipt was refused, and kept while the user has it ticked.
        "show_over_receipt": over or bool(form.is_bound and form.data.get("allow_over_receipt")),
        "title": _("Receive %(order)s") % {"order": order},
    }
    return render(request, "purchasing/receive.html", context, status=422 if form.errors else 200)


@page("purchasing.view_purchaseorder")
def receipt_view(request: HttpRequest, receipt_id: int) -> HttpResponse:
    """A receipt is shown on its purchase order's page (a journal entry links to it by the receipt)."""
    from django.shortcuts import get_object_or_404

    from nexo.purchasing.models import Receipt

    receipt = get_object_or_404(Receipt, pk=receipt_id, company=request.company)
    return redirect("purchasing:order_view", order_id=receipt.order_id)

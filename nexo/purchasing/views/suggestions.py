"""Purchase suggestions: the items to buy (under their minimum stock, or short for confirmed sales orders),
what to order from whom and why, and draft orders for the ones ticked."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nexo.core.errors import ValidationFailed
from nexo.core.permissions import page
from nexo.core.validation import record_id
from nexo.purchasing import queries, services
from nexo.purchasing.views.common import price_text


@page("purchasing.view_purchaseorder", "purchasing.view_itempurchasing")
def suggestions(request: HttpRequest) -> HttpResponse:
    chosen = {value for value in map(record_id, request.POST.getlist("item")) if value is not None}
    error = ""
    if request.method == "POST":
        if not request.user.has_perm("purchasing.add_purchaseorder"):
            raise PermissionDenied(_("Your role does not allow this."))
        try:
            orders = services.purchase_orders_from_suggestions(
                company=request.company, by=request.user, item_ids=chosen
            )
        except ValidationFailed as failure:
            error = failure.detail
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d draft purchase order created: check it and confirm it.",
                    "%(count)d draft purchase orders created: check them and confirm them.",
                    len(orders),
                )
                % {"count": len(orders)},
            )
            if len(orders) == 1:
                return redirect("purchasing:order_view", order_id=orders[0].pk)
            return redirect(reverse("purchasing:order_list") + "?state=draft")
    rows = [
        {
            "item": row.item, "on_hand": row.on_hand, "reserved": row.reserved, "on_order": row.on_order,
            "minimum": row.minimum, "suggested": row.suggested, "supplier": row.supplier,
            "preferred": row.preferred, "best": row.best,
            "best_cost_text": price_text(row.best.unit_cost) if row.best else "",
            "best_price_text": price_text(row.best.price.unit_price) if row.best else "",
            "reason": row.reason, "supplier_price": row.supplier_price,
            "supplier_price_text": price_text(row.supplier_price.price.unit_price) if row.supplier_price else "",
        }
        for row in queries.purchase_suggestions(request.company)
    ]  # fmt: skip
    context = {
        "rows": rows,
        "chosen": chosen,
        "error": error,
        "currency": request.company.currency,
        "title": _("Purchase suggestions"),
    }
    return render(request, "purchasing/suggestions.html", context, status=422 if error else 200)

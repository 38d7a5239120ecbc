"""Stock in the ledger: the valuation at a date beside the stock account's balance, and the period-end
variation entry that brings the account to the valuation (continental stock accounting)."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.core.errors import Conflict, ValidationFailed
from nexo.core.permissions import page
from nexo.inventory import accounting


class DayForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))


@page("accounting.add_entry")
def stock_accounting(request: HttpRequest) -> HttpResponse:
    """GET shows the figures at a date (default today); POST posts the variation at that date."""
    data = request.POST if request.method == "POST" else request.GET
    form = DayForm(data if "date" in data else None)
    day = form.cleaned_data["date"] if form.is_valid() else timezone.localdate()
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            entry = accounting.stock_variation_post(company=request.company, by=request.user, date=day)
        except ValidationFailed as failure:
            for messages_of_field in failure.field_messages().values():
                for message in messages_of_field:
                    form.add_error(None, message)
            status = 422
        except Conflict as failure:
            form.add_error(None, failure.detail)
            status = 409
        else:
            messages.success(
                request,
                _("Entry %(number)s posted: the stock account now equals the inventory value.")
                % {"number": entry.number},
            )
            return redirect(f"{reverse('inventory:stock_accounting')}?date={day.isoformat()}")
    elif request.method == "POST":
        status = 422
    figures = accounting.stock_accounting(request.company, day)
    context = {
        "form": form,
        "figures": figures,
        "day": day,
        "perpetual": figures.stock_method == accounting.PERPETUAL,
        "title": _("Stock in the ledger"),
    }
    return render(request, "inventory/stock_accounting.html", context, status=status)

"""The quotation editor's live parts (HTMX): a line added, changed or deleted, the header changed. Each answer
carries only what moved — the changed line's row, the figure cells of other lines the document discount
moved, the totals box and, when a change puts the quotation under or out of a manager's approval, the
actions (the "waiting for approval" badge or the send form) and the approval note — as out-of-band swaps, so
a 200-line quotation never re-renders its whole table.
A refused change answers 422 with the row as it was typed and the error beside the field."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh, trigger_client_event

from nexo.core.errors import DomainError, NotFound, ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.permissions import page
from nexo.purchasing.costing import SUPPLIER_PRICE
from nexo.sales import queries, services
from nexo.sales.forms import LINE_INPUTS, line_data, line_input_errors
from nexo.sales.models import Quotation
from nexo.sales.views.common import (
    BASIS_LABELS,
    cost_text,
    header_form,
    ready,
    row_labels,
    sources_label,
    with_available,
)
from nexo.sales.views.quotations import document_context

FRAGMENTS = "sales/_editor_fragments.html"
APPROVAL_FRAGMENTS = "sales/_approval_oob.html"
CHANGED = "quotationChanged"  # the cost bases panel, when open, reloads on it


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    """The quotation cannot be edited any more (sent meanwhile, a line deleted in another tab): reload the
    page, which shows why."""
    messages.error(request, message)
    return HttpResponseClientRefresh()


def _draft(request: HttpRequest, quotation_id: int) -> Quotation:
    return queries.quotation_to_edit(request.user, request.company, quotation_id)


def _typed(request: HttpRequest) -> dict:
    return {name: request.POST.get(name, "")[:300] for name in LINE_INPUTS if name in request.POST}


class _Below:
    """A line under its minimum margin, for `awaits_approval` given the count of such lines."""

    below_min_margin = True


def _approval_shown(quotation: Quotation, below: int) -> tuple[str, bool]:
    """What the approval note and the actions show: the decision, and whether the quotation waits for one
    (no query without a line under its minimum margin, one otherwise)."""
    return quotation.approval, services.awaits_approval(quotation, [_Below()] if below else [])


def _answer(
    request: HttpRequest,
    quotation: Quotation,
    status: int = 200,
    approval_before: tuple[str, bool] | None = None,
    **parts,
) -> HttpResponse:
    # The rows sent back show their stock available: one query for all of them.
    rows = [
        parts.get("line"),
        parts.get("added"),
        *(parts.get("repriced") or []),
        *(parts.get("all_lines") or []),
    ]
    rows = [row for row in rows if row is not None]
    if rows:
        with_available(quotation, rows)
    context = {
        "quotation": quotation, "editable": True, "labels": row_labels(),
        "taxes": queries.tax_options(request.company, quotation.date), **parts,
    }  # fmt: skip
    response = render(request, FRAGMENTS, context, status=status)
    if approval_before is not None and _approval_shown(quotation, parts["below_count"]) != approval_before:
        response.content += render_to_string(
            APPROVAL_FRAGMENTS, document_context(request, quotation), request=request
        ).encode()
    if status == 200:
        trigger_client_event(response, CHANGED)
    return response


def _not_editable(request: HttpRequest, quotation: Quotation) -> HttpResponse | None:
    """Refused before any work when the quotation is no longer a draft (the service's own rule)."""
    try:
        services.check_editable(quotation)
    except DomainError as error:
        return _refused(request, error.detail)
    return None


@page("sales.change_quotation")
@require_POST
def line_update(request: HttpRequest, quotation_id: int, line_id: int) -> HttpResponse:
    quotation = _draft(request, quotation_id)
    if refused := _not_editable(request, quotation):
        return refused
    before = queries.line_figures(quotation.pk)
    if line_id not in before:
        return _refused(request, _("That line is no longer on the quotation."))
    approval_before = _approval_shown(quotation, queries.below_count(before))
    try:
        updated = services.quotation_line_update(
            company=request.company, by=request.user, quotation_id=quotation.pk, line_id=line_id,
            **line_data(request.POST, request.company),
        )  # fmt: skip
    except ValidationFailed as failure:
        line = ready(queries.line_of(quotation, line_id), _typed(request), line_input_errors(failure))
        return _answer(request, quotation, status=422, line=line)
    except NotFound:
        return _refused(request, _("That line is no longer on the quotation."))
    except DomainError as error:
        return _refused(request, error.detail)
    quotation = updated.quotation  # as the service just saved it, with its new totals
    after = queries.line_figures(quotation.pk)
    line = ready(queries.line_of(quotation, line_id))
    return _answer(
        request, quotation, line=line, moved=queries.moved_lines(before, after, but=line_id), totals=True,
        repriced=[ready(other) for other in queries.repriced_lines(quotation, before, after, but=line_id)],
        below_count=queries.below_count(after), approval_before=approval_before,
    )  # fmt: skip


@page("sales.change_quotation")
@require_POST
def line_add(request: HttpRequest, quotation_id: int) -> HttpResponse:
    quotation = _draft(request, quotation_id)
    if refused := _not_editable(request, quotation):
        return refused
    before = queries.line_figures(quotation.pk)
    approval_before = _approval_shown(quotation, queries.below_count(before))
    try:
        added = services.quotation_line_add(
            company=request.company, by=request.user, quotation_id=quotation.pk,
            **line_data(request.POST, request.company),
        )  # fmt: skip
    except ValidationFailed as failure:
        new_line = {"inputs": _typed(request), "errors": line_input_errors(failure)}
        return _answer(request, quotation, status=422, new_line=new_line)
    except DomainError as error:
        return _refused(request, error.detail)
    quotation = added.quotation  # as the service just saved it, with its new totals
    after = queries.line_figures(quotation.pk)
    added = ready(queries.line_of(quotation, added.pk))
    return _answer(
        request, quotation, added=added, first=not before, moved=queries.moved_lines(before, after),
        repriced=[ready(other) for other in queries.repriced_lines(quotation, before, after)],
        totals=True, below_count=queries.below_count(after), new_line={"inputs": {}, "errors": {}},
        approval_before=approval_before,
    )  # fmt: skip


@page("sales.change_quotation")
@require_POST
def line_delete(request: HttpRequest, quotation_id: int, line_id: int) -> HttpResponse:
    quotation = _draft(request, quotation_id)
    if refused := _not_editable(request, quotation):
        return refused
    before = queries.line_figures(quotation.pk)
    approval_before = _approval_shown(quotation, queries.below_count(before))
    try:
        quotation = services.quotation_line_delete(
            company=request.company, by=request.user, quotation_id=quotation.pk, line_id=line_id
        )
    except NotFound:
        return _refused(request, _("That line is no longer on the quotation."))
    except DomainError as error:
        return _refused(request, error.detail)
    after = queries.line_figures(quotation.pk)
    return _answer(
        request, quotation, removed=line_id, moved=queries.moved_lines(before, after, but=line_id),
        repriced=[ready(other) for other in queries.repriced_lines(quotation, before, after, but=line_id)],
        totals=True, below_count=queries.below_count(after), approval_before=approval_before,
    )  # fmt: skip


@page("sales.change_quotation")
@require_POST
def quotation_header(request: HttpRequest, quotation_id: int) -> HttpResponse:
    """The header changed. A new date, price list, warehouse or document discount moves every line's price,
    cost or share, so then the lines come back too (this is the one change that re-renders the table)."""
    quotation = _draft(request, quotation_id)
    if refused := _not_editable(request, quotation):
        return refused
    form = header_form(request, quotation, request.POST)
    pricing = ("date", "price_list_id", "warehouse_id", "document_discount")
    before = tuple(getattr(quotation, name) for name in pricing)
    approval_before = _approval_shown(quotation, queries.below_count(queries.line_figures(quotation.pk)))
    if form.is_valid():
        try:
            services.quotation_update(
                company=request.company, by=request.user, quotation_id=quotation.pk, **form.service_fields()
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        except DomainError as error:
            return _refused(request, error.detail)
    if form.errors:
        return _answer(request, quotation, status=422, header_form=form)
    quotation = queries.quotation_for(request.user, request.company, quotation.pk)
    lines = None
    if tuple(getattr(quotation, name) for name in pricing) != before:
        lines = [ready(line) for line in queries.editor_lines(quotation)]
        below = sum(1 for line in lines if line.below_min_margin)
    else:
        below = queries.below_count(queries.line_figures(quotation.pk))
    return _answer(
        request, quotation, header_form=header_form(request, quotation), totals=True, all_lines=lines,
        below_count=below, approval_before=approval_before,
    )  # fmt: skip


@page("sales.change_quotation")
@require_GET
def item_options(request: HttpRequest) -> HttpResponse:
    """The items a typed SKU or name matches, as the options of the editor's item picker (a datalist)."""
    items = queries.item_options(request.company, request.GET.get("q", ""))
    return render(request, "sales/_item_options.html", {"items": items})


def _basis_cell(line, figure) -> dict:
    """One basis of one line in the comparison: its unit cost (4 decimals), where it came from when that is
    not the basis itself (the line's own parts for the basis it is costed with, so a line covered in part by
    stock says "FIFO + Supplier price"), its margin, whether the line uses it; the supplier price basis with
    no supplier price says so ("no price") rather than showing a cost."""
    if figure.unit_cost is None:
        return {"cost": "", "no_price": figure.basis == SUPPLIER_PRICE, "source": "", "margin": None,
                "margin_percent": None, "is_used": False}  # fmt: skip
    sources = queries.cost_sources(line.cost_parts) if figure.is_used else [figure.source]
    shown = sources if sources != [figure.basis] else []
    return {
        "cost": cost_text(figure.unit_cost), "no_price": False, "source": sources_label(shown),
        "margin": figure.margin, "margin_percent": figure.margin_percent, "is_used": figure.is_used,
    }  # fmt: skip


@page("sales.view_quotation")
@require_GET
def cost_bases(request: HttpRequest, quotation_id: int) -> HttpResponse:
    """Each line's cost and margin under every basis, with the line's net: the panel beside the editor."""
    quotation = queries.quotation_for(request.user, request.company, quotation_id)
    by_basis = queries.costs_by_basis(queries.editor_lines(quotation))
    rows = [{"line": entry.line, "cells": [_basis_cell(entry.line, figure) for figure in entry.bases]}
            for entry in by_basis["lines"]]  # fmt: skip
    context = {
        "quotation": quotation,
        "rows": rows,
        "bases": [BASIS_LABELS[basis] for basis in by_basis["bases"]],
        "totals": by_basis["totals"],
    }
    return render(request, "sales/_cost_bases.html", context)

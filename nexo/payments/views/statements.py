"""Pages: the imported bank statements, the import form (a file of a bank account, its format sniffed or
chosen; a broken line comes back as a form error naming it), and a statement's page — its lines with their
proposed match, confirmed one by one with the keyboard (HTMX swaps the line and the counts), posted to an
account, unmatched. Every change goes through `payments.services.statements`."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nexo.accounting.forms import AccountPicker, posting_accounts
from nexo.accounting.models import Account
from nexo.core.errors import DomainError, ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.models import Company
from nexo.core.permissions import page
from nexo.core.validation import record_id
from nexo.payments.models import BankAccount, BankStatement, StatementLine
from nexo.payments.rules.matching import SURE
from nexo.payments.services import statements as services

#: Lines on one page of a statement: a bank's month fits; a year's statement pages through.
PAGE_LINES = 250
CONFIRM_PERMS = ("payments.change_bankstatement", "payments.add_payment")
UNMATCH_PERMS = ("payments.change_bankstatement", "payments.reverse_payment")
REASONS = {
    "reference": gettext_lazy("reference"),
    "amount": gettext_lazy("amount"),
    "unique": gettext_lazy("only one of that amount"),
    "iban": gettext_lazy("IBAN"),
    "name": gettext_lazy("name"),
    "date": gettext_lazy("date"),
    "ambiguous": gettext_lazy("ambiguous"),
}


@page("payments.view_bankstatement")
def statement_list(request: HttpRequest) -> HttpResponse:
    statements = list(
        services.statements_counted(request.company)
        .select_related("bank_account")
        .order_by("-created_at", "-pk")[:200]
    )
    for statement in statements:
        statement.to_match = statement.line_count - statement.matched
    return render(
        request, "payments/statement_list.html", {"statements": statements, "title": _("Bank statements")}
    )


class ImportForm(forms.Form):
    bank_account = forms.ModelChoiceField(
        label=gettext_lazy("Bank account"), queryset=BankAccount.objects.none()
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("Norma 43 (AEB 43), CAMT.053 (XML) or CSV with a header row; 5 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": ".n43,.txt,.aeb,.csb,.xml,.csv,.tsv"}),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"), required=False,
        choices=[("", gettext_lazy("Detect from the file")), *BankStatement.Format.choices],
    )  # fmt: skip

    def __init__(self, company, *args, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = BankAccount.objects.filter(company=company, active=True)
        self.fields["bank_account"].queryset = accounts
        if not self.is_bound and len(accounts) == 1:
            self.initial["bank_account"] = accounts[0].pk

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > services.MAX_BYTES:  # the service says so too; this spares reading it into memory
            raise forms.ValidationError(
                _("The file is too large (%(size)s MB at most).")
                % {"size": services.MAX_BYTES // (1024 * 1024)}
            )
        return upload


@page("payments.add_bankstatement")
def statement_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.company, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            statement = services.statement_import(
                company=request.company, by=request.user, bank_account_id=form.cleaned_data["bank_account"].pk,
                file_name=upload.name, content=upload.read(), format=form.cleaned_data["format"] or None,
            )  # fmt: skip
        except ValidationFailed as failure:
            apply_failure(form, failure)
        except DomainError as error:
            form.add_error(None, error.detail)
        else:
            messages.success(
                request,
                _("%(count)s lines imported: confirm their proposed matches.")
                % {"count": statement.line_count},
            )
            return redirect("payments:statement_view", statement.pk)
    status = 422 if form.errors else 200
    context = {"form": form, "title": _("Import a bank statement")}
    return render(request, "payments/statement_import.html", context, status=status)


class PostForm(forms.Form):
    account = AccountPicker(Account.objects.none(), label=gettext_lazy("Account"))
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)

    def __init__(self, company, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = posting_accounts(company)


def _rows(company: Company, lines: list[StatementLine]) -> list[dict]:
    """Each line with its proposal. Only open lines have one: the company's open due amounts are read when
    one of `lines` is open (not for the row of a line just matched or posted)."""
    proposals, names = {}, {}
    if any(line.state == StatementLine.State.OPEN for line in lines):
        matcher = services.matcher_of(company)
        proposals, names = services.proposals_of(matcher, lines), matcher.party_names
    rows = []
    for line in lines:
        proposal = proposals.get(line.pk)
        rows.append(
            {
                "line": line,
                "proposal": proposal,
                "party_name": names.get(proposal.party_id, "") if proposal else "",
                "reasons": [REASONS.get(reason, reason) for reason in proposal.reasons] if proposal else [],
                "sure": proposal is not None and proposal.score >= SURE,
                "exact": proposal is not None and proposal.amount == abs(line.amount),
                "credit": proposal is not None and proposal.amount < abs(line.amount),
            }
        )
    return rows


def _permissions(request: HttpRequest) -> dict:
    user = request.user
    return {
        "can_confirm": user.has_perms(CONFIRM_PERMS),
        "can_post": user.has_perm("payments.change_bankstatement"),
        "can_unmatch": user.has_perms(UNMATCH_PERMS),
    }


def _progress(statement: BankStatement) -> dict:
    return {"matched": statement.matched, "to_match": statement.line_count - statement.matched}


@page("payments.view_bankstatement")
def statement_view(request: HttpRequest, statement_id: int) -> HttpResponse:
    """One page of a statement's lines (PAGE_LINES at a time; `?open=1`: only those still to match)."""
    statement = services.statement_get(request.company, statement_id)
    only_open = request.GET.get("open") == "1"
    lines = StatementLine.objects.filter(statement=statement)
    if only_open:
        lines = lines.filter(state=StatementLine.State.OPEN)
    count = statement.line_count - statement.matched if only_open else statement.line_count
    pages = max(1, -(-count // PAGE_LINES))
    number = min(max(record_id(request.GET.get("page")) or 1, 1), pages)
    start = (number - 1) * PAGE_LINES
    shown = list(
        lines.select_related("payment", "entry").order_by("line_number", "pk")[start : start + PAGE_LINES]
    )
    context = {
        "statement": statement,
        "rows": _rows(request.company, shown),
        "progress": _progress(statement),
        "post_form": PostForm(request.company),
        "title": _("Bank statement %(name)s") % {"name": statement.bank_account.name},
        "currency": request.company.currency,
        "only_open": only_open,
        "page_number": number,
        "pages": pages,
        "previous_page": number - 1 if number > 1 else None,
        "next_page": number + 1 if number < pages else None,
        **_permissions(request),
    }
    return render(request, "payments/statement_detail.html", context)


def _line_of(request: HttpRequest, line_id: int) -> StatementLine:
    line = (
        StatementLine.objects.filter(company=request.company, pk=line_id)
        .select_related("payment", "entry")
        .first()
    )
    if line is None:
        raise Http404(_("No such statement line."))
    return line


def _answer(request: HttpRequest, line_id: int, error: str = "") -> HttpResponse:
    """The line's row again (with the counts, out of band) for HTMX; else back to the statement's page."""
    line = _line_of(request, line_id)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(f"{reverse('payments:statement_view', args=[line.statement_id])}#line-{line.pk}")
    statement = services.statement_get(request.company, line.statement_id)
    context = {
        "row": _rows(request.company, [line])[0],
        "progress": _progress(statement),
        "statement": statement,
        "currency": request.company.currency,
        "error": error,
        "swap_progress": True,
        **_permissions(request),
    }
    return render(request, "payments/statement_line_row.html", context, status=422 if error else 200)


def _error_text(error: DomainError) -> str:
    if isinstance(error, ValidationFailed) and error.errors:
        return " ".join(item["message"] for item in error.errors)
    return error.detail


@page(*CONFIRM_PERMS)
@require_POST
def line_confirm(request: HttpRequest, line_id: int) -> HttpResponse:
    due_ids = [record_id(value) for value in request.POST.getlist("due")]
    try:
        services.line_confirm(
            company=request.company, by=request.user, line_id=line_id,
            due_ids=[due_id for due_id in due_ids if due_id] or None,
            keep_credit=request.POST.get("keep_credit") == "1",
        )  # fmt: skip
    except DomainError as error:
        return _answer(request, line_id, _error_text(error))
    return _answer(request, line_id)


@page(*UNMATCH_PERMS)
@require_POST
def line_unmatch(request: HttpRequest, line_id: int) -> HttpResponse:
    try:
        services.line_unmatch(company=request.company, by=request.user, line_id=line_id)
    except DomainError as error:
        return _answer(request, line_id, _error_text(error))
    return _answer(request, line_id)


@page("payments.change_bankstatement")
@require_POST
def line_post(request: HttpRequest, line_id: int) -> HttpResponse:
    form = PostForm(request.company, request.POST)
    if not form.is_valid():
        messages_text = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return _answer(request, line_id, messages_text or _("Choose an account."))
    try:
        services.line_post(
            company=request.company, by=request.user, line_id=line_id, account_id=form.cleaned_data["account"].pk,
            description=form.cleaned_data["description"],
        )  # fmt: skip
    except DomainError as error:
        return _answer(request, line_id, _error_text(error))
    return _answer(request, line_id)


@page("payments.view_bankstatement")
def line_view(request: HttpRequest, line_id: int) -> HttpResponse:
    """Where an entry made by a statement line leads: the line on its statement's page."""
    line = _line_of(request, line_id)
    return redirect(f"{reverse('payments:statement_view', args=[line.statement_id])}#line-{line.pk}")


@page(*CONFIRM_PERMS)
@require_POST
def statement_confirm_all(request: HttpRequest, statement_id: int) -> HttpResponse:
    confirmed = services.lines_confirm_all(
        company=request.company, by=request.user, statement_id=statement_id
    )
    if confirmed:
        messages.success(request, _("%(count)s lines confirmed.") % {"count": len(confirmed)})
    else:
        messages.info(request, _("No line has a sure proposal left to confirm."))
    return redirect("payments:statement_view", statement_id)


urlpatterns = [
    path("statements/", statement_list, name="statement_list"),
    path("statements/import/", statement_import, name="statement_import"),
    path("statements/<int:statement_id>/", statement_view, name="statement_view"),
    path("statements/<int:statement_id>/confirm-all/", statement_confirm_all, name="statement_confirm_all"),
    path("statement-lines/<int:line_id>/", line_view, name="statement_line_view"),
    path("statement-lines/<int:line_id>/confirm/", line_confirm, name="statement_line_confirm"),
    path("statement-lines/<int:line_id>/post/", line_post, name="statement_line_post"),
    path("statement-lines/<int:line_id>/unmatch/", line_unmatch, name="statement_line_unmatch"),
]

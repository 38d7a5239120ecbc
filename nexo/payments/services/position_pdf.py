"""The statement of account as the customer reads it: a PDF (WeasyPrint) in the customer's language (else
Spanish), from `payments/statement_of_account_pdf.html` on the printed documents' page and stylesheet
(nexo/core/documents.py)."""

from pathlib import Path

from babel.dates import format_date
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from nexo.core import formatting
from nexo.core.documents import date_text, reader_language, render_html, render_pdf
from nexo.invoicing.documents import address_text, billing_address
from nexo.parties.models import Party
from nexo.payments.services.position import Statement

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "payments" / "statement_pdf.css"
#: The company's language: a company records none, and Nexo's companies are Spanish.
COMPANY_LANGUAGE = "es"


def short_date(value) -> str:
    """A movement's day, short enough for its column (2 mar 2026)."""
    return format_date(value, "medium", locale=formatting.current_locale())


def statement_language(party: Party) -> str:
    return reader_language(party.language or "", COMPANY_LANGUAGE)


def statement_context(statement: Statement) -> dict:
    """What the printed statement shows, formatted in the active language."""
    party, currency = statement.party, statement.currency
    company = party.company
    money = lambda value: formatting.money(value, currency)  # noqa: E731
    address = address_text(billing_address(party), company_country=company.country)
    closing = statement.closing_balance
    return {
        "company": company,
        "party": party,
        "address_lines": [line for line in address.split("\n") if line],
        "start": date_text(statement.start),
        "end": date_text(statement.end),
        "end_text": date_text(statement.end),
        "start_short": short_date(statement.start),
        "end_short": short_date(statement.end),
        "currency": currency,
        "opening_balance": money(statement.opening_balance),
        "movements": [
            {
                "date": short_date(movement.date),
                "kind": movement.kind_label,
                "number": movement.number,
                "description": movement.description,
                "debit": money(movement.debit) if movement.debit else "",
                "credit": money(movement.credit) if movement.credit else "",
                "balance": money(movement.balance),
            }
            for movement in statement.movements
        ],
        "total_debit": money(statement.total_debit),
        "total_credit": money(statement.total_credit),
        "closing_balance": money(closing),
        "closing_credit": money(-closing),
        "closing_is_owed": closing > 0,
        "closing_is_credit": closing < 0,
        "running_header": _("Statement of account · %(party)s") % {"party": party.name},
    }


def statement_html(statement: Statement, *, language: str | None = None) -> SafeString:
    return render_html(
        "payments/statement_of_account_pdf.html",
        lambda: statement_context(statement),
        language=language or statement_language(statement.party),
        stylesheets=[STYLESHEET],
    )


def statement_pdf(statement: Statement, *, language: str | None = None) -> bytes:
    """The statement as the customer reads it, in its language (else the company's)."""
    return render_pdf(statement_html(statement, language=language))


def statement_filename(statement: Statement) -> str:
    return f"statement-{statement.party.pk}-{statement.start.isoformat()}-{statement.end.isoformat()}.pdf"


__all__ = ["statement_context", "statement_filename", "statement_html", "statement_language", "statement_pdf"]

"""The e-mail that sends a quotation: its subject and text from the company's template in the customer's
language (a default when the company has none), with the quotation's facts formatted for that language.

Placeholders: {quotation}, {customer}, {valid_until}, {total}, {salesperson}, {company}. Managers edit the
templates (`quotation_email_template_save`); a template naming an unknown placeholder is refused.
"""

import string
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nexo.core.documents import reader_language
from nexo.core.errors import ValidationFailed
from nexo.core.models import Company, User
from nexo.parties.queries import email_address_of
from nexo.sales import documents
from nexo.sales.models import Quotation, QuotationEmailTemplate

PLACEHOLDERS = ("quotation", "customer", "valid_until", "total", "salesperson", "company")
DEFAULT_SUBJECT = gettext_lazy("Quotation {quotation} from {company}")
DEFAULT_BODY = gettext_lazy(
    "Hello,\n\nPlease find attached our quotation {quotation}, valid until {valid_until}.\n\n"
    "Kind regards,\n{salesperson}\n{company}"
)
LANGUAGES = [code for code, _name in settings.LANGUAGES]


@dataclass(frozen=True)
class QuotationEmail:
    language: str
    subject: str
    body: str


def quotation_language(quotation: Quotation) -> str:
    """The customer's language (the one its PDF is printed in), else the default."""
    return reader_language(getattr(quotation.party, "language", ""), documents.DEFAULT_LANGUAGE)


def default_recipient(quotation: Quotation) -> str:
    """Where the quotation goes unless the sender says otherwise: the e-mail of the person we deal with
    (the party's primary contact, else its first contact with an e-mail; an opportunity names no contact of
    its own), else the party's own address."""
    return email_address_of(quotation.party)


def _values(quotation: Quotation) -> dict[str, str]:
    """The placeholders' values, in the active language: "5 de enero de 2027" / "5 January 2027"."""
    salesperson = quotation.salesperson
    return {
        "quotation": str(quotation),
        "customer": quotation.party.name,
        "valid_until": documents.date_text(quotation.valid_until),
        "total": documents.unit_price_text(quotation.total, quotation.currency),
        "salesperson": salesperson.get_full_name() or salesperson.username,
        "company": quotation.company.name,
    }


def _filled(text: str, values: dict[str, str]) -> str:
    return text.format_map(values)


def template_for(company: Company, language: str) -> tuple[str, str]:
    """The company's subject and text for a language, as written (the default when none)."""
    template = QuotationEmailTemplate.objects.filter(company=company, language=language).first()
    if template is not None:
        return template.subject, template.body
    with translation.override(language):
        return str(DEFAULT_SUBJECT), str(DEFAULT_BODY)


def quotation_email(quotation: Quotation, language: str | None = None) -> QuotationEmail:
    """The e-mail as it will go out: the template filled in the customer's language."""
    language = language or quotation_language(quotation)
    subject, body = template_for(quotation.company, language)
    with translation.override(language):
        values = _values(quotation)
    return QuotationEmail(language, _filled(subject, values), _filled(body, values))


def _checked(text: str, field: str) -> str:
    """The template's text with only known placeholders; `{{` and `}}` write a brace."""
    try:
        named = [
            name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None
        ]
    except ValueError as error:
        raise ValidationFailed.on(
            field, _("A brace is not closed: write {{ or }} for a brace itself.")
        ) from error
    unknown = sorted({name for name in named if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationFailed.on(
            field,
            _("Unknown placeholder %(names)s: use %(known)s.")
            % {
                "names": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
            },
        )
    return text


def quotation_email_template_save(
    *, company: Company, by: User, language: str, subject: str, body: str
) -> QuotationEmailTemplate:
    """The company's e-mail template for a language, created or replaced. Both texts are required and may
    only name the known placeholders."""
    if language not in LANGUAGES:
        raise ValidationFailed.on("language", _("Choose one of the languages offered."))
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        raise ValidationFailed.on("subject", _("This field is required."))
    if not body:
        raise ValidationFailed.on("body", _("This field is required."))
    if "\n" in subject or "\r" in subject:
        raise ValidationFailed.on("subject", _("The subject is one line."))
    if len(subject) > 200:
        raise ValidationFailed.on("subject", _("Ensure this value has at most 200 characters."))
    if len(body) > 5000:
        raise ValidationFailed.on("body", _("Ensure this value has at most 5000 characters."))
    subject, body = _checked(subject, "subject"), _checked(body, "body")
    with transaction.atomic():
        template, created = QuotationEmailTemplate.objects.select_for_update().get_or_create(
            company=company, language=language,
            defaults={"subject": subject, "body": body, "created_by": by, "updated_by": by},
        )  # fmt: skip
        if not created:
            template.subject, template.body, template.updated_by = subject, body, by
            template.save(update_fields=["subject", "body", "updated_by", "updated_at"])
        return template

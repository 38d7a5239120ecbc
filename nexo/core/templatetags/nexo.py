from django import template
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from nexo.core import audit, formatting

register = template.Library()


@register.filter
def money(amount, currency="EUR"):
    if amount == "":  # a missing variable in a template renders empty, not a crash
        return ""
    return formatting.money(amount, currency)


@register.filter
def number(value, places=None):
    if value == "":  # a missing variable in a template renders empty, not a crash
        return ""
    return formatting.number(value, None if places is None else int(places))


@register.filter
def currency_symbol(code):
    """A currency code as money amounts show it: € for EUR."""
    return formatting.currency_symbol(code or "")


@register.filter
def day_text(value):
    """A date as a sentence writes it: 6 de diciembre de 2026, 6 December 2026."""
    return formatting.day_text(value) if value else ""


@register.filter(is_safe=True)
def sentence(text):
    """No doubled full stop where a name ending in a dot ends the sentence: wrap a blocktranslate in
    {% filter sentence %}…{% endfilter %}."""
    return formatting.sentence(text)


def _query(request, **changes) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    return "?" + urlencode(params, doseq=True) if params else "?"


@register.inclusion_tag("core/_sort_header.html", takes_context=True)
def sort_header(context, listing, key, label, css_class=""):
    active = listing.sort == key
    descending = active and listing.descending
    target = f"-{key}" if active and not descending else key
    return {
        "label": label,
        "href": _query(context["request"], sort=target, page=None),
        "active": active,
        "descending": descending,
        "css_class": css_class,
    }


@register.simple_tag(takes_context=True)
def page_url(context, number):
    return _query(context["request"], page=number)


@register.simple_tag
def audit_lines(entry):
    return audit.describe_changes(entry)


@register.simple_tag
def audit_subject(entry):
    return audit.subject(entry)


@register.filter
def country_name(code):
    return formatting.country_name(code)


@register.filter
def who(user):
    """The person behind an action: full name, else user name; "system" when no user did it (a nightly
    task, a migration). A filter because `a|default:a.b` fails outright when `a` is None."""
    if user is None:
        return _("system")
    return user.get_full_name() or user.username

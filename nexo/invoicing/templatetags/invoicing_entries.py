"""`{% journal_entry invoice "invoicing.invoice" %}`: the journal entry a posted document made (and, once it
is cancelled, the entry that reversed it), linked to its page in the ledger for those who may read entries
(one query; none for a draft)."""

from django import template
from django.urls import NoReverseMatch, reverse

from nexo.invoicing.services.entries import entry_link

register = template.Library()


def entry_url(entry_id: int) -> str:
    try:
        return reverse("accounting:entry_detail", args=[entry_id])
    except NoReverseMatch:
        return f"/accounting/entries/{entry_id}/"


@register.inclusion_tag("invoicing/_journal_entry.html", takes_context=True)
def journal_entry(context, document, model: str) -> dict:
    request = context.get("request")
    if request is None or getattr(document, "state", "draft") == "draft":
        return {"entry_id": None}
    found = entry_link(request.company, model, document)
    readable = request.user.has_perm("accounting.view_entry")
    return {
        **found,
        "url": entry_url(found["entry_id"]) if found["entry_id"] and readable else "",
        "reversal_url": entry_url(found["reversal_entry_id"])
        if found["reversal_entry_id"] and readable
        else "",
    }

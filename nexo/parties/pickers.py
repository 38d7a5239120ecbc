"""The party picker: the field forms use to choose a party (any, a customer, a supplier) and its search."""

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from nexo.core.models import Company
from nexo.core.permissions import page
from nexo.core.pickers import PICKER_LIMIT, PickerField, PickerOption, picker_options, picker_words
from nexo.parties.models import Party
from nexo.parties.queries import party_search


class PartyRole:
    """What a form expects of the party; each role is the same filter for the field and its search."""

    ANY = ""  # leads and customers: whom a sale or an opportunity can be for
    CUSTOMER = "customer"
    SUPPLIER = "supplier"
    CHOICES = (ANY, CUSTOMER, SUPPLIER)


def parties_in_role(company: Company, role: str = PartyRole.ANY) -> QuerySet[Party]:
    """The company's active parties that fit the role, by name."""
    parties = Party.objects.filter(company=company, is_active=True)
    if role == PartyRole.CUSTOMER:
        parties = parties.filter(status=Party.Status.CUSTOMER)
    elif role == PartyRole.SUPPLIER:
        parties = parties.filter(is_supplier=True)
    return parties.order_by("name", "pk")


def party_hint(party: Party) -> str:
    return " · ".join(part for part in (party.tax_id, party.city) if part)


class PartyPicker(PickerField):
    """A party of the company; `search={"role": PartyRole.SUPPLIER}` where a supplier is expected. The
    field's queryset says what may be chosen (the form sets it with `parties_in_role`)."""

    search_url = "parties:party_search"
    placeholder = _("Name, tax id or city")

    def code_match(self, code: str) -> Q:
        return (Q(tax_id__iexact=code) & ~Q(tax_id="")) | Q(name__iexact=code)

    def label_from_instance(self, party: Party) -> str:
        return party.name


@page("parties.view_party")
@require_GET
def party_search_options(request: HttpRequest) -> HttpResponse:
    """Active parties of the role with every typed word in their name, trade name, tax id, e-mail or city
    (case and accents aside); one query."""
    words = picker_words(request)
    if isinstance(words, HttpResponse):
        return words
    role = request.GET.get("role", "")
    if role not in PartyRole.CHOICES:
        return HttpResponseBadRequest("role: empty, customer or supplier.")
    parties = parties_in_role(request.company, role)
    for word in words:
        parties = parties.filter(party_search(word))
    found = parties.only("pk", "name", "tax_id", "city")[:PICKER_LIMIT]
    return picker_options(request, (PickerOption(p.pk, p.name, party_hint(p)) for p in found))

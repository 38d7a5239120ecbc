"""Type-ahead pickers: one form field and widget for choosing a record out of thousands.

The widget renders a text input (what the user reads and types) and a hidden input that keeps the field's
name and posts the record's id, so a form's posts are those a <select> would send. `core/picker.js` asks the
module's search endpoint for the matching records as the user types (HTMX) and lets the keyboard choose one
(ARIA combobox). Without the script the text input still works: a code typed there (an item's SKU, a
party's tax id) is looked up when the form is posted.

A module owns the records, so it owns its picker: a `PickerField` subclass naming its search endpoint and
what a typed code matches, and the endpoint, a view answering `picker_options(...)`:

    class ItemPicker(PickerField):
        search_url = "catalog:item_search"
        def code_match(self, code): return Q(sku__iexact=code)
        def label_from_instance(self, item): return f"{item.sku} · {item.name}"

The field's queryset decides what may be chosen (the company's records of the kind that fits); a record
outside it, another company's id posted by hand included, is a form error like any invalid choice.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# A search answers this many records at most: enough to find one by typing a little more.
PICKER_LIMIT = 20
# What a search reads of the typed text; longer input is cut (nobody types 100 characters to find a SKU).
PICKER_QUERY_LENGTH = 100
# The text input's name beside the field's own (the hidden id): `item` posts the id, `item_search` the text.
TEXT_SUFFIX = "_search"


class TypedCode(str):
    """What was typed in a picker's text input with no record chosen: a code to look up, not an id."""


@dataclass(frozen=True)
class PickerOption:
    value: int
    label: str
    hint: str = ""


class PickerWidget(forms.Widget):
    template_name = "core/_picker.html"

    def __init__(self, attrs=None, *, value_attrs: dict | None = None):
        super().__init__(attrs)
        self.value_attrs = value_attrs or {}  # on the hidden input: e.g. hx-* attributes fired on a change
        self.field: PickerField | None = None  # set by the field: it knows the search and the labels

    def __deepcopy__(self, memo):
        widget = super().__deepcopy__(memo)
        widget.value_attrs = self.value_attrs.copy()
        return widget

    def value_from_datadict(self, data, files, name):
        chosen = str(data.get(name) or "").strip()
        if chosen:
            return chosen
        typed = str(data.get(name + TEXT_SUFFIX) or "").strip()
        return TypedCode(typed) if typed else ""

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + TEXT_SUFFIX not in data

    def id_for_label(self, id_):
        return id_  # the text input: what the label names and the user types in

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        field = self.field
        typed = isinstance(value, TypedCode)
        label = str(value) if typed else (field.label_for(value) if field is not None else "")
        widget = context["widget"]
        input_id = widget["attrs"].get("id") or f"id_{name}"
        widget.update({
            "text_name": name + TEXT_SUFFIX,
            "text": label,
            "chosen": "" if typed or value in (None, "") else str(value),
            "value_attrs": self.value_attrs,
            "input_id": input_id,
            "value_id": f"{input_id}_value",
            "listbox_id": f"{input_id}_listbox",
            "search_url": field.search_href() if field is not None else "",
            "sends": field.sends if field is not None else {},
        })  # fmt: skip
        widget["attrs"].setdefault("placeholder", field.placeholder if field is not None else "")
        return context


class PickerField(forms.ModelChoiceField):
    """A record chosen by typing: the id posted by the hidden input, or a code typed without the script."""

    widget = PickerWidget
    search_url: str = ""  # the URL name of the module's search endpoint
    search_params: dict = {}  # fixed parameters of the search, e.g. {"role": "supplier"}
    placeholder = _("Type to search")
    default_error_messages = {
        "invalid_choice": _("Choose one of the records offered as you type."),
        "unknown_code": _("Nothing matches “%(code)s”: type a little and choose from the list."),
    }

    def __init__(self, queryset, *, search: dict | None = None, sends: dict | None = None, **kwargs):
        kwargs.setdefault("empty_label", None)
        super().__init__(queryset, **kwargs)
        self.search = dict(self.search_params if search is None else search)
        self.sends = sends or {}  # parameters read from other fields of the form: {"party": "party"}
        self.widget.field = self

    def __deepcopy__(self, memo):
        field = super().__deepcopy__(memo)
        field.search = dict(self.search)
        field.sends = dict(self.sends)
        field.widget.field = field
        return field

    def code_match(self, code: str) -> Q:
        """The records a code typed without choosing names (exactly one, else it is an error)."""
        raise NotImplementedError

    def search_href(self) -> str:
        url = reverse(self.search_url)
        return f"{url}?{urlencode(self.search)}" if self.search else url

    def label_for(self, value) -> str:
        """The chosen record's label, for a form shown again (after an error, or to edit a record)."""
        if value in self.empty_values:
            return ""
        if hasattr(value, "_meta"):
            return self.label_from_instance(value)
        try:
            record = self.queryset.filter(pk=value).first()
        except (ValueError, TypeError, ValidationError):
            return ""
        return self.label_from_instance(record) if record is not None else ""

    def to_python(self, value):
        if isinstance(value, TypedCode):
            code = value.strip()[:PICKER_QUERY_LENGTH].replace("\x00", "")
            found = list(self.queryset.filter(self.code_match(code))[:2])
            if len(found) != 1:
                raise ValidationError(
                    self.error_messages["unknown_code"], code="invalid_choice", params={"code": code}
                )
            return found[0]
        return super().to_python(value)


def picker_words(request: HttpRequest) -> list[str] | HttpResponse:
    """The words typed into a picker (`q`), or a 400 answer for input that no picker sends."""
    text = request.GET.get("q", "")
    if len(text) > PICKER_QUERY_LENGTH or "\x00" in text:
        return HttpResponseBadRequest("q: at most 100 characters, no NUL.")
    # A word with no letter or digit (the "·" of a label typed back) would match nothing.
    return [word for word in text.split() if any(ch.isalnum() for ch in word)]


def picker_options(request: HttpRequest, options: Iterable[PickerOption]) -> HttpResponse:
    """The options of a picker's list box: what every search endpoint answers."""
    return render(request, "core/_picker_options.html", {"options": list(options)[:PICKER_LIMIT]})

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from nexo.core.api import CONTROL_CHARACTERS
from nexo.core.errors import ValidationFailed
from nexo.core.models import User


def no_control_characters(value: str) -> None:
    """Text only: control characters (but tab and line breaks) cannot be typed, and break exports."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            _("Remove the invisible control characters (pasted with the text)."), code="control_characters"
        )


class TextOnly:
    """A form mixin: every text field refuses control characters (tab and line breaks are text).

        class LeadForm(TextOnly, forms.Form): ...
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and no_control_characters not in field.validators:
                field.validators.append(no_control_characters)


class LoginForm(TextOnly, AuthenticationForm):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=User.Language.choices, required=False)


class TokenForm(TextOnly, forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, help_text=_("Where it will be used, e.g. “shop sync”.")
    )


def apply_failure(form: forms.Form, failure: ValidationFailed) -> None:
    """Show a service's field errors on the form; unknown fields go to the form's top."""
    for field, messages in failure.field_messages().items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from nexo.core.errors import ValidationFailed
from nexo.core.models import User


class LoginForm(AuthenticationForm):
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


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, help_text=_("Where it will be used, e.g. “shop sync”.")
    )


def apply_failure(form: forms.Form, failure: ValidationFailed) -> None:
    """Show a service's field errors on the form; unknown fields go to the form's top."""
    for field, messages in failure.field_messages().items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)

"""The stage form: the fields a manager sets on a pipeline stage; the service checks them again."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from nexo.core.forms import TextOnly
from nexo.crm.models import Stage

PERCENTAGE_MESSAGE = _("Enter a percentage between 0 and 100.")


class StageForm(TextOnly, forms.ModelForm):
    class Meta:
        model = Stage
        fields = ["name", "kind", "sequence", "probability", "is_active"]
        widgets = {"name": forms.TextInput(attrs={"autofocus": True})}
        help_texts = {
            "sequence": _("Stages are shown from the lowest number to the highest."),
            "probability": _("A new opportunity in this stage starts with this probability."),
            "kind": _("Won and lost stages close an opportunity. The kind cannot be changed later."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            del self.fields["kind"]  # an opportunity's status follows its stage's kind: fixed once created
        probability = self.fields["probability"]
        probability.validators += [
            MinValueValidator(0, message=PERCENTAGE_MESSAGE),
            MaxValueValidator(100, message=PERCENTAGE_MESSAGE),
        ]
        probability.widget.attrs.update({"min": 0, "max": 100, "step": "0.01"})

    def service_fields(self) -> dict:
        """What stage_create / stage_update take: the kind only when creating."""
        return dict(self.cleaned_data)

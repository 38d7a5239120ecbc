"""CRM: pipeline stages, opportunities with their stage history, and activities — on the shared parties."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nexo.core.models import CompanyOwned
from nexo.crm import rules
from nexo.parties.models import Party


class Stage(CompanyOwned):
    # What entering the stage makes of an opportunity: its status (rules.OPPORTUNITY_LIFECYCLE).
    class Kind(models.TextChoices):
        OPEN = rules.OPEN, _("Open")
        WON = rules.WON, _("Won")
        LOST = rules.LOST, _("Lost")

    name = models.CharField(_("name"), max_length=60)
    sequence = models.PositiveSmallIntegerField(_("order"), default=10)
    probability = models.DecimalField(
        _("default probability %"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OPEN)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["sequence", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="stage_name_unique"),
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=100), name="stage_probability_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Opportunity(CompanyOwned):
    class Status(models.TextChoices):
        OPEN = rules.OPEN, _("Open")
        WON = rules.WON, _("Won")
        LOST = rules.LOST, _("Lost")

    class Source(models.TextChoices):
        WEB = "web", _("Website")
        REFERRAL = "referral", _("Referral")
        FAIR = "fair", _("Trade fair")
        COLD_CALL = "cold_call", _("Cold call")
        EMAIL = "email", _("E-mail campaign")
        PARTNER = "partner", _("Partner")
        EXISTING = "existing", _("Existing customer")
        OTHER = "other", pgettext_lazy("opportunity source", "Other")

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+", verbose_name=_("party"))
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+", verbose_name=_("stage"))
    # The kind of the stage it last entered, changed only through core.states (rules.OPPORTUNITY_LIFECYCLE);
    # stored so lists and the forecast filter on it with an index.
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    amount = models.DecimalField(
        _("expected amount"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    probability = models.DecimalField(
        _("probability %"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    expected_close = models.DateField(_("expected close date"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.OTHER)
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    lost_reason = models.CharField(_("lost reason"), max_length=500, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["expected_close", "id"]
        permissions = [("view_all_opportunities", "Can see every salesperson's opportunities")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="opportunity_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=100), name="opportunity_probability_range"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "status", "expected_close"], name="opportunity_status_close_idx"),
            models.Index(fields=["company", "owner", "status"], name="opportunity_owner_idx"),
            models.Index(fields=["company", "stage"], name="opportunity_stage_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class StageChange(models.Model):
    """Who moved an opportunity from which stage to which, and when."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, related_name="+")
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]


class Activity(CompanyOwned):
    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        EMAIL = "email", _("E-mail")
        TASK = "task", _("Task")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CALL)
    subject = models.CharField(_("subject"), max_length=200)
    party = models.ForeignKey(
        Party, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("party")
    )
    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, null=True, blank=True, related_name="activities",
        verbose_name=_("opportunity"),
    )  # fmt: skip
    due_at = models.DateTimeField(_("due"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(party__isnull=False) | Q(opportunity__isnull=False),
                name="activity_has_subject_record",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "owner", "done", "due_at"], name="activity_owner_due_idx"),
            models.Index(fields=["opportunity", "done", "due_at"], name="activity_opportunity_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

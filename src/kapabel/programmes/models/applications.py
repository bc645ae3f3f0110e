"""Applications to a funding scheme: draft → submitted → granted / rejected → paid."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kapabel.programmes.models.programme import Participant, Phase, Programme


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        GRANTED = "granted", _("Granted")
        REJECTED = "rejected", _("Rejected")
        PAID = "paid", _("Paid")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="applications")
    scheme = models.ForeignKey(
        "programmes.FundingScheme", on_delete=models.PROTECT, related_name="+", verbose_name=_("scheme")
    )
    phase = models.ForeignKey(
        Phase, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("phase")
    )
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("participant"),
        help_text=_("Empty: a group application."),
    )
    people = models.PositiveIntegerField(_("people"), default=1, validators=[MinValueValidator(1)])
    title = models.CharField(_("title"), max_length=200)
    master = models.BooleanField(_("master programme"), default=False)
    education_starts_on = models.DateField(_("education starts on"))
    education_ends_on = models.DateField(_("education ends on"), null=True, blank=True)
    eligible_costs = models.DecimalField(
        _("eligible costs (kr.)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    granted_amount = models.DecimalField(
        _("granted (kr.)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    paid_amount = models.DecimalField(
        _("paid (kr.)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    case_number = models.CharField(_("case number"), max_length=50, blank=True)
    documents = models.TextField(_("documents"), blank=True)
    signatures_needed = models.TextField(_("signatures needed"), blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    # When the coordinators were reminded of the deadline of this draft (once per application).
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["education_starts_on", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def counts_as_grant(self) -> bool:
        return self.status in (self.Status.GRANTED, self.Status.PAID)


def document_path(instance: ApplicationDocument, filename: str) -> str:
    """Stored under a random name: the person's file name is kept in `name`, never in a path."""
    return f"programmes/applications/{instance.application_id}/{uuid.uuid4().hex}"


class ApplicationDocument(models.Model):
    """A file attached to an application (a course description, a quote, a signed form), kept in the
    default file storage under the var directory and served only to those who manage the programme."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=document_path, max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name

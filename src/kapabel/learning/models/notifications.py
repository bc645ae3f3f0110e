"""What learning has sent (so a reminder or a status e-mail goes out once) and each person's language
for e-mail and calendar text."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kapabel.learning.models.enrolment import Enrolment


class NotificationLog(models.Model):
    """One e-mail sent by learning. `key` says what it was about (e.g. `reminder:<enrolment>:<date>`,
    `booked:<status change>:<address>`) and is unique, so the same notice is never sent twice, also
    when two senders race: the row is written first and only its writer sends. A row whose sending
    failed is removed again, so a later run can retry."""

    key = models.CharField(max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=30)
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    recipient = models.EmailField(_("recipient"))
    language = models.CharField(max_length=10, default="da")
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    # For a booking's calendar: {"sessions": [ids], "fingerprint": "..."} (what the recipient's
    # calendar now holds, so a later change sends only a real difference).
    data = models.JSONField(default=dict, blank=True)
    batch = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("notification sent")
        verbose_name_plural = _("notifications sent")
        ordering = ["-sent_at", "id"]
        indexes = [models.Index(fields=["enrolment", "kind"], name="notification_enrolment_idx")]

    def __str__(self) -> str:
        return self.key


class NotificationPreference(models.Model):
    """A person's language for learning e-mails and their calendar feed (default Danish)."""

    class Language(models.TextChoices):
        DANISH = "da", _("Danish")
        ENGLISH = "en", _("English")

    employee = models.OneToOneField(
        "organisation.Employee", on_delete=models.CASCADE, related_name="learning_preference"
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.DANISH
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("learning notification preference")
        verbose_name_plural = _("learning notification preferences")

    def __str__(self) -> str:
        return f"{self.employee_id}:{self.language}"

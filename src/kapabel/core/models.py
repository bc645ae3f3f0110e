"""The ground floor every other app leans on: the tenant root (`Municipality`), accounts, roles,
audit log and API tokens. Nothing here knows about units or people; those live in `organisation`."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Municipality(models.Model):
    """A tenant: one Danish municipality. Every tenant-owned row reaches one of these.

    It lives in core, the ground floor, because every app's rows point at it (and the audit log and
    role grants do too); the table keeps its original name from when it lived in `organisation`."""

    name = models.CharField(_("name"), max_length=100)
    kommunekode = models.CharField(
        _("municipality code"),
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^\d{3}$", _("The municipality code has three digits, e.g. 751."))],
    )
    cvr = models.CharField(
        _("CVR number"),
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^\d{8}$", _("A CVR number has eight digits."))],
    )

    class Meta:
        db_table = "organisation_municipality"
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A login. Linked to at most one `organisation.Employee` (via `Employee.user`)."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Role(models.TextChoices):
    """Roles a person can hold. Employee and manager follow from the organisation (a linked
    employee, a unit they lead); the others are granted as `organisation.RoleAssignment` rows."""

    EMPLOYEE = "employee", _("Employee")
    MANAGER = "manager", _("Manager")
    HR = "hr", _("HR/competence consultant")
    COORDINATOR = "coordinator", _("Programme coordinator")
    MUNICIPALITY_ADMIN = "municipality_admin", _("Municipality administrator")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


GRANTED_ROLES = [
    (Role.HR.value, Role.HR.label),
    (Role.COORDINATOR.value, Role.COORDINATOR.label),
    (Role.MUNICIPALITY_ADMIN.value, Role.MUNICIPALITY_ADMIN.label),
    (Role.PLATFORM_ADMIN.value, Role.PLATFORM_ADMIN.label),
]


class AppendOnlyError(Exception):
    """Raised on an attempt to change or delete an audit event through the ORM."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Audit events are appended (through `kapabel.core.audit.record`) and never changed or deleted.
    The only sanctioned change, blanking the personal part of an event when a person is anonymised,
    is made by `kapabel.core.audit.redaction` and is itself recorded in the chain."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AppendOnlyError("Audit events cannot be changed.")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list["AuditEvent"]:  # type: ignore[override]  # refuses any call
        raise AppendOnlyError("Audit events are written one at a time by kapabel.core.audit.record.")


class AuditEvent(models.Model):
    """Who changed or read what, when, from what to what: one link of a tamper-evident hash chain.

    Written only through `kapabel.core.audit.record` (and `audit_read`). Each municipality has its own
    chain (`chain` is the municipality's id; 0 is the platform's chain for events of no municipality).
    An event's `hash` covers its chain position, its plain fields and `detail_digest`, and the hash
    of the event before it; `detail_digest` is a salted SHA-256 of the personal part (`actor_label`,
    `object_repr`, `changes`). So the chain can be verified, and stays verifiable after the personal
    part of an event is blanked when its person is anonymised (the salt goes with it, so the digest
    reveals nothing). See docs/data-protection.md."""

    class Kind(models.TextChoices):
        CHANGE = "change", pgettext_lazy("audit event kind", "Change")
        READ = "read", pgettext_lazy("audit event kind", "Read")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # No database constraint and no cascade: removing a user account must not touch the log.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CHANGE)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    # The employee (organisation.Employee id) the event is about, if any: reads of their pages,
    # changes of their record, ratings and targets. Plain id, no foreign key: core sits below
    # organisation, and the log must outlive what it describes.
    person = models.BigIntegerField(_("person"), null=True, blank=True, db_index=True)

    # The personal part: covered by `detail_digest`, blanked when the person is anonymised.
    # Kept even when the actor's account is later removed, and for system actors (imports, demo).
    actor_label = models.CharField(_("who"), max_length=200)
    object_repr = models.CharField(_("object"), max_length=300)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    detail_salt = models.CharField(max_length=32, blank=True, default="")
    redacted_at = models.DateTimeField(null=True, blank=True)
    redacted_by = models.BigIntegerField(null=True, blank=True)  # the anonymisation event's id

    # The chain.
    chain = models.PositiveBigIntegerField(default=0)
    seq = models.PositiveBigIntegerField(default=0)
    detail_digest = models.CharField(max_length=64, default="")
    hash = models.CharField(max_length=64, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        base_manager_name = "objects"
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq")]
        indexes = [
            models.Index(fields=["municipality", "-at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")


class AuditChainHead(models.Model):
    """The end of one audit chain: its last sequence number and hash. Appending locks this row
    (SELECT … FOR UPDATE), so appends to one chain are serialised; and a chain whose last events were
    removed no longer ends where its head says."""

    chain = models.PositiveBigIntegerField(unique=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"chain {self.chain} @ {self.last_seq}"


class PersonalAccessToken(models.Model):
    """An API token. Only a SHA-256 hash is stored: tokens are 256 random bits, so a fast hash
    is enough (no dictionary to attack) and lets each request look the token up by index."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class FailedLogin(models.Model):
    """A login attempt, for throttling (kapabel.core.auth): written before the password is checked,
    removed again if the password was right, kept with `finished_at` set if it was wrong. Rows older
    than the window are pruned on write."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # When the password turned out wrong; empty while it is being checked.
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class JobRun(models.Model):
    """One run of a long write (a framework import, a gap rebuild, …): a record that outlives the
    write's transaction, so that a run that died (a killed process, a lost worker) says so.

    Written only by `kapabel.core.jobs.long_write`: created "running" before the write's transaction
    starts; marked "succeeded" inside that transaction (so the mark and the data commit together), or
    "failed" after it rolled back. A run killed outright stays "running" with its row unlocked; the
    watchdog (`kapabel watchdog`) marks it failed once its lease has passed. A live run holds its row
    locked in its transaction, so it is never taken for dead."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=60)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    description = models.CharField(_("description"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Why a run failed: "stopped" (died without finishing) or the error's class; never personal data.
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status", "started_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"

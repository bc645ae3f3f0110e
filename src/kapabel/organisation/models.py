"""The unit tree, job roles, employees, HR imports and role grants of a municipality (the tenant
root, `Municipality`, lives in `kapabel.core.models`).

The unit tree is stored as a materialised path: each unit's `path` is its ancestors' primary keys
and its own, e.g. "/1/14/203/". A subtree is then one indexed range scan (see `subtree_q`) instead of
a recursive walk node by node, moving a subtree is one UPDATE of the paths that start with the old
prefix, and the depth and ancestors come for free. We chose it over a closure table because reads
(scoping every query to a manager's subtree) vastly outnumber moves, and it needs no extra table.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kapabel.core.access import subtree_q
from kapabel.core.models import GRANTED_ROLES, Municipality


class OrgUnit(models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        FORVALTNING = "forvaltning", _("Administration (forvaltning)")
        CENTER = "center", _("Centre")
        DEPARTMENT = "department", _("Department")
        TEAM = "team", _("Team")
        INSTITUTION = "institution", _("Institution")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    # Maintained only by the services in `organisation.services`.
    path = models.CharField(max_length=500, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    managers: models.ManyToManyField = models.ManyToManyField(
        "Employee", blank=True, related_name="managed_units", verbose_name=_("managers")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "external_id"],
                condition=~Q(external_id=""),
                name="orgunit_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def ancestor_ids(self) -> list[int]:
        """Primary keys from the root down to the parent, read off the path (no queries)."""
        return [int(part) for part in self.path.strip("/").split("/")[:-1] if part]

    def subtree_q(self, field: str = "path") -> Q:
        return subtree_q(self.path, field)


class JobRole(models.Model):
    """A job title (stillingsbetegnelse) with its payroll job code (stillingskode)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="job_roles")
    title = models.CharField(_("job title"), max_length=200)
    code = models.CharField(_("job code"), max_length=50, blank=True)
    job_family = models.CharField(_("job family"), max_length=100, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("job role")
        verbose_name_plural = _("job roles")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "external_id"],
                condition=~Q(external_id=""),
                name="jobrole_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Employee(models.Model):
    """A person employed by the municipality. No CPR number is stored, anywhere."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="employees")
    external_id = models.CharField(_("external id"), max_length=100)
    employee_number = models.CharField(_("employee number"), max_length=50, blank=True)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("work e-mail"), blank=True)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="employees", verbose_name=_("unit")
    )
    job_role = models.ForeignKey(
        JobRole,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="employees",
        verbose_name=_("job role"),
    )
    weekly_hours = models.DecimalField(
        _("weekly hours"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    employment_start = models.DateField(_("employed from"), null=True, blank=True)
    employment_end = models.DateField(_("employed until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="employee"
    )
    # When the person was anonymised (GDPR): name, e-mail and identifiers blanked, the row kept so
    # the statistics built on it stay the same (kapabel.privacy).
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "external_id"], name="employee_unique_external_id"
            ),
        ]
        indexes = [models.Index(fields=["municipality", "active", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_person_id(self) -> int:
        """The audit log files events about this record under this person (kapabel.core.audit)."""
        return self.pk


class HRImport(models.Model):
    """One HR data import: who started it, when, from which files (checksums), what it found and
    changed, and how it ended. The uploaded files are kept only until they have been read (in the
    background), and the parsed rows (never a CPR number) only until the import has run.

    A process working on an import (checking or applying it) touches `heartbeat_at` as it goes; one
    whose heartbeat is older than `KAPABEL_IMPORT_LEASE_MINUTES` has died and is marked failed."""

    class Format(models.TextChoices):
        PLAN2LEARN = "plan2learn", _("plan2learn export from OS2mo")
        KAPABEL = "kapabel", _("Kapabel sheet (CSV or XLSX)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        CHECKING = "checking", _("Being checked")
        READY = "ready", _("Checked, waiting for confirmation")
        PREVIEWED = "previewed", _("Checked (dry run), nothing written")
        REJECTED = "rejected", _("Rejected, nothing written")
        APPLYING = "applying", _("Being imported")
        SUCCEEDED = "succeeded", _("Imported")
        FAILED = "failed", _("Failed, nothing written")
        DISCARDED = "discarded", _("Discarded, nothing written")

    class Source(models.TextChoices):
        WEB = "web", _("Web page")
        CLI = "cli", _("Command line")
        API = "api", _("API")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="hr_imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    full = models.BooleanField(_("full import"), default=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    skip_invalid = models.BooleanField(_("skip invalid rows"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    files = models.JSONField(default=list, blank=True)  # [{"name", "sha256", "bytes"}]
    rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)  # the first problems, see MAX_PROBLEMS
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    sample = models.JSONField(default=list, blank=True)  # a sample of row diffs
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_label = models.CharField(max_length=100, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # last sign of life of the process at work
    # The files as uploaded (a zip archive of them, CPR column and all), until the background task has
    # read them into `payload`, which holds the parsed rows without any CPR number.
    upload = models.BinaryField(null=True, blank=True, editable=False)
    payload = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("HR import")
        verbose_name_plural = _("HR imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"HR import #{self.pk} ({self.format})"

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.CHECKING, self.Status.APPLYING)


# While an import has one of these statuses a process is working on it and keeps its heartbeat.
HRIMPORT_RUNNING = (HRImport.Status.CHECKING, HRImport.Status.APPLYING)


class RoleAssignment(models.Model):
    """A granted role. `unit` empty means the whole municipality; with a unit the role covers
    that unit's subtree. Platform administrators have no municipality."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=32, choices=GRANTED_ROLES)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "core_roleassignment"  # the table kept its name when the model moved from core
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="platform_admin", municipality__isnull=True, unit__isnull=True)
                | (~models.Q(role="platform_admin") & models.Q(municipality__isnull=False)),
                name="role_assignment_scope_matches_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role}"

    @property
    def audit_person_id(self) -> int | None:
        """A grant's audit events are about the person whose login it is (if they are an employee)."""
        return Employee.objects.filter(user_id=self.user_id).values_list("pk", flat=True).first()

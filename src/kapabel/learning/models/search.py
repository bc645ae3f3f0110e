"""Structures for the Danish catalogue search and the catalogue import.

`OfferSearch` is the search document of an offer. Its table is made per database by migration 0003:
on PostgreSQL a table with a `tsvector` column (`danish` configuration, title weighted A) and a GIN
index; on SQLite an FTS5 table (rowid = offer id) holding the Snowball-stemmed words. The model
declares only the offer, so Django flushes the table with the others and deletes an offer's document
with the offer; the documents are written by `kapabel.learning.search.index` (called by the services
and the import) and read with raw SQL by `kapabel.learning.search`.

`CatalogueImport` records one catalogue import: the uploaded file (kept until it is confirmed or
discarded), what the check found and what was written."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kapabel.learning.models.catalogue import Offer

SEARCH_TABLE = "learning_offer_search"


class OfferSearch(models.Model):
    offer = models.OneToOneField(
        Offer,
        on_delete=models.CASCADE,
        primary_key=True,
        db_constraint=False,
        related_name="search_document",
    )

    class Meta:
        db_table = SEARCH_TABLE
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")

    def __str__(self) -> str:
        return str(self.pk)


class CatalogueImport(models.Model):
    """One import of a provider's course list (CSV or XLSX)."""

    class Status(models.TextChoices):
        READY = "ready", _("Checked, waiting for confirmation")
        PREVIEWED = "previewed", _("Checked (dry run), nothing written")
        REJECTED = "rejected", _("Rejected, nothing written")
        SUCCEEDED = "succeeded", _("Imported")
        DISCARDED = "discarded", _("Discarded, nothing written")
        FAILED = "failed", _("Failed, nothing written")

    class Source(models.TextChoices):
        WEB = "web", _("Web page")
        CLI = "cli", _("Command line")

    municipality = models.ForeignKey("core.Municipality", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.READY)
    file_name = models.CharField(_("file"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)  # the first problems (MAX_PROBLEMS)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    sample = models.JSONField(default=list, blank=True)  # examples of the changes
    # The uploaded file, kept only until the import is confirmed or discarded.
    payload = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("catalogue import")
        verbose_name_plural = _("catalogue imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Catalogue import #{self.pk} ({self.file_name})"

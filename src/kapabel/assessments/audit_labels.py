"""Competence clarification's actions in words, for the audit log page (kapabel.core.audit.present)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "assessments.campaign.created": _("Created a campaign"),
    "assessments.campaign.closed": _("Closed a campaign"),
    "assessments.campaign.reminded": _("Sent campaign reminders"),
    "assessments.assessment.submitted": _("Submitted a self-assessment"),
    "assessments.assessment.manager_submitted": _("Submitted a manager assessment"),
    "assessments.assessment.agreed_submitted": _("Registered agreed levels"),
    "assessments.ratings.recorded": _("Recorded ratings"),
    "assessments.rating.corrected": _("Corrected a rating"),
    "assessments.settings.updated": _("Changed the clarification settings"),
    "assessments.history.viewed": _("Opened a person's rating history"),
    "assessments.review.viewed": _("Opened a person's assessment for review"),
    "assessments.levels.viewed": _("Read a person's current levels"),
}

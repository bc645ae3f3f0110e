"""Writes for clarification: campaigns, assessments, ratings, reminders. Views, the API, commands,
tasks and the demo all call these, as `services.<name>`; the modules split them by concept:

- `campaigns`: create and close a campaign, and the open check every save goes through;
- `assessments`: the participant's answers, the manager assessment and the agreed level;
- `ratings`: the one write path of the rating history, corrections, the current level and its
  source order (the municipality's settings);
- `mailing`: invitations when a campaign opens, and reminders on demand;
- `reminders`: the daily reminder e-mails.
"""

from kapabel.assessments.services.assessments import (
    UNKNOWN,
    StaleVersion,
    assessment_save_manager,
    assessment_save_self,
    clean_answers,
)
from kapabel.assessments.services.campaigns import (
    Scope,
    campaign_close,
    campaign_create,
    campaign_require_open,
)
from kapabel.assessments.services.mailing import MailResult, campaign_invitations_send, campaign_remind
from kapabel.assessments.services.ratings import (
    RatingEntry,
    assessment_settings_update,
    competence_level_values,
    rating_correct,
    ratings_record,
    refresh_current_levels,
)
from kapabel.assessments.services.reminders import reminders_send

__all__ = [
    "UNKNOWN",
    "RatingEntry",
    "Scope",
    "StaleVersion",
    "assessment_save_manager",
    "assessment_save_self",
    "MailResult",
    "assessment_settings_update",
    "campaign_invitations_send",
    "campaign_remind",
    "campaign_close",
    "campaign_create",
    "campaign_require_open",
    "clean_answers",
    "competence_level_values",
    "rating_correct",
    "ratings_record",
    "refresh_current_levels",
    "reminders_send",
]

from django.urls import URLPattern, URLResolver, include, path

from kapabel.learning import calendar_views
from kapabel.learning.views import admin, catalogue, enrolments, mine, team

app_name = "learning"
urlpatterns: list[URLPattern | URLResolver] = [
    # Everyone: the catalogue, offers and cohorts.
    path("catalogue/", catalogue.catalogue, name="catalogue"),
    path("catalogue/offers/<int:offer_id>/", catalogue.offer_detail, name="offer_detail"),
    path("catalogue/offers/<int:offer_id>/interest/", catalogue.interest_register, name="interest_register"),
    path("catalogue/cohorts/<int:cohort_id>/", catalogue.cohort_detail, name="cohort_detail"),
    path("catalogue/cohorts/<int:cohort_id>/request/", catalogue.cohort_request, name="cohort_request"),
    # The person.
    path("mine/", mine.my_learning, name="mine"),
    # Managers.
    path("team/", team.approvals, name="approvals"),
    path("team/calendar/", team.team_calendar, name="team_calendar"),
    # One enrolment.
    path("enrolments/<int:enrolment_id>/approve/", enrolments.enrolment_approve, name="enrolment_approve"),
    path("enrolments/<int:enrolment_id>/decline/", enrolments.enrolment_decline, name="enrolment_decline"),
    path("enrolments/<int:enrolment_id>/cancel/", enrolments.enrolment_cancel, name="enrolment_cancel"),
    path("enrolments/<int:enrolment_id>/complete/", enrolments.enrolment_complete, name="enrolment_complete"),
    path("enrolments/<int:enrolment_id>/fail/", enrolments.enrolment_fail, name="enrolment_fail"),
    # HR: cohort administration.
    path("cohorts/", admin.cohort_list, name="cohort_list"),
    path("cohorts/new/", admin.cohort_create, name="cohort_create"),
    path("cohorts/<int:cohort_id>/edit/", admin.cohort_edit, name="cohort_edit"),
    path("cohorts/<int:cohort_id>/status/", admin.cohort_status, name="cohort_status"),
    path("cohorts/<int:cohort_id>/cancel/", admin.cohort_cancel, name="cohort_cancel"),
    path("catalogue/cohorts/<int:cohort_id>/book/", admin.cohort_book, name="cohort_book"),
    path("sessions/<int:session_id>/attendance/", admin.session_attendance, name="session_attendance"),
    # Calendar feeds and the catalogue import.
    path("calendar/<str:token>.ics", calendar_views.feed, name="calendar_feed"),
    path("calendar/renew/", calendar_views.feed_renew, name="calendar_renew"),
    path("catalogue/import/", include("kapabel.learning.catalogue_import.urls")),
]

from django.urls import URLPattern, path

from kapabel.programmes.views import editing, pages, pickers

app_name = "programmes"
urlpatterns: list[URLPattern] = [
    path("", pages.programme_list, name="list"),
    path("new/", editing.programme_create, name="create"),
    path("people/", pickers.people_pick_new, name="people_pick_new"),
    path("hourly-costs/", editing.hourly_costs, name="hourly_costs"),
    path("schemes/", pages.schemes, name="schemes"),
    path("<int:programme_id>/", pages.overview, name="overview"),
    path("<int:programme_id>/edit/", editing.programme_edit, name="edit"),
    path("<int:programme_id>/people/", pickers.people_pick, name="people_pick"),
    path("<int:programme_id>/partners/", editing.partner_add, name="partner_add"),
    path("<int:programme_id>/steering-group/", editing.steering_member_add, name="steering_member_add"),
    path(
        "<int:programme_id>/partners/<int:partner_id>/remove/", editing.partner_remove, name="partner_remove"
    ),
    path(
        "<int:programme_id>/steering-group/<int:member_id>/remove/",
        editing.steering_member_remove,
        name="steering_member_remove",
    ),
    path("<int:programme_id>/target-group/", editing.target, name="target"),
    path("<int:programme_id>/phases/new/", editing.phase_create, name="phase_create"),
    path("<int:programme_id>/phases/<int:phase_id>/", editing.phase_edit, name="phase_edit"),
    path("<int:programme_id>/participants/", editing.participants, name="participants"),
    path(
        "<int:programme_id>/participants/statuses/", editing.participant_statuses, name="participant_statuses"
    ),
    path("<int:programme_id>/substitutes/", pages.substitutes, name="substitutes"),
    path("<int:programme_id>/placements/", pages.placement_create, name="placement_create"),
    path(
        "<int:programme_id>/substitutes/<int:substitute_id>/outcome/",
        pages.substitute_outcome,
        name="substitute_outcome",
    ),
    path("<int:programme_id>/applications/", pages.applications, name="applications"),
    path(
        "<int:programme_id>/applications/<int:application_id>/move/",
        pages.application_move,
        name="application_move",
    ),
    path(
        "<int:programme_id>/applications/<int:application_id>/documents/",
        editing.documents,
        name="documents",
    ),
    path(
        "<int:programme_id>/applications/<int:application_id>/documents/<int:document_id>/",
        editing.document_download,
        name="document_download",
    ),
]

from django.urls import path

from kapabel.competences import views

app_name = "competences"
urlpatterns = [
    path("", views.framework_list, name="framework_list"),
    path("new/", views.framework_create, name="framework_create"),
    path("import/", views.framework_import, name="framework_import"),
    path("<int:framework_pk>/", views.framework_detail, name="framework_detail"),
    path("<int:framework_pk>/edit/", views.framework_edit, name="framework_edit"),
    path("<int:framework_pk>/new-version/", views.framework_new_version, name="framework_new_version"),
    path("<int:framework_pk>/move-profiles/", views.framework_move_profiles, name="framework_move_profiles"),
    path("versions/<int:version_pk>/publish/", views.version_publish, name="version_publish"),
    path("versions/<int:version_pk>/export/", views.version_export, name="version_export"),
    path("versions/<int:version_pk>/new-competence/", views.competence_create, name="competence_create"),
    path("versions/<int:version_pk>/reorder/", views.competence_reorder, name="competence_reorder"),
    path("versions/<int:version_pk>/profiles/", views.profile_matrix, name="profile_matrix"),
    path("versions/<int:version_pk>/new-profile/", views.profile_create, name="profile_create"),
    path("versions/<int:version_pk>/consult/", views.version_consult, name="version_consult"),
    path("competences/<int:competence_pk>/edit/", views.competence_edit, name="competence_edit"),
    path("competences/<int:competence_pk>/move/", views.competence_move, name="competence_move"),
    path("competences/<int:competence_pk>/delete/", views.competence_delete, name="competence_delete"),
    path("profiles/<int:profile_pk>/", views.profile_detail, name="profile_detail"),
    path("profiles/<int:profile_pk>/edit/", views.profile_edit, name="profile_edit"),
    path("profiles/<int:profile_pk>/publish/", views.profile_publish, name="profile_publish"),
    path("profiles/<int:profile_pk>/new-version/", views.profile_new_version, name="profile_new_version"),
    path("profiles/<int:profile_pk>/consult/", views.profile_consult, name="profile_consult"),
    path("consultations/", views.consultation_list, name="consultation_list"),
    path("consultations/<int:consultation_pk>/", views.consultation_detail, name="consultation_detail"),
    path("consultations/<int:consultation_pk>/close/", views.consultation_close, name="consultation_close"),
    path("comments/<int:comment_pk>/decide/", views.comment_decide, name="comment_decide"),
]

from django.urls import path

from kapabel.administration import views

app_name = "administration"
urlpatterns = [
    path("", views.home, name="home"),
    path("municipalities/", views.municipality_list, name="municipality_list"),
    path("municipalities/new/", views.municipality_create, name="municipality_create"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_pk>/", views.user_detail, name="user_detail"),
    path("role-grants/<int:grant_pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("starter-frameworks/", views.starters, name="starters"),
]

from django.urls import path

from kapabel.gaps import views

app_name = "gaps"
urlpatterns = []

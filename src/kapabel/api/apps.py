from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "kapabel.api"
    label = "api"

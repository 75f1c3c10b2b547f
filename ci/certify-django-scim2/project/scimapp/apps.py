from django.apps import AppConfig


class ScimappConfig(AppConfig):
    name = "scimapp"

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "bridge.directory"
    label = "directory"
    verbose_name = "Public directory"

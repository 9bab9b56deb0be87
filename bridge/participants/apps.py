from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "bridge.participants"
    label = "participants"
    verbose_name = "Participants"

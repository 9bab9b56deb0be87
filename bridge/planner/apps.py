from django.apps import AppConfig


class PlannerConfig(AppConfig):
    name = "bridge.planner"
    label = "planner"
    verbose_name = "Scheduling solver"

    def ready(self) -> None:
        from bridge.core import registry
        from bridge.planner.availability import participant_busy_hours, staff_working_hours

        registry.PARTICIPANT_BUSY_HOURS.register(participant_busy_hours, app=self.label)
        registry.STAFF_WORKING_HOURS.register(staff_working_hours, app=self.label)

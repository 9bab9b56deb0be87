"""The extension-point registry: explicit order and precedence, and what the apps register."""

from __future__ import annotations

from datetime import timedelta

from bridge.core import registry
from bridge.core.contracts import PeriodicTask


def test_entries_come_by_order_then_app_position_then_registration():
    point: registry.ExtensionPoint[str] = registry.ExtensionPoint("test")
    point.register("fhir-late", app="fhir", order=90)
    point.register("fhir", app="fhir")
    point.register("core", app="core")
    point.register("first", app="fhir", order=10)
    point.register("core-again", app="core")
    assert list(point) == ["first", "core", "core-again", "fhir", "fhir-late"]


def test_registering_the_same_item_twice_is_a_no_op():
    point: registry.ExtensionPoint[str] = registry.ExtensionPoint("test")
    point.register("x", app="core")
    point.register("x", app="core")
    assert list(point) == ["x"]


def test_each_app_registers_its_periodic_task_with_its_schedule():
    tasks = {task.name: task for task in registry.PERIODIC_TASKS}
    assert set(tasks) >= {"notify.reminder_sweep", "aftercare.checkin_sweep", "fhir.export_expiry"}
    assert all(isinstance(t, PeriodicTask) and t.every > timedelta(0) for t in tasks.values())
    assert tasks["aftercare.checkin_sweep"].every == timedelta(days=1)


def test_the_planner_provides_the_weekly_hours_that_booking_conflicts_read():
    assert len(list(registry.PARTICIPANT_BUSY_HOURS)) == 1
    assert len(list(registry.STAFF_WORKING_HOURS)) == 1


def test_the_worker_ensures_every_registered_periodic_task(db, monkeypatch):  # db: it recovers jobs first
    from django.core.management import call_command

    ran: list[str] = []
    fake = registry.ExtensionPoint[PeriodicTask]("periodic tasks")
    for name in ("a", "b"):

        def ensure(name: str = name) -> None:
            ran.append(name)

        fake.register(PeriodicTask(name, ensure, timedelta(hours=1)), app="core")
    monkeypatch.setattr(registry, "PERIODIC_TASKS", fake)
    monkeypatch.setattr("bridge.core.management.commands.worker.call_command", lambda *a, **k: None)
    call_command("worker", batch=True)
    assert ran == ["a", "b"]

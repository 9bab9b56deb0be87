"""Service entry points run in `transaction.atomic(durable=True)`: one cannot silently nest in another.

A service that joined a caller's transaction would lose its own atomicity (its audit event could be
rolled back with someone else's failure) without anyone noticing; a durable block refuses instead.
Only entry points are durable (views call them, no other service, command or demo builder does):
the list below grows app by app.
"""

from __future__ import annotations

import ast
import inspect
from datetime import time

import pytest
from django.db import transaction

from bridge.aftercare import followup as aftercare_followup
from bridge.aftercare import services as aftercare_services
from bridge.clinical.services import notes as note_services
from bridge.clinical.services import plans as plan_services
from bridge.directory import services as directory_services
from bridge.fhir import services as fhir_services
from bridge.measures import services as measures_services
from bridge.planner import services as planner_services
from bridge.planner.models import ParticipantTimeBlock

DURABLE = {
    measures_services: [
        "measure_record",
        "measure_link_create",
        "measure_link_complete",
        "measure_link_revoke",
        "alert_acknowledge",
        "schedule_set",
    ],
    planner_services: [
        "time_block_add",
        "time_block_remove",
        "clinician_hours_add",
        "clinician_hours_remove",
        "clinician_schedule_update",
        "requirement_set",
        "rule_create",
        "rule_update",
    ],
    directory_services: ["recognition_renew", "recognition_end"],
    note_services: [
        "note_create",
        "note_update",
        "note_sign",
        "note_cosign",
        "note_addendum_add",
        "note_mark_error",
        "group_note_start",
        "group_note_update_shared",
        "group_entry_save",
    ],
    plan_services: [
        "plan_start",
        "plan_item_remove",
        "plan_version_sign",
        "plan_participant_sign",
        "plan_revise",
        "plan_review_record",
        "plan_set_review_policy",
        "review_policy_create",
    ],
    # Not summary_draft: discharge_record calls it inside its own transaction.
    aftercare_services: [
        "discharge_record",
        "summary_refresh",
        "summary_update",
        "summary_sign",
        "summary_addendum_add",
        "aftercare_plan_save",
        "plan_link_create",
        "plan_link_revoke",
        "aftercare_settings_update",
    ],
    # Not checkin_record (the demo builder records check-ins) nor checkins_sweep (the worker's job).
    aftercare_followup: ["alumni_enroll", "alumni_opt_out", "outreach_record", "alumni_event_create"],
    # Not token_create / token_revoke / backend_client_register: the demo builder and `bridge token`
    # call them, the builder inside its own transaction.
    fhir_services: ["api_policy_set", "backend_client_revoke", "export_start", "export_cancel"],
}


def _atomic_blocks(function) -> list[str]:
    tree = ast.parse(inspect.getsource(function))
    return [
        ast.unparse(item.context_expr)
        for node in ast.walk(tree)
        if isinstance(node, ast.With)
        for item in node.items
        if "atomic" in ast.unparse(item.context_expr)
    ]


@pytest.mark.parametrize(
    "module,name",
    [(m, n) for m, names in DURABLE.items() for n in names],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_the_entry_point_runs_in_one_durable_transaction(module, name):
    assert _atomic_blocks(getattr(module, name)) == ["transaction.atomic(durable=True)"]


def _block_kwargs(world) -> dict:
    return {
        "actor": world.therapist_a,
        "participant": world.alex,
        "kind": ParticipantTimeBlock.Kind.WORK,
        "weekdays": [0, 2],
        "start_time": time(9),
        "end_time": time(17),
    }


def test_a_durable_service_nested_in_another_transaction_raises_and_writes_nothing(world):
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        planner_services.time_block_add(**_block_kwargs(world))
    assert not ParticipantTimeBlock.objects.filter(participant=world.alex).exists()


def test_a_durable_service_nested_in_another_service_raises(world):
    # One entry point's transaction (durable, like every entry point's) around another entry point:
    # the inner one refuses rather than joining the outer one.
    blocks = planner_services.time_block_add(**_block_kwargs(world))
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic(durable=True):
        planner_services.time_block_remove(actor=world.therapist_a, block=blocks[0])
    assert ParticipantTimeBlock.objects.filter(participant=world.alex).count() == 2


def test_a_durable_service_called_on_its_own_writes(world):
    blocks = planner_services.time_block_add(**_block_kwargs(world))
    assert [b.weekday for b in blocks] == [0, 2]

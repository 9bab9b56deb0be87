"""A standard FHIR client library (fhirclient, SMART on FHIR's Python client) against the live server."""

from __future__ import annotations

import pytest
from fhirclient import client as fhir_client
from fhirclient.models.condition import Condition
from fhirclient.models.observation import Observation
from fhirclient.models.patient import Patient

# The live server runs in its own thread: give it committed data, as the browser tests do.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smart(live_server, world, token_for):
    secret = token_for(user=world.director)
    smart = fhir_client.FHIRClient(settings={"app_id": "bridge-test", "api_base": f"{live_server.url}/fhir/"})
    smart.server.session.headers["Authorization"] = f"Bearer {secret}"
    yield smart
    # Close the kept-alive connection now: a live-server request thread still waiting on it when the
    # server stops at the end of the session would close a database connection it no longer shares.
    smart.server.session.close()


def test_fhirclient_reads_the_capability_statement(smart):
    smart.server.get_capability()
    resources = {r.type for r in smart.server.capabilityStatement.rest[0].resource}
    assert {"Patient", "Condition", "Observation"} <= resources


def test_fhirclient_reads_and_searches(smart, world, chart):
    alex = Patient.read(str(world.alex.pk), smart.server)
    assert alex.name[0].family == "Sample"
    assert alex.birthDate.isostring == "1990-05-17"
    assert {c.code for c in alex.meta.security} >= {"R", "42CFRPart2", "SUD"}
    search = Condition.where(struct={"patient": str(world.alex.pk)})
    conditions = list(search.perform_resources_iter(smart.server))
    assert [c.code.coding[0].code for c in conditions] == ["F11.20"]


def test_fhirclient_follows_next_links(smart, world, chart):
    search = Observation.where(struct={"_count": "1"})
    seen = [o.id for o in search.perform_resources_iter(smart.server)]
    assert len(seen) == len(set(seen)) == 5

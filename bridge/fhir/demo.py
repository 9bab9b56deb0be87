"""Demo API tokens with well-known secrets, so the README's curl examples work against `make run`.

Only the demo has fixed secrets (like its fixed password): a real token is random and shown once.
  * the director's user token sees what the director sees on the screens;
  * East Bay Family Medicine's system token receives what the TPO consents release for treatment;
  * the employer's system token receives only what its named consent releases (one participant);
  * a revoked token shows in the list and is refused;
  * East Bay's EHR is also registered as a SMART Backend Services client (client_id
    `demo-eastbay-backend`) whose private key is in data/demo_backend_key.json (demo only), so
    `bridge smart_assertion --demo` signs an assertion for the README's curl example;
  * a test app for patient access (client_id `demo-patient-app`, a public client that must use PKCE)
    that participants may authorize at /oauth/authorize (the README shows the flow with curl).
"""

from __future__ import annotations

import json
from pathlib import Path

from bridge.core.tokens import token_hash
from bridge.fhir import patient_services, services
from bridge.fhir.models import ApiToken
from bridge.privacy.models import Recipient
from bridge.privacy.vocab import Purpose, RecipientKind

DIRECTOR_TOKEN = "brg_demo-director-2026"  # noqa: S105 (demo only, documented in the README)
CLINIC_TOKEN = "brg_demo-eastbay-clinic-2026"  # noqa: S105
EMPLOYER_TOKEN = "brg_demo-employer-2026"  # noqa: S105
BACKEND_CLIENT_ID = "demo-eastbay-backend"
BACKEND_KEY_PATH = Path(__file__).parent / "data" / "demo_backend_key.json"
PATIENT_APP_CLIENT_ID = "demo-patient-app"
PATIENT_APP_REDIRECT = "https://app.example/callback"


def demo_private_jwk() -> dict:
    return {k: v for k, v in json.loads(BACKEND_KEY_PATH.read_text()).items() if not k.startswith("_")}


def demo_public_jwks() -> dict:
    return {"keys": [{k: v for k, v in demo_private_jwk().items() if k != "d"}]}


def _with_secret(issued: services.IssuedToken, secret: str) -> ApiToken:
    token = issued.token
    ApiToken.objects.filter(pk=token.pk).update(token_hash=token_hash(secret), prefix=secret[:10])
    return token


def build(ctx) -> None:
    director = ctx.staff["director"]
    recipients = Recipient.objects.filter(program=ctx.program)
    _with_secret(
        services.token_create(
            actor=director, name="Director's reporting scripts", scopes="user/*.read", user=director
        ),
        DIRECTOR_TOKEN,
    )
    clinic = recipients.filter(kind=RecipientKind.TREATING_PROVIDER).first()
    if clinic is not None:
        _with_secret(
            services.token_create(
                actor=director,
                name="East Bay Family Medicine EHR",
                scopes="system/*.read",
                recipient=clinic,
                purpose=Purpose.TREATMENT,
            ),
            CLINIC_TOKEN,
        )
        client = services.backend_client_register(
            actor=director,
            name="East Bay Family Medicine EHR (Backend Services)",
            recipient=clinic,
            purpose=Purpose.TREATMENT,
            scopes="system/*.read",
            jwks_text=json.dumps(demo_public_jwks()),
        )
        client.application.client_id = BACKEND_CLIENT_ID
        client.application.save(update_fields=["client_id"])
    employer = recipients.filter(kind=RecipientKind.EMPLOYER).first()
    if employer is not None:
        _with_secret(
            services.token_create(
                actor=director,
                name="Bayside Logistics return-to-work portal",
                scopes="system/EpisodeOfCare.read system/Patient.read",
                recipient=employer,
                purpose=Purpose.EMPLOYMENT,
            ),
            EMPLOYER_TOKEN,
        )
    patient_services.patient_app_register(
        actor=director,
        name="My Recovery Journal (demo app)",
        publisher="Journal Labs (made up)",
        redirect_uris=[PATIENT_APP_REDIRECT],
        scopes="launch/patient patient/*.read",
        client_id=PATIENT_APP_CLIENT_ID,
    )
    old = services.token_create(
        actor=director, name="Old analytics export (replaced)", scopes="user/*.read", user=director
    )
    services.token_revoke(actor=director, token=old.token)

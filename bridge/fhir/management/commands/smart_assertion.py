"""`bridge smart_assertion`: sign a SMART Backend Services client assertion with a private JWK.

For trying the token endpoint with curl: `--demo` uses the demo client's key (demo data only);
otherwise give `--client-id` and `--key` (a file holding the private JWK). Prints the JWT.
"""

from __future__ import annotations

import json
import time
import uuid

from django.core.management.base import BaseCommand, CommandError
from joserfc import jwt
from joserfc.jwk import JWKRegistry


class Command(BaseCommand):
    help = "Print a signed client assertion (RS384/ES384) for the SMART Backend Services token endpoint."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="The demo client and its demo key")
        parser.add_argument("--client-id", default="")
        parser.add_argument("--key", default="", help="File with the client's private JWK (JSON)")
        parser.add_argument(
            "--aud", default="http://127.0.0.1:8000/oauth/token", help="The token endpoint URL"
        )

    def handle(self, *args, **options):
        from bridge.fhir import demo

        if options["demo"]:
            client_id, jwk = demo.BACKEND_CLIENT_ID, demo.demo_private_jwk()
        else:
            if not options["client_id"] or not options["key"]:
                raise CommandError("Give --client-id and --key, or --demo.")
            client_id = options["client_id"]
            with open(options["key"]) as handle:
                jwk = {k: v for k, v in json.load(handle).items() if not k.startswith("_")}
        key = JWKRegistry.import_key(jwk)
        alg = "ES384" if jwk.get("kty") == "EC" else "RS384"
        now = int(time.time())
        claims = {
            "iss": client_id,
            "sub": client_id,
            "aud": options["aud"],
            "exp": now + 240,
            "jti": str(uuid.uuid4()),
        }
        header = {"alg": alg, "typ": "JWT", "kid": jwk.get("kid") or key.thumbprint()}
        self.stdout.write(jwt.encode(header, claims, key, algorithms=[alg]))

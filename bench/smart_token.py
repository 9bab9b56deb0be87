"""SMART Backend Services token issuance: one signed assertion in, one 5-minute access token out.

    .venv/bin/python -m bench.smart_token [--scale 1] [--repeat 200] [--database-url postgres://...]

Posts to /oauth/token through Django's test client with the demo client's ES384 key (each request
a fresh assertion, signed outside the timing): verifying the signature against the registered JWKS,
the claims, the jti insert, the token row and its audit event. Target: p95 < 20 ms.
"""

from __future__ import annotations

import argparse

from bench.common import setup_django, summary, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    setup_django(args.database_url, args.scale)

    import time
    import uuid

    from django.test import Client
    from joserfc import jwt
    from joserfc.jwk import JWKRegistry

    from bridge.fhir import demo

    key = JWKRegistry.import_key(demo.demo_private_jwk())
    client = Client()
    audience = "http://testserver/oauth/token"

    def assertion() -> str:
        now = int(time.time())
        claims = {
            "iss": demo.BACKEND_CLIENT_ID,
            "sub": demo.BACKEND_CLIENT_ID,
            "aud": audience,
            "exp": now + 240,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode({"alg": "ES384", "kid": key.kid}, claims, key, algorithms=["ES384"])

    signed = iter([assertion() for _ in range(args.repeat + 10)])

    def issue() -> None:
        response = client.post(
            "/oauth/token",
            {
                "grant_type": "client_credentials",
                "scope": "system/*.read",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": next(signed),
            },
        )
        assert response.status_code == 200, response.content

    timed(issue, 10)  # warm up
    print(f"token issuance (ES384): {summary(timed(issue, args.repeat))}")


if __name__ == "__main__":
    main()

"""Make a bearer token for the example service (tests and trying it out).

    python -m examples.service.make_token --sub coach-anna --role coach --municipality haaren

signs with the key in PARTICIPATIE_SERVICE_JWT_KEY (HS256, or EdDSA with an Ed25519 private key
in PEM when PARTICIPATIE_SERVICE_JWT_ALGORITHM=EdDSA) and prints the token, for
``curl -H "Authorization: Bearer $TOKEN" ...``. ``--new-key`` prints a fresh HS256 secret.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from datetime import timedelta

from examples.service.identity import Keys, make_token

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Print a token (or, with --new-key, a new secret to configure the service with)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sub", help="the actor's id", default="coach-1")
    parser.add_argument("--role", help="coach, job_broker, coordinator, ...", default="coach")
    parser.add_argument("--municipality", help="the municipality the actor works for")
    parser.add_argument("--minutes", type=int, default=60, help="how long it is valid")
    parser.add_argument("--new-key", action="store_true", help="print a new HS256 secret")
    args = parser.parse_args(argv)
    if args.new_key:
        print(secrets.token_urlsafe(48))
        return 0
    token = make_token(
        Keys.from_environment(),
        actor_id=args.sub,
        role=args.role,
        municipality=args.municipality,
        valid_for=timedelta(minutes=args.minutes),
    )
    print(token)
    return 0


if __name__ == "__main__":
    sys.exit(main())

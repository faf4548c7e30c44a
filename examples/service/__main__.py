"""``python -m examples.service`` (``make service``): the example service under uvicorn.

Listens on ``PARTICIPATIE_SERVICE_HOST`` (127.0.0.1) and ``PARTICIPATIE_SERVICE_PORT`` (8000)
with ``PARTICIPATIE_SERVICE_WORKERS`` worker processes (1), each with one Participation on the
store ``PARTICIPATIE_STORE`` names (default ``sqlite:///service.db``). Without a configured
token key it makes one for this run and prints a coach's token to try the API with.
"""

from __future__ import annotations

import os
import secrets

import uvicorn

from examples.service.app import STORE_ENV
from examples.service.identity import KEY_ENV, Keys, make_token


def main() -> None:
    """Start uvicorn with the service's factory."""
    os.environ.setdefault(STORE_ENV, "sqlite:///service.db")
    host = os.environ.get("PARTICIPATIE_SERVICE_HOST", "127.0.0.1")
    port = int(os.environ.get("PARTICIPATIE_SERVICE_PORT", "8000"))
    if not os.environ.get(KEY_ENV):
        os.environ[KEY_ENV] = secrets.token_urlsafe(48)
        token = make_token(
            Keys.from_environment(), actor_id="coach-1", role="coach", municipality="haaren"
        )
        print(f"No {KEY_ENV} set: made one for this run. A coach of haaren may call:")
        print(f'  curl -H "Authorization: Bearer {token}" http://{host}:{port}/v1/caseload')
    uvicorn.run(
        "examples.service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=int(os.environ.get("PARTICIPATIE_SERVICE_WORKERS", "1")),
    )


if __name__ == "__main__":
    main()

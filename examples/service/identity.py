"""Who is calling: bearer JWTs whose claims name the actor, the role and the municipality.

The service is configured with one key (``PARTICIPATIE_SERVICE_JWT_KEY``) and one algorithm
(``PARTICIPATIE_SERVICE_JWT_ALGORITHM``: ``HS256``, the default, with a shared secret of at least
32 bytes; or ``EdDSA`` with an Ed25519 public key in PEM). A token is accepted only when it is
signed with that key, has not expired (``exp`` is required) and names the audience
(``PARTICIPATIE_SERVICE_JWT_AUDIENCE``, default ``participatie``). Its claims are:

=================  ====================================================================
``sub``            the actor's id in the municipality's systems
``role``           a :class:`participatie.Role` value (``coach``, ``job_broker``, ...)
``municipality``   the municipality the actor works for; absent or null: every one
=================  ====================================================================

This is where authentication ends: the service turns a verified token into an
:class:`participatie.Actor` and hands it to the library, which decides what that actor may do
(docs/building-a-service.md). A client never names its own role anywhere else.

>>> keys = Keys.of("HS256", "k" * 32)
>>> token = make_token(keys, actor_id="coach-anna", role="coach", municipality="haaren")
>>> keys.actor(token)
Actor(id='coach-anna', role=<Role.COACH: 'coach'>, municipality='haaren')
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

from participatie import Actor, ConfigurationError, InvalidInput

__all__ = [
    "ALGORITHM_ENV",
    "AUDIENCE_ENV",
    "KEY_ENV",
    "Keys",
    "NotAuthenticated",
    "make_token",
]

KEY_ENV = "PARTICIPATIE_SERVICE_JWT_KEY"
ALGORITHM_ENV = "PARTICIPATIE_SERVICE_JWT_ALGORITHM"
AUDIENCE_ENV = "PARTICIPATIE_SERVICE_JWT_AUDIENCE"
DEFAULT_AUDIENCE = "participatie"
_ALGORITHMS = ("HS256", "EdDSA")
_MIN_SECRET_BYTES = 32  # RFC 7518 3.2: an HS256 key at least as long as the hash


class NotAuthenticated(Exception):
    """No bearer token, or one that is not valid here (answered with 401)."""


@attrs.frozen
class Keys:
    """The algorithm and the key tokens are checked with (and, for tests, signed with)."""

    algorithm: str
    verifying_key: Any
    signing_key: Any
    audience: str = DEFAULT_AUDIENCE

    @classmethod
    def of(cls, algorithm: str, key: str, *, audience: str = DEFAULT_AUDIENCE) -> Keys:
        """Keys from configuration: an HS256 secret, or an Ed25519 key in PEM (the public key
        verifies; a private key also signs, for tests and make_token.py)."""
        if algorithm not in _ALGORITHMS:
            raise ConfigurationError(
                f"{ALGORITHM_ENV} is one of {', '.join(_ALGORITHMS)}, not {algorithm!r}"
            )
        if algorithm == "HS256":
            if len(key.encode()) < _MIN_SECRET_BYTES:
                raise ConfigurationError(
                    f"{KEY_ENV} must be at least {_MIN_SECRET_BYTES} bytes for HS256"
                )
            return cls(algorithm, key, key, audience)
        pem = key.encode()
        try:
            if b"PRIVATE KEY" in pem:
                private = load_pem_private_key(pem, password=None)
                if not isinstance(private, Ed25519PrivateKey):
                    raise ConfigurationError(f"{KEY_ENV} must be an Ed25519 key for EdDSA")
                return cls(algorithm, private.public_key(), private, audience)
            public = load_pem_public_key(pem)
        except ValueError as error:
            raise ConfigurationError(f"{KEY_ENV} is not a PEM key: {error}") from None
        if not isinstance(public, Ed25519PublicKey):
            raise ConfigurationError(f"{KEY_ENV} must be an Ed25519 key for EdDSA")
        return cls(algorithm, public, None, audience)

    @classmethod
    def from_environment(cls) -> Keys:
        """The keys the environment configures (see the module)."""
        key = os.environ.get(KEY_ENV)
        if not key:
            raise ConfigurationError(
                f"set {KEY_ENV} to the key bearer tokens are signed with "
                "(examples/service/make_token.py makes one for tests)"
            )
        return cls.of(
            os.environ.get(ALGORITHM_ENV, "HS256"),
            key,
            audience=os.environ.get(AUDIENCE_ENV, DEFAULT_AUDIENCE),
        )

    def actor(self, token: str) -> Actor:
        """The actor a valid token names; :class:`NotAuthenticated` for any other token."""
        try:
            claims = jwt.decode(
                token,
                self.verifying_key,
                algorithms=[self.algorithm],
                audience=self.audience,
                options={"require": ["exp", "sub", "aud"]},
            )
        except jwt.InvalidTokenError as error:
            raise NotAuthenticated(f"the bearer token is not valid here: {error}") from None
        role = claims.get("role")
        if not isinstance(role, str):
            raise NotAuthenticated("the bearer token names no role (claim role)")
        try:
            return Actor(claims["sub"], role, claims.get("municipality"))
        except (InvalidInput, TypeError, ValueError) as error:
            raise NotAuthenticated(f"the bearer token's claims name no actor: {error}") from None


def make_token(
    keys: Keys,
    *,
    actor_id: str,
    role: str,
    municipality: str | None = None,
    valid_for: timedelta = timedelta(hours=1),
) -> str:
    """A token for ``actor_id`` in ``role``, signed with ``keys`` (tests and make_token.py)."""
    if keys.signing_key is None:
        raise ConfigurationError("these keys only verify: sign with the private key")
    now = datetime.now(tz=UTC)
    claims: dict[str, Any] = {
        "sub": actor_id,
        "role": role,
        "aud": keys.audience,
        "iat": now,
        "exp": now + valid_for,
    }
    if municipality is not None:
        claims["municipality"] = municipality
    return jwt.encode(claims, keys.signing_key, algorithm=keys.algorithm)

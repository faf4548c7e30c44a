"""Hypothesis profiles: ``dev`` (quick) and ``ci`` (more examples), chosen by the CI variable.

No example database is kept in the repository: examples found here are re-found from the seed.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

settings.register_profile(
    "dev", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# For mutation checks: find a failing example, but do not spend minutes shrinking it.
settings.register_profile(
    "mutation",
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(
    os.environ.get("PARTICIPATIE_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)

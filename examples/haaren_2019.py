"""The first year of "Participatie Werkt! in Haaren" (2019), recorded and summarised.

Run it with ``python examples/haaren_2019.py [STORE_URL]`` (default: an in-process store). The story
itself lives in :mod:`participatie.demo.haaren_2019`, so that ``participatie demo`` can run it too.
"""

from __future__ import annotations

import sys
from collections import Counter

from participatie import Actor, Participation, Role, TrajectoryStatus
from participatie.demo import MUNICIPALITIES
from participatie.demo.haaren_2019 import TARGET, record_haaren_2019

READER = Actor("reader-1", Role.AUDITOR)  # reads trajectories (each read is logged)


def main(url: str = "memory://") -> None:
    with Participation.open(url, municipalities=MUNICIPALITIES) as app:
        year = record_haaren_2019(app)
        trajectories = [app.resident(rid, by=READER) for rid in year.resident_ids]
        reasons = Counter(t.outflow_reason.value for t in trajectories if t.outflow_reason)
        still = sum(t.status is TrajectoryStatus.OPEN for t in trajectories)
        print(f"{len(trajectories)} residents reached (target {TARGET}); still coached: {still}")
        for reason, count in sorted(reasons.items()):
            print(f"  outflow {reason}: {count}/{len(trajectories)}")


if __name__ == "__main__":
    main(*sys.argv[1:2])

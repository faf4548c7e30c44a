"""The actors of the tests: one of each role, with the ids the tests expect of them.

``COACH`` works for Haaren; the others work for every municipality. ``READER`` reads
trajectories (an auditor); each read is access-logged, so tests that count events read versions
through ``app.events()`` instead (see ``tests.support.assert_refused``).
"""

from __future__ import annotations

from participatie import Actor, Role

COACH = Actor("coach-17", Role.COACH, municipality="haaren")
BROKER = Actor("broker-2", Role.JOB_BROKER)
ASSESSOR = Actor("assessor-5", Role.WAGE_VALUE_ASSESSOR)
COORDINATOR = Actor("coordinator-1", Role.COORDINATOR)
#: The job coach assigned in the tests' coaching (``JobCoach("jc-3", ...)``).
JOB_COACH_ACTOR = Actor("jc-3", Role.JOB_COACH)
AUDITOR = Actor("auditor-1", Role.AUDITOR)
ADMIN = Actor("admin-1", Role.ADMIN)
READER = Actor("reader-1", Role.AUDITOR)

"""The demo scenarios, public like :mod:`participatie.testing`: recorded through the public API,
for ``participatie demo``, the examples, the docs and users' own experiments.

- :mod:`participatie.demo.haaren_2019`: the first year of "Participatie Werkt! in Haaren" (2019),
  whose report the pilot published (23 of 50 residents to work).
- :mod:`participatie.demo.noordoostpolder`: job coaching at the Werkcorporatie
  Noordoostpolder/Urk (2019-2022).

The demo stores serve these municipalities (:data:`MUNICIPALITIES`, with their CBS codes):

>>> from participatie import Participation
>>> from participatie.demo import MUNICIPALITIES
>>> with Participation.open("memory://", municipalities=MUNICIPALITIES) as app:
...     app.outcomes(municipality="Haaren").reach
0
"""

from participatie.demo import haaren_2019, noordoostpolder

__all__ = ["MUNICIPALITIES", "haaren_2019", "noordoostpolder"]

#: The municipalities of the demos, by their names as the demos record them, and CBS codes.
MUNICIPALITIES = {"haaren": "GM0788", "noordoostpolder": "GM0171", "urk": "GM0184"}

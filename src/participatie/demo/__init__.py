"""The demo scenarios, public like :mod:`participatie.testing`: recorded through the public API,
for ``participatie demo``, the examples, the docs and users' own experiments.

- :mod:`participatie.demo.haaren_2019`: the first year of "Participatie Werkt! in Haaren" (2019),
  whose report the pilot published (23 of 50 residents to work).
- :mod:`participatie.demo.noordoostpolder`: job coaching at the Werkcorporatie
  Noordoostpolder/Urk (2019-2022).
"""

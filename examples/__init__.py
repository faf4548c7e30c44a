"""Examples of applications built on participatie (see examples/service/ and haaren_2019.py)."""

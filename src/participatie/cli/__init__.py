"""The ``participatie`` command (also ``python -m participatie``).

Exit codes: 0 done; 1 the command ran but was refused or failed (a rule, an unknown id, ...);
2 it could not start (bad usage, a bad store URL, a missing secret, no store at that URL, a file
that cannot be written, a confirmation that was not given). Errors print as one line on standard
error; ``--debug`` (before or after the command's name) shows the traceback instead.

Only commands that record (``demo``, ``import``) make a new store; every other command opens
the store with ``create=False`` and stops with "no store at ..." when it is not there. Text read
from the store is printed as it is, never as rich markup.
"""

from participatie.cli import (
    audit,
    exports,
    logs,
    records,
    residents,
    rights,
    statistics,
    worklist,
)
from participatie.cli.app import app

__all__ = ["app", "main"]

# The command modules register their commands with the app when imported, in this order.
_COMMANDS = (records, residents, audit, statistics, exports, logs, rights, worklist)


def main() -> None:
    """Run the command line; exit with 0, 1 or 2 (see the module's documentation)."""
    app(prog_name="participatie")

"""Issue 16's cost on the SQLite command path, side by side in one run: the command path as it
was before the ledger (each stream's chain and a chain-heads row upserted at every save, no
ledger) against now (the chain and the ledger, whose last row of a stream is its head).

    python benchmarks/ledger_cost.py [--residents 100] [--rounds 4]

Both sides run commands.py's commands with the processing log switched off (the ledger holds the
processing records, so the log would count on one side only). The "before" side switches the
ledger off and writes the chain heads as releases before this one did, by this script only.
Each side's best round counts; only the ratio means anything.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from commands import run_participatie

from participatie.persistence import sqlite_ledger
from participatie.persistence.sqlite_tables import id_text
from participatie.persistence.tables import CHAIN_HEADS_TABLE


def _with_heads(original: Any) -> Any:
    """``_write_ledger`` that also upserts each saved stream's head, as before the ledger."""

    def write(self: Any, c: Any, ids: Any, events: Any, records: Any = None) -> Any:
        tail = original(self, c, ids, events, records)
        heads = {s.originator_id: (s.originator_version, bytes(s.state[:32])) for s in events}
        c.executemany(
            f"INSERT INTO {CHAIN_HEADS_TABLE} (originator_id, version, head) "  # noqa: S608
            "VALUES (?, ?, ?) ON CONFLICT (originator_id) DO UPDATE "
            "SET version = excluded.version, head = excluded.head",
            [(id_text(stream), version, head) for stream, (version, head) in heads.items()],
        )
        return tail

    return write


def run(residents: int, *, before: bool) -> float:
    """Commands per second on a fresh SQLite store, as before the ledger or as now."""
    original = sqlite_ledger.SQLiteLedger._write_ledger
    with tempfile.TemporaryDirectory() as folder:
        if before:
            sqlite_ledger.SQLiteLedger._write_ledger = _with_heads(original)  # type: ignore[method-assign]
        try:
            return run_participatie(
                f"sqlite:///{Path(folder) / 'store.db'}",
                residents,
                processing_log=False,
                ledger=not before,
            )
        finally:
            sqlite_ledger.SQLiteLedger._write_ledger = original  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--residents", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=4)
    arguments = parser.parse_args()
    best = {"before": 0.0, "now": 0.0}
    for _ in range(arguments.rounds):
        for side, rate in list(best.items()):
            best[side] = max(rate, run(arguments.residents, before=side == "before"))
    print("side                               commands/s  us/command")
    print(
        f"before: chain and heads, no ledger {best['before']:10,.0f}  {1e6 / best['before']:10.0f}"
    )
    print(f"now: chain and ledger, no heads    {best['now']:10,.0f}  {1e6 / best['now']:10.0f}")
    print(f"now / before: {best['now'] / best['before']:.3f}")


if __name__ == "__main__":
    main()

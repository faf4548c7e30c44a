"""Load on the example service: 32 clients for 60 s against 4 uvicorn workers on PostgreSQL.

Loopback only, bounded in time and in requests. Two runs on fresh schemas of their own: a calm
one, and one in which a worker process is killed with SIGKILL half-way. Each prints requests/s,
p50/p95/p99 latency per kind and the errors by kind, then checks the store against what the
clients logged:

* every acknowledged command (2xx) is stored exactly once, every command whose connection broke
  (an unknown outcome, which the client does not resend: that could write it twice) at most once;
* every stream's versions are 1..n; ``verify()`` is ok; the statistics equal a rebuild's.

Only documented 409s (``ConcurrentUpdate``: sending it again is safe) are retried. Run:

    .venv/bin/python benchmarks/service_load.py [--seconds 60] [--clients 32] [--workers 4]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from _harness import SECRET, fresh_store

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from examples.service.identity import Keys, make_token
from participatie import Actor, Participation, Role

JWT_KEY = secrets.token_urlsafe(48)
KEYS = Keys.of("HS256", JWT_KEY)
MUNICIPALITY = "haaren"
AUDITOR = Actor("auditor-load", Role.AUDITOR)
MAX_REQUESTS_PER_CLIENT = 20_000  # a bound besides the time
#: A coach sometimes stands in for a colleague: this share of conversations is with a resident
#: of another client, so that writers meet on the same trajectory.
STAND_IN = 0.2
# The mix: mostly conversations, then registrations, visits, placements, coaching hours, reads.
MIX = {
    "conversation": 50,
    "registration": 8,
    "visit": 8,
    "placement": 4,
    "hours": 10,
    "read_resident": 8,
    "read_history": 6,
    "read_statistics": 6,
}
COMMANDS = {
    "registration",
    "intake",
    "conversation",
    "visit",
    "placement",
    "assessment",
    "coaching",
    "hours",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Log:
    """What one client did: acknowledged and unknown commands, latencies, errors."""

    acked: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, stream, key)
    unknown: list[tuple[str, str, str]] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[tuple[str, int | str]] = field(default_factory=Counter)
    details: dict[tuple[str, int], str] = field(default_factory=dict)  # the first of each
    retries: Counter[str] = field(default_factory=Counter)
    requests: int = 0


@dataclass
class Resident:
    id: str
    placed: bool = False
    coaching: str | None = None


class Client:
    """One simulated user: a coach who also places, assesses and coaches their own residents."""

    def __init__(
        self, number: int, http: httpx.AsyncClient, today: date, everyone: list[Resident]
    ) -> None:
        self.n, self.http, self.today, self.everyone = number, http, today, everyone
        self.log = Log()
        self.residents: list[Resident] = []
        self.sequence = itertools.count()
        self.random = random.Random(number)  # noqa: S311  (a load mix, not a secret)
        self.tokens = {
            role: {
                "Authorization": "Bearer "
                + make_token(
                    KEYS,
                    actor_id=f"{role}-{number}" if role != "job_coach" else f"jc-{number}",
                    role=role,
                    municipality=MUNICIPALITY,
                    valid_for=timedelta(hours=2),
                )
            }
            for role in (
                "coach",
                "job_broker",
                "wage_value_assessor",
                "coordinator",
                "job_coach",
                "policy_officer",
            )
        }
        self.auditor = {
            "Authorization": "Bearer "
            + make_token(KEYS, actor_id="auditor-1", role="auditor", valid_for=timedelta(hours=2))
        }

    async def call(  # noqa: PLR0917
        self, kind: str, method: str, path: str, role: str, body: Any = None, key: str = ""
    ) -> httpx.Response | None:
        """Send one request; retry documented 409s; log the outcome. None: unknown or error."""
        headers = self.auditor if role == "auditor" else self.tokens[role]
        stream = path.split("/")[3] if path.count("/") >= 3 else ""
        while True:
            self.log.requests += 1
            started = time.perf_counter()
            try:
                answer = await self.http.request(method, path, json=body, headers=headers)
            except httpx.TransportError:
                # The connection broke: the command may or may not be stored. Never resend it.
                if kind in COMMANDS:
                    self.log.unknown.append((kind, stream, key))
                self.log.errors[(kind, "connection broken")] += 1
                return None
            self.log.latencies[kind].append(time.perf_counter() - started)
            if answer.status_code == 409 and answer.json()["type"].endswith("concurrent-update"):
                self.log.retries[kind] += 1
                continue
            if answer.status_code >= 300:
                self.log.errors[(kind, answer.status_code)] += 1
                self.log.details.setdefault((kind, answer.status_code), answer.text[:300])
                return None
            if kind in COMMANDS:
                if kind in ("registration", "coaching"):
                    stream = answer.json()["id"]
                self.log.acked.append((kind, stream, key))
            return answer

    def day(self, days_ago: int) -> str:
        return (self.today - timedelta(days=days_ago)).isoformat()

    async def register(self) -> Resident | None:
        answer = await self.call(
            "registration",
            "POST",
            "/v1/residents",
            "coach",
            {"referral": "walk_in", "benefit": "social_assistance", "on": self.day(90)},
        )
        if answer is None:
            return None
        resident = Resident(answer.json()["id"])
        intake = await self.call(
            "intake",
            "POST",
            f"/v1/residents/{resident.id}/intake",
            "coach",
            {"goal": "work", "happiness": 5, "on": self.day(89)},
        )
        if intake is None:
            return None
        self.residents.append(resident)
        self.everyone.append(resident)
        return resident

    async def place(self, resident: Resident) -> None:
        employer = f"Employer c{self.n}-{next(self.sequence)}"
        placed = await self.call(
            "placement",
            "POST",
            f"/v1/residents/{resident.id}/placements",
            "job_broker",
            {
                "employer": employer,
                "kind": "paid_work",
                "hours_per_week": 32,
                "contract_months": 12,
                "on": self.day(60),
            },
            key=employer,
        )
        if placed is None:
            return
        resident.placed = True
        assessed = await self.call(
            "assessment",
            "POST",
            f"/v1/residents/{resident.id}/wage-value-assessments",
            "wage_value_assessor",
            {"percent": 60, "needs_job_coaching": True, "on": self.day(59)},
        )
        if assessed is None:
            return
        started = await self.call(
            "coaching",
            "POST",
            f"/v1/residents/{resident.id}/job-coachings",
            "coordinator",
            {
                "provider": "USG Restart",
                "provider_recognised": True,
                "job_coach_id": f"jc-{self.n}",
                "job_coach_hbo_degree": True,
                "on": self.day(58),
            },
        )
        if started is not None:
            resident.coaching = started.json()["id"]

    async def step(self) -> None:
        kind = self.random.choices(list(MIX), weights=list(MIX.values()))[0]
        resident = self.random.choice(self.residents)
        if kind == "conversation":
            if self.random.random() < STAND_IN:
                resident = self.random.choice(self.everyone)
            await self.call(
                kind,
                "POST",
                f"/v1/residents/{resident.id}/conversations",
                "coach",
                {"happiness": self.random.randint(1, 10), "on": self.day(0)},
            )
        elif kind == "registration":
            await self.register()
        elif kind == "visit":
            organisation = f"Organisation c{self.n}-{next(self.sequence)}"
            await self.call(
                kind,
                "POST",
                f"/v1/residents/{resident.id}/workplace-visits",
                "coach",
                {"organisation": organisation, "kind": "workplace_visit", "on": self.day(0)},
                key=organisation,
            )
        elif kind == "placement":
            unplaced = [r for r in self.residents if not r.placed]
            if unplaced:
                await self.place(self.random.choice(unplaced))
        elif kind == "hours":
            coached = [r for r in self.residents if r.coaching]
            if coached:
                coaching = self.random.choice(coached).coaching
                await self.call(
                    kind,
                    "POST",
                    f"/v1/job-coachings/{coaching}/hours",
                    "job_coach",
                    {"hours": 0.25, "counterpart": "employee", "on": self.day(0)},
                )
        elif kind == "read_resident":
            await self.call(kind, "GET", f"/v1/residents/{resident.id}", "coach")
        elif kind == "read_history":
            await self.call(
                kind, "GET", f"/v1/residents/{resident.id}/history?as_of={self.day(30)}", "auditor"
            )
        else:
            await self.call(kind, "GET", "/v1/statistics", "policy_officer")

    async def run(self, until: float) -> Log:
        for _ in range(3):
            await self.register()
        if self.residents:
            await self.place(self.residents[0])
        while time.monotonic() < until and self.log.requests < MAX_REQUESTS_PER_CLIENT:
            if not self.residents:
                await self.register()
                continue
            await self.step()
        return self.log


def worker_pids(parent: int) -> list[int]:
    """The uvicorn worker processes (children of the supervisor)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # A live worker: not a killed one, nor multiprocessing's resource tracker.
            worker = int(fields[1]) == parent and fields[0] != "Z"
            if worker and b"spawn_main" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
    return found


def cpu_time(pid: int) -> int:
    """The processor time a process used so far (clock ticks)."""
    try:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return -1
    return int(fields[11]) + int(fields[12])


def start_service(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PARTICIPATIE_STORE": url,
        "PARTICIPATIE_SECRET": SECRET,
        "PARTICIPATIE_SERVICE_JWT_KEY": JWT_KEY,
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "examples.service.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    service = subprocess.Popen(command, env=env)  # noqa: S603  (our own interpreter and module)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/v1/openapi.json", timeout=2)
                if len(worker_pids(service.pid)) >= workers:
                    return service
            except httpx.TransportError:
                pass
            time.sleep(0.3)
    except BaseException:  # interrupted while waiting: leave no service behind
        service.terminate()
        raise
    service.kill()
    raise SystemExit("the service did not start within 60 s")


async def load(port: int, clients: int, seconds: float, kill: Any) -> tuple[list[Log], float]:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    today = date.today()  # noqa: DTZ011  (the service's clock: the same machine)
    async with contextlib_group(clients, port, limits) as https:
        everyone: list[Resident] = []
        users = [Client(n, https[n], today, everyone) for n in range(clients)]
        started = time.monotonic()
        until = started + seconds
        killer = asyncio.create_task(kill(started + seconds / 2)) if kill else None
        logs = await asyncio.gather(*(u.run(until) for u in users))
        elapsed = time.monotonic() - started
        if killer:
            await killer
    return list(logs), elapsed


class contextlib_group:  # noqa: N801  (used as a context manager)
    """One HTTP connection per client, like separate users."""

    def __init__(self, clients: int, port: int, limits: httpx.Limits) -> None:
        self.clients = [
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=60)
            for _ in range(clients)
        ]

    async def __aenter__(self) -> list[httpx.AsyncClient]:
        return self.clients

    async def __aexit__(self, *exc: object) -> None:
        for client in self.clients:
            await client.aclose()


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def table(logs: list[Log], elapsed: float) -> str:
    latencies: dict[str, list[float]] = defaultdict(list)
    for log in logs:
        for kind, values in log.latencies.items():
            latencies[kind].extend(values)
    total = sum(len(v) for v in latencies.values())
    retries = sum((log.retries for log in logs), Counter[str]())
    lines = [
        (
            f"{'kind':16} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
            f"{'409 retried':>12}"
        ),
        "-" * 66,
    ]
    for kind in sorted(latencies, key=lambda k: -len(latencies[k])):
        values = latencies[kind]
        lines.append(
            f"{kind:16} {len(values):9,} {percentile(values, 50) * 1000:8.0f} "
            f"{percentile(values, 95) * 1000:8.0f} {percentile(values, 99) * 1000:8.0f} "
            f"{retries[kind]:12,}"
        )
    lines.append("-" * 66)
    lines.append(f"{'all':16} {total:9,}   {total / elapsed:.1f} requests/s over {elapsed:.1f} s")
    errors = sum((log.errors for log in logs), Counter[tuple[str, int | str]]())
    lines.append(
        "errors: "
        + (", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(errors.items(), key=str)) or "none")
    )
    for log in logs:
        for (kind, status), detail in log.details.items():
            lines.append(f"  {kind} {status}: {detail}")
    return "\n".join(lines)


def check(url: str, logs: list[Log]) -> list[str]:  # noqa: PLR0912, PLR0915  (check by check)
    """What the store holds against what the clients logged; the problems found."""
    problems: list[str] = []
    acked = [a for log in logs for a in log.acked]
    unknown = [u for log in logs for u in log.unknown]
    with Participation.open(url, secret=SECRET, create=False) as app:
        residents = app.resident_ids(by=AUDITOR)
        events: dict[str, list[Any]] = {}
        for rid in residents:
            events[str(rid)] = app.events(rid)
            for coaching in app.coachings_of(rid, by=AUDITOR):
                events[str(coaching.coaching_id)] = app.events(coaching.coaching_id)
        for stream, stored in events.items():
            versions = [e.originator_version for e in stored]
            if versions != list(range(1, len(versions) + 1)):
                problems.append(f"{stream}: versions {versions[:5]}... not contiguous")
        topic = {
            "registration": "Registered",
            "intake": "IntakeHeld",
            "conversation": "ConversationHeld",
            "visit": "WorkplaceVisited",
            "placement": "Placed",
            "assessment": "WageValueAssessed",
            "coaching": "JobCoachingStarted",
            "hours": "CoachingHoursLogged",
        }
        # Per stream and kind: acknowledged <= stored <= acknowledged + unknown.
        want: Counter[tuple[str, str]] = Counter((s, k) for k, s, _ in acked if k != "coaching")
        maybe: Counter[tuple[str, str]] = Counter((s, k) for k, s, _ in unknown)
        stored_count: Counter[tuple[str, str]] = Counter()
        keys: Counter[str] = Counter()
        for stream, stored in events.items():
            for event in stored:
                name = type(event).__name__
                for kind, event_name in topic.items():
                    if name == event_name and kind != "coaching":
                        stored_count[(stream, kind)] += 1
                keys.update(
                    str(getattr(event, a))
                    for a in ("organisation", "employer")
                    if hasattr(event, a)
                )
        coachings_acked = {s for k, s, _ in acked if k == "coaching"}
        coachings_stored = {
            s for s, ev in events.items() if type(ev[0]).__name__ == "JobCoachingStarted"
        }
        if not coachings_acked <= coachings_stored:
            problems.append(f"lost job coachings: {coachings_acked - coachings_stored}")
        unknown_registrations = sum(1 for k, _, _ in unknown if k == "registration")
        extra = len(residents) - len({s for k, s, _ in acked if k == "registration"})
        if not 0 <= extra <= unknown_registrations:
            problems.append(f"{extra} residents beyond the acknowledged registrations")
        for (stream, kind), n in stored_count.items():
            if kind == "registration":
                continue
            low, high = want[(stream, kind)], want[(stream, kind)] + maybe[(stream, kind)]
            if not low <= n <= high:
                problems.append(f"{stream} {kind}: {n} stored, {low} acknowledged")
        for (stream, kind), n in want.items():
            if kind != "registration" and stored_count[(stream, kind)] < n:
                problems.append(f"{stream} {kind}: acknowledged {n}, lost")
        for kind, _, key in acked:
            if key and keys[key] != 1:
                problems.append(f"{kind} {key}: acknowledged, stored {keys[key]} times")
        for kind, _, key in unknown:
            if key and keys[key] > 1:
                problems.append(f"{kind} {key}: unknown outcome, stored {keys[key]} times")
        verification = app.verify()
        if not verification.ok:
            problems.append(f"verify: {verification}")
        before = app.outcomes(period=(date(2000, 1, 1), None)).to_dict()
        app.rebuild()
        after = app.outcomes(period=(date(2000, 1, 1), None)).to_dict()
        if before != after:
            problems.append("the statistics differ from a rebuild")
        stored_unknown = extra + sum(
            max(0, stored_count[k] - want[k]) for k in maybe if k[1] != "registration"
        )
        summary = (
            f"store: {len(residents)} residents, {sum(len(e) for e in events.values()):,} events "
            f"in {len(events):,} streams; acknowledged commands {len(acked):,} (all stored once), "
            f"unknown outcomes {len(unknown)} (of which stored, once each: {stored_unknown})"
        )
    print(summary)
    return problems


def run(name: str, args: argparse.Namespace, kill_one: bool) -> bool:
    with fresh_store("postgresql") as url:
        with Participation.open(url, secret=SECRET):
            pass  # the tables, before four workers race to make them
        port = free_port()
        service = start_service(url, port, args.workers)
        killed: list[int] = []

        async def kill(at: float) -> None:
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            # The busiest worker: the one most likely to hold requests in flight.
            victim = max(worker_pids(service.pid), key=cpu_time)
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

        try:
            client_cpu = time.process_time()
            ticks = os.sysconf("SC_CLK_TCK")
            # The workers' processor time from here on (not their start-up).
            service_cpu = -sum(cpu_time(pid) for pid in worker_pids(service.pid)) / ticks
            logs, elapsed = asyncio.run(
                load(port, args.clients, args.seconds, kill if kill_one else None)
            )
            client_cpu = time.process_time() - client_cpu
            workers = worker_pids(service.pid)
            workers_left = len(workers)
            service_cpu += sum(cpu_time(pid) for pid in workers) / ticks
        finally:
            service.send_signal(signal.SIGINT)
            try:
                service.wait(timeout=30)
            except subprocess.TimeoutExpired:
                service.kill()
        print(
            f"\n## {name}: {args.clients} clients, {args.workers} workers, {args.seconds:.0f} s"
            + (f"; worker {killed[0]} killed with SIGKILL half-way" if killed else "")
        )
        print(table(logs, elapsed))
        print(f"worker processes at the end: {workers_left}")
        requests = sum(log.requests for log in logs)
        print(
            f"processor time per request: clients {client_cpu / requests * 1000:.1f} ms, "
            + (
                f"service workers {service_cpu / requests * 1000:.1f} ms"
                if not killed
                else "service workers not counted (the killed worker's time is gone)"
            )
        )
        problems = check(url, logs)
        print("checks: " + ("all passed" if not problems else "; ".join(problems[:20])))
        return not problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    calm = run("calm", args, kill_one=False)
    killed = run("one worker killed", args, kill_one=True)
    return 0 if calm and killed else 1


if __name__ == "__main__":
    sys.exit(main())

"""Running the soak: all people at once, the figures, and the command line (bench/load.py)."""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kapabel.testing.loadtest import Sample, app_server, percentile
from kapabel.testing.soak.data import Person, role_counts, seed
from kapabel.testing.soak.people import Budget, VirtualPerson


@dataclass
class SoakResult:
    users: int
    wall_seconds: float
    samples: list[Sample]

    @property
    def errors(self) -> list[Sample]:
        return [sample for sample in self.samples if not sample.ok]

    def ms(self, pct: float, samples: Sequence[Sample] | None = None) -> float:
        chosen = self.samples if samples is None else samples
        return percentile(chosen, pct) * 1000 if chosen else 0.0

    def table(self) -> str:
        by_label: dict[str, list[Sample]] = defaultdict(list)
        for sample in self.samples:
            by_label[sample.kind].append(sample)
        lines = [
            f"{self.users} people, {len(self.samples)} requests in {self.wall_seconds:.0f} s "
            f"({len(self.samples) / max(self.wall_seconds, 0.001):.1f} req/s)",
            f"  {'step':<24} {'n':>6} {'errors':>6} {'p50_ms':>7} {'p95_ms':>7} {'p99_ms':>7} {'max_ms':>7}",
        ]
        for label, samples in sorted(by_label.items(), key=lambda item: -percentile(item[1], 95)):
            lines.append(
                f"  {label:<24} {len(samples):>6} {sum(not s.ok for s in samples):>6} "
                f"{self.ms(50, samples):>7.0f} {self.ms(95, samples):>7.0f} {self.ms(99, samples):>7.0f} "
                f"{max(s.seconds for s in samples) * 1000:>7.0f}"
            )
        details = sorted({sample.detail for sample in self.errors})
        lines += [f"  error: {detail}" for detail in details[:10]]
        return "\n".join(lines)

    def result_line(self) -> str:
        return (
            f"RESULT p50_ms={self.ms(50):.0f} p95_ms={self.ms(95):.0f} p99_ms={self.ms(99):.0f} "
            f"errors={len(self.errors)} requests={len(self.samples)}"
        )


def run_soak(
    base_url: str,
    people: Sequence[Person],
    *,
    duration: float,
    max_requests: int,
    think: float,
    ramp_up: float,
    seed: int = 1,
    tour: bool = False,
) -> SoakResult:
    """All people at once (their logins spread over `ramp_up` seconds) until `duration` seconds or
    `max_requests` requests have passed. `tour`: each person first logs in and takes every step of
    their role once, even past `duration` (for short runs that must cover them all)."""
    started = time.monotonic()
    budget = Budget(deadline=started + duration, requests=max_requests)
    crowd = [
        VirtualPerson(base_url, person, budget, random.Random(seed * 1000 + number), think)
        for number, person in enumerate(people)
    ]
    threads = [
        threading.Thread(
            target=virtual.run,
            args=(started + ramp_up * number / max(1, len(crowd)), tour),
            daemon=True,
        )
        for number, virtual in enumerate(crowd)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    samples = [sample for virtual in crowd for sample in virtual.samples]
    return SoakResult(users=len(people), wall_seconds=time.monotonic() - started, samples=samples)


# --- Command line -----------------------------------------------------------------------------------


def soak_doc() -> str:
    from kapabel.testing import soak

    return soak.__doc__ or ""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=soak_doc(), formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--users", type=int, default=50, help="virtual people at once (default 50)")
    parser.add_argument("--duration", type=float, default=600, help="seconds (default 600: 10 minutes)")
    parser.add_argument("--requests", type=int, default=200_000, help="stop after this many requests")
    parser.add_argument("--think", type=float, default=1.75, help="mean pause between steps, seconds")
    parser.add_argument("--ramp-up", type=float, default=20, help="seconds over which people log in")
    parser.add_argument("--employees", type=int, default=400, help="size of the demo municipality")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker")
    parser.add_argument(
        "--database-url", help="an empty PostgreSQL database to use (default: a throwaway cluster)"
    )
    args = parser.parse_args(argv)

    from kapabel.testing.pgcluster import running_cluster

    with tempfile.TemporaryDirectory(prefix="kapabel-soak-") as workdir:
        if args.database_url:
            return _soak(args, args.database_url, Path(workdir))
        with running_cluster() as url:
            return _soak(args, url, Path(workdir))


def _soak(args: argparse.Namespace, database_url: str, workdir: Path) -> int:
    os.environ.update(DATABASE_URL=database_url, KAPABEL_VAR_DIR=str(workdir), LOG_LEVEL="WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kapabel.settings")
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    people = seed(users=args.users, employees=args.employees)
    connection.close()
    print(
        f"Database: {connection.vendor}, demo with {args.employees} employees, built in "
        f"{time.perf_counter() - started:.0f} s; gunicorn {args.workers} workers x {args.threads} threads; "
        f"{args.users} people ({', '.join(f'{n} {r}' for r, n in role_counts(args.users).items())}), "
        f"mean pause {args.think:g} s; {args.duration:g} s or {args.requests} requests",
        flush=True,
    )
    with app_server(
        database_url=database_url,
        var_dir=workdir,
        workers=args.workers,
        threads=args.threads,
        production=True,
    ) as base_url:
        result = run_soak(
            base_url,
            people,
            duration=args.duration,
            max_requests=args.requests,
            think=args.think,
            ramp_up=min(args.ramp_up, args.duration / 4),
        )
    print(result.table())
    print(result.result_line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark the HR import: a deterministic 50,000-person plan2learn export (~1,500 units) imported
on SQLite in a temporary directory, then imported again unchanged.

Targets (issue 3): first import <= 30 s, unchanged re-import <= 15 s, peak RSS <= 500 MB.
Run: .venv/bin/python bench/import_hr.py [--people 50000]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path


def generate(folder: Path, people: int, seed: int = 3) -> int:
    """Write the five plan2learn files; return the number of data rows."""
    rng = random.Random(seed)
    units = [("u-0", "Benchmark Kommune", "")]
    forvaltninger = [f"u-f{i}" for i in range(7)]
    for i, uid in enumerate(forvaltninger):
        units.append((uid, f"Forvaltning {i + 1}", "u-0"))
    centres = []
    for i in range(56):
        uid = f"u-c{i}"
        centres.append(uid)
        units.append((uid, f"Center {i + 1}", forvaltninger[i % 7]))
    teams = []
    while len(units) < 1500:
        uid = f"u-t{len(teams)}"
        teams.append(uid)
        units.append((uid, f"Team {len(teams)} Ærø", centres[len(teams) % len(centres)]))
    codes = [(f"s-{i}", f"Stilling {i} (sagsbehandler)") for i in range(300)]
    first = ["Anne", "Søren", "Mette", "Jens", "Åse", "Lars", "Hanne", "Peter", "Kirsten", "Ole"]
    last = ["Jensen", "Nielsen", "Hansen", "Pedersen", "Østergård", "Larsen", "Sørensen", "Æbelø"]

    def write(name: str, header: list[str], rows: list[list[str]]) -> None:
        with open(folder / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(header)
            writer.writerows(rows)

    write("organisation.csv", ["AfdelingsID", "Afdelingsnavn", "Parentid", "Gade", "Postnr", "By"],
          [[u, n, p, "Rådhusgade 1", "8000", "Aarhus C"] for u, n, p in units])  # fmt: skip
    write("stillingskode.csv", ["StillingskodeID", "AktivStatus", "Stillingskode", "Stillingskode#"],
          [[c, "1", t, c] for c, t in codes])  # fmt: skip
    users, engagements, leaders = [], [], []
    for i in range(people):
        pid = f"p-{i:06d}"
        name = f"{rng.choice(first)} {rng.choice(last)}"
        cpr = (
            f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(50, 99)}{rng.randint(1000, 9999)}"
        )
        users.append([pid, cpr, name, f"{pid}@benchmark.dk", "", "Sagsbehandler"])
        unit = teams[rng.randrange(len(teams))]
        engagements.append([f"e-{i}", pid, unit, "1", rng.choice(codes)[0], "1", "Månedsløn", ""])
        if i % 10 == 0:  # a second, non-primary engagement
            other = teams[rng.randrange(len(teams))]
            engagements.append([f"e-{i}-2", pid, other, "1", rng.choice(codes)[0], "0", "Timeløn", ""])
    for index, (uid, _, _) in enumerate(units):
        leaders.append([f"p-{(index * 31) % people:06d}", uid, "1", "Leder"])
    write("bruger.csv", ["BrugerId", "CPR", "Navn", "E-mail", "Mobil", "Stilling"], users)
    write("engagement.csv", ["EngagementId", "BrugerId", "AfdelingsId", "AktivStatus", "StillingskodeId",
                             "Primær", "Engagementstype", "StartdatoEngagement"], engagements)  # fmt: skip
    write("leder.csv", ["BrugerId", "AfdelingsID", "AktivStatus", "Titel"], leaders)
    return len(units) + len(codes) + len(users) + len(engagements) + len(leaders)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=50_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kapabel-bench-") as tmp:
        tmp_path = Path(tmp)
        os.environ["KAPABEL_VAR_DIR"] = str(tmp_path)
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kapabel.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)

        from kapabel.organisation import services
        from kapabel.organisation.hr_import import services as hr
        from kapabel.organisation.hr_import.inputs import files_from_path
        from kapabel.organisation.models import Employee, OrgUnit

        folder = tmp_path / "export"
        folder.mkdir()
        rows = generate(folder, args.people)
        municipality = services.municipality_create(
            name="Benchmark Kommune", kommunekode="999", actor="bench"
        )

        def run(label: str) -> float:
            started = time.perf_counter()
            hr_import, dataset = hr.hrimport_receive(
                municipality=municipality,
                files=files_from_path(folder),
                actor="bench",
                source="cli",
                keep=False,
            )
            hr_import = hr.hrimport_apply(hr_import=hr_import, actor="bench", dataset=dataset)
            seconds = time.perf_counter() - started
            changes = hr_import.counts.get("changes")
            print(
                f"{label}: {seconds:.2f} s, {rows / seconds:,.0f} rows/s, status={hr_import.status}, "
                f"changes={changes}, errors={hr_import.error_count}",
                file=sys.stderr,
            )
            print(f"{label}_counts {hr_import.counts}")
            return seconds

        first = run("first_import")
        assert Employee.objects.filter(municipality=municipality, active=True).count() == args.people
        assert OrgUnit.objects.filter(municipality=municipality).count() == 1500
        second = run("reimport")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
        print(f"people={args.people} units=1500 rows={rows}")
        print(f"first_import rows_per_s={rows / first:.0f}  reimport rows_per_s={rows / second:.0f}")
        print(f"RESULT first_import_s={first:.2f} reimport_s={second:.2f} peak_rss_mb={peak:.0f} rows={rows}")


if __name__ == "__main__":
    main()

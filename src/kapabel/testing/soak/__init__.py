"""Load and soak: 50 people using Kapabel at once through the real server, for minutes on end.

    python bench/load.py                          # PostgreSQL (throwaway cluster), 50 people, 10 minutes
    python bench/load.py --duration 60            # a shorter run
    python bench/load.py --users 50 --think 1.75 --workers 5 --threads 1 --employees 400

A throwaway PostgreSQL cluster (`kapabel.testing.pgcluster`) gets the schema and the demo municipality
(`kapabel demo`), plus logins for the virtual people; gunicorn serves it on loopback with the production
settings (`KAPABEL_ENV=production`, collected static files). Each virtual person logs in through the
login form, then works as their role does, pausing between steps as a person reads (`--think`, the mean
pause in seconds; 0 for none):

- employees fill in their competence clarification (open the form, save a draft with new levels),
  and look at their list and their own gap profile;
- managers read their team: the unit's heatmap and drill-down cells, the unit page, the campaign's
  progress, a team member's review page and profile;
- HR opens the municipal heatmap, priorities and trend, exports them (XLSX, CSV) and pages the
  employee list;
- API clients page through employees, ratings, assessments and units and read the heatmap with a
  personal access token.

The run stops after `--duration` seconds or `--requests` requests, whichever comes first. Every
request is timed from sending to the last byte; one that does not get the answer its step expects
(a status other than 200 or the form's redirect, a lost session, a dropped connection) is an error.
The figures per step are printed, and a last line:

    RESULT p50_ms=… p95_ms=… p99_ms=… errors=… requests=…

The pytest smoke test (tests/ops/test_load_smoke.py, marker `load`) runs the same people for a few
seconds against the test database (tests/ops/test_realistic_run.py).
"""

from __future__ import annotations

from kapabel.testing.soak.data import API, EMPLOYEE, HR, MANAGER, MIX, Person, role_counts, seed, seed_people
from kapabel.testing.soak.people import TOUR, VirtualPerson
from kapabel.testing.soak.run import SoakResult, main, run_soak

__all__ = [
    "API",
    "EMPLOYEE",
    "HR",
    "MANAGER",
    "MIX",
    "TOUR",
    "Person",
    "SoakResult",
    "VirtualPerson",
    "main",
    "role_counts",
    "run_soak",
    "seed",
    "seed_people",
]

"""How long `kapabel demo` takes for a large municipality (issue: 50,000 employees in under 60 s).

Runs in a fresh SQLite database in a temporary directory (or --db postgresql on a throwaway cluster)
and prints the time of each demo step and a last line:
RESULT demo_s=<n> employees=<n> db=<sqlite|postgresql>
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var_dir, _database(args.db, var_dir) as url:
        env = {**os.environ, "KAPABEL_VAR_DIR": var_dir, "DATABASE_URL": url}

        def kapabel(*command: str) -> str:
            return subprocess.run(
                [sys.executable, "-P", "-m", "kapabel", *command],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout

        kapabel("migrate", "-v0")
        started = time.perf_counter()
        out = kapabel("demo", "--employees", str(args.employees), "--seed", "1")
        elapsed = time.perf_counter() - started
    print(
        "\n".join(
            line for line in out.splitlines() if line.startswith("  ") and ": " in line and " s" in line
        )
    )
    print(f"RESULT demo_s={elapsed:.1f} employees={args.employees} db={args.db}")
    return 0


@contextlib.contextmanager
def _database(kind: str, var_dir: str):
    if kind == "postgresql":
        from kapabel.testing.pgcluster import running_cluster

        with running_cluster() as url:
            yield url
    else:
        yield f"sqlite:///{var_dir}/bench.sqlite3"


if __name__ == "__main__":
    sys.exit(main())

"""Run a `kapabel` command that stops at a chosen step of a long write, so a test can kill it there.

    python -m kapabel.testing.faults --stop-at gaps.rebuild:facts -- gap-rebuild --municipality 999

When the long write of that kind reaches that stage (`kapabel.core.jobs.checkpoint`: rows are written
in its transaction, nothing is committed), the process prints `STOPPED-AT <kind>:<stage>` on stderr
and waits to be killed. The fault tests (tests/ops/test_kill.py) then send SIGKILL and check that the
data is as it was and that the run's record says it failed.
"""

from __future__ import annotations

import os
import sys
import time

MARKER = "STOPPED-AT"


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[0] != "--stop-at" or "--" not in argv:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    target = argv[1]
    command = argv[argv.index("--") + 1 :]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kapabel.settings")
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    from kapabel.core import jobs

    def stop(kind: str, stage: str) -> None:
        if f"{kind}:{stage}" == target:
            print(f"{MARKER} {target}", file=sys.stderr, flush=True)
            while True:  # until killed
                time.sleep(60)

    jobs.add_checkpoint_hook(stop)
    execute_from_command_line(["kapabel", *command])


if __name__ == "__main__":
    main(sys.argv[1:])

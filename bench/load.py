"""Load and soak: 50 people at once on gunicorn and PostgreSQL for 10 minutes (see
kapabel/testing/soak.py for what they do).

    python bench/load.py                   # the full run: 50 people, 600 s
    python bench/load.py --duration 60     # a shorter run
    python bench/load.py --help

Last line: RESULT p50_ms=… p95_ms=… p99_ms=… errors=… requests=…
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from kapabel.testing import soak  # noqa: E402 - after the path above

if __name__ == "__main__":
    sys.exit(soak.main())

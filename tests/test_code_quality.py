"""The house rules a linter can check run with the suite, so CI enforces them (`make lint` is the
same checks for use while working)."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True)


def test_ruff_lint_and_format():
    lint = run(str(BIN / "ruff"), "check", "src", "tests", "bench")
    assert lint.returncode == 0, lint.stdout
    fmt = run(str(BIN / "ruff"), "format", "--check", "src", "tests", "bench")
    assert fmt.returncode == 0, fmt.stdout


def test_mypy():
    result = run(str(BIN / "mypy"), "src/kapabel")
    assert result.returncode == 0, result.stdout[-3000:]


def test_no_missing_migrations():
    result = run(sys.executable, "-P", "-m", "kapabel", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout


def test_apps_depend_one_way():
    """The layers contract in pyproject.toml: no app imports one above it."""
    result = run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout[-3000:]

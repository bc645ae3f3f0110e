"""The house rules a linter can check run with the suite, so CI enforces them (`make lint` is the
same checks for use while working)."""

import ast
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


# --- No queries in views and API modules ---------------------------------------------------------
# Views and API endpoints fetch through permission helpers and selectors (docs: house style), so a
# `Model.objects.…` there is a query that skipped the access rules' one room. A module may stay on
# this list only with a reason.
KAPABEL = REPO / "src" / "kapabel"
OBJECTS_ALLOWED: dict[str, str] = {}


def view_and_api_modules() -> list[Path]:
    """Every `views.py`, `*_views.py`, `api.py` and start-page `home.py`, and every module inside a
    `views/` or `api/` package."""
    return sorted(
        path
        for path in KAPABEL.rglob("*.py")
        if "migrations" not in path.parts
        and (
            path.name in ("views.py", "api.py", "home.py")
            or path.name.endswith("_views.py")
            or any(part in ("views", "api") for part in path.relative_to(KAPABEL).parts[:-1])
        )
    )


def objects_uses(path: Path) -> list[int]:
    """Lines with a `<something>.objects.<something>` expression (comments and strings do not count)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "objects"
    )


def test_no_model_queries_in_views_or_api_modules():
    found = {
        path.relative_to(KAPABEL).as_posix(): lines
        for path in view_and_api_modules()
        if (lines := objects_uses(path))
    }
    offenders = {name: lines for name, lines in found.items() if name not in OBJECTS_ALLOWED}
    assert not offenders, (
        "`.objects.` in a view or API module; fetch through the app's permissions.py or selectors.py "
        f"instead (module: lines): {offenders}"
    )
    assert all(reason.strip() for reason in OBJECTS_ALLOWED.values()), "every allowed module needs a reason"


def test_the_objects_allow_list_has_no_stale_entries():
    """An entry whose module no longer queries (or no longer exists) is taken off the list."""
    stale = [
        name for name in OBJECTS_ALLOWED if not (KAPABEL / name).exists() or not objects_uses(KAPABEL / name)
    ]
    assert not stale, f"Remove from OBJECTS_ALLOWED: {stale}"


def test_the_objects_check_finds_a_query(tmp_path):
    """The check itself: it sees a manager call, and not the word in a comment or string."""
    module = tmp_path / "views.py"
    module.write_text(
        'from x import Employee\n# Employee.objects.all()\nTEXT = "Employee.objects.get"\n'
        "def view(request):\n    return Employee.objects.filter(pk=1)\n",
        encoding="utf-8",
    )
    assert objects_uses(module) == [5]

import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from kapabel.core.access import scope_for
from kapabel.core.models import AuditEvent, Municipality, PersonalAccessToken, Role
from kapabel.organisation.models import Employee, OrgUnit


def test_demo_builds_a_municipality_with_every_role(db, capsys):
    call_command("demo", employees=120, seed=3)
    out = capsys.readouterr().out
    demo = Municipality.objects.get(kommunekode="999")
    assert Employee.objects.filter(municipality=demo).count() == 120
    assert OrgUnit.objects.filter(municipality=demo, kind="forvaltning").count() == 6
    assert "kapabel-demo" in out and "medarbejder" in out
    from django.contrib.auth import get_user_model

    users = {u.username: scope_for(u) for u in get_user_model().objects.all()}
    assert Role.MANAGER in users["leder"].roles and Role.EMPLOYEE in users["medarbejder"].roles
    assert users["platformadmin"].is_platform_admin
    assert AuditEvent.objects.filter(action="organisation.employee.bulk_created").exists()
    # A second run on a database with data refuses, or with --if-empty does nothing.
    with pytest.raises(CommandError):
        call_command("demo", employees=120, seed=3)
    call_command("demo", employees=120, seed=3, if_empty=True)
    assert Employee.objects.filter(municipality=demo).count() == 120


def _demo_names(tmp_path, seed):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env["KAPABEL_VAR_DIR"] = str(tmp_path)

    def run(*args):
        return subprocess.run(
            [sys.executable, "-P", "-m", "kapabel", *args],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )

    run("migrate", "-v0")
    run("demo", "--employees", "60", "--seed", str(seed))
    return run(
        "shell",
        "-c",
        "from kapabel.organisation.models import Employee;"
        "print(list(Employee.objects.order_by('external_id').values_list('name', 'unit__name')))",
    ).stdout


def test_demo_is_deterministic(tmp_path):
    assert _demo_names(tmp_path / "one", 7) == _demo_names(tmp_path / "two", 7)


def test_token_and_grant_role_commands(world, capsys):
    call_command("token", "create", "--user", "hr", "--name", "sync", "--scope", "write", "--days", "10")
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    assert raw.startswith("kap_")
    token = PersonalAccessToken.objects.get(user=world.user("hr"))
    assert token.scope == "write" and token.token_hash != raw
    call_command("token", "revoke", str(token.pk))
    token.refresh_from_db()
    assert token.revoked_at is not None

    call_command(
        "grant-role", "--user", "employee", "--role", "coordinator", "--municipality", "101", "--unit", "A2"
    )
    assert Role.COORDINATOR in scope_for(world.user("employee")).roles
    with pytest.raises(CommandError):
        call_command(
            "grant-role", "--user", "employee", "--role", "hr", "--municipality", "101", "--unit", "B1"
        )

"""`kapabel municipality create|list|starters`: the way from an empty installation to the first HR import
on the command line."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kapabel.competences.starter import installed
from kapabel.core.models import Municipality, Role, User
from kapabel.organisation.models import Employee, RoleAssignment

FIXTURE = Path(__file__).parents[1] / "organisation" / "fixtures" / "kapabel" / "medarbejdere.csv"


def run(*args: str) -> str:
    out = StringIO()
    call_command("municipality", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_an_empty_installation_gets_a_municipality_and_imports_its_hr_data():
    out = run(
        "create", "--code", "751", "--name", "Aarhus Kommune", "--starter", "jobcenter", "--admin", "anna"
    )
    aarhus = Municipality.objects.get(kommunekode="751")
    assert "Aarhus Kommune (751)" in out and "kapabel changepassword anna" in out
    assert installed(aarhus.pk) == {"jobcenter"}
    anna = User.objects.get(username="anna")
    assert not anna.has_usable_password()
    assert RoleAssignment.objects.filter(
        user=anna, role=Role.MUNICIPALITY_ADMIN, municipality=aarhus
    ).exists()
    # the import that answered "no municipality with the code 751" on a fresh installation
    call_command(
        "import-hr",
        str(FIXTURE),
        "--municipality",
        "751",
        "--skip-invalid",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert Employee.objects.filter(municipality=aarhus).exists()
    assert "751\t" in run("list")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--code", "75", "--name", "Aarhus Kommune"], "kommunekode"),
        (["--code", "abc", "--name", "Aarhus Kommune"], "kommunekode"),
        (["--code", "751", "--name", ""], "name"),
    ],
)
def test_bad_input_is_a_command_error(args, words):
    with pytest.raises(CommandError) as caught:
        run("create", *args)
    assert words in str(caught.value)
    assert not Municipality.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_a_taken_code_is_refused_and_says_by_whom():
    run("create", "--code", "751", "--name", "Aarhus Kommune")
    with pytest.raises(CommandError) as caught:
        run("create", "--code", "751", "--name", "Aarhus igen", "--starter", "jobcenter", "--admin", "bo")
    assert "Aarhus Kommune" in str(caught.value)
    assert Municipality.objects.count() == 1 and not User.objects.exists()
    assert installed(Municipality.objects.get().pk) == set()


@pytest.mark.django_db
def test_an_unknown_starter_is_refused_by_the_parser():
    with pytest.raises(CommandError):
        run("create", "--code", "751", "--name", "Aarhus Kommune", "--starter", "nope")
    assert not Municipality.objects.exists()


def test_the_starters_are_listed():
    out = run("starters")
    assert "jobcenter\t" in out and "fremtidens_administrative_medarbejder\t" in out

"""The soak's people and their logins: the role mix, and the demo municipality with a login for each."""

from __future__ import annotations

import os
from dataclasses import dataclass

from kapabel.testing.loadtest import LOAD_PASSWORD

EMPLOYEE, MANAGER, HR, API = "employee", "manager", "hr", "api"
# Of 50 people: 20 employees, 10 managers, 10 HR consultants, 10 API clients.
MIX = ((EMPLOYEE, 0.4), (MANAGER, 0.2), (HR, 0.2), (API, 0.2))


@dataclass(frozen=True)
class Person:
    """A virtual person: a role, a login, and (for API clients) a token."""

    role: str
    username: str
    token: str = ""


def role_counts(users: int) -> dict[str, int]:
    """How many of `users` people have each role (MIX, at least one each when there are four)."""
    counts = {role: int(users * share) for role, share in MIX}
    for role, _share in MIX:  # hand out what rounding left over, employees first
        if sum(counts.values()) >= users:
            break
        counts[role] += 1
    if users >= len(MIX):
        for role in counts:
            if counts[role] == 0:
                largest = max(counts, key=lambda name: counts[name])
                counts[largest] -= 1
                counts[role] = 1
    return counts


# --- The data ---------------------------------------------------------------------------------------


def seed(*, users: int, employees: int = 400, password: str = LOAD_PASSWORD) -> list[Person]:
    """Build the demo municipality in the configured (empty) database, then `seed_people`."""
    from django.core.management import call_command

    call_command("demo", employees=employees, seed=1, stdout=open(os.devnull, "w"))  # noqa: SIM115
    return seed_people(users=users, password=password)


def seed_people(*, users: int, password: str = LOAD_PASSWORD) -> list[Person]:
    """A login for each virtual person, in a database with the demo municipality: employees with an
    assessment in the open campaign, unit managers, HR consultants for the whole municipality, and
    API clients (HR consultants with a read token). Passwords are hashed with Argon2 whatever the
    settings say, so the server with the production settings accepts them."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from kapabel.assessments.models import Assessment, Campaign
    from kapabel.core import tokens
    from kapabel.core.models import Municipality, PersonalAccessToken, Role, User
    from kapabel.organisation import services
    from kapabel.organisation.demo import DEMO_KOMMUNEKODE
    from kapabel.organisation.models import Employee

    municipality = Municipality.objects.get(kommunekode=DEMO_KOMMUNEKODE)
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode(password, hasher.salt())  # one hash for all: a throwaway database
    counts = role_counts(users)

    def new_user(name: str) -> User:
        user = User(username=name, first_name=name, password=encoded)
        user.save()
        return user

    people: list[Person] = []
    participants = (
        Employee.objects.filter(
            municipality=municipality,
            user__isnull=True,
            managed_units__isnull=True,
            assessments__campaign__kind=Campaign.Kind.INDIVIDUAL,
            assessments__campaign__status=Campaign.Status.OPEN,
            assessments__status=Assessment.Status.PENDING,
        )
        .distinct()
        .order_by("pk")
    )
    for number, employee in enumerate(participants[: counts[EMPLOYEE]]):
        user = new_user(f"soak-employee-{number:02d}")
        services.employee_link_user(employee=employee, user=user, actor="soak")
        people.append(Person(EMPLOYEE, user.username))
    managers = list(
        Employee.objects.filter(municipality=municipality, managed_units__isnull=False, user__isnull=True)
        .distinct()
        .order_by("pk")
    )
    for number in range(counts[MANAGER]):
        if number < len(managers):
            user = new_user(f"soak-manager-{number:02d}")
            services.employee_link_user(employee=managers[number], user=user, actor="soak")
            people.append(Person(MANAGER, user.username))
        else:  # more managers than the demo has: several sessions of one login
            people.append(Person(MANAGER, people[-1].username))
    for number in range(counts[HR]):
        user = new_user(f"soak-hr-{number:02d}")
        services.role_grant(user=user, role=Role.HR, municipality=municipality, actor="soak")
        people.append(Person(HR, user.username))
    for number in range(counts[API]):
        user = new_user(f"soak-api-{number:02d}")
        services.role_grant(user=user, role=Role.HR, municipality=municipality, actor="soak")
        _token, raw = tokens.token_create(
            user=user, name="soak", scope=PersonalAccessToken.Scope.READ, actor="soak"
        )
        people.append(Person(API, user.username, raw))
    missing = users - len(people)
    if missing:  # a small demo has fewer open assessments than employees asked for
        raise RuntimeError(f"The demo has too few participants for {users} people ({missing} short).")
    return people

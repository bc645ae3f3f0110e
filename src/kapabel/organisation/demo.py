"""Demo data for the organisation: a realistic, deterministic Danish municipality built through the
organisation services. Sizes scale with the requested number of employees (about 33 per unit, as in
the municipalities' own plan2learn exports)."""

from __future__ import annotations

import datetime
import decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from faker import Faker

from kapabel.core.demo import DemoContext
from kapabel.core.models import Role
from kapabel.organisation import services
from kapabel.organisation.models import Employee, OrgUnit
from kapabel.organisation.services import role_grant

DEMO_KOMMUNEKODE = "999"
NEIGHBOUR_KOMMUNEKODE = "998"
DEMO_PASSWORD = "kapabel-demo"  # printed by `kapabel demo`; demo installations only
SYSTEM = "demo"
DEMO_LOGINS = [
    ("Medarbejder / employee", "medarbejder", DEMO_PASSWORD),
    ("Leder / manager", "leder", DEMO_PASSWORD),
    ("HR-/kompetencekonsulent / HR consultant", "hr", DEMO_PASSWORD),
    ("Programkoordinator / programme coordinator", "koordinator", DEMO_PASSWORD),
    ("Kommuneadministrator / municipality administrator", "kommuneadmin", DEMO_PASSWORD),
    ("Platformsadministrator / platform administrator", "platformadmin", DEMO_PASSWORD),
    ("Kommuneadministrator, Nabo Kommune / neighbour administrator", "nabo-admin", DEMO_PASSWORD),
]

FORVALTNINGER = {
    "Børn og Unge": ["Dagtilbud", "Skoler", "Klubber og Fritid", "Fællesadministration", "PPR og Sundhed"],
    "Sociale Forhold og Beskæftigelse": [
        "Jobcenter",
        "Center for Arbejdsmarked",
        "Ydelsescenter",
        "Socialpsykiatri",
        "Handicap",
    ],
    "Borgerservice og Kultur": ["Borgerservice", "Biblioteker", "Kultur og Fritid", "Digitalisering"],
    "Sundhed og Omsorg": ["Hjemmepleje", "Plejehjem", "Sundhedsfremme", "Visitation"],
    "Teknik og Miljø": ["Byggeri", "Natur og Miljø", "Trafik og Veje", "Ejendomme"],
    "Borgmesterens Afdeling": ["Økonomi", "HR og Løn", "Jura", "IT og Digitalisering"],
}
TEAM_NAMES = [
    "Team Nord",
    "Team Syd",
    "Team Øst",
    "Team Vest",
    "Team Midt",
    "Sekretariat",
    "Løn",
    "Administration",
    "Visitation",
    "Virksomhedsservice",
    "Ungeindsats",
    "Kontaktcenter",
]
INSTITUTION_PREFIXES = [
    "Skovbrynet",
    "Solsikken",
    "Kildeparken",
    "Engparken",
    "Bakkegården",
    "Strandvejen",
    "Møllehuset",
    "Lindegården",
    "Egebjerg",
    "Fjordglimt",
    "Vesterlund",
    "Højvang",
]
JOB_ROLES = [
    # (title, code, family, share of staff)
    ("Administrativ medarbejder", "1110", "Administration", 22),
    ("Lønkonsulent", "1120", "Administration", 4),
    ("Økonomimedarbejder", "1130", "Økonomi", 6),
    ("Jobkonsulent", "2210", "Beskæftigelse", 8),
    ("Sagsbehandler", "2220", "Myndighed", 10),
    ("Pædagog", "3310", "Pædagogik", 18),
    ("Lærer", "3320", "Undervisning", 12),
    ("Social- og sundhedsassistent", "4410", "Sundhed og omsorg", 12),
    ("IT-konsulent", "1140", "Digitalisering", 3),
    ("HR-konsulent", "1150", "HR", 2),
    ("ERP-procesrådgiver", "1160", "Økonomi", 1),
    ("Leder", "9000", "Ledelse", 2),
]
ADM, LON, OKO, JOB, SAG, PAED, LAER, SSA, IT, HR, ERP = (title for title, *_rest in JOB_ROLES[:11])
# Who works where: the job roles (with their shares) found in each centre's units, so no teacher
# works in the Ydelsescenter and no job consultant in Byggeri. Leaders are appointed afterwards.
CENTRE_ROLES: dict[str, list[tuple[str, int]]] = {
    "Dagtilbud": [(PAED, 8), (ADM, 1)],
    "Skoler": [(LAER, 6), (PAED, 2), (ADM, 1)],
    "Klubber og Fritid": [(PAED, 5), (ADM, 1)],
    "Fællesadministration": [(ADM, 4), (OKO, 1), (LON, 1)],
    "PPR og Sundhed": [(SAG, 2), (PAED, 2), (ADM, 1)],
    "Jobcenter": [(JOB, 5), (SAG, 3), (ADM, 1)],
    "Center for Arbejdsmarked": [(JOB, 5), (SAG, 2), (ADM, 1)],
    "Ydelsescenter": [(SAG, 4), (ADM, 2)],
    "Socialpsykiatri": [(SSA, 3), (PAED, 2), (SAG, 1)],
    "Handicap": [(PAED, 3), (SSA, 2), (SAG, 1)],
    "Borgerservice": [(ADM, 3), (SAG, 1)],
    "Biblioteker": [(ADM, 1)],
    "Kultur og Fritid": [(ADM, 2), (OKO, 1)],
    "Digitalisering": [(IT, 2), (ADM, 1)],
    "Hjemmepleje": [(SSA, 1)],
    "Plejehjem": [(SSA, 6), (ADM, 1)],
    "Sundhedsfremme": [(SSA, 2), (ADM, 1)],
    "Visitation": [(SAG, 2), (SSA, 1)],
    "Byggeri": [(SAG, 2), (ADM, 2)],
    "Natur og Miljø": [(SAG, 2), (ADM, 1)],
    "Trafik og Veje": [(ADM, 2), (SAG, 1)],
    "Ejendomme": [(ADM, 2), (OKO, 1)],
    "Økonomi": [(OKO, 4), (ERP, 1), (ADM, 1)],
    "HR og Løn": [(LON, 3), (HR, 2), (ADM, 1)],
    "Jura": [(SAG, 2), (ADM, 1)],
    "IT og Digitalisering": [(IT, 3), (ERP, 1), (ADM, 1)],
}


def _unit_plan(rng, employees: int) -> list[dict]:
    """Unit specs: the municipality root, forvaltninger, centres, then teams and institutions until
    the count fits the staff (about 33 people per unit)."""
    target = max(len(FORVALTNINGER) * 3, employees // 33)
    specs = [{"external_id": "U0", "name": "Demo Kommune", "kind": OrgUnit.Kind.MUNICIPALITY, "parent": None}]
    centres = []
    for f_index, (forvaltning, centre_names) in enumerate(FORVALTNINGER.items(), start=1):
        f_id = f"U{f_index}"
        specs.append(
            {"external_id": f_id, "name": forvaltning, "kind": OrgUnit.Kind.FORVALTNING, "parent": "U0"}
        )
        for c_index, centre in enumerate(centre_names, start=1):
            c_id = f"{f_id}-{c_index}"
            specs.append({"external_id": c_id, "name": centre, "kind": OrgUnit.Kind.CENTER, "parent": f_id})
            centres.append((c_id, forvaltning))
    counter = 0
    while len(specs) < target:
        c_id, forvaltning = centres[counter % len(centres)]
        counter += 1
        institution = forvaltning in ("Børn og Unge", "Sundhed og Omsorg") and rng.random() < 0.7
        base = rng.choice(INSTITUTION_PREFIXES if institution else TEAM_NAMES)
        specs.append(
            {
                "external_id": f"{c_id}-{counter}",
                "name": f"{base} {counter}" if institution else f"{base} ({counter})",
                "kind": OrgUnit.Kind.INSTITUTION if institution else OrgUnit.Kind.TEAM,
                "parent": c_id,
            }
        )
    return specs


_ASCII = str.maketrans(
    {"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u", "ö": "o", "ä": "a", " ": "", "-": ""}
)


def _email(first: str, last: str, number: int, kode: str) -> str:
    return f"{first}.{last}.{number}".lower().translate(_ASCII) + f"@{kode}.demo.kapabel.dk"


def _make_user(username: str, full_name: str, email: str):
    first, _space, last = full_name.partition(" ")
    user = get_user_model()(username=username, first_name=first, last_name=last, email=email)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def _grant(user, role: Role, municipality, unit=None) -> None:
    role_grant(user=user, role=role, municipality=municipality, unit=unit, actor=SYSTEM)


def _build_municipality(ctx: DemoContext, name: str, kode: str, employees: int, fake: Faker):
    rng = ctx.rng
    municipality = services.municipality_create(
        name=name, kommunekode=kode, cvr=f"{rng.randrange(10**7, 10**8)}", actor=SYSTEM
    )
    roles = {
        title: services.jobrole_create(
            municipality=municipality,
            title=title,
            code=code,
            job_family=family,
            external_id=code,
            actor=SYSTEM,
        )
        for title, code, family, _share in JOB_ROLES
    }
    specs = _unit_plan(rng, employees)
    specs[0]["name"] = name
    units = services.orgunits_bulk_create(municipality=municipality, units=specs, actor=SYSTEM)
    # People work in the units at the bottom of the tree (teams, institutions, or centres without teams).
    parents = {u.parent_id for u in units}
    leaves = [u for u in units if u.pk not in parents]
    by_pk = {u.pk: u for u in units}

    def centre_of(unit: OrgUnit) -> OrgUnit:
        while unit.kind != OrgUnit.Kind.CENTER and unit.parent_id in by_pk:
            unit = by_pk[unit.parent_id]
        return unit

    fallback = [(title, share) for title, _code, _family, share in JOB_ROLES if title != "Leder"]
    mix = {u.pk: CENTRE_ROLES.get(centre_of(u).name, fallback) for u in leaves}
    people = []
    today = datetime.date(2026, 11, 1)
    for index in range(employees):
        unit = leaves[index % len(leaves)]
        first, last = fake.first_name(), fake.last_name()
        titles, weights = zip(*mix[unit.pk], strict=True)
        title = rng.choices(titles, weights)[0]
        start = today - datetime.timedelta(days=rng.randrange(90, 30 * 365))
        people.append(
            Employee(
                external_id=f"{kode}-{index + 1:06d}",
                employee_number=f"{rng.randrange(100000, 999999)}",
                name=f"{first} {last}",
                email=_email(first, last, index + 1, kode),
                unit=unit,
                job_role=roles[title],
                weekly_hours=decimal.Decimal(
                    rng.choice(["37.00", "37.00", "37.00", "32.00", "30.00", "25.00"])
                ),
                employment_start=start,
            )
        )
    services.employees_bulk_create(municipality=municipality, employees=people, actor=SYSTEM)
    return municipality, units, roles


@transaction.atomic
def build_organisation(ctx: DemoContext) -> None:
    fake = Faker("da_DK")
    fake.seed_instance(ctx.seed)
    municipality, units, roles = _build_municipality(
        ctx, "Demo Kommune", DEMO_KOMMUNEKODE, ctx.employees, fake
    )
    # Every centre and leaf unit gets a manager: its first employee, who becomes a "Leder".
    by_unit: dict[int, Employee] = {}
    for employee in Employee.objects.filter(municipality=municipality).order_by("id").only("id", "unit_id"):
        by_unit.setdefault(employee.unit_id, employee)
    for unit in units:
        manager = by_unit.get(unit.pk)
        if manager is not None:
            OrgUnit.managers.through.objects.get_or_create(orgunit_id=unit.pk, employee_id=manager.pk)
    Employee.objects.filter(pk__in=[e.pk for e in by_unit.values()]).update(job_role=roles["Leder"])

    # Demo logins, one for each role, in "Center for Arbejdsmarked" (as in Næstved's programme).
    centre = next(u for u in units if u.name == "Center for Arbejdsmarked")
    team = OrgUnit.objects.filter(parent=centre).order_by("id").first() or centre
    # The centre is big enough to have staff in several teams (the demo has at least 50 employees).
    centre_staff = Employee.objects.filter(unit__path__startswith=centre.path).order_by("id")
    centre_manager = centre_staff[0]
    employee = centre_staff.filter(unit=team).exclude(pk=centre_manager.pk).first() or centre_staff[1]

    leader_user = _make_user("leder", centre_manager.name, centre_manager.email)
    services.employee_link_user(employee=centre_manager, user=leader_user, actor=SYSTEM)
    services.orgunit_set_managers(unit=centre, managers=[centre_manager], actor=SYSTEM)
    # The employee persona is a job consultant, a role with a profile in the jobcentre framework.
    if employee.job_role_id != roles[JOB].pk:
        services.employee_update(employee=employee, job_role=roles[JOB], actor=SYSTEM)
        employee.refresh_from_db()
    employee_user = _make_user("medarbejder", employee.name, employee.email)
    services.employee_link_user(employee=employee, user=employee_user, actor=SYSTEM)

    hr = _make_user("hr", "Hanne Rasmussen", "hr@999.demo.kapabel.dk")
    _grant(hr, Role.HR, municipality)
    coordinator = _make_user("koordinator", "Karsten Olsen", "koordinator@999.demo.kapabel.dk")
    _grant(coordinator, Role.COORDINATOR, municipality)
    admin = _make_user("kommuneadmin", "Anna Dahl", "admin@999.demo.kapabel.dk")
    _grant(admin, Role.MUNICIPALITY_ADMIN, municipality)
    platform = _make_user("platformadmin", "Peter Lund", "platform@demo.kapabel.dk")
    _grant(platform, Role.PLATFORM_ADMIN, None)

    # A small neighbour municipality on the same installation shows that tenants are kept apart.
    neighbour, _units, neighbour_roles = _build_municipality(
        ctx, "Nabo Kommune", NEIGHBOUR_KOMMUNEKODE, 40, fake
    )
    neighbour_admin = _make_user("nabo-admin", "Niels Berg", "admin@998.demo.kapabel.dk")
    _grant(neighbour_admin, Role.MUNICIPALITY_ADMIN, neighbour)

    ctx.data.update(
        municipality=municipality,
        units=units,
        job_roles=roles,
        centre=centre,
        team=team,
        neighbour=neighbour,
        neighbour_job_roles=neighbour_roles,
        users={
            "leder": leader_user,
            "medarbejder": employee_user,
            "hr": hr,
            "koordinator": coordinator,
            "kommuneadmin": admin,
            "platformadmin": platform,
        },
    )
    ctx.logins += DEMO_LOGINS
    ctx.report.append(
        f"{municipality.name}: {len(units)} units, {ctx.employees} employees, {len(roles)} job roles"
    )

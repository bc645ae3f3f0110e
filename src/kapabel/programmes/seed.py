"""The funding schemes and their dated parameters from public sources (docs/programmes.md), as data.
The data migration seeds them; platform administrators correct and extend them afterwards (other
years' rates, new caps). `seed` is idempotent: it adds what is missing and changes nothing else."""

from decimal import Decimal
from typing import Any

JOBROTATION_SOURCE = (
    "Lov om en aktiv beskæftigelsesindsats kap. 22 (§§ 149–153); STAR, takster for jobrotationsydelse"
)
CLOSURE_SOURCE = "Lov nr. 1750 af 29. december 2025 (L 66, 2025/26), i kraft 1. februar 2026"
FUND_SOURCE = "Den Kommunale Kompetencefond, retningslinjer (OK13; loft 30.000 kr. fra 4. maj 2021)"
VEU_SOURCE = (
    "VEU-godtgørelse, lov om godtgørelse og tilskud til befordring ved deltagelse i erhvervsrettet "
    "voksen- og efteruddannelse"
)
SVU_SOURCE = "Lov om statens voksenuddannelsesstøtte (SVU)"

SCHEMES = [
    (
        "jobrotation",
        "Jobrotation",
        "Jobrotationsydelse til arbejdsgiveren pr. uddannelsestime, mens en ledig vikar er ansat.",
        "Vikaren skal have været ledig i mindst den fastsatte periode, ansættes mindst det gennemsnitlige "
        "timetal pr. uge og højst den fastsatte varighed. Kan ikke kombineres med VEU-godtgørelse eller SVU "
        "for de samme timer.",
        JOBROTATION_SOURCE,
    ),
    (
        "kompetencefond",
        "Den Kommunale Kompetencefond",
        "80 % af de tilskudsberettigede udgifter (deltagergebyr, materialer, transport, ophold) op til et "
        "loft pr. person pr. løbende 12 måneder.",
        "Kompetencegivende uddannelse (akademi, diplom, master) fra anerkendte udbydere. Ansøgning tidligst "
        "9 måneder og senest dagen før start.",
        FUND_SOURCE,
    ),
    (
        "veu",
        "VEU-godtgørelse",
        "Godtgørelse pr. uge på AMU-niveau, udbetalt til arbejdsgiveren ved fuld løn.",
        "Medarbejdere med højst en erhvervsuddannelse.",
        VEU_SOURCE,
    ),
    (
        "svu",
        "SVU",
        "Statens voksenuddannelsesstøtte pr. uge på akademiniveau.",
        "Medarbejdere på 25 år eller derover uden en videregående uddannelse.",
        SVU_SOURCE,
    ),
    ("own_budget", "Eget budget", "Forvaltningens eget uddannelsesbudget.", "", ""),
    ("other", "Anden finansiering", "", "", ""),
]

D = Decimal
# (scheme, key, value, valid_from, valid_to, source)
PARAMETERS = [
    ("jobrotation", "hourly_rate", D("178.84"), "2015-01-01", "2015-12-31", JOBROTATION_SOURCE + ", 2015"),
    ("jobrotation", "hourly_rate", D("188.73"), "2018-01-01", "2018-12-31", JOBROTATION_SOURCE + ", 2018"),
    ("jobrotation", "hourly_rate", D("189.51"), "2019-01-01", "2019-12-31", JOBROTATION_SOURCE + ", 2019"),
    ("jobrotation", "hourly_rate", D("190.44"), "2020-01-01", "2020-12-31", JOBROTATION_SOURCE + ", 2020"),
    ("jobrotation", "hourly_rate", D("193.11"), "2022-01-01", "2022-12-31", JOBROTATION_SOURCE + ", 2022"),
    ("jobrotation", "hourly_rate", D("203.17"), "2024-01-01", "2024-12-31", JOBROTATION_SOURCE + ", 2024"),
    (
        "jobrotation",
        "min_prior_unemployment_months",
        D("3"),
        "2000-01-01",
        "2014-12-31",
        JOBROTATION_SOURCE + ", før 2015",
    ),
    (
        "jobrotation",
        "max_placement_months",
        D("12"),
        "2000-01-01",
        "2014-12-31",
        JOBROTATION_SOURCE + ", før 2015",
    ),
    ("jobrotation", "min_prior_unemployment_months", D("6"), "2015-01-01", None, JOBROTATION_SOURCE),
    ("jobrotation", "max_placement_months", D("6"), "2015-01-01", None, JOBROTATION_SOURCE),
    ("jobrotation", "min_weekly_hours", D("10"), "2000-01-01", None, JOBROTATION_SOURCE),
    ("jobrotation", "closed_to_new", D("1"), "2026-02-01", None, CLOSURE_SOURCE),
    ("kompetencefond", "grant_share_pct", D("80"), "2013-04-01", None, FUND_SOURCE),
    ("kompetencefond", "cap_per_person", D("25000"), "2013-04-01", "2021-05-03", FUND_SOURCE),
    ("kompetencefond", "cap_per_person", D("30000"), "2021-05-04", None, FUND_SOURCE),
    ("kompetencefond", "cap_per_person_master", D("50000"), "2021-05-04", None, FUND_SOURCE),
    ("kompetencefond", "window_months_before", D("9"), "2013-04-01", None, FUND_SOURCE),
    ("kompetencefond", "window_days_before", D("1"), "2013-04-01", None, FUND_SOURCE),
    ("veu", "weekly_rate", D("4355"), "2019-01-01", "2019-12-31", VEU_SOURCE + ", 2019"),
    ("veu", "weekly_rate", D("4555"), "2023-01-01", "2023-12-31", VEU_SOURCE + ", 2023"),
    ("veu", "max_weekly_hours", D("37"), "2000-01-01", None, VEU_SOURCE),
    ("svu", "max_weekly_hours", D("37"), "2000-01-01", None, SVU_SOURCE),
]


def seed(FundingScheme: Any, SchemeParameter: Any) -> None:  # noqa: N803  (model classes)
    schemes = {}
    for kind, name, description, eligibility, source in SCHEMES:
        schemes[kind], _ = FundingScheme.objects.get_or_create(
            kind=kind,
            defaults={"name": name, "description": description, "eligibility": eligibility, "source": source},
        )
    for kind, key, value, valid_from, valid_to, source in PARAMETERS:
        SchemeParameter.objects.get_or_create(
            scheme=schemes[kind],
            key=key,
            valid_from=valid_from,
            defaults={"value": value, "valid_to": valid_to, "source": source},
        )

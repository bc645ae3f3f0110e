"""The demo municipality's catalogue as data: providers, offers (akademi and diplom modules, a
Kommunom-like education, the ERP process-adviser education, the jobcentre course categories, internal
learning) and the competences each develops, by code in the starter frameworks."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from kapabel.learning.models import Level, OfferKind, Provider

KOMPONENT = "Komponent (COK)"
VIA = "VIA University College"
UCN = "UCN act2learn"
ABSALON = "Professionshøjskolen Absalon"
AMU_SYD = "AMU Syd"
INTERN = "Intern"

PROVIDERS = [
    (KOMPONENT, Provider.Kind.EXTERNAL, "COK"),
    (VIA, Provider.Kind.EXTERNAL, "VIA"),
    (UCN, Provider.Kind.EXTERNAL, "UCN"),
    (ABSALON, Provider.Kind.EXTERNAL, "ABSALON"),
    (AMU_SYD, Provider.Kind.EXTERNAL, "AMUSYD"),
    (INTERN, Provider.Kind.INTERNAL, ""),
]

# A category the municipality added next to the seeded ones (categories are editable data).
INTERNAL_CATEGORY = "Intern læring"

# Funding scheme codes an offer may be eligible for (the programmes issue reads them).
FUND = ["kompetencefonden"]
AMU_FUNDS = ["veu"]
AKADEMI_FUNDS = ["kompetencefonden", "svu"]


@dataclass(frozen=True)
class OfferSpec:
    key: str
    provider: str
    title: str
    kind: str
    category: str  # a seeded category code, or INTERNAL_CATEGORY
    competences: dict[str, int] = field(default_factory=dict)  # competence code -> expected gain
    level: str = Level.NONE
    qf_level: int | None = None
    ects: str | None = None
    teaching_days: str | None = None
    hours: str | None = None
    weeks_full_time: str | None = None
    price: str = "0"
    description: str = ""
    schemes: tuple[str, ...] = ()
    requires_hr_approval: bool = False

    def decimal(self, name: str) -> Decimal | None:
        value = getattr(self, name)
        return Decimal(value) if value is not None else None


def _akademi(key: str, title: str, category: str, competences: dict[str, int], description: str) -> OfferSpec:
    return OfferSpec(
        key=key,
        provider=KOMPONENT,
        title=title,
        kind=OfferKind.EDUCATION_MODULE,
        category=category,
        competences=competences,
        level=Level.AKADEMI,
        ects="10",
        teaching_days="8",
        weeks_full_time="6",
        price="10900",
        description=description,
        schemes=tuple(AKADEMI_FUNDS),
    )


OFFERS: list[OfferSpec] = [
    # Akademi modules (10 ECTS, six weeks full time); the first three are Kommunom's obligatory ones.
    _akademi(
        "forvaltning",
        "Offentlig forvaltning og administration",
        "legislation",
        {"ADM-04": 1, "ADM-01": 1},
        "Akademimodul om den offentlige sektors opbygning, sagsbehandling og god forvaltningsskik.",
    ),
    _akademi(
        "forvaltningsret",
        "Forvaltningsret",
        "legislation",
        {"ADM-04": 1, "JC-01": 1},
        "Akademimodul: forvaltningslovens regler om partshøring, begrundelse, aktindsigt og tavshedspligt.",
    ),
    _akademi(
        "kommunikation",
        "Kommunikation med borgere",
        "communication",
        {"ADM-02": 1, "JC-03": 1},
        "Akademimodul i skriftlig og mundtlig kommunikation med borgere og virksomheder, "
        "herunder klarsprog og den svære samtale.",
    ),
    _akademi(
        "offentlig_okonomi",
        "Offentlig økonomi og budget",
        "economy_budget",
        {"ADM-05": 1},
        "Valgfrit akademimodul: budgetlægning, budgetopfølgning og økonomistyring i kommunen.",
    ),
    _akademi(
        "digitalisering",
        "Digitalisering i den offentlige sektor",
        "it_tools",
        {"ADM-06": 1, "ADM-07": 1},
        "Valgfrit akademimodul om digitale arbejdsgange, data og databeskyttelse.",
    ),
    _akademi(
        "projektledelse",
        "Projektledelse i praksis",
        "leadership",
        {"ADM-09": 1},
        "Valgfrit akademimodul: planlægning, styring og forankring af projekter.",
    ),
    OfferSpec(
        key="kommunom",
        provider=KOMPONENT,
        title="Kommunom – akademiuddannelse i offentlig administration",
        kind=OfferKind.EDUCATION,
        category="legislation",
        level=Level.AKADEMI,
        ects="50",
        price="0",
        description="Tre obligatoriske og to valgfrie akademimoduler. Merit for andre akademimoduler "
        "op til 10 ECTS; uddannelsen skal være gennemført inden for 6 år.",
        schemes=tuple(FUND),
    ),
    # Diplom modules (5 ECTS); HR approves them (and the price is above the municipality's threshold).
    OfferSpec(
        key="okonomistyring_ledere",
        provider=VIA,
        title="Økonomistyring for ledere",
        kind=OfferKind.EDUCATION_MODULE,
        category="economy_budget",
        competences={"ADM-05": 1, "JC-07": 1},
        level=Level.DIPLOM,
        ects="5",
        teaching_days="6",
        price="14500",
        description="Diplommodul i ledelse: økonomisk styring, prioritering og dialog om budgettet.",
        schemes=tuple(FUND),
        requires_hr_approval=True,
    ),
    OfferSpec(
        key="forandringer",
        provider=ABSALON,
        title="Ledelse af forandringer",
        kind=OfferKind.EDUCATION_MODULE,
        category="leadership",
        competences={"ADM-08": 1},
        level=Level.DIPLOM,
        ects="5",
        teaching_days="6",
        price="14500",
        description="Diplommodul i ledelse om at lede organisatoriske forandringer og skabe ejerskab.",
        schemes=tuple(FUND),
        requires_hr_approval=True,
    ),
    # The ERP process-adviser education: 6 teaching days and an exam day, ECTS-giving.
    OfferSpec(
        key="erp",
        provider=UCN,
        title="Procesrådgiver i ERP (OPUS)",
        kind=OfferKind.EDUCATION_MODULE,
        category="it_tools",
        competences={"ADM-06": 2, "ADM-05": 1, "ADM-09": 1},
        level=Level.AKADEMI,
        ects="5",
        teaching_days="7",
        price="16900",
        description="Seks undervisningsdage med cases, hjemmeopgaver og aktionslæring i egen "
        "forvaltning, og en eksamensdag. Giver 5 ECTS.",
        schemes=tuple(AKADEMI_FUNDS),
    ),
    # The tailored course (four weeks, one day a week) for a large group of administrative staff.
    OfferSpec(
        key="skraeddersyet",
        provider=KOMPONENT,
        title="Fremtidens administrative medarbejder – skræddersyet forløb",
        kind=OfferKind.COURSE,
        category="communication",
        competences={"ADM-08": 1, "ADM-10": 1},
        teaching_days="4",
        weeks_full_time="4",
        price="3500",
        description="Fire ugers forløb tilrettelagt for kommunens administrative medarbejdere; dele af "
        "undervisningen varetages af kolleger.",
        schemes=tuple(FUND),
    ),
    # Jobcentre courses, one per category.
    OfferSpec(
        key="jc_ledelse",
        provider=KOMPONENT,
        title="Faglig ledelse i jobcentret",
        kind=OfferKind.COURSE,
        category="leadership",
        competences={"JC-06": 1},
        teaching_days="3",
        price="7200",
    ),
    OfferSpec(
        key="jc_okonomi",
        provider=KOMPONENT,
        title="Økonomistyring og budget i jobcentret",
        kind=OfferKind.COURSE,
        category="economy_budget",
        competences={"JC-07": 1},
        teaching_days="2",
        price="4200",
    ),
    OfferSpec(
        key="jc_produktion",
        provider=KOMPONENT,
        title="Produktionsstyring i jobcentret",
        kind=OfferKind.COURSE,
        category="production_management",
        competences={"JC-06": 1},
        teaching_days="2",
        price="4200",
    ),
    OfferSpec(
        key="jc_it",
        provider=AMU_SYD,
        title="IT-værktøjer: Excel og fagsystemer i praksis",
        kind=OfferKind.COURSE,
        category="it_tools",
        competences={"JC-08": 1, "ADM-06": 1},
        level=Level.AMU,
        qf_level=3,
        teaching_days="3",
        price="1250",
        schemes=tuple(AMU_FUNDS),
    ),
    OfferSpec(
        key="jc_resultater",
        provider=KOMPONENT,
        title="Resultatopfølgning med Jobindsats.dk",
        kind=OfferKind.COURSE,
        category="result_review",
        competences={"JC-06": 1, "ADM-07": 1},
        teaching_days="1",
        price="2600",
    ),
    OfferSpec(
        key="jc_virksomhed",
        provider=ABSALON,
        title="Virksomhedskontakt og jobformidling",
        kind=OfferKind.COURSE,
        category="company_contact",
        competences={"JC-05": 1},
        teaching_days="2",
        price="4800",
    ),
    OfferSpec(
        key="samtaler",
        provider=VIA,
        title="Rehabiliterende samtaler",
        kind=OfferKind.COURSE,
        category="communication",
        competences={"JC-03": 1, "JC-04": 1},
        teaching_days="2",
        price="5200",
    ),
    OfferSpec(
        key="gdpr",
        provider=INTERN,
        title="GDPR og databeskyttelse (e-læring)",
        kind=OfferKind.E_LEARNING,
        category="legislation",
        competences={"ADM-07": 1},
        hours="2",
    ),
    # Internal learning: colleagues teach colleagues.
    OfferSpec(
        key="sidemand",
        provider=INTERN,
        title="Sidemandsoplæring i Momentum",
        kind=OfferKind.PEER_TRAINING,
        category=INTERNAL_CATEGORY,
        competences={"JC-08": 1},
        hours="12",
        description="En erfaren kollega lærer nye kolleger fagsystemet op ved skrivebordet.",
    ),
    OfferSpec(
        key="mentor",
        provider=INTERN,
        title="Mentorordning for nye sagsbehandlere",
        kind=OfferKind.MENTORING,
        category=INTERNAL_CATEGORY,
        competences={"JC-01": 1},
        hours="20",
    ),
    OfferSpec(
        key="foel",
        provider=INTERN,
        title="Følordning i Borgerservice",
        kind=OfferKind.SHADOWING,
        category=INTERNAL_CATEGORY,
        competences={"ADM-02": 1},
        hours="8",
    ),
    OfferSpec(
        key="teamlaering",
        provider=INTERN,
        title="Teamlæring: fælles sagsgennemgang",
        kind=OfferKind.TEAM_LEARNING,
        category=INTERNAL_CATEGORY,
        competences={"JC-02": 1},
        hours="10",
    ),
]

# Kommunom: (module key, obligatory).
KOMMUNOM_MODULES = [
    ("forvaltning", True),
    ("forvaltningsret", True),
    ("kommunikation", True),
    ("offentlig_okonomi", False),
    ("digitalisering", False),
    ("projektledelse", False),
]

ROOMS = [
    ("Rådhuset, mødelokale 1", "Torvet 1", 24),
    ("Jobcentret, undervisningslokalet", "Jobcentervej 4", 30),
    ("Kursuscenter Fjordglimt, sal A", "Fjordvej 12", 120),
]

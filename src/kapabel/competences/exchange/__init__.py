"""Exchange formats: Moodle competency framework CSV and 1EdTech CASE 1.1 JSON.

Each format has a reader (file → `FrameworkData`, with row- or field-level errors and no database
access) and a writer (`FrameworkData` → file). `framework_import` (services) writes a `FrameworkData`
to the database in one transaction; `version_to_data` reads a version back. Round trips therefore go
Kapabel → data → file → data → Kapabel, and keep everything the format can carry.
"""

from kapabel.competences.exchange.common import (
    FORMATS,
    CompetenceData,
    FrameworkData,
    ScaleData,
    export_version,
    parse,
    version_to_data,
)

__all__ = [
    "FORMATS",
    "CompetenceData",
    "FrameworkData",
    "ScaleData",
    "export_version",
    "parse",
    "version_to_data",
]

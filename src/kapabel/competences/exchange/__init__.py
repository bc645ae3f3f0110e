"""Exchange formats: Moodle competency framework CSV and 1EdTech CASE 1.1 JSON.

Each format has a reader (file → `FrameworkData`, with row- or field-level errors) and a writer
(`FrameworkData` → file); the package has no database access (an import-linter contract keeps it so).
`formats` picks the reader or writer by name, above the two formats, which share `common`.
`services.framework_import` writes a `FrameworkData` to the database in one transaction;
`selectors.version_to_data` reads a version back, and `selectors.version_export` writes it as a file.
Round trips therefore go Kapabel → data → file → data → Kapabel, and keep everything the format can
carry.
"""

from kapabel.competences.exchange.common import CompetenceData, FrameworkData, ScaleData
from kapabel.competences.exchange.formats import FORMATS, parse, write

__all__ = [
    "FORMATS",
    "CompetenceData",
    "FrameworkData",
    "ScaleData",
    "parse",
    "write",
]

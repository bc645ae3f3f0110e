"""Check a dataset against the organisation in the database, plan the changes, apply them in bulk.

These are the HR import's bulk write paths (50,000 people in seconds): rows are compared in memory
with one read per table, and only what differs is written, with bulk_create / bulk_update in
batches. `apply` must run inside the caller's transaction (see `services.hrimport_apply`), so a crash
or a kill leaves the database as it was. Nothing is ever deleted: people and units missing from a
full import are marked inactive (people with an end date).

By concept: `existing` (the organisation as it is, read once), `unit_tree` (the sheet's unit paths,
cycles, materialised paths), `checking`, `planning` and `applying`.
"""

from kapabel.organisation.hr_import.engine.applying import BATCH, apply
from kapabel.organisation.hr_import.engine.checking import check
from kapabel.organisation.hr_import.engine.existing import EMPLOYEE_VALUES, Existing, Key, Progress
from kapabel.organisation.hr_import.engine.planning import COUNT_KEYS, SAMPLE_SIZE, Plan, build_plan
from kapabel.organisation.hr_import.engine.unit_tree import UnitPaths

__all__ = [
    "BATCH",
    "COUNT_KEYS",
    "EMPLOYEE_VALUES",
    "SAMPLE_SIZE",
    "Existing",
    "Key",
    "Plan",
    "Progress",
    "UnitPaths",
    "apply",
    "build_plan",
    "check",
]

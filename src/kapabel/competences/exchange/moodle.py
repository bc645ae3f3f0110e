"""Moodle's "Import competency framework" CSV (tool_lpimportcsv): 14 columns, read by position.

Columns: Parent ID number, ID number, Short name, Description, Description format, Scale values,
Scale configuration, Rule type, Rule outcome, Rule config, Cross-referenced competency ID numbers,
Exported ID, Is framework, Taxonomy. Exactly one row is the framework. Moodle has no language
field, no indicators and no level descriptors: an import stores the text in the chosen language;
an export writes the framework's own language. Rules and export ids are kept in `extra` so a file
that came from Moodle goes back unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kapabel.competences.exchange.common import (
    CompetenceData,
    FrameworkData,
    ScaleData,
    check_levels,
    check_tree,
)
from kapabel.core import exports

COLUMNS = [
    "Parent ID number",
    "ID number",
    "Short name",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross-referenced competency ID numbers",
    "Exported ID (optional)",
    "Is framework",
    "Taxonomy",
]
DESCRIPTION_FORMATS = {"0", "1", "2", "4"}
RULE_OUTCOMES = {"0", "1", "2", "3"}
PLAIN_TEXT = "2"


def _scale(
    where: str, values: str, config: str, language: str, problems: list[str]
) -> tuple[list[dict[str, Any]], str] | None:
    """Levels and Moodle scale id from the two scale columns, or None when both are empty."""
    if not values.strip() and not config.strip():
        return None
    if not values.strip() or not config.strip():
        problems.append(
            _("%(where)s, Scale values / Scale configuration: give both or neither.") % {"where": where}
        )
        return None
    names = [name.strip() for name in values.split(",")]
    try:
        parsed = json.loads(config)
    except json.JSONDecodeError as exc:
        problems.append(
            _("%(where)s, Scale configuration: not valid JSON (%(error)s).")
            % {"where": where, "error": exc.msg}
        )
        return None
    if (
        not isinstance(parsed, list)
        or not parsed
        or not isinstance(parsed[0], dict)
        or "scaleid" not in parsed[0]
    ):
        problems.append(
            _('%(where)s, Scale configuration: must be a JSON list starting with {"scaleid": …}.')
            % {"where": where}
        )
        return None
    levels = [
        {"value": i, f"name_{language}": name, "proficient": False, "is_default": False}
        for i, name in enumerate(names, 1)
    ]
    for entry in parsed[1:]:
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("id"), int)
            or not 1 <= entry["id"] <= len(names)
        ):
            problems.append(
                _("%(where)s, Scale configuration: %(entry)s names none of the %(count)d scale values.")
                % {"where": where, "entry": json.dumps(entry), "count": len(names)}
            )
            return None
        levels[entry["id"] - 1]["proficient"] = bool(entry.get("proficient"))
        levels[entry["id"] - 1]["is_default"] = bool(entry.get("scaledefault"))
    if not any(level["proficient"] for level in levels):
        problems.append(
            _("%(where)s, Scale configuration: no scale value is marked proficient.") % {"where": where}
        )
        return None
    check_levels(_("%(where)s, Scale values") % {"where": where}, levels, problems)
    return levels, str(parsed[0]["scaleid"])


def read(text: str, *, language: str = "da") -> FrameworkData:
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ValidationError(_("The CSV file cannot be read: %(error)s.") % {"error": exc}) from exc
    if not rows:
        raise ValidationError(_("The file is empty."))
    problems: list[str] = []
    data: FrameworkData | None = None
    framework_rows: list[int] = []
    scales: dict[tuple[str, str], ScaleData] = {}

    def scale_key(where: str, values: str, config: str) -> str | None:
        result = _scale(where, values, config, language, problems)
        if result is None:
            return None
        key = (values.strip(), config.strip())
        if key not in scales:
            levels, external_id = result
            scales[key] = ScaleData(
                key=f"s{len(scales) + 1}", name=values.strip()[:200], levels=levels, external_id=external_id
            )
        return scales[key].key

    items: list[CompetenceData] = []
    # Row 1 is the header; its wording varies between Moodle versions, so it is not checked.
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = _("Row %(number)d") % {"number": number}
        if len(row) != len(COLUMNS):
            problems.append(
                _("%(where)s: expected %(expected)d columns, found %(found)d.")
                % {"where": where, "expected": len(COLUMNS), "found": len(row)}
            )
            continue
        (parent, idnumber, shortname, description, fmt, scale_values, scale_config, rule_type, rule_outcome,
         rule_config, related, exported_id, is_framework, taxonomy) = row  # fmt: skip
        if fmt.strip() and fmt.strip() not in DESCRIPTION_FORMATS:
            problems.append(
                _("%(where)s, Description format: %(value)s is not 0, 1, 2 or 4.")
                % {"where": where, "value": fmt}
            )
        if is_framework.strip() not in ("", "0"):
            framework_rows.append(number)
            data = FrameworkData(
                name=shortname.strip(),
                description=description,
                language=language,
                identifier=idnumber.strip(),
                taxonomies=[term.strip() for term in taxonomy.split(",")] if taxonomy.strip() else [],
                extra={"moodle": {"description_format": fmt.strip() or PLAIN_TEXT}},
            )
            data.default_scale = scale_key(where, scale_values, scale_config)
            if data.default_scale is None and not any(p.startswith(where) for p in problems):
                problems.append(
                    _("%(where)s: the framework row needs Scale values and a Scale configuration.")
                    % {"where": where}
                )
            continue
        if rule_outcome.strip() and rule_outcome.strip() not in RULE_OUTCOMES:
            problems.append(
                _("%(where)s, Rule outcome: %(value)s is not 0, 1, 2 or 3.")
                % {"where": where, "value": rule_outcome}
            )
        config_value: Any = None
        if rule_config.strip() and rule_config.strip() != "null":
            try:
                config_value = json.loads(rule_config)
            except json.JSONDecodeError as exc:
                problems.append(
                    _("%(where)s, Rule config: not valid JSON (%(error)s).")
                    % {"where": where, "error": exc.msg}
                )
        extra: dict[str, Any] = {"description_format": fmt.strip() or PLAIN_TEXT}
        if rule_type.strip():
            extra["rule_type"] = rule_type.strip()
        if rule_outcome.strip():
            extra["rule_outcome"] = int(rule_outcome) if rule_outcome.strip() in RULE_OUTCOMES else 0
        if config_value is not None:
            extra["rule_config"] = config_value
        if exported_id.strip():
            extra["exported_id"] = exported_id.strip()
        items.append(
            CompetenceData(
                identifier=idnumber.strip(),
                parent=parent.strip() or None,
                fields={
                    "code": idnumber.strip(),
                    f"name_{language}": shortname.strip(),
                    f"description_{language}": description,
                },
                scale=scale_key(where, scale_values, scale_config),
                related=[ref.strip().replace("%2C", ",") for ref in related.split(",") if ref.strip()],
                extra=extra,
                where=where,
            )
        )
    if len(framework_rows) != 1 or data is None:
        problems.insert(
            0,
            _("Exactly one row must be the framework (Is framework = 1); found %(count)d.")
            % {"count": len(framework_rows)},
        )
        raise ValidationError(problems)
    data.scales = list(scales.values())
    data.competences = items
    # A framework-row id equal to a competence id would make the tree ambiguous in Moodle too.
    check_tree(data, problems)
    if problems:
        raise ValidationError(problems)
    return data


def _scale_columns(scale: ScaleData, language: str) -> tuple[str, str]:
    other = "en" if language == "da" else "da"
    names = [
        (level.get(f"name_{language}") or level.get(f"name_{other}") or "").replace(",", " ")
        for level in scale.levels
    ]
    config: list[dict[str, Any]] = [{"scaleid": scale.external_id or "0"}]
    config += [
        {
            "id": level["value"],
            "scaledefault": int(bool(level.get("is_default"))),
            "proficient": int(bool(level.get("proficient"))),
        }
        for level in scale.levels
    ]
    return ",".join(names), json.dumps(config, separators=(",", ":"))


def write(data: FrameworkData) -> str:
    language = data.language if data.language in ("da", "en") else "da"
    other = "en" if language == "da" else "da"
    scales = {scale.key: scale for scale in data.scales}
    rows: list[list[Any]] = [COLUMNS]
    default = scales.get(data.default_scale or "")
    values, config = _scale_columns(default, language) if default else ("", "")
    rows.append(
        [
            "",
            data.identifier,
            data.name,
            data.description,
            data.extra.get("moodle", {}).get("description_format", PLAIN_TEXT),
            values,
            config,
            "",
            "",
            "",
            "",
            "",
            "1",
            ",".join(data.taxonomies),
        ]
    )
    # Moodle has one id per competence. Use the human codes when every competence has a distinct
    # one (they read better in Moodle), else Kapabel's identifiers.
    codes = [item.fields.get("code", "") for item in data.competences]
    use_codes = all(codes) and len(set(codes)) == len(codes)
    id_of = {
        item.identifier: (item.fields["code"] if use_codes else item.identifier) for item in data.competences
    }
    used_ids = {item.extra.get("exported_id") for item in data.competences}
    counter = 0
    for item in data.competences:
        scale = scales.get(item.scale or "")
        values, config = _scale_columns(scale, language) if scale else ("", "")
        exported = item.extra.get("exported_id")
        if not exported:
            counter += 1
            while str(counter) in used_ids:
                counter += 1
            exported = str(counter)
        rule_config = item.extra.get("rule_config")
        rows.append(
            [
                id_of.get(item.parent, item.parent) if item.parent else "",
                id_of[item.identifier],
                item.fields.get(f"name_{language}") or item.fields.get(f"name_{other}", ""),
                item.fields.get(f"description_{language}") or item.fields.get(f"description_{other}", ""),
                item.extra.get("description_format", PLAIN_TEXT),
                values,
                config,
                item.extra.get("rule_type", ""),
                item.extra.get("rule_outcome", 0),
                "null" if rule_config is None else json.dumps(rule_config),
                ",".join(id_of.get(ref, ref).replace(",", "%2C") for ref in item.related),
                exported,
                "",
                "",
            ]
        )
    # Moodle stores every cell as it stands, so a formula guard's `'` would become part of the
    # competence's name or description there (and on the way back into Kapabel): the text is
    # written exactly. The file is for Moodle, not for a spreadsheet.
    return exports.csv_text(rows, lineterminator="\n", neutralise_formulas=False)

"""1EdTech CASE 1.1 package JSON: CFDocument, CFItems, CFAssociations, CFDefinitions.

The tree is carried by isChildOf associations (origin = child, destination = parent item or the
document, sequenceNumber = order), cross-references by isRelatedTo, and an ESCO skill by exactMatchOf
to its URI. What CASE has no field for (the second language, behavioural indicators, scales with
level descriptors) travels in `extensions.kapabel`, which other CASE tools ignore. Associations of
other types and unknown item fields are kept and written back out unchanged.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.competences.exchange.common import (
    CompetenceData,
    FrameworkData,
    ScaleData,
    VersionStamp,
    check_levels,
    check_tree,
)

ESCO_PREFIX = "http://data.europa.eu/esco/"
ITEM_KNOWN = {
    "identifier",
    "uri",
    "fullStatement",
    "abbreviatedStatement",
    "humanCodingScheme",
    "CFItemType",
    "language",
    "CFDocumentURI",
    "extensions",
}
DOC_KNOWN = {"identifier", "uri", "title", "description", "language", "extensions"}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def read(text: str) -> FrameworkData:
    try:
        package = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            _("The file is not valid JSON: line %(line)d, column %(column)d: %(error)s.")
            % {"line": exc.lineno, "column": exc.colno, "error": exc.msg}
        ) from exc
    except RecursionError as exc:
        raise ValidationError(_("The file is nested too deeply to be a CASE package.")) from exc
    problems: list[str] = []
    if not isinstance(package, dict):
        raise ValidationError(
            _("A CASE package is a JSON object with CFDocument, CFItems and CFAssociations.")
        )
    document = package.get("CFDocument")
    if not isinstance(document, dict):
        raise ValidationError(_("CFDocument: missing or not an object."))
    items = package.get("CFItems", [])
    associations = package.get("CFAssociations", [])
    if not isinstance(items, list):
        problems.append(_("CFItems: must be a list."))
        items = []
    if not isinstance(associations, list):
        problems.append(_("CFAssociations: must be a list."))
        associations = []
    for key in ("identifier", "title"):
        if not _text(document.get(key)).strip():
            problems.append(_("CFDocument.%(field)s: missing.") % {"field": key})
    doc_id = _text(document.get("identifier"))
    language = _text(document.get("language"))[:2].lower()
    language = language if language in ("da", "en") else "en" if language else "da"
    kapabel_doc = (
        (document.get("extensions") or {}).get("kapabel", {})
        if isinstance(document.get("extensions"), dict)
        else {}
    )

    data = FrameworkData(
        name=_text(document.get("title")).strip(),
        description=_text(document.get("description")),
        language=language,
        identifier=doc_id,
        uri=_text(document.get("uri")),
        extra={"case_document": {k: v for k, v in document.items() if k not in DOC_KNOWN}},
    )
    scales = kapabel_doc.get("scales", []) if isinstance(kapabel_doc, dict) else []
    if not isinstance(scales, list):
        problems.append(_("CFDocument.extensions.kapabel.scales: must be a list."))
        scales = []
    for index, scale in enumerate(scales):
        where = f"CFDocument.extensions.kapabel.scales[{index}]"
        if not isinstance(scale, dict) or not isinstance(scale.get("levels"), list):
            problems.append(_("%(where)s: a scale needs a list of levels.") % {"where": where})
            continue
        levels = [dict(level) for level in scale["levels"] if isinstance(level, dict)]
        check_levels(where, levels, problems)
        data.scales.append(
            ScaleData(
                key=str(scale.get("key", index)),
                name=_text(scale.get("name"))[:200],
                levels=levels,
                external_id=_text(scale.get("external_id")),
            )
        )
    if isinstance(kapabel_doc, dict) and kapabel_doc.get("default_scale") is not None:
        data.default_scale = str(kapabel_doc["default_scale"])
        if data.default_scale not in {s.key for s in data.scales}:
            problems.append(_("CFDocument.extensions.kapabel.default_scale: unknown scale."))
            data.default_scale = None

    by_id: dict[str, CompetenceData] = {}
    order: list[CompetenceData] = []
    for index, item in enumerate(items):
        where = f"CFItems[{index}]"
        if not isinstance(item, dict):
            problems.append(_("%(where)s: not an object.") % {"where": where})
            continue
        identifier = _text(item.get("identifier")).strip()
        full = _text(item.get("fullStatement"))
        if not full.strip():
            problems.append(_("%(where)s.fullStatement: missing.") % {"where": where})
        abbreviated = _text(item.get("abbreviatedStatement"))
        ext = (
            item.get("extensions", {}).get("kapabel", {}) if isinstance(item.get("extensions"), dict) else {}
        )
        ext = ext if isinstance(ext, dict) else {}
        item_language = _text(item.get("language"))[:2].lower() or language
        item_language = item_language if item_language in ("da", "en") else language
        item_other = "en" if item_language == "da" else "da"
        name = abbreviated.strip() or full.strip()[:300]
        fields = {
            "code": _text(item.get("humanCodingScheme")),
            "uri": _text(item.get("uri")),
            "item_type": _text(item.get("CFItemType")),
            f"name_{item_language}": name,
            f"description_{item_language}": full if full.strip() != name else "",
            f"name_{item_other}": _text(ext.get(f"name_{item_other}")),
            f"description_{item_other}": _text(ext.get(f"description_{item_other}")),
            "indicators_da": _text(ext.get("indicators_da")),
            "indicators_en": _text(ext.get("indicators_en")),
        }
        competence = CompetenceData(
            identifier=identifier,
            parent=None,
            fields=fields,
            scale=str(ext["scale"]) if ext.get("scale") is not None else None,
            extra={"case": {k: v for k, v in item.items() if k not in ITEM_KNOWN}}
            if set(item) - ITEM_KNOWN
            else {},
            where=where,
        )
        if identifier in by_id:
            problems.append(
                _("%(where)s: the identifier %(id)s is used twice (also at %(other)s).")
                % {"where": where, "id": identifier, "other": by_id[identifier].where}
            )
            continue
        if identifier:
            by_id[identifier] = competence
        order.append(competence)

    def node_id(ref: Any) -> str:
        return _text(ref.get("identifier")) if isinstance(ref, dict) else ""

    parents: dict[str, list[tuple[float, int, str]]] = {}
    kept: list[dict[str, Any]] = []
    for index, association in enumerate(associations):
        where = f"CFAssociations[{index}]"
        if not isinstance(association, dict):
            problems.append(_("%(where)s: not an object.") % {"where": where})
            continue
        kind = association.get("associationType")
        origin, destination = (
            node_id(association.get("originNodeURI")),
            node_id(association.get("destinationNodeURI")),
        )
        if not kind or not origin or not destination:
            problems.append(
                _("%(where)s: associationType, originNodeURI and destinationNodeURI are required.")
                % {"where": where}
            )
            continue
        if kind == "isChildOf" and origin in by_id:
            if destination != doc_id and destination not in by_id:
                problems.append(
                    _("%(where)s: the parent %(parent)s of %(child)s does not exist.")
                    % {"where": where, "parent": destination, "child": origin}
                )
                continue
            sequence = association.get("sequenceNumber")
            parents.setdefault(origin, []).append(
                (sequence if isinstance(sequence, int | float) else float("inf"), index, destination)
            )
        elif kind == "isChildOf" and origin not in by_id:
            problems.append(
                _("%(where)s: the child %(child)s is not an item of this package.")
                % {"where": where, "child": origin}
            )
        elif kind == "isRelatedTo" and origin in by_id and destination in by_id:
            by_id[origin].related.append(destination)
        elif (
            kind == "exactMatchOf"
            and origin in by_id
            and _text((association.get("destinationNodeURI") or {}).get("uri")).startswith(ESCO_PREFIX)
        ):
            by_id[origin].fields["esco_uri"] = association["destinationNodeURI"]["uri"]
        else:
            kept.append(association)
    if kept:
        data.extra["case_associations"] = kept
    if isinstance(package.get("CFDefinitions"), dict):
        data.extra["case_definitions"] = package["CFDefinitions"]
    if isinstance(package.get("CFRubrics"), list) and package["CFRubrics"]:
        data.extra["case_rubrics"] = package["CFRubrics"]
    sequence_of: dict[str, tuple[float, int]] = {}
    for child, options in parents.items():
        options.sort()
        sequence, index, destination = options[0]
        by_id[child].parent = None if destination == doc_id else destination
        sequence_of[child] = (sequence, index)
        if len(options) > 1:
            data.warnings.append(
                _("%(child)s has several parents; it was placed under the first one.") % {"child": child}
            )
    # Siblings in sequenceNumber order, items without one after them in file order.
    position = {id(c): n for n, c in enumerate(order)}
    order.sort(key=lambda c: (sequence_of.get(c.identifier, (float("inf"), 0))[0], position[id(c)]))
    data.competences = order
    check_tree(data, problems)
    if problems:
        raise ValidationError(problems)
    return data


def _node(title: str, identifier: str, uri: str) -> dict[str, str]:
    return {"title": title[:100], "identifier": identifier, "uri": uri}


def write(data: FrameworkData, *, version: VersionStamp | None = None) -> str:
    language = data.language if data.language in ("da", "en") else "da"
    other = "en" if language == "da" else "da"
    base = "urn:kapabel:"
    stamp = (version.published_at if version and version.published_at else timezone.now()).isoformat()
    doc_uri = data.uri or f"{base}document:{data.identifier}"
    document: dict[str, Any] = dict(data.extra.get("case_document", {}))
    document.update(
        {
            "identifier": data.identifier,
            "uri": doc_uri,
            "title": data.name,
            "language": language,
            "lastChangeDateTime": stamp,
        }
    )
    document.setdefault("creator", "Kapabel")
    if version is not None:
        document["version"] = str(version.number)
        document["adoptionStatus"] = {"draft": "Draft", "published": "Adopted", "retired": "Deprecated"}[
            version.status
        ]
    if data.description:
        document["description"] = data.description
    document["CFPackageURI"] = document.get("CFPackageURI") or doc_uri
    document["extensions"] = {
        "kapabel": {
            "scales": [
                {"key": s.key, "name": s.name, "external_id": s.external_id, "levels": s.levels}
                for s in data.scales
            ],
            "default_scale": data.default_scale,
        }
    }
    uris = {c.identifier: c.fields.get("uri") or f"{base}item:{c.identifier}" for c in data.competences}
    titles = {
        c.identifier: c.fields.get(f"name_{language}") or c.fields.get(f"name_{other}", "")
        for c in data.competences
    }
    items, associations = [], []
    siblings: dict[str | None, int] = {}
    for item in data.competences:
        name = titles[item.identifier]
        description = item.fields.get(f"description_{language}") or ""
        out: dict[str, Any] = dict(item.extra.get("case", {}))
        out.update(
            {
                "identifier": item.identifier,
                "uri": uris[item.identifier],
                "CFDocumentURI": _node(data.name, data.identifier, doc_uri),
                "fullStatement": description or name,
                "abbreviatedStatement": name,
                "language": language,
            }
        )
        out.setdefault("lastChangeDateTime", stamp)
        if item.fields.get("code"):
            out["humanCodingScheme"] = item.fields["code"]
        if item.fields.get("item_type"):
            out["CFItemType"] = item.fields["item_type"]
        ext = {
            key: item.fields.get(key, "")
            for key in (f"name_{other}", f"description_{other}", "indicators_da", "indicators_en")
            if item.fields.get(key)
        }
        if item.scale is not None:
            ext["scale"] = item.scale
        if ext:
            out["extensions"] = {"kapabel": ext}
        items.append(out)
        sequence = siblings[item.parent] = siblings.get(item.parent, 0) + 1
        parent_node = (
            _node(titles[item.parent], item.parent, uris[item.parent])
            if item.parent
            else _node(data.name, data.identifier, doc_uri)
        )
        associations.append(
            {
                "identifier": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{doc_uri}|child|{item.identifier}")),
                "uri": f"{base}association:{item.identifier}:child",
                "CFDocumentURI": _node(data.name, data.identifier, doc_uri),
                "associationType": "isChildOf",
                "originNodeURI": _node(name, item.identifier, uris[item.identifier]),
                "destinationNodeURI": parent_node,
                "sequenceNumber": sequence,
                "lastChangeDateTime": stamp,
            }
        )
        for ref in item.related:
            if ref in uris and item.identifier < ref:  # a symmetric relation, written once
                associations.append(
                    {
                        "identifier": str(
                            uuid.uuid5(uuid.NAMESPACE_URL, f"{doc_uri}|related|{item.identifier}|{ref}")
                        ),
                        "uri": f"{base}association:{item.identifier}:related:{ref}",
                        "CFDocumentURI": _node(data.name, data.identifier, doc_uri),
                        "associationType": "isRelatedTo",
                        "originNodeURI": _node(name, item.identifier, uris[item.identifier]),
                        "destinationNodeURI": _node(titles[ref], ref, uris[ref]),
                        "lastChangeDateTime": stamp,
                    }
                )
        if item.fields.get("esco_uri"):
            associations.append(
                {
                    "identifier": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{doc_uri}|esco|{item.identifier}")),
                    "uri": f"{base}association:{item.identifier}:esco",
                    "CFDocumentURI": _node(data.name, data.identifier, doc_uri),
                    "associationType": "exactMatchOf",
                    "originNodeURI": _node(name, item.identifier, uris[item.identifier]),
                    "destinationNodeURI": _node(
                        "ESCO", item.fields["esco_uri"].rsplit("/", 1)[-1], item.fields["esco_uri"]
                    ),
                    "lastChangeDateTime": stamp,
                }
            )
    associations += data.extra.get("case_associations", [])
    definitions = dict(data.extra.get("case_definitions", {}))
    for key in ("CFConcepts", "CFSubjects", "CFLicenses", "CFItemTypes", "CFAssociationGroupings"):
        definitions.setdefault(key, [])
    known_types = {t.get("title") for t in definitions["CFItemTypes"] if isinstance(t, dict)}
    item_types = {str(c.fields["item_type"]) for c in data.competences if c.fields.get("item_type")}
    for item_type in sorted(item_types - known_types):
        definitions["CFItemTypes"].append(
            {
                "identifier": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{doc_uri}|type|{item_type}")),
                "uri": f"{base}itemtype:{item_type}",
                "title": item_type,
                "typeCode": item_type,
                "hierarchyCode": "1",
                "lastChangeDateTime": stamp,
            }
        )
    package: dict[str, Any] = {
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": definitions,
    }
    if data.extra.get("case_rubrics"):
        package["CFRubrics"] = data.extra["case_rubrics"]
    return json.dumps(package, ensure_ascii=False, indent=2)

"""The unit tree as an import sees it: resolving the sheet's unit paths, finding cycles the import
would create, and deriving every unit's materialised path and depth from the parent links."""

from __future__ import annotations

from typing import Any

from kapabel.organisation.hr_import.engine.existing import Existing, Key
from kapabel.organisation.hr_import.formats import UnitIn
from kapabel.organisation.hr_import.reading import Problem, mask_cpr
from kapabel.organisation.models import OrgUnit


class UnitPaths:
    """Resolves the sheet's Enhed column: an existing unit's external id, or a path of unit names
    from the top ("Børn og Unge/Fællesadministration/Løn"; the municipality's single top unit may be
    left out). Missing units along a path are created."""

    def __init__(self, existing: Existing):
        self.existing = existing
        self.children = {
            (u["parent_id"], u["name"].casefold()): pk
            for pk, u in sorted(existing.units.items(), reverse=True)
        }
        self.roots = sorted(pk for pk, u in existing.units.items() if u["parent_id"] is None)

    def resolve(self, value: str) -> tuple[Any, list[tuple[Key, str, Any]]] | None:
        """(unit key, [(new key, name, parent key)]) or None when the path has no top unit."""
        if value in self.existing.unit_by_ext:
            return ("pk", self.existing.unit_by_ext[value]), []
        segments = [s.strip() for s in value.split("/") if s.strip()]
        root_names = {self.existing.units[pk]["name"].casefold(): pk for pk in self.roots}
        if segments and segments[0].casefold() in root_names:
            key: Any = ("pk", root_names[segments[0].casefold()])
            segments = segments[1:]
        elif len(self.roots) == 1:
            key = ("pk", self.roots[0])
        elif not self.roots:
            key = None
        else:
            return None
        new: list[tuple[Key, str, Any]] = []
        prefix = [] if key is None else [str(key[1])]
        for name in segments:
            prefix.append(name.casefold())
            found = (
                self.children.get((key[1], name.casefold())) if key is not None and key[0] == "pk" else None
            )
            if found is not None:
                key = ("pk", found)
            else:
                new_key = ("new", "/".join(prefix))
                new.append((new_key, name[:200], key))
                key = new_key
        return key, new


def kind_for(parent: Key | None) -> str:
    """The kind of a unit the import creates: a top unit is the municipality itself."""
    return OrgUnit.Kind.MUNICIPALITY if parent is None else OrgUnit.Kind.DEPARTMENT


def unit_label(key: Key | None, names: dict[int, str]) -> str | None:
    """A unit's name for the preview, whether it exists or is to be created."""
    if key is None:
        return None
    return names.get(key[1]) if key[0] == "pk" else str(key[1]).rsplit("/", 1)[-1]


def cycles(
    units: list[UnitIn], file_units: dict[str, UnitIn], existing: Existing
) -> list[tuple[Problem, Any]]:
    """Cycles in the unit tree as it would be after the import (file parents, else the current ones)."""

    def key_of_pk(pk: int) -> tuple[str, Any]:
        ext = existing.units[pk]["external_id"]
        return ("e", ext) if ext in file_units else ("p", pk)

    def parent_of(key: tuple[str, Any]) -> tuple[str, Any] | None:
        if key[0] == "e":
            parent = file_units[key[1]].parent
            if not parent:
                return None
            if parent in file_units:
                return ("e", parent)
            pk = existing.unit_by_ext.get(parent)
            return key_of_pk(pk) if pk is not None else None
        parent_pk = existing.units[key[1]]["parent_id"]
        return key_of_pk(parent_pk) if parent_pk is not None else None

    state: dict[tuple[str, Any], int] = {}  # 1: on the current walk, 2: known to reach a top unit
    found = []
    for unit in units:
        walk: list[tuple[str, Any]] = []
        key: tuple[str, Any] | None = ("e", unit.external_id)
        while key is not None and key not in state:
            state[key] = 1
            walk.append(key)
            key = parent_of(key)
        if key is not None and state[key] == 1:
            cycle = walk[walk.index(key) :]
            names = " → ".join(
                file_units[k[1]].external_id if k[0] == "e" else existing.units[k[1]]["name"] for k in cycle
            )
            for member in cycle:
                if member[0] == "e":
                    item = file_units[member[1]]
                    problem = Problem(
                        "cycle",
                        item.file,
                        item.line,
                        "Parentid",
                        {"unit": mask_cpr(item.external_id), "cycle": mask_cpr(names)},
                    )
                    found.append((problem, item))
        for member in walk:
            state[member] = 2
    return found


def materialised_paths(parents: dict[int, int | None]) -> dict[int, tuple[str, int]]:
    """Every unit's path ("/1/14/203/") and depth, derived from the parent links alone."""
    paths: dict[int, tuple[str, int]] = {}

    def path_of(pk: int) -> tuple[str, int]:
        chain = []
        node: int | None = pk
        while node is not None and node not in paths:
            chain.append(node)
            node = parents[node]
        base, depth = paths[node] if node is not None else ("/", -1)
        for member in reversed(chain):
            base, depth = f"{base}{member}/", depth + 1
            paths[member] = (base, depth)
        return paths[pk]

    for pk in parents:
        path_of(pk)
    return paths

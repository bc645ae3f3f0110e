"""How the gap views show one competence that lives on in several framework versions: each shown
competence followed to the newest shown version of itself (along the "same" mappings), its
counters added into that head (`gaps.selectors.figures.fold_versions`), so it appears once. The
stored aggregates and the gap definition stay per competence version."""

from __future__ import annotations

from kapabel.competences.models import Competence, CompetenceMapping

# Mappings only go from an earlier to a later version, so a chain ends; this bounds a bad one.
MAX_VERSION_HOPS = 50


def same_heads(competences: list[Competence]) -> dict[int, int]:
    """Competence id -> the newest of `competences` that it is the same competence as, following
    the "same" mappings forward from version to version (itself when none is shown). Display only:
    the figures of each competence stay as the gap definition computes them."""
    return same_heads_of_ids({c.pk for c in competences})


def same_heads_of_ids(shown: set[int]) -> dict[int, int]:
    """`same_heads` by competence id."""
    at = {pk: pk for pk in shown}  # where each shown competence's chain has got to
    reached: dict[int, list[int]] = {pk: [pk] for pk in shown}
    for _hop in range(MAX_VERSION_HOPS):
        successor: dict[int, int] = {}
        for source_id, target_id in (
            CompetenceMapping.objects.filter(
                source_id__in=set(at.values()), relation=CompetenceMapping.Relation.SAME
            )
            .order_by("source_id", "target_id")
            .values_list("source_id", "target_id")
        ):
            successor.setdefault(source_id, target_id)
        if not successor:
            break
        for origin, node in list(at.items()):
            if node in successor:
                at[origin] = successor[node]
                reached[origin].append(successor[node])
            else:
                del at[origin]
    return {origin: [pk for pk in chain if pk in shown][-1] for origin, chain in reached.items()}


def earlier_versions(competence_ids: list[int]) -> dict[int, int]:
    """The competences and every earlier version of them (following the "same" mappings back) ->
    the newest of `competence_ids` each is a version of."""
    head = {pk: pk for pk in competence_ids}
    frontier = set(competence_ids)
    for _hop in range(MAX_VERSION_HOPS):
        step = list(
            CompetenceMapping.objects.filter(target_id__in=frontier, relation=CompetenceMapping.Relation.SAME)
            .order_by("source_id", "target_id")
            .values_list("source_id", "target_id")
        )
        frontier = set()
        for source_id, target_id in step:
            if head.get(source_id) != head[target_id]:
                head[source_id] = head[target_id]
                frontier.add(source_id)
        if not frontier:
            break
    return head


def grouped(competences: list[Competence]) -> tuple[list[Competence], dict[int, int]]:
    """`competences` with each one placed under the newest version of itself that is shown (newest
    first), and the head of each (`same_heads`). After a framework revision the same competence
    can have figures in two versions (people whose profiles still use the old one); grouping and the
    version marker let the reader tell them apart instead of seeing one name twice."""
    heads = same_heads(competences)
    by_pk = {c.pk: c for c in competences}

    def key(c: Competence) -> tuple[int, ...]:
        head = by_pk[heads[c.pk]]
        return (head.version_id, head.depth, head.position, head.pk, -c.version.number, c.pk)

    return sorted(competences, key=key), heads

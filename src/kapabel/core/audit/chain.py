"""The hash chain under the audit log: appending a link, and checking a chain end to end.

Choices, and why:

- **One chain per municipality** (`chain` = the municipality's id; 0 for events of no municipality,
  such as platform administrators' grants). Appends must be serialised, and a chain per tenant keeps
  one municipality's writers from waiting for another's on a shared installation. A municipality's
  chain can also be checked, or handed over, on its own.
- **Serialised by a lock on the chain's head row** (`AuditChainHead`, SELECT … FOR UPDATE on
  PostgreSQL), held to the end of the writing transaction, so links are numbered and hashed in the
  order they commit and a rolled-back transaction leaves no gap. On SQLite every write transaction
  takes the database's write lock at its start (BEGIN IMMEDIATE, settings.py), which serialises
  appends already; the lock on the head row is a no-op there.
- **What is hashed.** A link's hash is SHA-256 over the previous link's hash and a canonical JSON
  of the event's plain fields (chain, sequence number, time, kind, action, municipality, actor id,
  object type and id, person id) and `detail_digest`: a SHA-256 of a random per-event salt and the
  personal part (actor label, object text, changes). Anonymising a person blanks the personal part
  and the salt of their events (`redaction.py`) without touching a hashed field, so the chain still
  verifies, and the digest left behind cannot be used to guess the blanked names (the salt is gone).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from kapabel.core.models import AuditChainHead, AuditEvent

GENESIS = "0" * 64
FORMAT_VERSION = 1
# The action that blanks the personal part of earlier events; its `changes` name them.
ANONYMISED_ACTION = "core.person.anonymised"
REDACTED_EVENTS_KEY = "redacted_events"


def chain_of(municipality_id: int | None) -> int:
    return municipality_id or 0


def _normalised(value: Any) -> Any:
    """A value as JSON gives it back from either database: floats that are whole numbers become
    ints (PostgreSQL's jsonb writes 1e20 back as 100000000000000000000)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(key): _normalised(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_normalised(item) for item in value]
    return value


def canonical_json(value: Any) -> str:
    return json.dumps(_normalised(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def as_stored(changes: dict[str, Any] | None) -> dict[str, Any]:
    """`changes` as the JSON column will hold it (dates as text, tuples as lists, keys as text), so
    what is hashed is exactly what is stored."""
    return json.loads(json.dumps(changes or {}, cls=DjangoJSONEncoder))


def detail_digest(salt: str, actor_label: str, object_repr: str, changes: Any) -> str:
    payload = canonical_json({"actor_label": actor_label, "object_repr": object_repr, "changes": changes})
    return hashlib.sha256(f"{salt}\n{payload}".encode()).hexdigest()


def _utc(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def link_payload(
    *,
    chain: int,
    seq: int,
    at: datetime.datetime,
    kind: str,
    action: str,
    municipality_id: int | None,
    actor_id: int | None,
    object_type: str,
    object_id: str,
    person: int | None,
    digest: str,
) -> str:
    return canonical_json(
        {
            "v": FORMAT_VERSION,
            "chain": chain,
            "seq": seq,
            "at": _utc(at),
            "kind": kind,
            "action": action,
            "municipality": municipality_id,
            "actor": actor_id,
            "object_type": object_type,
            "object_id": object_id,
            "person": person,
            "detail": digest,
        }
    )


def link_hash(previous: str, payload: str) -> str:
    return hashlib.sha256(f"{previous}\n{payload}".encode()).hexdigest()


def _event_payload(event: AuditEvent) -> str:
    return link_payload(
        chain=event.chain,
        seq=event.seq,
        at=event.at,
        kind=event.kind,
        action=event.action,
        municipality_id=event.municipality_id,
        actor_id=event.actor_id,
        object_type=event.object_type,
        object_id=event.object_id,
        person=event.person,
        digest=event.detail_digest,
    )


def _locked_head(chain: int) -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is None:
        try:
            with transaction.atomic():  # a savepoint: losing the race to create it is fine
                AuditChainHead.objects.create(chain=chain)
        except IntegrityError:
            pass
        head = AuditChainHead.objects.select_for_update().get(chain=chain)
    return head


def append(event: AuditEvent) -> AuditEvent:
    """Link `event` (unsaved, with its plain and personal fields set) to the end of its chain and
    save it. Runs in the caller's transaction, or its own."""
    event.changes = as_stored(event.changes)
    with transaction.atomic():
        head = _locked_head(chain_of(event.municipality_id))
        event.chain = head.chain
        event.seq = head.last_seq + 1
        event.at = timezone.now()
        event.detail_salt = secrets.token_hex(16)
        event.detail_digest = detail_digest(
            event.detail_salt, event.actor_label, event.object_repr, event.changes
        )
        event.hash = link_hash(head.last_hash, _event_payload(event))
        event.save(force_insert=True)
        AuditChainHead.objects.filter(pk=head.pk).update(last_seq=event.seq, last_hash=event.hash)
    return event


# --- Checking -------------------------------------------------------------------------------------


@dataclass
class Break:
    """The first broken link found in a chain."""

    chain: int
    seq: int
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"event #{self.event_id} (link {self.seq})" if self.event_id else f"link {self.seq}"
        return f"chain {self.chain}: {where}: {self.reason}"


@dataclass
class ChainReport:
    chain: int
    events: int = 0
    redacted: int = 0
    head_hash: str = GENESIS
    broken: Break | None = None


@dataclass
class VerifyReport:
    chains: list[ChainReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(chain.broken is None for chain in self.chains)

    @property
    def first_break(self) -> Break | None:
        return next((chain.broken for chain in self.chains if chain.broken), None)


VERIFY_FIELDS = (
    "id",
    "chain",
    "seq",
    "at",
    "kind",
    "action",
    "municipality_id",
    "actor_id",
    "object_type",
    "object_id",
    "person",
    "actor_label",
    "object_repr",
    "changes",
    "detail_salt",
    "detail_digest",
    "redacted_at",
    "redacted_by",
    "hash",
)


def _redaction_grants() -> dict[int, int]:
    """{redacted event id: id of the anonymisation event that lists it}. The anonymisation events
    themselves are checked like any other link when the walk reaches them."""
    grants: dict[int, int] = {}
    rows = AuditEvent.objects.filter(action=ANONYMISED_ACTION, redacted_at__isnull=True).values_list(
        "id", "changes"
    )
    for pk, changes in rows:
        listed = changes.get(REDACTED_EVENTS_KEY, []) if isinstance(changes, dict) else []
        for event_id in listed:
            if isinstance(event_id, int):
                grants[event_id] = pk
    return grants


def _rows(chain: int) -> Iterator[dict[str, Any]]:
    return AuditEvent.objects.filter(chain=chain).order_by("seq").values(*VERIFY_FIELDS).iterator(2000)


def verify_chain(chain: int, grants: dict[int, int] | None = None) -> ChainReport:
    """Walk one chain from its first link and stop at the first that does not hold."""
    grants = _redaction_grants() if grants is None else grants
    report = ChainReport(chain=chain)
    previous, expected = GENESIS, 1
    for row in _rows(chain):
        seq, pk = row["seq"], row["id"]

        def broken(reason: str, seq: int = seq, pk: int | None = pk) -> ChainReport:
            report.broken = Break(chain, seq, pk, reason)
            return report

        if seq != expected:
            return broken(
                f"link {expected} is missing (removed); the chain goes on at link {seq}",
                seq=expected,
                pk=None,
            )
        if row["redacted_at"] is None:
            digest = detail_digest(row["detail_salt"], row["actor_label"], row["object_repr"], row["changes"])
            if digest != row["detail_digest"]:
                return broken("its who / object / changes were altered after it was written")
        else:
            report.redacted += 1
            if grants.get(pk) != row["redacted_by"] or row["redacted_by"] is None:
                return broken("its personal part was blanked without an anonymisation that lists it")
        payload = link_payload(
            chain=row["chain"],
            seq=seq,
            at=row["at"],
            kind=row["kind"],
            action=row["action"],
            municipality_id=row["municipality_id"],
            actor_id=row["actor_id"],
            object_type=row["object_type"],
            object_id=row["object_id"],
            person=row["person"],
            digest=row["detail_digest"],
        )
        if link_hash(previous, payload) != row["hash"]:
            return broken("its content or its link to the previous event was altered after it was written")
        previous, expected = row["hash"], expected + 1
        report.events += 1
    report.head_hash = previous
    head = AuditChainHead.objects.filter(chain=chain).first()
    last = expected - 1
    if head is None:
        if last:
            report.broken = Break(chain, last, None, "the chain's head record is missing")
    elif head.last_seq != last or head.last_hash != previous:
        report.broken = Break(
            chain,
            last + 1,
            None,
            f"the chain ends at link {last} but its head says {head.last_seq}: "
            "events were removed at the end",
        )
    return report


def chains() -> list[int]:
    found = set(AuditChainHead.objects.values_list("chain", flat=True))
    found |= set(AuditEvent.objects.order_by().values_list("chain", flat=True).distinct())
    return sorted(found)


def verify(chain_ids: list[int] | None = None) -> VerifyReport:
    """Check the given chains (all of them by default)."""
    grants = _redaction_grants()
    return VerifyReport([verify_chain(chain, grants) for chain in (chain_ids or chains())])

"""The audit trail's hash chain (GL システム運用編 — 真正性, ASVS V16.4).

Every row carries ``seq`` (1, 2, 3… without gaps) and ``row_hash`` = SHA-256 of the previous row's hash and
this row's content. Rows are appended at commit time, after the transaction's other work, by one function
that first locks the single ``audit_chain`` row (the tip): appends are serialised across workers, the lock
is the last one a transaction takes (so it cannot deadlock with row locks), and the tip records the last
sequence number and hash, so that even deleting the newest rows is noticed.

``verify()`` recomputes the chain: an edited row breaks its own hash, a deleted row leaves a gap in ``seq``
and breaks the next row's hash, a deleted tail disagrees with the tip. The database triggers forbid UPDATE
and DELETE in the first place; the chain shows whether someone went around them.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from hubapp.audit.models import AuditChain, AuditLog
from hubapp.db import JSONText, insert_many

GENESIS = "0" * 64
CHAIN_ID = 1


#: The canonical JSON the hash reads: keys sorted, no spaces, non-ASCII as it is (one encoder for every row).
_CANONICAL = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def canonical(changes: dict) -> str:
    """The JSON text of a row's changes as the hash reads them."""
    return _CANONICAL.encode(changes)


def digest(previous: str, row: dict) -> str:
    """The hash of one row given the previous row's hash (content only: the id is not part of it): SHA-256 of
    the canonical JSON list of its values. ``changes`` may be given as its :func:`canonical` text already
    (:class:`~hubapp.db.JSONText`), which is spliced in as it is: the same text as serialising the whole list."""
    at = row["at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    action = row["action"].value if hasattr(row["action"], "value") else str(row["action"])
    changes = row["changes"]
    head = _CANONICAL.encode([previous, row["seq"], at, row["actor_id"], row["actor"], row.get("role"), action,
                     row["entity"], row["entity_id"], row["hub_id"]])  # fmt: skip
    tail = _CANONICAL.encode([row["ip_address"], row.get("outcome")])
    text = f"{head[:-1]},{changes if type(changes) is JSONText else canonical(changes)},{tail[1:]}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def append(connection: Connection, rows: list[dict]) -> None:
    """Insert ``rows`` at the end of the chain, in order, inside the caller's transaction."""
    chain = AuditChain.__table__
    # The UPDATE comes first: it takes the row lock on PostgreSQL and SQLite's write lock, so the tip read
    # next is the one this transaction extends.
    connection.execute(sa.update(chain).where(chain.c.id == CHAIN_ID).values(last_seq=chain.c.last_seq))
    seq, previous = connection.execute(
        sa.select(chain.c.last_seq, chain.c.last_hash).where(chain.c.id == CHAIN_ID)
    ).one()
    for row in rows:
        seq += 1
        row["seq"] = seq
        row["row_hash"] = previous = digest(previous, row)
    insert_many(connection, AuditLog.__table__, rows)
    connection.execute(sa.update(chain).where(chain.c.id == CHAIN_ID).values(last_seq=seq, last_hash=previous))


@dataclass
class Verdict:
    checked: int
    legacy: int
    problems: list[str]

    @property
    def intact(self) -> bool:
        return not self.problems


#: Columns of a row, as ``digest`` reads them.
_COLUMNS = ("seq", "at", "actor_id", "actor", "role", "action", "entity", "entity_id", "hub_id", "changes",
            "ip_address", "outcome", "row_hash")  # fmt: skip


def verify(connection: Connection, *, batch: int = 5000) -> Verdict:
    """Walk the whole chain in ``seq`` order (streamed in batches, whatever the size of the trail)."""
    logs = AuditLog.__table__
    problems: list[str] = []
    legacy = connection.scalar(sa.select(sa.func.count()).where(logs.c.seq.is_(None)))
    if connection.scalar(sa.select(sa.func.count()).where(logs.c.seq.is_not(None), logs.c.row_hash.is_(None))):
        problems.append("ハッシュのない行があります（row_hash が消されています）。")
    expected_seq, previous, checked, after = 1, GENESIS, 0, 0
    columns = [logs.c[name] for name in _COLUMNS] + [logs.c.id]
    while True:
        rows = connection.execute(
            sa.select(*columns).where(logs.c.seq > after).order_by(logs.c.seq).limit(batch)
        ).mappings().all()
        if not rows:
            break
        for row in rows:
            if row["seq"] != expected_seq:
                problems.append(f"連番 {expected_seq}〜{row['seq'] - 1} の行がありません（削除されています）。")
            if digest(previous, dict(row)) != row["row_hash"]:
                problems.append(f"連番 {row['seq']}（id {row['id']}）の内容かその前の行が変更されています。")
            previous, expected_seq, after = row["row_hash"], row["seq"] + 1, row["seq"]
            checked += 1
            if len(problems) >= 20:
                return Verdict(checked, legacy, problems)
    tip = connection.execute(
        sa.select(AuditChain.__table__.c.last_seq, AuditChain.__table__.c.last_hash)
        .where(AuditChain.__table__.c.id == CHAIN_ID)
    ).first()
    if tip is None:
        problems.append("チェーンの末尾の記録（audit_chain）がありません。")
    elif (tip.last_seq, tip.last_hash) != (expected_seq - 1, previous):
        problems.append(
            f"末尾の記録は連番 {tip.last_seq} までですが、残っている行は {expected_seq - 1} までです"
            "（最後の行が削除されたか、末尾の記録が変更されています）。"
        )
    return Verdict(checked, legacy, problems)

"""Searching the directory with the database's full-text index (FTS5 on SQLite, GIN on PostgreSQL).

A query is folded like the stored text (hubapp/common/jptext.py) and cut into bigrams; an
organisation matches when those bigrams appear consecutively in its index text — a substring test
that the index answers without reading every row. Abbreviations (「訪看」) add a spelled-out variant.

Shapes that stay fast at 100,000 rows (bench/directory_search.py measures them):
- SQLite: when the index finds many rows (a common word such as 「薬局」), the page walks the
  ``(hub_id, kana_key)`` index in reading order and stops after one page, instead of fetching and
  sorting every hit; for a rare word it starts from the hits.
- PostgreSQL: a stored ``search_vector`` column (tsvector) carries the GIN index, so a phrase
  query's recheck reads the stored vector instead of parsing every candidate's text again.
- Counts stop at :data:`COUNT_CAP` (the list then says 「1,000件以上」).
"""

import sqlalchemy as sa

from hubapp.common import jptext
from hubapp.directory.models import Organisation

#: Above this many index hits, the SQLite page walks the kana index instead of sorting the hits.
MANY_HITS = 1000
#: Counts stop here; the list shows 「1,000件以上」.
COUNT_CAP = 1000

_SIMPLE = sa.literal_column("'simple'::regconfig")
#: PostgreSQL only (created by the migration, not a model column): the tsvector of search_bigrams.
search_vector = sa.literal_column("organisations.search_vector")


def _fts5_phrase(folded: str) -> str:
    if len(folded) == 1:
        return f'"{folded}"*'  # any bigram that starts with the character
    return '"' + " ".join(jptext.bigrams(folded)) + '"'


def _tsquery_phrase(folded: str) -> str:
    if len(folded) == 1:
        return f"{folded}:*"
    return "(" + " <-> ".join(jptext.bigrams(folded)) + ")"


def _fts5_query(variants: list[str]) -> str:
    return " OR ".join(_fts5_phrase(v) for v in variants)


def _fts5_hits(fts: str) -> sa.TextClause:
    return sa.text("SELECT rowid FROM directory_search WHERE directory_search MATCH :fts").bindparams(fts=fts)


def matches(query: str, dialect: str, session=None) -> sa.ColumnElement[bool] | None:
    """A WHERE clause selecting organisations that match ``query``; None when the query has no letters.

    On SQLite ``session`` is used to ask the index how many rows match (one cheap statement), to choose
    the page's shape."""
    variants = jptext.query_variants(query)
    if not variants:
        return None
    if dialect == "postgresql":
        tsquery = sa.func.to_tsquery(_SIMPLE, " | ".join(_tsquery_phrase(v) for v in variants))
        return search_vector.op("@@")(tsquery)
    fts = _fts5_query(variants)
    hits = _fts5_hits(fts).columns(sa.column("rowid", sa.Integer))
    many = False
    if session is not None:
        capped = sa.select(sa.func.count()).select_from(
            sa.text("(SELECT 1 FROM directory_search WHERE directory_search MATCH :fts LIMIT :cap)").bindparams(
                fts=fts, cap=MANY_HITS + 1
            )
        )
        many = session.scalar(capped) > MANY_HITS
    # `id + 0` hides the primary key from SQLite's planner, which then reads organisations through the
    # (hub_id, kana_key) index in page order and checks each row against the hits.
    column = (Organisation.id + 0) if many else Organisation.id
    return column.in_(hits)

"""Searching the directory with the database's full-text index (FTS5 on SQLite, GIN on PostgreSQL).

A query is folded like the stored text (hubapp/common/jptext.py) and cut into bigrams; an
organisation matches when those bigrams appear consecutively in its index text — a substring test
that the index answers without reading every row. Abbreviations (「訪看」) add a spelled-out variant.
"""

import sqlalchemy as sa

from hubapp.common import jptext
from hubapp.directory.models import Organisation


def _fts5_phrase(folded: str) -> str:
    if len(folded) == 1:
        return f'"{folded}"*'  # any bigram that starts with the character
    return '"' + " ".join(jptext.bigrams(folded)) + '"'


def _tsquery_phrase(folded: str) -> str:
    if len(folded) == 1:
        return f"{folded}:*"
    return "(" + " <-> ".join(jptext.bigrams(folded)) + ")"


def matches(query: str, dialect: str) -> sa.ColumnElement[bool] | None:
    """A WHERE clause selecting organisations that match ``query``; None when the query has no letters."""
    variants = jptext.query_variants(query)
    if not variants:
        return None
    if dialect == "postgresql":
        tsquery = " | ".join(_tsquery_phrase(v) for v in variants)
        vector = sa.func.to_tsvector(sa.literal_column("'simple'::regconfig"), Organisation.search_bigrams)
        return vector.op("@@")(sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"), tsquery))
    fts_query = " OR ".join(_fts5_phrase(v) for v in variants)
    matched = sa.text("SELECT rowid FROM directory_search WHERE directory_search MATCH :fts").bindparams(
        fts=fts_query
    )
    return Organisation.id.in_(matched.columns(sa.column("rowid", sa.Integer)))

"""Accent-insensitive text search: the database objects it needs and the expressions that use them.

PostgreSQL's ``unaccent()`` is only STABLE (it reads a dictionary that could change), so it cannot
appear in an index. Migration 0002 adds two IMMUTABLE things built on the ``unaccent`` extension:

- ``insights_unaccent(text)``, a wrapper fixing the dictionary, for name prefixes ("Jose" finds
  "José") through ordinary b-tree indexes;
- the ``insights_search`` text-search configuration (English stemming after unaccenting), so that
  ``to_tsvector('insights_search', text)`` can be a stored column of notes under a GIN index, and
  ``ts_headline`` highlights "José" for a search for "jose".
"""

from django.contrib.postgres.search import SearchVector
from django.db.models import Func, TextField
from django.db.models.functions import Lower

SEARCH_CONFIG = "insights_search"
UNACCENT_FUNCTION = "insights_unaccent"


class Unaccent(Func):
    """The immutable ``insights_unaccent(text)``: the text without accents, usable in an index."""

    function = UNACCENT_FUNCTION
    output_field = TextField()


def folded(expression) -> Unaccent:
    """Lower-cased and unaccented, the form names are indexed and compared in."""
    return Unaccent(Lower(expression))


def note_text_vector() -> SearchVector:
    """The notes' full-text vector: what the database keeps in ``EventNote.text_vector`` (and indexes)."""
    return SearchVector("text", config=SEARCH_CONFIG)

"""Finding records by any text they hold: titles, stances, gists, quotes, notes,
outcomes, event texts, source titles.

The index is built from the stored documents (no models: at 100,000 records
validating each would cost seconds) once per version of the store, and answers a
query by plain substring tests, every word of the query in the record. Ranking
what it finds is the front end's business (the dashboard uses Textual's fuzzy
matcher on the short passage each hit is shown with).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..articles.anchors import plain
from ..files.disk import collector_paused
from ..models import RECORD_TYPES
from ..records.repository import Repository
from .words import describe, field_words

# Fields that hold no words to look for: references, dates, flags, and the fixed
# choices (firmness, status, kind), which a filter finds better than a text search.
_SKIP = frozenset(
    {
        "id",
        "date",
        "start",
        "end",
        "published",
        "raised",
        "unsourced",
        "status",
        "firmness",
        "format",
        "priority",
        "event_kind",
        "actor_kind",
        "source_kind",
        "role",
    }
)
# The field that names a record, by kind: a hit there ranks first.
_NAMING = ("title", "name", "analyst")
# Where in a record's text a hit is shown: this many characters before it.
_LEAD = 30
SNIPPET = 90
_SPACE = re.compile(r"\s+")


def _texts(doc: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Each (field, text) of a stored document holding words, nested ones named
    by their outer field (a status-log note is the ``status log``'s)."""
    for key, value in doc.items():
        if key in _SKIP or key.endswith(("_id", "_ids")):
            continue
        name = prefix or key
        if isinstance(value, str):
            if value:
                yield name, value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str) and item:
                    yield name, item
                elif isinstance(item, Mapping):
                    yield from _texts(item, name)
        elif isinstance(value, Mapping):
            yield from _texts(value, name)


@dataclass(frozen=True)
class Found:
    """A record a query found, and the passage that shows why."""

    kind: str
    record_id: str
    track_id: str | None
    field: str  # the field the first word of the query is in, as a person calls it
    passage: str  # that field's text around it, on one line
    in_name: bool  # whether the query's words are all in the record's name


def _passage(text: str, at: int) -> str:
    start = max(at - _LEAD, 0)
    # Start at a word, not in one.
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < at else start
    cut = _SPACE.sub(" ", text[start : start + SNIPPET]).strip()
    head = "…" if start else ""
    tail = "…" if start + SNIPPET < len(text) else ""
    return f"{head}{cut}{tail}"


@dataclass(frozen=True)
class Results:
    """What a query found: how many records, and the first of them, those whose name
    holds every word ahead of the rest."""

    total: int
    found: list[Found]


class SearchIndex:
    """The words of every record in a store, as it stood at one version.

    Kept as columns of strings (a record's place is its number in each), not as an
    object a record: strings are out of the garbage collector's reach, so a full
    collection on a large store does not walk the index, and a key press does not
    wait for one. The words' fields are read again from the store for what is shown.
    """

    def __init__(self, repo: Repository) -> None:
        self.version = repo.version
        self.kinds: list[str] = []
        self.ids: list[str] = []
        self.haystacks: list[str] = []
        self.names: list[str] = []  # the naming field's text, folded
        with collector_paused():
            for kind in RECORD_TYPES:
                for record_id, doc in repo.documents(kind):
                    texts = list(_texts(doc))
                    if not texts:
                        continue
                    self.kinds.append(kind)
                    self.ids.append(record_id)
                    self.haystacks.append(fold("\n".join(t for _, t in texts)))
                    self.names.append(fold(next((t for f, t in texts if f in _NAMING), "")))
        # The words last asked for and the records holding them: typing on narrows
        # the last answer instead of scanning the whole store again.
        self._last: tuple[list[str], list[int] | None] = ([], None)

    def _matching(self, words: list[str]) -> list[int]:
        last_words, last = self._last
        narrows = last is not None and all(any(old in new for new in words) for old in last_words)
        haystacks = self.haystacks
        # The longest word first: it is usually the rarest, and leaves the least to
        # test the others on.
        first, *others = sorted(words, key=len, reverse=True)
        if narrows and last is not None:
            hits = [i for i in last if first in haystacks[i]]
        else:
            hits = [i for i, text in enumerate(haystacks) if first in text]
        for word in others:
            hits = [i for i in hits if word in haystacks[i]]
        self._last = (words, hits)
        return hits

    def find(self, repo: Repository, query: str, limit: int | None = None) -> Results:
        """Records holding every word of ``query`` (case apart): those named by it
        first, then the rest in store order; at most ``limit`` of them described."""
        words = fold(query).split()
        if not words:
            return Results(0, [])
        hits = self._matching(words)
        names = self.names
        named = [i for i in hits if words[0] in names[i]]
        for word in words[1:]:
            named = [i for i in named if word in names[i]]
        if named:
            first = set(named)
            hits = named + [i for i in hits if i not in first]
        shown = hits if limit is None else hits[:limit]
        found = [self._found(repo, i, words) for i in shown]
        return Results(len(hits), [f for f in found if f is not None])

    def _found(self, repo: Repository, i: int, words: Sequence[str]) -> Found | None:
        kind, record_id = self.kinds[i], self.ids[i]
        doc = repo.document(kind, record_id)
        if doc is None:  # gone since the index was built
            return None
        texts = list(_texts(doc))
        if not texts:
            return None
        track = doc.get("track_id")
        track_id = track if isinstance(track, str) else None
        in_name = bool(self.names[i]) and all(w in self.names[i] for w in words)
        field, text, at = texts[0][0], texts[0][1], 0
        for name, value in texts:
            where = fold(value).find(words[0])
            if where >= 0:
                field, text, at = name, value, where
                break
        return Found(kind, record_id, track_id, field_words(field), _passage(text, at), in_name)


def fold(text: str) -> str:
    """Text as searched: case apart, and curly and straight quotes and apostrophes alike
    ("Biden's" finds "Biden’s"), one character for one, so offsets hold."""
    return plain(text).casefold()


# One index per open store, rebuilt when the store has changed since.
_INDEXES: weakref.WeakKeyDictionary[Repository, SearchIndex] = weakref.WeakKeyDictionary()


def search_index(repo: Repository) -> SearchIndex:
    """The store's index, built now if the store changed since the last one."""
    index = _INDEXES.get(repo)
    if index is None or index.version != repo.version:
        # Let the stale index go first: two of them at once would double the peak.
        _INDEXES.pop(repo, None)
        del index
        index = _INDEXES[repo] = SearchIndex(repo)
    return index


def index_ready(repo: Repository) -> bool:
    """Whether the store's index is built for its current version (no wait to search)."""
    index = _INDEXES.get(repo)
    return index is not None and index.version == repo.version


def search(repo: Repository, query: str, limit: int | None = None) -> Results:
    """The records holding all the words of ``query``: see ``SearchIndex.find``."""
    return search_index(repo).find(repo, query, limit)


def found_label(repo: Repository, found: Found) -> str:
    """The record a hit is, named for a reader (a position by who said it on what)."""
    if not repo.exists(found.kind, found.record_id):
        return found.record_id
    return describe(repo, repo.get(found.kind, found.record_id))


__all__ = [
    "Found",
    "Results",
    "SearchIndex",
    "found_label",
    "index_ready",
    "search",
    "search_index",
]

"""The brief as plain data (strings, dates as ISO text, tuples), knowing nothing of how it
is shown; and the ``Builder`` that numbers the sources in reading order as it is built."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..models import Source
from ..records.repository import Repository
from .citations import Claim
from .words import name_of, names

# None: not a claim (a count, a heading); (): a claim with no source (marked unsourced,
# or simply given none: see Entry.unsourced); (1, 3): sources [1], [3].
Notes = tuple[int, ...] | None


@dataclass(frozen=True)
class Entry:
    """One statement of the brief: ``lead`` (meta · meta): text “quote” [notes]."""

    lead: str = ""
    meta: tuple[str, ...] = ()
    text: str = ""
    quote: str = ""
    notes: Notes = None
    children: tuple[Entry, ...] = ()
    # With no notes: the record says explicitly that no source reports this, rather
    # than giving none.
    unsourced: bool = False


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    entries: tuple[Entry, ...]
    note: str = ""
    empty: str = "Nothing on record."


@dataclass(frozen=True)
class Citation:
    """A numbered source, as the brief lists it at the end."""

    number: int
    source_id: str
    outlet: str = ""
    title: str = ""
    published: str = ""
    kind: str = ""
    url: str = ""
    reliability: str = ""
    missing: bool = False


@dataclass(frozen=True)
class Brief:
    track_id: str
    title: str
    facts: tuple[str, ...]
    description: str
    sections: tuple[Section, ...]
    sources: tuple[Citation, ...]

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


class Builder:
    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.numbers: dict[str, int] = {}

    def cite(self, source_ids: Iterable[str]) -> Notes:
        found = []
        for source_id in source_ids:
            if source_id not in self.numbers:
                self.numbers[source_id] = len(self.numbers) + 1
            found.append(self.numbers[source_id])
        return tuple(dict.fromkeys(found))

    def noted(self, claim: Claim | None) -> dict[str, Any]:
        """An entry's notes for a claim: exactly the sources that claim cites."""
        if claim is None:
            return {"notes": None}
        return {"notes": self.cite(claim.source_ids), "unsourced": claim.unsourced}

    def name(self, kind: str, record_id: str | None) -> str:
        return name_of(self.repo, kind, record_id, blank="")

    def names(self, kind: str, ids: Iterable[str]) -> str:
        return names(self.repo, kind, ids, blank="")

    def citations(self) -> tuple[Citation, ...]:
        found = []
        for source_id, number in self.numbers.items():
            if not self.repo.exists("source", source_id):
                found.append(Citation(number, source_id, missing=True))
                continue
            s = self.repo.get_as(Source, source_id)
            found.append(
                Citation(
                    number,
                    source_id,
                    outlet=s.outlet,
                    title=s.title,
                    published=s.published.isoformat(),
                    kind=s.source_kind.value,
                    url=s.url,
                    reliability=s.reliability,
                )
            )
        return tuple(found)

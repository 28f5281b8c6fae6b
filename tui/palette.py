"""The command palette's provider: jump to any record by name."""

from __future__ import annotations

from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from store import Kind, Repository
from tui.messages import OpenRecord
from tui.text import plain

KINDS = (Kind.TRACK, Kind.ROUND, Kind.POINT, Kind.ACTOR, Kind.PERSON, Kind.PROPOSAL, Kind.SOURCE)
LIMIT_PER_KIND = 2000


@runtime_checkable
class ShowsStore(Protocol):
    """A screen over a store: the palette finds its records there."""

    repo: Repository


def highlight(matcher: Matcher, text: str) -> Content:
    """Matcher.highlight parses its text as markup; store text must stay literal."""
    content = Content(text)
    _, offsets = matcher.fuzzy_search.match(matcher.query, text)
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize("bold reverse", offset, offset + 1)
    return content


class RecordsProvider(Provider):
    """Tracks, rounds, sticking points, actors, people, proposals and sources."""

    def _candidates(self) -> list[tuple[str, str, str, str]]:
        screen = self.screen
        if not isinstance(screen, ShowsStore):
            return []
        found: list[tuple[str, str, str, str]] = []
        for kind in KINDS:
            for record in screen.repo.list(kind)[:LIMIT_PER_KIND]:
                label = plain(record.label)
                found.append((kind, record.id, label, f"{label} ({kind})"))
        return found

    def _open(self, kind: str, record_id: str) -> None:
        self.app.post_message(OpenRecord(kind, record_id))

    async def discover(self) -> Hits:
        for kind, record_id, label, _ in self._candidates():
            if kind in (Kind.TRACK, Kind.POINT):
                yield DiscoveryHit(
                    Content(f"{label} ({kind})"),
                    partial(self._open, kind, record_id),
                    help=f"open {kind}",
                )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        needle = query.casefold()
        for kind, record_id, _, text in self._candidates():
            # A cheap substring test first: the fuzzy matcher is slow on large stores.
            if not any(word in text.casefold() for word in needle.split()):
                continue
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    highlight(matcher, text),
                    partial(self._open, kind, record_id),
                    help=f"open {kind}",
                )

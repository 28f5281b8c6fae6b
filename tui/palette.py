"""Finding records by any text they hold, and keys by what they do: the command
palette's providers, and the ranking the search screen shares with them.

``store.reading.search`` finds the records holding every word typed; here Textual's fuzzy
matcher ranks them by how well each word meets the passage it was found in (or
the record's name), so that a whole word, a word's start and a name rank first.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from store import Kind, Repository
from store.articles.anchors import plain as straight
from store.reading.search import Found, found_label, search
from store.reading.words import kind_words
from tui.messages import OpenRecord
from tui.text import plain

# Ranked with the fuzzy matcher: the first this many records the store finds (those
# named by the query first). Enough for a person to choose from, and quick at any size.
RANKED = 200


@runtime_checkable
class ShowsStore(Protocol):
    """A screen over a store: the palette finds its records there."""

    repo: Repository


@dataclass(frozen=True)
class Ranked:
    """A record found, ranked: its score, its name, where the words are."""

    score: float
    found: Found
    label: str

    @property
    def where(self) -> str:
        """The field and the passage the words were found in."""
        return f"{self.found.field}: {self.found.passage}"


def highlight(matcher: Matcher, text: str) -> Content:
    """Matcher.highlight parses its text as markup; store text must stay literal."""
    content = Content(text)
    # Matched with its quotes made straight, as the query was: one character for one.
    _, offsets = matcher.fuzzy_search.match(matcher.query, straight(text))
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize("bold reverse", offset, offset + 1)
    return content


def rank(repo: Repository, query: str, limit: int = RANKED) -> tuple[int, list[Ranked]]:
    """How many records hold every word of ``query``, and the best of them, ranked."""
    results = search(repo, query, limit)
    # One matcher a word: each word is in the text it is matched against (the store
    # found it there), which the matcher scores without trying every way of spelling
    # it out letter by letter, however long the text.
    # Curly and straight quotes alike, as the store found them.
    matchers = [Matcher(straight(word)) for word in query.split()]
    ranked = []
    for found in results.found:
        label = plain(found_label(repo, found))
        text = label if found.in_name else found.passage
        score = sum(m.match(straight(text)) for m in matchers)
        if found.in_name:
            score *= 2
        ranked.append(Ranked(score, found, label))
    ranked.sort(key=lambda r: -r.score)
    return results.total, ranked


class RecordsProvider(Provider):
    """Every record, by any text it holds."""

    def _open(self, kind: str, record_id: str) -> None:
        self.app.post_message(OpenRecord(kind, record_id))

    async def discover(self) -> Hits:
        screen = self.screen
        if not isinstance(screen, ShowsStore):
            return
        for kind in (Kind.TRACK, Kind.POINT):
            for record in screen.repo.list(kind):
                label = plain(record.label)
                yield DiscoveryHit(
                    Content(f"{label} ({kind})"),
                    partial(self._open, kind, record.id),
                    help=f"open {kind_words(kind)}",
                )

    async def search(self, query: str) -> Hits:
        screen = self.screen
        if not isinstance(screen, ShowsStore) or not query.strip():
            return
        _, ranked = rank(screen.repo, query)
        best = max((r.score for r in ranked), default=1.0) or 1.0
        matcher = self.matcher(straight(query))
        for hit in ranked:
            kind = hit.found.kind
            shown = f"{hit.label} ({kind})"
            name = highlight(matcher, shown) if hit.found.in_name else Content(shown)
            # Where the words are, under the name: as part of the display, which is
            # Content, since the palette reads a hit's help as markup.
            where = Content(plain(hit.where)).stylize("$text-muted")
            yield Hit(
                # The palette wants scores from 0 to 1; the order is the ranking's.
                hit.score / best,
                Content("\n").join([name, where]),
                partial(self._open, kind, hit.found.record_id),
                text=shown,
            )


class KeysProvider(Provider):
    """Every key of the screen, found by what it does ("undo", "brief", "as of"), its key
    shown beside it: the palette answers for actions as well as records."""

    def _keys(self) -> list[tuple[str, str, Callable[[], Awaitable[object]]]]:
        """(what it does, its key, what runs it), once per action, in the screen's order."""
        found: dict[str, tuple[str, str, Callable[[], Awaitable[object]]]] = {}
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action == "command_palette":
                continue
            key = self.app.get_key_display(binding)
            if binding.action in found:
                continue
            run = partial(self.app.run_action, binding.action, active.node)
            found[binding.action] = (binding.description, key, run)
        return list(found.values())

    async def discover(self) -> Hits:
        for name, key, run in self._keys():
            yield DiscoveryHit(name, run, help=f"key {key}")

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, key, run in self._keys():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, text=name, help=f"key {key}")

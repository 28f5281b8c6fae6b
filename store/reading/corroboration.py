"""The same news from two outlets: which stored record a new one repeats.

Two agencies report one statement; read in turn, each would become a record, and
compare and the brief would then say it twice. A new position repeats a stored one
when the same party speaks on the same sticking point; a new event repeats one of
the same kind about the same actors; in both, dated within ``WINDOW`` of each other
(outlets date a statement by the day they heard it) and in similar words. Such a
record is better kept once, with both sources and each one's anchored quote
(``Commands.corroborate``), and the forms and the command line offer that.

Similar words: at least half the content words of the shorter text are in the other,
and never fewer than two; the words compared are a record's stance (or, for an event,
its title and text) and its quote, folded to lower case without accents, a plural's
``s`` and the words that say nothing of the news ("the", "said", "would").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..kinds import Kind
from ..models import Event, Position
from ..records.repository import Repository

# How far apart two outlets may date the same news.
WINDOW = timedelta(days=3)
# The fewest shared content words that make two texts similar, however short.
FEWEST_SHARED = 2

# Words that carry no news: function words, attribution, and time words, which two
# outlets set differently around the same statement.
_EMPTY_WORDS = """
    a about after again against all also an and any are as at be been before being but by
    can could did do does during each for from had has have he her here hers him his how i
    if in into is it its itself me more most my no nor not of off on once only or other our
    out over own said same says say she should so some such than that the their them then
    there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your
    told added stated according statement spokesman spokeswoman official officials
    monday tuesday wednesday thursday friday saturday sunday today yesterday tonight night
    morning evening week earlier later
"""
_EMPTY = frozenset(_EMPTY_WORDS.split())
# "not" and its kind are kept: "will accept" and "will not accept" are not the same news.
_KEPT = frozenset({"not", "no", "never", "nor"})
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _folded(word: str) -> str | None:
    """A word as compared: lower case, no accents, no possessive or plural ``s``; None
    for a word that says nothing of the news."""
    ascii_word = unicodedata.normalize("NFKD", word.replace("’", "'")).encode("ascii", "ignore")
    found = _WORD.findall(ascii_word.decode().casefold())
    if not found:
        return None
    word = found[0].removesuffix("'s")
    if word in _KEPT:
        return "not"
    if word in _EMPTY or len(word) < 2:
        return None
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


_TOKEN = re.compile(r"[\w'’]+")


def content_words(text: str) -> set[str]:
    """The words of ``text`` that say what the news is, folded (see the module doc)."""
    return {f for f in map(_folded, _TOKEN.findall(text)) if f is not None}


def as_written(text: str, words: Iterable[str]) -> list[str]:
    """The folded ``words`` as ``text`` spells them, in its order: for saying which
    words two reports share."""
    wanted, found = set(words), {}
    for token in _TOKEN.findall(text):
        folded = _folded(token)
        if folded in wanted and folded not in found:
            found[folded] = token.removesuffix("'s").removesuffix("’s")
    return list(found.values())


def shared_words(first: str, second: str) -> set[str] | None:
    """The content words two texts share when they are similar; None when they are not."""
    one, two = content_words(first), content_words(second)
    shorter = min(len(one), len(two))
    shared = one & two
    if shorter == 0 or len(shared) < min(FEWEST_SHARED, shorter):
        return None
    return shared if 2 * len(shared) >= shorter else None


def similar(first: Iterable[str], second: Iterable[str]) -> set[str] | None:
    """The most words any text of one shares with any of the other, when similar."""
    best: set[str] | None = None
    seconds = [t for t in second if t.strip()]
    for one in (t for t in first if t.strip()):
        for two in seconds:
            shared = shared_words(one, two)
            if shared is not None and (best is None or len(shared) > len(best)):
                best = shared
    return best


@dataclass(frozen=True)
class Match:
    """A stored record the new one repeats: how many days apart, which words they share."""

    record: Position | Event
    days: int
    words: frozenset[str]

    @property
    def kind(self) -> str:
        return self.record.kind

    @property
    def apart(self) -> str:
        """How far apart the two are dated, in words."""
        return {0: "the same day", 1: "a day apart"}.get(self.days, f"{self.days} days apart")


def _day(value: object) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _near(one: date, two: date) -> int | None:
    days = abs((one - two).days)
    return days if days <= WINDOW.days else None


def _new_source(record: Position | Event, source_ids: Sequence[str]) -> bool:
    """A record the new one's sources already back is no second outlet's report."""
    return not set(source_ids) & set(record.source_ids)


def _ordered(found: list[Match]) -> list[Match]:
    return sorted(found, key=lambda m: (m.days, -len(m.words), m.record.id))


def position_matches(
    repo: Repository,
    track_id: str,
    *,
    actor_id: str | None,
    point_id: str | None,
    on: date | str | None,
    stance: str = "",
    quote: str = "",
    source_ids: Sequence[str] = (),
) -> list[Match]:
    """The stored positions a new one repeats, the nearest in date first."""
    day = _day(on)
    if not (actor_id and point_id and day):
        return []
    found = []
    for stored in repo.positions(track_id, point_id=point_id):
        if stored.actor_id != actor_id or not _new_source(stored, source_ids):
            continue
        days = _near(stored.date, day)
        if days is None:
            continue
        words = similar([stance, quote], [stored.stance, stored.quote])
        if words is not None:
            found.append(Match(stored, days, frozenset(words)))
    return _ordered(found)


def _same_actors(one: Sequence[str], two: Sequence[str]) -> bool:
    """The same actors: the same set, or one outlet naming one more than the other (a
    mediator in passing) but the one the event is about first in both."""
    first, second = set(one), set(two)
    if not first or not second:
        return False
    if first == second:
        return True
    return one[0] == two[0] and (first <= second or second <= first)


def event_matches(
    repo: Repository,
    track_id: str,
    *,
    event_kind: str | None,
    actor_ids: Sequence[str],
    on: date | str | None,
    title: str = "",
    text: str = "",
    quote: str = "",
    source_ids: Sequence[str] = (),
) -> list[Match]:
    """The stored events a new one repeats, the nearest in date first."""
    day = _day(on)
    if not (event_kind and day and actor_ids):
        return []
    found = []
    for stored in repo.events(track_id):
        if stored.event_kind.value != str(event_kind) or not _new_source(stored, source_ids):
            continue
        if not _same_actors(list(actor_ids), stored.actor_ids):
            continue
        days = _near(stored.date, day)
        if days is None:
            continue
        words = similar(
            [f"{title}. {text}", quote], [f"{stored.title}. {stored.text}", stored.quote]
        )
        if words is not None:
            found.append(Match(stored, days, frozenset(words)))
    return _ordered(found)


def matches(
    repo: Repository,
    kind: str,
    track_id: str,
    values: Mapping[str, Any],
    source_ids: Sequence[str] = (),
) -> list[Match]:
    """The stored records a new ``kind`` record with these field values repeats (its
    form's values, or a command line's); none for kinds that are not matched."""
    if kind == Kind.POSITION:
        return position_matches(
            repo,
            track_id,
            actor_id=values.get("actor_id"),
            point_id=values.get("point_id"),
            on=values.get("date"),
            stance=str(values.get("stance") or ""),
            quote=str(values.get("quote") or ""),
            source_ids=source_ids,
        )
    if kind == Kind.EVENT:
        return event_matches(
            repo,
            track_id,
            event_kind=values.get("event_kind"),
            actor_ids=[a for a in values.get("actor_ids") or [] if isinstance(a, str)],
            on=values.get("date"),
            title=str(values.get("title") or ""),
            text=str(values.get("text") or ""),
            quote=str(values.get("quote") or ""),
            source_ids=source_ids,
        )
    return []

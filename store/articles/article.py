"""Articles taken in as sources: their readable text, the source fields it proposes,
its sentences, the actors and people it names, and the dates it speaks of.

An article is the user's: Parley keeps its text with the Source record it stands
for and never changes it. A saved HTML page is reduced to the text a reader sees in
pages.py; plain text and Markdown are kept exactly as they are.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from ..models import Actor, Person

# -- taking an article in ----------------------------------------------------------


@dataclass(frozen=True)
class Article:
    """An article's readable text and the source fields proposed from it."""

    text: str
    outlet: str = ""
    title: str = ""
    published: date | None = None
    url: str = ""
    source_kind: str | None = None
    html: bool = False
    # The outlet the article relies on ("as per Al-Qahira News").
    via: str = ""
    # The date's year was a guess: nothing in the text told it.
    date_unsure: bool = False


_MONTHS = (
    r"Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|"
    r"Aug(?:ust|\.)?|Sep(?:t(?:ember|\.)?|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?"
)
_MONTH = rf"\b(?:{_MONTHS})(?![a-z])"
# A calendar date as news writes it: "Aug. 20", "August 20, 2024", "August 20,2024",
# "20 August 2024", ISO.
_CALENDAR = (
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:(?:,\s*|\s+)\d{{4}})?(?!\d)"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}(?:,?\s+\d{{4}})?(?!\d)"
    r"|\d{4}-\d{2}-\d{2})"
)
_AGENCY = r"(?P<agency>[A-Za-z][\w .&'-]{0,40}?)"
_PLACE = r"(?P<place>[A-Z][A-Z .'’-]+(?:,\s*[A-Za-z .]+)?)"
_DASH = r"\s*[-–—]"
# A wire's dateline: "CAIRO, Aug 20 (Reuters) —", "CAIRO, August 26. /TASS/.",
# "JERUSALEM (AP) —", "DOHA —"; the first three name the agency.
DATELINES = [
    re.compile(rf"^\s*{_PLACE},\s*(?P<date>{_CALENDAR})\.?\s*\({_AGENCY}\){_DASH}", re.M),
    re.compile(rf"^\s*{_PLACE},\s*(?P<date>{_CALENDAR})\.?\s*/{_AGENCY}/\.?", re.M),
    re.compile(rf"^\s*{_PLACE}\s*\({_AGENCY}\){_DASH}", re.M),
    re.compile(rf"^\s*(?P<place>[A-Z][A-Z'’-]{{2,}}(?:\s[A-Z'’-]{{2,}})?){_DASH}\s", re.M),
]


def dateline(passage: str) -> re.Match[str] | None:
    """The wire's dateline the passage starts with, if it does."""
    for pattern in DATELINES:
        found = pattern.match(passage)
        if found:
            return found
    return None


# -- sentences ------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    """A sentence of an article: the characters from ``start`` up to ``end``."""

    start: int
    end: int
    text: str
    paragraph: int
    # A picture's caption, its credit, a gallery's label: kept, never joined to a
    # sentence of the article, and no one's statement.
    caption: bool = False


# Words whose full stop does not end a sentence.
_ABBREVIATIONS = {
    *[
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "lt",
        "col",
        "sgt",
        "capt",
        "maj",
        "adm",
        "sen",
        "rep",
        "gov",
        "pres",
        "st",
        "mt",
        "ft",
        "no",
        "nos",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "jr",
        "sr",
        "dept",
        "est",
        "approx",
        "fig",
        "al",
    ],
    *["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"],
    *["u.s", "u.k", "u.n", "e.u", "u.a.e", "u.s.a", "d.c", "a.m", "p.m", "i.e", "e.g"],
}
_END = re.compile(r"[.!?…]+[\"”’')\]]*(?=\s)")


# A picture's credit ("Photo: Reuters", "Photograph: Jane Doe/AFP/Getty Images", "(Photo:
# Nile Observer)", "Photo credit: …") or a gallery's label ("1 of 6", "Gallery").
_CREDIT = re.compile(
    r"^\s*\(?\s*(?:photo(?:graph)?|picture|pic|image|illustration|video|file photo|"
    r"photo credit|credit|courtesy)\s*(?:credit)?\s*:[^\n]{0,120}$"
    r"|^\s*\d{1,3}\s+of\s+\d{1,3}\s*$|^\s*(?:gallery|slideshow|photo gallery)\s*$"
    r"|^\s*\((?:photo(?:graph)?|picture|image)[^()\n]{0,100}\)\s*$"
    # A wire picture's credit: "(Haim Zach-GPO/Handout via Xinhua)".
    r"|^\s*\([^()\n]{0,80}(?:/|\bvia\b)[^()\n]{0,80}\)\s*$",
    re.IGNORECASE,
)
# A credit at the end of a caption's line: "… on Monday. (Photo: Nile Observer)",
# "… on Saturday night. Photograph: Ahmad Gharabli/AFP".
_CREDIT_AT_END = re.compile(
    r"(?:[.!?]\s+|\s)(?:\(?(?:photo(?:graph)?|picture|image|photo credit)\s*:[^.\n]{1,100}\)?"
    r"|\([^()\n]{0,80}(?:/|\bvia\b)[^()\n]{0,80}\))\s*$",
    re.IGNORECASE,
)
# A caption is short.
_CAPTION_CHARS = 240


def is_credit(line: str) -> bool:
    """Whether a line is a picture's credit or a gallery's label."""
    return bool(_CREDIT.match(line))


def sentences(text: str) -> list[Sentence]:
    """The article's sentences, paragraph by paragraph (a blank line parts paragraphs;
    a line of its own, such as a heading, is a sentence). A picture's credit, a
    gallery's label, and the caption a credit ends are their own sentences, marked as
    captions: never joined to the article's sentences around them."""
    found: list[Sentence] = []
    for number, (start, end) in enumerate(paragraph_spans(text)):
        for line_start, line_end in _caption_groups(text, start, end):
            group = _split(text, line_start, line_end, number)
            found.extend(_mark_captions(text, group))
    return found


def _mark_captions(text: str, group: list[Sentence]) -> list[Sentence]:
    """A credit is a caption, and so is the short sentence its line starts with before
    it ("Smoke rises over Khan Younis. (Photo: Nile Observer)")."""
    marked = list(group)
    for index, sentence in enumerate(group):
        if not is_credit(sentence.text):
            continue
        marked[index] = replace(sentence, caption=True)
        if index == 0:
            continue
        before = group[index - 1]
        line_start = text.rfind("\n", 0, before.start) + 1
        starts_line = not text[line_start : before.start].strip()
        if starts_line and len(before.text) <= _CAPTION_CHARS and not marked[index - 1].caption:
            marked[index - 1] = replace(before, caption=True)
    return marked


def _caption_groups(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    """A paragraph's line groups (see ``_line_groups``), a line holding a credit or a
    gallery's label parted from the lines around it, with the caption's line before it
    when the paragraph starts with that line."""
    lines: list[tuple[int, int]] = []
    at = start
    for line in text[start:end].split("\n"):
        lines.append((at, at + len(line)))
        at += len(line) + 1
    begin = 0
    for index, (a, b) in enumerate(lines):
        words = text[a:b]
        if not (is_credit(words) or _CREDIT_AT_END.search(words)):
            continue
        first = index
        if (
            index == begin == 0
            or index - 1 != begin
            or len(text[slice(*lines[begin])]) > _CAPTION_CHARS
        ):
            first = index
        else:
            # "Relatives rally in Tel Aviv.\nPhoto: …": a paragraph of a caption.
            first = begin
        if first > begin:
            yield from _line_groups(text, lines[begin][0], lines[first - 1][1])
        yield lines[first][0], lines[index][1]
        begin = index + 1
    if begin < len(lines):
        rest = lines[begin][0]
        while rest < end and text[rest].isspace():
            rest += 1
        if rest < end:
            yield from _line_groups(text, rest, end)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in re.finditer(r"\S(?:.|\n(?![ \t]*\n))*", text):
        spans.append((match.start(), match.end()))
    return spans


def _line_groups(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    """A paragraph's lines run together, except a short first line without a full stop
    (a heading, a byline, a dateline of its own), which stands alone."""
    chunk = text[start:end]
    first, newline, _ = chunk.partition("\n")
    if newline and not re.search(r"[.!?:;,\"”]$", first.rstrip()):
        yield start, start + len(first.rstrip())
        rest = start + len(first) + 1
        while rest < end and text[rest].isspace():
            rest += 1
        if rest < end:
            yield from _line_groups(text, rest, end)
        return
    yield start, end


def _split(text: str, start: int, end: int, paragraph: int) -> list[Sentence]:
    out = []
    begin = start
    for match in _END.finditer(text, start, end):
        stop = match.end()
        word = re.search(r"([\w.]+)[.]$", text[begin : match.start() + 1])
        if match.group().startswith(".") and word:
            token = word.group(1).casefold()
            if token in _ABBREVIATIONS or re.fullmatch(r"[a-z]", token):
                continue
        after = re.match(r"\s+(\S)", text[stop:end])
        if after and after.group(1).islower():
            continue
        out.append(_sentence(text, begin, stop, paragraph))
        begin = stop
        while begin < end and text[begin].isspace():
            begin += 1
    if begin < end:
        out.append(_sentence(text, begin, end, paragraph))
    return [s for s in out if s.text]


def _sentence(text: str, start: int, end: int, paragraph: int) -> Sentence:
    while end > start and text[end - 1].isspace():
        end -= 1
    return Sentence(start, end, text[start:end], paragraph)


# -- who is named -----------------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    """The actors and people a passage names, in the order it names them."""

    actor_ids: list[str] = field(default_factory=list)
    person_ids: list[str] = field(default_factory=list)


def _name_pattern(name: str) -> re.Pattern[str]:
    flags = 0 if len(name) <= 4 else re.IGNORECASE
    return re.compile(rf"(?<![\w.]){re.escape(name)}(?![\w])", flags)


def named_in(passage: str, actors: Sequence[Actor], people: Sequence[Person]) -> Named:
    """Actors named by name or alias, people by full name or surname (each surname only
    when no one else has it); a person counts for the actor they speak for too."""
    hits: list[tuple[int, str, str]] = []
    for actor in actors:
        for name in (actor.name, *actor.aliases):
            found = _name_pattern(name).search(passage)
            if found:
                hits.append((found.start(), "actor", actor.id))
    surnames: dict[str, list[Person]] = {}
    for person in people:
        surnames.setdefault(person.name.split()[-1], []).append(person)
    for person in people:
        names = [person.name]
        surname = person.name.split()[-1]
        if len(surnames[surname]) == 1 and len(surname) > 2:
            names.append(surname)
        for name in names:
            found = _name_pattern(name).search(passage)
            if found:
                hits.append((found.start(), "person", person.id))
                if person.actor_id:
                    hits.append((found.start(), "actor", person.actor_id))
    actor_ids: list[str] = []
    person_ids: list[str] = []
    for _, what, ident in sorted(hits):
        chosen = actor_ids if what == "actor" else person_ids
        if ident not in chosen:
            chosen.append(ident)
    return Named(actor_ids, person_ids)


# -- when -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DateGuess:
    """The day a passage speaks of, and the words it was read from; ``approximate``
    when the words name a stretch of time ("last week", "at the end of July")."""

    day: date
    phrase: str
    approximate: bool = False

    @property
    def words(self) -> str:
        about = "about " if self.approximate else ""
        return f"{about}{self.day.isoformat()}, from “{self.phrase}”"


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_NUMBER = r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|a|an)"
_PART = r"(?:early|mid|late|the (?:end|beginning|start|middle) of)"
_PHRASES = re.compile(
    "|".join(
        [
            rf"(?P<part>\b{_PART}[\s-]*(?P<part_month>{_MONTH})(?:\s+(?P<part_year>\d{{4}}))?)",
            rf"(?P<calendar>{_CALENDAR})",
            rf"(?P<weekday>(?:(?:last|this|next|on)\s+)?(?P<day>{_WEEKDAY}))",
            r"(?P<exact>\b(?:today|tonight|this morning|this afternoon|this evening|yesterday|"
            r"the day before yesterday|tomorrow)\b)",
            rf"(?P<ago>{_NUMBER}\s+(?P<unit>day|week|month|year)s?\s+ago)",
            r"(?P<stretch>\b(?:last|this|earlier this|later this|past|previous)\s+"
            r"(?P<stretch_unit>weekend|week|month|year)\b)",
            rf"(?P<month>\b(?:in|since|during|until|last)\s+(?P<month_name>{_MONTH})"
            r"(?:\s+(?P<month_year>\d{4}))?)(?!\s*\d)",
        ]
    ),
    re.IGNORECASE,
)


def _dateparser(phrase: str, base: date) -> date | None:
    import dateparser

    settings: Any = {
        "RELATIVE_BASE": datetime(base.year, base.month, base.day),
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    found = dateparser.parse(phrase, languages=["en"], settings=settings)
    return found.date() if found is not None else None


def parse_calendar(phrase: str, base: date | None = None) -> date | None:
    """A calendar date ("Aug. 13", "20 August 2024", "2024-08-20"); without a year,
    the last such day on or before ``base``."""
    return _dateparser(phrase, base or date.today())


def _month_number(name: str) -> int:
    key = name.casefold().rstrip(".")[:3]
    return [m.casefold()[:3] for m in calendar.month_name[1:]].index(key) + 1


def _last_month(month: int, base: date, year: str | None) -> int:
    """The year of the last ``month`` up to ``base`` (news speaks of the past)."""
    if year:
        return int(year)
    return base.year if month <= base.month else base.year - 1


def without_dateline(passage: str) -> str:
    """The passage without a wire's dateline ("CAIRO, Aug 23 (Reuters) - ")."""
    found = dateline(passage)
    return passage[found.end() :].lstrip() if found else passage


def resolve_date(passage: str, base: date) -> DateGuess | None:
    """The day a passage speaks of, relative to the article's date ``base``: the first
    exact date it names, else the first approximate one; None when it names none."""
    approximate: DateGuess | None = None
    # A wire's dateline is the day of the report, not of what it reports.
    found = dateline(passage)
    for match in _PHRASES.finditer(passage, found.end() if found else 0):
        guess = _guess(match, base)
        if guess is None:
            continue
        if not guess.approximate:
            return guess
        approximate = approximate or guess
    return approximate


def _guess(match: re.Match[str], base: date) -> DateGuess | None:
    phrase = match.group().strip()
    if match.group("part"):
        month = _month_number(match.group("part_month"))
        year = _last_month(month, base, match.group("part_year"))
        last = calendar.monthrange(year, month)[1]
        words = phrase.casefold()
        day = 1 if ("beginning" in words or "start" in words or "early" in words) else 15
        if "end" in words or "late" in words:
            day = last if "end" in words else 25
        return DateGuess(date(year, month, day), phrase, approximate=True)
    if match.group("weekday"):
        wanted = _WEEKDAYS.index(match.group("day").casefold())
        words = phrase.casefold()
        if words.startswith("next"):
            return DateGuess(base + timedelta(days=(wanted - base.weekday()) % 7 or 7), phrase)
        # News tells of the past: "on Tuesday" is the last Tuesday, today if it is one;
        # "last Tuesday" is never today.
        back = (base.weekday() - wanted) % 7
        if back == 0 and words.startswith("last"):
            back = 7
        return DateGuess(base - timedelta(days=back), phrase)
    if match.group("stretch"):
        unit = match.group("stretch_unit").casefold()
        words = phrase.casefold()
        if unit == "weekend":
            back = (base.weekday() - 5) % 7 or 7
            return DateGuess(base - timedelta(days=back), phrase, approximate=True)
        then = (
            _dateparser(f"last {unit}", base)
            if words.startswith(("last", "past", "previous"))
            else base
        )
        return DateGuess(then, phrase, approximate=True) if then else None
    if match.group("month"):
        month = _month_number(match.group("month_name"))
        year = _last_month(month, base, match.group("month_year"))
        if phrase.casefold().startswith("last") and year == base.year and month == base.month:
            year -= 1
        return DateGuess(date(year, month, 1), phrase, approximate=True)
    parsed = _dateparser(phrase, base)
    if parsed is None:
        return None
    approximate = bool(match.group("ago")) and match.group("unit").casefold() != "day"
    return DateGuess(parsed, phrase, approximate=approximate)

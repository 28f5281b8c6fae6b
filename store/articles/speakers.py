"""Who speaks in a passage, and when: the day of the speech verb ("said on Tuesday"),
the people a passage names (by name, alias, a transliteration, a surname once named in
full), a named person the store does not know yet with the role beside the name, and a
speaker without a name ("an Israeli official said")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ..models import Actor, Person
from .article import _PHRASES, DateGuess, _guess, dateline, named_in, resolve_date


@dataclass(frozen=True)
class NewPerson:
    """Someone the passage names with a role, who is not in the store."""

    name: str
    title: str
    actor_id: str | None


# -- the speech verb and its date ------------------------------------------------------


SPEECH = (
    r"said|says|say|told|tells|insisted|insists|stated|states|announced|announces|added|"
    r"reported|reports|accused|accuses|warned|warns|affirmed|affirms|declared|declares|"
    r"stressed|stresses|confirmed|confirms|rejected|rejects|demanded|demands|refused|"
    r"refuses|wrote|writes|argued|argues|noted|notes|quoted"
)


_SPEECH = re.compile(rf"\b(?:{SPEECH})\b", re.IGNORECASE)


# Where words are said, dated as a speech verb is: "according to a statement issued
# on Wednesday", "in a phone call on Wednesday evening".
_SAID_IN = re.compile(
    r"\b(?:statement|communiqu[eé]|briefing|interview|phone call|call|remarks|speech)\b",
    re.IGNORECASE,
)


# "said on Sunday", "said last night", "said in a statement on Saturday", "told TASS on
# Monday", "told his counterpart in a phone call on Wednesday": up to seven words
# between the verb and its date. The words between may not start a clause of their own
# ("said Israel has fought since"), nor name a deed the date is of ("the deal agreed on").
_NEAR = re.compile(
    r"^\s*(?:(?!(?:has|have|had|was|were|is|are|will|would|that|since|until|before|after|"
    r"from|agreed|signed|reached|began|begun|started|held|killed|launched|submitted|"
    r"presented|approved)\b)[\w'’.-]+\s+){0,7}?$",
    re.IGNORECASE,
)


_LAST_NIGHT = re.compile(r"\b(?:last night|overnight|late last night)\b", re.IGNORECASE)


def said_on(passage: str, base: date) -> DateGuess | None:
    """The day the passage's words were said; None: the article's own day."""
    start = dateline(passage)
    offset = start.end() if start else 0
    verbs = list(_SPEECH.finditer(passage, offset))
    verbs += [m for m in _SAID_IN.finditer(passage, offset) if verbs]
    if not verbs:
        # No one speaks: an event, dated by what it names.
        return resolve_date(passage, base)
    for verb in verbs:
        night = _LAST_NIGHT.search(passage, verb.end())
        if night and _NEAR.match(passage[verb.end() : night.start()]):
            return DateGuess(base - timedelta(days=1), night.group())
        for match in _PHRASES.finditer(passage, verb.end()):
            if not _NEAR.match(passage[verb.end() : match.start()]):
                break
            guess = _explicit_after(passage, match, base) or _guess(match, base)
            if guess is not None:
                return guess
    return None


def _explicit_after(passage: str, match: re.Match[str], base: date) -> DateGuess | None:
    """ "on Monday, Aug. 19": the calendar date given with a weekday wins over it."""
    if not match.group("weekday"):
        return None
    following = (
        _PHRASES.match(passage, match.end() + 2) if passage[match.end() :][:2] == ", " else None
    )
    if following is not None and following.group("calendar"):
        return _guess(following, base)
    return None


# -- people ----------------------------------------------------------------------------


_PARTICLES = {"al", "el", "ad", "ed", "as", "ar", "an", "bin", "ibn", "bint", "abu", "abd"}


def name_key(name: str) -> str:
    """A name as it sounds, whatever its transliteration: no particles, accents,
    vowels or doubled letters ("Ezzat el-Rishq", "Izzat al-Risheq": "zt rshq")."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    words = [w for w in re.split(r"[\s'’-]+", plain) if w and w not in _PARTICLES]
    skeletons = []
    for word in words:
        consonants = re.sub(r"[aeiou]", "", word)
        skeletons.append(re.sub(r"(.)\1+", r"\1", consonants))
    return " ".join(s for s in skeletons if s)


_NAME_WORD = (
    r"(?:[A-Z][a-z'’]+(?:-[A-Z]?[a-z'’]+)*|(?:al|el|Al|El|bin|ibn|Abu|Abd)(?:-[A-Z][a-z'’]+)?)"
)


_NAME = re.compile(rf"\b[A-Z][a-z'’]+(?:\s+{_NAME_WORD}){{1,7}}")


# Words a role is made of, besides the names of actors: "senior Hamas official".
ROLES = (
    r"official|spokesman|spokeswoman|spokesperson|minister|chief|director|leader|head|"
    r"member|negotiator|envoy|adviser|advisor|president|secretary|commander|ambassador|"
    r"general|premier|king|emir|mediator|diplomat"
)


_ROLE_END = re.compile(rf"\b(?:{ROLES})\b\s*$", re.IGNORECASE)


_ROLE_WORD = re.compile(
    rf"^(?:(?:{ROLES})|senior|top|chief|deputy|foreign|defen[cs]e|national|security|"
    r"intelligence|political|bureau|ministry|prime|state|of|the|its|'s|[A-Z][\w.'’-]*)$",
    re.IGNORECASE,
)


def people_in(passage: str, people: Sequence[Person]) -> list[tuple[int, Person]]:
    """The people of the store the passage names, where it names them: by name, alias,
    unique surname, or a transliteration of a name or alias."""
    found = named_in(passage, [], people).person_ids
    by_id = {p.id: p for p in people}
    hits = [(passage.find(by_id[i].name.split()[-1]), by_id[i]) for i in found]
    keys = {name_key(n): p for p in people for n in (p.name, *p.aliases)}
    for match in _NAME.finditer(passage):
        words = match.group().split()
        for size in range(len(words), 1, -1):
            for first in range(len(words) - size + 1):
                person = keys.get(name_key(" ".join(words[first : first + size])))
                if person is not None and all(p.id != person.id for _, p in hits):
                    hits.append((match.start(), person))
    return sorted(hits, key=lambda hit: hit[0])


def new_people_in(
    passage: str, people: Sequence[Person], actors: Sequence[Actor]
) -> list[tuple[int, NewPerson]]:
    """Names with a role beside them ("Hamas spokesman Jihad Taha", "Osama Hamdan, a
    senior Hamas official,") of no one in the store. A role that names no actor takes
    the first actor its sentence names ("Hamas is ready…, senior official Basem Naim
    said")."""
    known = {name_key(n) for p in people for n in (p.name, *p.aliases)}
    actor_names = {n.casefold() for a in actors for n in (a.name, *a.aliases)}
    found: list[tuple[int, NewPerson]] = []
    for match in _NAME.finditer(passage):
        name, role = _split_role(passage, match, actor_names)
        if not name or not role or name_key(name) in known:
            continue
        if name.casefold() in actor_names:
            continue
        affiliation = named_in(role, actors, []).actor_ids
        if not affiliation:
            affiliation = named_in(_sentence_around(passage, match.start()), actors, []).actor_ids
        found.append(
            (match.start(), NewPerson(name, role, affiliation[0] if affiliation else None))
        )
    return found


def _sentence_around(text: str, at: int) -> str:
    start = max(text.rfind(". ", 0, at), text.rfind("\n", 0, at)) + 1
    ends = [i for i in (text.find(". ", at), text.find("\n", at)) if i >= 0]
    return text[start : min(ends) if ends else len(text)]


# Words that finish a role after "of" or "for": "Minister of State", "Secretary of
# State", "Minister for Foreign Affairs".
_ROLE_TAIL = re.compile(
    r"^(?:state|foreign|affairs|defen[cs]e|interior|staff|finance|justice|information|"
    r"security|intelligence|strategic|national|political|planning|cooperation|the)$",
    re.IGNORECASE,
)


_ROLE_IN = re.compile(rf"\b(?:{ROLES})\b", re.IGNORECASE)


# "Osama Hamdan, a senior Hamas official, said": the role after the name.
_ROLE_AFTER = re.compile(r"^,\s*(?:a|an|the)\s+(?P<role>[^,.;:“\"()]{3,60}?)\s*,")


def _split_role(passage: str, match: re.Match[str], actor_names: set[str]) -> tuple[str, str]:
    """A capitalised run of words parted into the role before the name and the name."""
    words = match.group().split()
    # Capitalised role words at the run's start ("Foreign Minister Badr Abdelatty").
    cut = 0
    for index, word in enumerate(words[:-1]):
        if _ROLE_END.search(word) or word.casefold().rstrip("'’s") in actor_names:
            cut = index + 1
    before = passage[: match.start()].split()
    # "Minister of State Saad al-Muraikhi": the run starts with the end of the role.
    if cut == 0 and before and before[-1].casefold() in ("of", "for"):
        while cut < len(words) - 2 and _ROLE_TAIL.match(words[cut]):
            cut += 1
    name_words = words[cut:]
    if len(name_words) < 2:
        return "", ""
    after = _ROLE_AFTER.match(passage[match.end() :])
    role = after.group("role") if after and cut == 0 else ""
    if role and all(_ROLE_WORD.match(w) for w in role.split()) and _ROLE_IN.search(role):
        return " ".join(name_words), role[:1].upper() + role[1:]
    role_words: list[str] = []
    # "A senior Hamas official, Osama Hamdan, told…": the role set off by commas.
    appositive = passage[match.end() :].startswith(",")
    for word in reversed(before):
        bare = word.strip(",")
        ends = word.endswith((",", ".", ":", ";"))
        if ends and appositive and not role_words and word.endswith(",") and _ROLE_END.search(bare):
            ends = False
        role_word = _ROLE_WORD.match(bare.replace("’s", "'s"))
        if (ends or not role_word) and not re.match(r"^[A-Z][\w.]*(?:'s|’s)$", bare):
            break
        role_words.insert(0, bare)
    role = " ".join([*role_words, *words[:cut]]).strip()
    role = re.sub(r"^(?:the|a|an)\s+", "", role, flags=re.IGNORECASE)
    if not _ROLE_IN.search(role):
        return "", ""
    return " ".join(name_words), role[:1].upper() + role[1:]


SAY = r"said|says|added|told|stated|insisted|warned"


ANAPHOR = re.compile(
    rf"(?:^[\"“‘']|\b(?:he|she|they)\s+(?:{SAY})\b|\b(?:the|this)\s+(?:official|spokesman|"
    rf"spokeswoman|spokesperson|group|movement|minister|diplomat|source|negotiator|"
    rf"envoy|leader)\s+(?:{SAY})\b)",
    re.IGNORECASE,
)


# Whom a speech verb has for its subject: the name, perhaps a clause set off by
# commas ("…, who briefed reporters,"), then the verb ("…, said", "told", "has said").
_SPEAKS_AFTER = re.compile(
    rf"^(?:\s*(?:{_NAME_WORD}|of|for))*(?:\s*,[^,.;“\"]{{1,90}},)?\s+"
    rf"(?:(?:also|later|earlier|then|has|had|have|again|separately|on\s+\w+)\s+)*"
    rf"(?:{SPEECH})\b"
)


_SPEAKS_BEFORE = re.compile(rf"\b(?:{SPEECH})\s+(?:[\w'’.-]+\s+){{0,4}}$", re.IGNORECASE)


# Someone who speaks for an actor without a name: "an Israeli official", "Egyptian
# sources", "a senior Hamas official".
_NAMELESS = (
    r"(?:official|officials|source|sources|diplomat|diplomats|negotiator|negotiators|"
    r"spokesman|spokeswoman|spokesperson|minister|ministry|officer|aide)"
)


def speaks(passage: str, start: int) -> bool:
    """Whether the name at ``start`` is who the passage's speech verb has speaking."""
    return bool(_SPEAKS_AFTER.match(passage[start:]) or _SPEAKS_BEFORE.search(passage[:start]))


def nameless_in(passage: str, actors: Sequence[Actor]) -> list[tuple[int, str]]:
    """Where the passage has an actor's unnamed official speak, and which actor."""
    found = []
    for actor in actors:
        for name in (actor.name, *actor.aliases):
            pattern = re.compile(
                rf"(?<![\w.]){re.escape(name)}(?:'s|’s)?\s+(?:\w+\s+)?{_NAMELESS}\b"
                rf"(?:,[^,.]{{1,60}},)?\s+(?:\w+\s+)?(?:{SPEECH})\b",
                0 if len(name) <= 4 else re.IGNORECASE,
            )
            for hit in pattern.finditer(passage):
                found.append((hit.start(), actor.id))
    return sorted(found)

"""What a passage of an article says, read as an analyst reads it: who said it, for
whom, on which sticking point, how firmly, when it was said, and the clause that
carries the claim. Everything here is a proposal, shown in a form for the user to
confirm; nothing is saved from it unseen.

- The speaker is the person the speech verb has for subject ("…, senior official Basem
  Naim said"), else the first named (by name, alias, or a transliteration of either:
  "Ezzat el-Rishq" is "Izzat al-Rishq"; by surname once named in full: "Naim added").
  For "he said", "the official said", "the group said": the last speaker named in the
  paragraphs before, an unnamed one too ("an Israeli official said" speaks for Israel).
- A capitalised name with a role beside it ("senior Hamas official Khalil al-Hayya",
  "Minister of State Saad al-Muraikhi", "Osama Hamdan, a senior Hamas official,") that
  is no one in the store is offered as a new person, with the role as title and the
  actor the role names (else the actor its sentence names).
- The actor is the speaker's, else the first actor the passage names (by name or
  alias: demonyms and seats, "Israeli", "Cairo", "White House").
- The sticking point is the one whose title or aliases the passage names most (words
  news uses for one another alike: "forces" for "troops", "fighting" for "war"; a word
  for the whole deal giving way to a narrower issue), else the words of a point's title
  ("the corridor"); failing those, the point of the paragraph, or of the one before;
  failing that, the point most statements of the track are on.
- Firmness from the verb and its frame: a condition ("if", "provided that") makes it
  conditional; else the first of "insists", "will not" (a red line), "rejects",
  "demands", "calls for", "must", "expects" (a demand), "accepts", "ready to"
  (accepted), "proposed", "would table", "could pull back" (flexible).
- The date is that of the speech verb ("said on Tuesday", "said last night", "said
  in a statement on Saturday, Aug. 24"); dates it merely mentions ("agreed on July 2")
  are not the day it was said."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ..kinds import Firmness
from ..models import Actor, Person, Round, StickingPoint
from .article import DateGuess, _name_pattern, dateline, named_in, paragraph_spans
from .speakers import (
    ANAPHOR,
    SAY,
    NewPerson,
    nameless_in,
    new_people_in,
    people_in,
    said_on,
    speaks,
)


@dataclass(frozen=True)
class Reading:
    """What a passage proposes for a record taken from it."""

    actor_id: str | None = None
    speaker_id: str | None = None
    new_speaker: NewPerson | None = None
    point_id: str | None = None
    firmness: str | None = None
    stance: str = ""
    day: DateGuess | None = None


# -- sticking points ------------------------------------------------------------------


# Words that name the negotiation as a whole rather than one issue of it ("the deal",
# "the new draft"): a passage that names a narrower issue as well is about that one.
UMBRELLA = {
    *["deal", "agreement", "accord", "proposal", "draft", "text", "framework", "plan"],
    *["talk", "negotiation", "round"],
}


# Words news uses for one another: a point's names are found in either.
_SAME = {
    "force": "troop",
    "soldier": "troop",
    "fighting": "war",
    "hostility": "war",
    "truce": "ceasefire",
    "cease-fire": "ceasefire",
    "captive": "hostage",
    "abductee": "hostage",
    "pullout": "withdrawal",
    "frontier": "border",
}


# Title words too common to tell one point from another.
_PLAIN = {
    *["the", "and", "for", "with", "from", "over", "into", "after", "before", "about"],
    *["against", "between", "staying", "condition", "conditions", "issue", "question"],
}


def _word_form(word: str) -> str:
    """A word as the points' names are compared: lower case, no plural, one of the
    words news uses for the same thing ("forces" is "troop", "fighting" is "war")."""
    low = word.casefold().replace("’", "'")
    # Short words ending in s are as often verbs ("ends", "says"): left as they are.
    if len(low) > 4 and low.endswith("s") and not low.endswith(("ss", "'s")):
        low = low[:-1]
    return _SAME.get(low, low)


def _forms(text: str) -> str:
    return re.sub(r"[A-Za-z][\w'’-]*", lambda m: _word_form(m.group()), text)


def point_in(
    passage: str,
    points: Sequence[StickingPoint],
    track_title: str = "",
    ignore: Sequence[str] = (),
) -> str | None:
    """The sticking point the passage names most closely: the longest of its names
    found (its title counting twice, a word for the whole negotiation half), the first
    named winning a tie; failing a name, the distinctive words of a point's title
    ("the corridor"), those of the track's own title and the names in ``ignore`` (the
    actors': "Hamas" in "Dismantling Hamas") excepted."""
    text = _forms(passage)
    best: tuple[float, int, str] | None = None
    common = " ".join([track_title, *ignore])
    track_words = {_word_form(w) for w in re.findall(r"[A-Za-z][\w'’-]*", common)}
    for point in points:
        score, first = 0.0, len(text)
        title = re.sub(r"[:(].*$", "", point.title).strip()
        for name, weight in [(title, 2.0), *((a, 1.0) for a in point.aliases)]:
            form = _forms(name)
            found = re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", text, re.IGNORECASE)
            if not found:
                continue
            if form.casefold() in UMBRELLA:
                weight /= 4
            score = max(score, weight * len(name.split()))
            first = min(first, found.start())
        if not score:
            for word in re.findall(r"[A-Za-z][\w'’-]{3,}", title):
                form = _word_form(word)
                if form in _PLAIN or form in UMBRELLA or form in track_words:
                    continue
                found = re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", text, re.I)
                if found:
                    score += 0.25
                    first = min(first, found.start())
        if score and (best is None or (score, -first) > (best[0], -best[1])):
            best = (score, first, point.id)
    return best[2] if best else None


# -- firmness -------------------------------------------------------------------------


_CONDITION = re.compile(
    r"\b(?:if|provided that|providing that|as long as|on condition that|unless|in return for)\b",
    re.IGNORECASE,
)


_FRAMES = [
    (
        Firmness.RED_LINE,
        r"insist\w*|refus\w*|will not|would not|won['’]t|cannot|never|"
        r"not up for negotiation|no deal without",
    ),
    (Firmness.REJECTED, r"reject\w*|unacceptable|dismiss\w*|turned down"),
    (
        Firmness.DEMAND,
        r"demand\w*|calls? (?:for|on)|called (?:for|on)|urg\w+|must|wants?|expect(?:s|ed|ing)?|"
        r"keeps? (?:pushing|pressing|working)|pressed for",
    ),
    (Firmness.ACCEPTED, r"accept\w*|ready to|willing to|agreed to|agrees to|approv\w+"),
    (
        Firmness.FLEXIBLE,
        r"propos(?:ed|es|ing)|present\w*|submitted|offer\w*|compromise|flexib\w+|"
        # "would table a revised text" (not "the proposals on the table").
        r"tabled|(?:will|would|to|could) table|put(?:s|ting)? forward|"
        # A concession named as possible: "the army could pull back".
        r"(?:could|might|may) (?:\w+ )?(?:pull|withdraw|reduce|ease|leave|consider|accept|"
        r"move|soften|drop)|open to",
    ),
]


_FRAME = re.compile(
    "|".join(f"(?P<{f.name}>\\b(?:{words})\\b)" for f, words in _FRAMES), re.IGNORECASE
)


def firmness_of(claim: str) -> str | None:
    """How firm a claim is, from its verb and frame; None when nothing says."""
    if _CONDITION.search(claim):
        return Firmness.CONDITIONAL.value
    found = _FRAME.search(claim)
    if found is None:
        return None
    return Firmness[str(found.lastgroup)].value


# -- the claim ------------------------------------------------------------------------


_THAT = re.compile(rf"\b(?:{SAY})\b[^;“\"]{{0,60}}?\bthat\s+", re.IGNORECASE)


# "…, an Israeli official said Monday." "…, the channel reported on Sunday."
_TAIL = re.compile(
    rf",\s*(?:[^,.“\"\s]+\s+){{0,8}}?(?:{SAY}|reported|quoted)(?:\s+[^,.“\"\s]+){{0,5}}"
    r"(?:,\s*[^,“\"]{0,30})?\.?\s*$",
    re.IGNORECASE,
)


def claim_of(passage: str) -> str:
    """The clause that carries the claim: what follows "said that", else the passage
    without its attribution ("…, an Israeli official said Monday.")."""
    words = " ".join(passage.split())
    start = dateline(words)
    if start:
        words = words[start.end() :].lstrip()
    that = _THAT.search(words)
    claim = (words[that.end() :] if that else _TAIL.sub(".", words)).strip()
    return claim[:1].upper() + claim[1:] if claim else words


# -- all of it -------------------------------------------------------------------------


def read_passage(
    passage: str,
    before: str,
    base: date,
    actors: Sequence[Actor],
    people: Sequence[Person],
    points: Sequence[StickingPoint],
    track_title: str = "",
    usual_point: str | None = None,
) -> Reading:
    """What ``passage`` proposes; ``before``: the paragraphs before it, where a "he said"
    finds its speaker and a passage naming no sticking point finds the one it is on;
    ``usual_point``: the point most statements of the track are about, proposed when
    nothing nearer names one."""
    words = dateline(passage)
    body = passage[words.end() :] if words else passage
    known = people_in(body, people)
    new = new_people_in(body, people, actors)
    earlier = [p for _, p in new_people_in(before, people, actors)]
    # "Naim added…": someone named in full before, by surname now.
    for person in earlier:
        surname = person.name.split()[-1]
        found = re.search(rf"(?<![\w-]){re.escape(surname)}(?![\w-])", body)
        if found and all(n.name != person.name for _, n in new):
            new.append((found.start(), person))
    speaker: Person | None = None
    new_speaker: NewPerson | None = None
    named: list[tuple[int, Person | NewPerson]] = sorted([*known, *new], key=lambda h: h[0])
    speaking = [hit for hit in named if speaks(body, hit[0])]
    lead = _first_actor(body, actors)
    nameless = nameless_in(body, actors)
    spoken_for: str | None = None
    if speaking:
        named = speaking[:1]
    # "Hamas called Biden's remarks…": an actor named before the person, whom the
    # person does not speak for, is who speaks; the person is spoken of.
    elif named and lead is not None and lead[0] < named[0][0] and named[0][1].actor_id != lead[1]:
        named = []
    if nameless and not named:
        # "An Israeli official said…": no one named, an actor speaks.
        spoken_for = nameless[0][1]
    if named:
        first = named[0][1]
        if isinstance(first, NewPerson):
            new_speaker = first
        else:
            speaker = first
    elif spoken_for is None and ANAPHOR.search(body):
        last = _last_speaker(before, actors, people)
        if isinstance(last, Person):
            speaker = last
        elif isinstance(last, NewPerson):
            new_speaker = last
        else:
            spoken_for = last
    actor_id = (
        (speaker.actor_id if speaker else None)
        or (new_speaker.actor_id if new_speaker else None)
        or spoken_for
    )
    if actor_id is None:
        found_actors = named_in(body, actors, []).actor_ids
        actor_id = found_actors[0] if found_actors else None
    claim = claim_of(passage)
    ignore = [n for a in actors for n in (a.name, *a.aliases)]
    point = point_in(body, points, track_title, ignore)
    # "Hamas said in response…": on the point of the passage's paragraph, else of the
    # paragraph before; else the track's usual one.
    spans = paragraph_spans(before)
    # Before a passage that starts its paragraph: one paragraph; within one: the
    # paragraph's start, then the one before it.
    starts_paragraph = not before.strip() or re.search(r"\n[ \t]*\n\s*$", before) is not None
    for start, end in spans[::-1][: 1 if starts_paragraph else 2]:
        if point is not None:
            break
        point = point_in(before[start:end], points, track_title, ignore)
    return Reading(
        actor_id=actor_id,
        speaker_id=speaker.id if speaker else None,
        new_speaker=new_speaker,
        point_id=point or usual_point,
        firmness=firmness_of(_TAIL.sub(".", " ".join(body.split()))),
        stance=claim,
        day=said_on(passage, base),
    )


def _first_actor(passage: str, actors: Sequence[Actor]) -> tuple[int, str] | None:
    """Where the passage first names an actor, and which."""
    hits = []
    for actor in actors:
        for name in (actor.name, *actor.aliases):
            found = _name_pattern(name).search(passage)
            if found:
                hits.append((found.start(), actor.id))
    return min(hits) if hits else None


def _last_speaker(
    text: str, actors: Sequence[Actor], people: Sequence[Person]
) -> Person | NewPerson | str | None:
    """Who spoke last in ``text``: a person, a new one, or an actor's unnamed official
    (its id)."""
    hits: list[tuple[int, Person | NewPerson | str]] = [
        *people_in(text, people),
        *new_people_in(text, people, actors),
        *nameless_in(text, actors),
    ]
    return max(hits, key=lambda h: h[0])[1] if hits else None


# -- the round ------------------------------------------------------------------------


def round_on(rounds: Sequence[Round], day: date) -> str | None:
    """The round a statement of ``day`` was made in: the one whose days hold it (of
    rounds that overlap, the one begun last, the narrower)."""
    holding = [r for r in rounds if r.start <= day <= (r.end or r.start)]
    return max(holding, key=lambda r: (r.start, r.id)).id if holding else None

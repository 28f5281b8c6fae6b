"""Provenance: every statement cites exactly the sources its own record cites.

A store built for it: a sticking point from one report whose status is then changed
on a second report; a round added with no source and later given one; a position
resting on two reports; a proposal whose two responses each cite their own report; an
event marked unsourced; a point given no source at all. Every statement of the brief
(Markdown parsed by markdown-it, HTML by html.parser), every sources line of the
details and every entry of the sources dialog (`o`) must resolve to the sources
written below by hand, no more and no fewer, and say "unsourced" only where the
record was marked so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from sample_store import Clock

from store import Repository, open_store
from store.models import model_for
from store.reading.brief import build_brief
from store.records.commands import Commands
from store.records.drafts import Citation, NewSource
from tui.brief import render_html, render_markdown
from tui.dialogs.record_sources import sources_content
from tui.views.details import record_detail

TRACK = "talks"
XINHUA = "xinhua-0821"
AP = "ap-0826"
# Made by the status change that names it as a new source.
REUTERS = "talks-stall-over-the-corridor"

TITLES = {
    XINHUA: "Tour ends without a breakthrough",
    AP: "Hamas turns the text down",
    REUTERS: "Talks stall over the corridor",
}

# What a statement says when it cites nothing: marked so, or simply given none.
UNSOURCED, NONE_GIVEN = "unsourced", "no source given"


def build(repo: Repository, clock: Clock) -> None:
    """The store: a seed (one bulk write), then each change as a person makes it."""
    records = [
        {"kind": "source", "id": XINHUA, "outlet": "Xinhua", "title": TITLES[XINHUA],
         "published": "2024-08-21", "source_kind": "state media"},
        {"kind": "source", "id": AP, "outlet": "AP", "title": TITLES[AP],
         "published": "2024-08-26", "source_kind": "wire"},
        {"kind": "actor", "id": "israel", "name": "Israel", "actor_kind": "state"},
        {"kind": "actor", "id": "hamas", "name": "Hamas", "actor_kind": "movement"},
        {"kind": "actor", "id": "us", "name": "United States", "actor_kind": "state"},
        {"kind": "track", "id": TRACK, "title": "Talks",
         "participants": [{"actor_id": "israel", "role": "party"},
                          {"actor_id": "hamas", "role": "party"},
                          {"actor_id": "us", "role": "mediator"}]},
        {"kind": "point", "id": "corridor", "track_id": TRACK, "title": "Corridor",
         "description": "Whether troops stay.", "status": "open", "priority": "high",
         "source_ids": [XINHUA],
         "status_log": [{"date": "2024-08-21", "status": "open", "source_ids": [XINHUA]}]},
        {"kind": "proposal", "id": "bridge", "track_id": TRACK, "title": "Bridging text",
         "date": "2024-08-19", "by_ids": ["us"], "summary": "A text to close the gaps.",
         "point_ids": ["corridor"], "source_ids": [XINHUA],
         "responses": [
             {"actor_id": "israel", "status": "accepted", "date": "2024-08-19",
              "source_ids": [XINHUA]},
             {"actor_id": "hamas", "status": "pending", "unsourced": True}]},
    ]  # fmt: skip
    commands = Commands(repo)
    commands.seed(model_for(r.pop("kind")).model_validate(r) for r in records)
    clock.set(2024, 8, 27)
    reuters = NewSource("Reuters", TITLES[REUTERS], "2024-08-25", "wire")
    commands.set_status(
        "point", "corridor", "deadlocked", "2024-08-25", note="No give on either side",
        cite=Citation(new_source=reuters),
    )  # fmt: skip
    commands.add_round(TRACK, title="Cairo round", start="2024-08-24", status="under way")
    commands.edit("round", "cairo-round", {}, cite=Citation([REUTERS]))
    commands.record_position(
        TRACK, point_id="corridor", actor_id="israel", on="2024-08-26", firmness="demand",
        stance="Troops stay on the corridor.", gist="troops stay", cite=Citation([XINHUA, AP]),
    )  # fmt: skip
    commands.record_response(
        "bridge", "hamas", "rejected", "2024-08-26", note="New conditions", cite=Citation([AP])
    )
    commands.add_event(
        TRACK, title="A rumour of a deal", on="2024-08-26", event_kind="other",
        text="Said to be close.", cite=Citation(unsourced=True),
    )  # fmt: skip
    commands.create("point", {"title": "Aid", "status": "open", "raised": "2024-08-26"},
                    track_id=TRACK)  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Repository]:
    clock = Clock(datetime(2024, 8, 21, 12, 0, tzinfo=UTC))
    with open_store(tmp_path / "p.json", clock=clock) as repo:
        build(repo, clock)
        yield repo


# What each statement cites, written by hand from how the store was built: (section,
# words the statement holds) -> source ids, or what it says when it cites none. Every
# statement that cites or says anything must match exactly one rule.
BRIEF_RULES: list[tuple[str, str, set[str] | str]] = [
    ("Where the talks stand", "Latest round", {REUTERS}),
    # The round's first status was logged with no source: it is the round's own word.
    ("Where the talks stand", "Status: under way as of 2024-08-24", {REUTERS}),
    ("Sticking points", "Corridor (deadlocked", {XINHUA}),
    ("Sticking points", "Status: deadlocked as of 2024-08-25", {REUTERS}),
    ("Sticking points", "troops stay on the corridor", {XINHUA, AP}),
    ("Sticking points", "Aid (open", NONE_GIVEN),
    ("Sticking points", "Status: open as of 2024-08-26", NONE_GIVEN),
    ("Open proposals", "Bridging text", {XINHUA}),
    ("Open proposals", "Israel (accepted", {XINHUA}),
    ("Open proposals", "Hamas (rejected", {AP}),
    ("What happened since", "Cairo round began", {REUTERS}),
    ("What happened since", "Cairo round: under way", {REUTERS}),
    ("What happened since", "Corridor: deadlocked", {REUTERS}),
    ("What happened since", "Raised: Aid", NONE_GIVEN),
    ("What happened since", "Aid: open", NONE_GIVEN),
    ("What happened since", "Hamas: rejected", {AP}),
    ("What happened since", "Israel on Corridor", {XINHUA, AP}),
    ("What happened since", "A rumour of a deal", UNSOURCED),
    ("Recorded in the store since", "set the status of Corridor", {REUTERS}),
    # Added with no source; the edit that gave it one cites it.
    ("Recorded in the store since", "added round Cairo round", NONE_GIVEN),
    ("Recorded in the store since", "edited round Cairo round", {REUTERS}),
    ("Recorded in the store since", "Israel's position on Corridor", {XINHUA, AP}),
    ("Recorded in the store since", "Hamas's response to Bridging text", {AP}),
    ("Recorded in the store since", "added event A rumour", UNSOURCED),
    ("Recorded in the store since", "added sticking point Aid", NONE_GIVEN),
    ("Recent events", "A rumour of a deal", UNSOURCED),
]


@dataclass
class Statement:
    section: str
    text: str
    refs: list[str] = field(default_factory=list)  # footnote labels
    says: str = ""  # UNSOURCED, NONE_GIVEN or ""


def resolve(found: list[Statement], notes: dict[str, str]) -> None:
    """Each statement against the rules: exactly one rule, exactly its sources."""
    by_title = {title: source_id for source_id, title in TITLES.items()}
    matched: set[int] = set()
    for st in found:
        rules = [
            (i, want)
            for i, (section, words, want) in enumerate(BRIEF_RULES)
            if st.section.startswith(section) and words.casefold() in st.text.casefold()
        ]
        if not st.refs and not st.says:
            assert not rules, f"{st.text!r} cites nothing, but should"
            continue
        assert len(rules) == 1, f"{st.section}: {st.text!r} matches {len(rules)} rules"
        index, want = rules[0]
        matched.add(index)
        if isinstance(want, str):
            assert st.says == want and not st.refs, f"{st.text!r} should say {want}"
            continue
        cited = set()
        for label in st.refs:
            title = re.search(r": (.*?) \(", notes[label])
            assert title, f"footnote {label}: {notes[label]!r}"
            cited.add(by_title[title.group(1)])
        assert cited == want and len(st.refs) == len(want), f"{st.text!r} cites {cited}"
        assert not st.says
    missing = [BRIEF_RULES[i][:2] for i in range(len(BRIEF_RULES)) if i not in matched]
    assert not missing, f"statements not in the brief: {missing}"


# -- Markdown, parsed by markdown-it ---------------------------------------------------


def markdown_statements(text: str) -> tuple[list[Statement], dict[str, str]]:
    md = MarkdownIt("commonmark").use(footnote_plugin)
    section, found, notes = "", [], {}
    where: list[str] = []
    footnote = ""
    for tok in md.parse(text):
        if tok.type == "heading_open":
            where.append(tok.tag)
        elif tok.type == "heading_close":
            where.pop()
        elif tok.type == "footnote_open":
            footnote = tok.meta["label"]
        elif tok.type == "footnote_close":
            footnote = ""
        elif tok.type == "inline":
            words = "".join(
                c.content if c.type in ("text", "code_inline") else " "
                for c in tok.children or []
                if c.type not in ("em_open", "em_close", "strong_open", "strong_close")
            )
            if footnote:
                notes[footnote] = words
                continue
            if where and where[-1] == "h2":
                section = words
                continue
            refs = [c.meta["label"] for c in tok.children or [] if c.type == "footnote_ref"]
            says = next((m for m in (UNSOURCED, NONE_GIVEN) if words.endswith(f"({m})")), "")
            found.append(Statement(section, words, refs, says))
    return found, notes


# -- HTML, parsed by html.parser -------------------------------------------------------


class Page(HTMLParser):
    """Each list item's own text (its nested list left out), its footnote links and
    its no-source mark; each numbered source's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.section = ""
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.items: list[Statement] = []
        self.open_items: list[Statement] = []
        self.notes: dict[str, str] = {}
        self.note = ""
        self.in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("meta",):
            return
        self.stack.append((tag, a))
        if tag == "h2":
            self.in_h2, self.section = True, ""
        elif tag == "li" and str(a.get("id") or "").startswith("source-"):
            self.note = str(a["id"]).removeprefix("source-")
            self.notes[self.note] = ""
        elif tag == "li":
            st = Statement(self.section, "")
            self.items.append(st)
            self.open_items.append(st)
        elif tag == "a" and str(a.get("href") or "").startswith("#source-"):
            self.open_items[-1].refs.append(str(a["href"]).removeprefix("#source-"))
        elif tag == "span" and "unsourced" in str(a.get("class") or "").split():
            no_source = "no-source" in str(a.get("class") or "").split()
            self.open_items[-1].says = NONE_GIVEN if no_source else UNSOURCED

    def handle_endtag(self, tag: str) -> None:
        opened, _ = self.stack.pop()
        assert opened == tag
        if tag == "h2":
            self.in_h2 = False
        elif tag == "li" and self.note:
            self.note = ""
        elif tag == "li":
            self.open_items.pop()

    def handle_data(self, data: str) -> None:
        if self.in_h2:
            self.section += data
        elif self.note:
            self.notes[self.note] += data
        elif self.open_items and not any(t in ("sup", "ul") for t, _ in self.stack[-1:]):
            nested = [t for t, _ in self.stack].count("ul") > len(self.open_items)
            if not nested:
                self.open_items[-1].text += data


def html_statements(page: str) -> tuple[list[Statement], dict[str, str]]:
    parsed = Page()
    parsed.feed(page)
    parsed.close()
    return parsed.items, parsed.notes


# -- the brief -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_every_brief_statement_cites_exactly_its_own_sources(store: Repository, fmt: str) -> None:
    brief = build_brief(store, TRACK, since=date(2024, 8, 22))
    if fmt == "markdown":
        found, notes = markdown_statements(render_markdown(brief))
    else:
        found, notes = html_statements(render_html(brief))
    assert len(notes) == 3, "each of the three sources is cited, and listed once"
    resolve(found, notes)


def test_the_seed_is_one_line_of_recorded_changes(store: Repository) -> None:
    brief = build_brief(store, TRACK, since=date(2024, 8, 1))
    found, _ = markdown_statements(render_markdown(brief))
    recorded = [s.text for s in found if s.section.startswith("Recorded")]
    assert [t for t in recorded if "seeded" in t] == ["2024-08-21 (by desk): seeded 8 records"]
    assert not [t for t in recorded if "added actor" in t or "added track" in t]
    # Grouped by what changed, in words.
    groups = [t.split(" (")[0] for t in recorded if not t[:4].isdigit()]
    assert groups == [
        "New positions",
        "Status changes",
        "Responses to proposals",
        "New rounds",
        "New sticking points",
        "New events",
        "Edits",
    ]


# -- the details and the sources dialog ------------------------------------------------


def names(*source_ids: str) -> str:
    """The sources' names as a sources line lists them, in the record's order."""
    outlets = {XINHUA: "Xinhua", AP: "AP", REUTERS: "Reuters"}
    return ", ".join(f"{outlets[s]}: {TITLES[s]}" for s in source_ids)


def sources_after(text: str) -> dict[str, str]:
    """The details as (statement -> its sources line): each "Sources:" line with the
    line it follows (skipping wrapped text)."""
    out: dict[str, str] = {}
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    for i, line in enumerate(lines):
        if line.startswith("Sources: "):
            out[lines[i - 1]] = line.removeprefix("Sources: ")
    return out


def test_details_cite_each_statement_to_its_own_sources(store: Repository) -> None:
    point = record_detail(store, store.get("point", "corridor")).plain
    said = sources_after(point)
    assert said["Whether troops stay."] == names(XINHUA)
    assert said["2024-08-25  deadlocked  No give on either side"] == names(REUTERS)
    assert said["2024-08-21  open"] == names(XINHUA)
    # The position resting on two reports shows both.
    assert said["Troops stay on the corridor."] == names(XINHUA, AP)
    # Each response under the proposal, with its own.
    assert said["Israel: accepted  2024-08-19"] == names(XINHUA)
    assert said["Hamas: rejected  2024-08-26  New conditions"] == names(AP)

    cairo = sources_after(record_detail(store, store.get("round", "cairo-round")).plain)
    assert set(cairo.values()) == {names(REUTERS)}
    assert cairo["2024-08-24  under way"] == names(REUTERS)

    aid = sources_after(record_detail(store, store.get("point", "aid")).plain)
    assert set(aid.values()) == {"none given"}
    rumour = store.list_as(model_for("event"))[0]
    assert sources_after(record_detail(store, rumour).plain) == {"Said to be close.": UNSOURCED}


def dialog(store: Repository, kind: str, record_id: str) -> dict[str, list[str]]:
    """The sources dialog as (source heading -> the passages it backs); passages with
    no source under "Without a source"."""
    text = sources_content(store, store.get(kind, record_id)).plain
    out: dict[str, list[str]] = {}
    current = ""
    for line in text.split("\n"):
        if line.startswith(("Xinhua:", "AP:", "Reuters:", "Without a source")):
            current = line
            out[current] = []
        elif line.startswith("Backs: ") or (current == "Without a source" and line):
            out[current].append(line.removeprefix("Backs: "))
    return out


def test_sources_dialog_lists_every_source_with_what_it_backs(store: Repository) -> None:
    assert dialog(store, "point", "corridor") == {
        names(REUTERS): ["status deadlocked as of 25 Aug 2024 (No give on either side)"],
        names(XINHUA): [
            "sticking point: Corridor (its description and priority)",
            "status open as of 21 Aug 2024",
        ],
    }
    assert dialog(store, "round", "cairo-round") == {
        names(REUTERS): [
            "round: Cairo round (its dates, venues, parties and outcome)",
            "status under way as of 24 Aug 2024",
        ],
    }
    assert dialog(store, "proposal", "bridge") == {
        names(XINHUA): [
            "proposal: Bridging text (its date, authors and summary)",
            "Israel's response: accepted, 19 Aug 2024",
        ],
        names(AP): ["Hamas's response: rejected, 26 Aug 2024 (New conditions)"],
    }
    position = store.latest_positions(TRACK)[("corridor", "israel")]
    assert dialog(store, "position", position.id) == {
        names(XINHUA): ["stance: troops stay"],
        names(AP): ["stance: troops stay"],
    }
    rumour = store.list_as(model_for("event"))[0]
    assert dialog(store, "event", rumour.id) == {
        "Without a source": ["event: A rumour of a deal, 26 Aug 2024  marked unsourced"]
    }
    assert dialog(store, "point", "aid") == {
        "Without a source": [
            "sticking point: Aid (its description and priority)  no source given",
            "status open as of 26 Aug 2024  no source given",
        ]
    }


def test_an_import_is_one_line_and_so_is_its_undo(store: Repository) -> None:
    commands = Commands(store)
    events = [
        model_for("event").model_validate(
            {"id": f"imported-{n}", "track_id": TRACK, "date": "2024-08-27",
             "event_kind": "other", "title": f"Imported {n}", "text": "From a file.",
             "source_ids": [AP]}
        )
        for n in range(6)
    ]  # fmt: skip
    commands.put(events)
    commands.undo()
    brief = build_brief(store, TRACK, since=date(2024, 8, 22))
    found, _ = markdown_statements(render_markdown(brief))
    recorded = [s.text for s in found if s.section.startswith("Recorded")]
    assert "2024-08-27 (by desk): imported 6 records" in recorded
    assert "2024-08-27 (by desk): took back 6 records" in recorded
    assert not [t for t in recorded if "Imported" in t]

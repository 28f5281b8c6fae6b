"""The brief: every sticking point and latest stance, footnotes that resolve, escaping.

Each format is parsed back (HTML with html.parser, Markdown and text line by line)
into the same shape, so one set of checks holds all three renderings to the store.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sample_store
from rich.console import Console
from sample_store import TRACK, Clock
from tui_helpers import run_cli

from store import Repository, Source, open_store
from store.reading.brief import build_brief
from tui.brief import (
    md_escape,
    plain_text,
    render_html,
    render_markdown,
    render_text,
)

FORMATS = ("text", "markdown", "html")
ANSI = re.compile(r"\x1b\[[0-9;:]*[A-Za-z]")


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[Repository]:
    clock = Clock()
    with open_store(tmp_path / "h.json", clock=clock) as repo:
        sample_store.build(repo, clock, hostile=True)
        yield repo


# -- parsing each format back into one shape -----------------------------------


@dataclass
class Item:
    """One list entry as rendered: the lead, all its text, footnote numbers, children."""

    lead: str
    text: str
    refs: list[int]
    unsourced: bool
    children: list[Item] = field(default_factory=list)


@dataclass
class Parsed:
    sections: dict[str, list[Item]]  # section title -> its top-level entries
    sources: dict[int, str]  # footnote number -> the text of the source
    all_refs: list[int]


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def text(self, skip: tuple[str, ...] = ()) -> str:
        out = []
        for child in self.children:
            if isinstance(child, str):
                out.append(child)
            elif child.tag not in skip:
                out.append(child.text(skip))
        return "".join(out)

    def walk(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def kids(self, tag: str) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node) and c.tag == tag]

    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class Tree(HTMLParser):
    VOID = frozenset({"meta", "br", "img", "link", "hr", "input"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {}, None)
        self.current = self.root
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in self.VOID:
            self.current = node

    def handle_endtag(self, tag: str) -> None:
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"stray </{tag}>"
        self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse_html(page: str) -> tuple[Parsed, Tree]:
    tree = Tree()
    tree.feed(page)
    tree.close()
    assert tree.current is tree.root, "unclosed elements"

    def item(li: Node) -> Item:
        lead_nodes = [c for c in li.kids("span") if "lead" in c.classes()]
        refs = [
            int(str(a.attrs["href"]).removeprefix("#source-"))
            for sup in li.kids("sup")
            for a in sup.kids("a")
        ]
        unsourced = any("unsourced" in c.classes() for c in li.kids("span"))
        children = [item(c) for ul in li.kids("ul") for c in ul.kids("li")]
        return Item(
            lead=lead_nodes[0].text() if lead_nodes else "",
            text=li.text(skip=("ul", "sup")),
            refs=refs,
            unsourced=unsourced,
            children=children,
        )

    sections: dict[str, list[Item]] = {}
    sources: dict[int, str] = {}
    for node in tree.root.walk():
        if node.tag != "section":
            continue
        title = node.kids("h2")[0].text()
        if node.attrs.get("id") == "sources":
            for li in node.kids("ol")[0].kids("li"):
                number = int(str(li.attrs["id"]).removeprefix("source-"))
                sources[number] = li.text()
            continue
        sections[title] = [item(li) for ul in node.kids("ul") for li in ul.kids("li")]
    all_refs = [
        int(str(n.attrs["href"]).removeprefix("#source-"))
        for n in tree.root.walk()
        if n.tag == "a" and str(n.attrs.get("href", "")).startswith("#")
    ]
    return Parsed(sections, sources, all_refs), tree


def md_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


MD_REF = re.compile(r"\[\^(\d+)\](?!:)")
MD_DEF = re.compile(r"^\[\^(\d+)\]: (.*)$")
MD_ITEM = re.compile(r"^(?P<indent> *)- (?P<rest>.*)$")


def _nest(flat: list[tuple[int, Item]]) -> list[Item]:
    """Items with their depth -> a tree of items."""
    top: list[Item] = []
    stack: list[tuple[int, Item]] = []
    for depth, it in flat:
        while stack and stack[-1][0] >= depth:
            stack.pop()
        (stack[-1][1].children if stack else top).append(it)
        stack.append((depth, it))
    return top


def parse_markdown(text: str) -> Parsed:
    sections: dict[str, list[tuple[int, Item]]] = {}
    sources: dict[int, str] = {}
    all_refs: list[int] = []
    current: list[tuple[int, Item]] | None = None
    for line in text.split("\n"):
        if m := MD_DEF.match(line):
            assert int(m.group(1)) not in sources, f"footnote {m.group(1)} defined twice"
            sources[int(m.group(1))] = md_unescape(m.group(2))
            continue
        all_refs += [int(n) for n in MD_REF.findall(line)]
        if line.startswith("## "):
            current = sections.setdefault(md_unescape(line[3:]), [])
            continue
        if current is None or not line.strip():
            continue
        if m := MD_ITEM.match(line):
            rest = m.group("rest")
            lead = re.match(r"\*\*(.*?)\*\*", rest)
            refs = [int(n) for n in MD_REF.findall(rest)]
            it = Item(
                lead=md_unescape(lead.group(1)) if lead else "",
                text=rest,
                refs=refs,
                unsourced="_(unsourced)_" in rest,
            )
            current.append((len(m.group("indent")) // 2, it))
        elif current and line.startswith(" "):
            # A continuation line of the last entry's text.
            last = current[-1][1]
            last.text += "\n" + line.strip()
            last.refs += [int(n) for n in MD_REF.findall(line)]
            last.unsourced = last.unsourced or "_(unsourced)_" in line
    for items in sections.values():
        for _, it in items:
            it.text = md_unescape(it.text.replace("**", "").replace("_(", "(").replace(")_", ")"))
    nested = {title: _nest(items) for title, items in sections.items()}
    return Parsed(nested, sources, all_refs)


TEXT_ITEM = re.compile(r"^(?P<indent> *)(?P<bullet>[•–]) (?P<rest>.*)$")
TEXT_REFS = re.compile(r"(?:\[(\d+)\])+$")


def parse_text(text: str, section_titles: list[str]) -> Parsed:
    sections: dict[str, list[tuple[int, Item]]] = {}
    sources: dict[int, str] = {}
    current: list[tuple[int, Item]] | None = None
    in_sources = False
    last_source = 0
    for line in text.split("\n"):
        if line in section_titles:
            current, in_sources = sections.setdefault(line, []), False
            continue
        if line == "Sources":
            current, in_sources = None, True
            continue
        if in_sources:
            if m := re.match(r"^\s*\[(\d+)\] (.*)$", line):
                last_source = int(m.group(1))
                sources[last_source] = m.group(2)
            elif line.strip() and last_source:
                sources[last_source] += " " + line.strip()
            continue
        if current is None:
            continue
        if m := TEXT_ITEM.match(line):
            current.append((len(m.group("indent")) // 2, Item("", m.group("rest"), [], False)))
        elif current and line.startswith(" ") and line.strip():
            current[-1][1].text += "\n" + line.strip()
    for items in sections.values():
        for _, it in items:
            body = it.text
            tail = TEXT_REFS.search(body)
            if tail:
                it.refs = [int(n) for n in re.findall(r"\[(\d+)\]", tail.group(0))]
            it.unsourced = body.endswith(" (unsourced)")
    nested = {title: _nest(items) for title, items in sections.items()}
    all_refs = [r for items in sections.values() for _, it in items for r in it.refs]
    return Parsed(nested, sources, all_refs)


def parse(repo: Repository, fmt: str, **kwargs: object) -> Parsed:
    brief = build_brief(repo, **kwargs)  # type: ignore[arg-type]
    if fmt == "html":
        return parse_html(render_html(brief))[0]
    if fmt == "markdown":
        return parse_markdown(render_markdown(brief))
    # Wide enough that no line wraps, so each entry's lines are its own.
    return parse_text(plain_text(brief, width=4000), [s.title for s in brief.sections])


# -- checks shared by every format ---------------------------------------------


def item_with_lead(items: list[Item], lead: str) -> Item:
    for it in items:
        # Plain text has no markup around the lead: it is what comes before " (" or ":".
        if it.lead == lead or (not it.lead and it.text.startswith((lead + " (", lead + ":"))):
            return it
    raise AssertionError(f"no entry led by {lead!r} in {[i.lead or i.text[:40] for i in items]}")


def one_line(text: str) -> str:
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def check_sources(repo: Repository, parsed: Parsed, it: Item, source_ids: list[str]) -> None:
    """The entry's footnotes resolve, to exactly the sources the record cites."""
    if not source_ids:
        assert it.unsourced and not it.refs, f"{it.text!r} should say unsourced"
        return
    assert not it.unsourced
    for n in it.refs:
        assert n in parsed.sources, f"footnote [{n}] has no source"
    cited = {parsed.sources[n] for n in it.refs}
    for source_id in source_ids:
        source = repo.get_as(Source, source_id)
        assert any(source.title in text and source.outlet in text for text in cited), (
            f"{source_id} not among the footnotes of {it.text[:60]!r}"
        )
    assert len(it.refs) == len(source_ids)


def check_brief(repo: Repository, parsed: Parsed) -> None:
    # Every footnote used resolves, and every listed source is used.
    assert parsed.all_refs, "no footnotes at all"
    assert set(parsed.all_refs) == set(parsed.sources)
    assert sorted(parsed.sources) == list(range(1, len(parsed.sources) + 1))
    points = parsed.sections["Sticking points"]
    latest = repo.latest_positions(TRACK)
    expected_points = repo.points(TRACK)
    assert len(points) == len(expected_points)
    for point in expected_points:
        entry = item_with_lead(points, point.title)
        assert point.status.value in entry.text
        check_sources(repo, parsed, entry, point.source_ids)
        stances = {(pid, actor): pos for (pid, actor), pos in latest.items() if pid == point.id}
        for party in repo.parties(TRACK):
            name = repo.get("actor", party).label
            child = item_with_lead(entry.children, name)
            if (point.id, party) not in stances:
                assert "no stated position" in child.text
        for (_, actor), position in stances.items():
            child = item_with_lead(entry.children, repo.get("actor", actor).label)
            assert one_line(position.stance) in one_line(child.text)
            assert position.firmness.value in child.text
            assert position.date.isoformat() in child.text
            if position.speaker_id:
                assert repo.get("person", position.speaker_id).label in child.text
            check_sources(repo, parsed, child, position.source_ids)
        # The status stands on its own line, cited to the log entry that set it.
        logged = sorted(point.status_log, key=lambda e: e.date)
        if logged:
            status = item_with_lead(entry.children, "Status")
            assert f"{logged[-1].status} as of {logged[-1].date.isoformat()}" in status.text
            check_sources(repo, parsed, status, logged[-1].source_ids)
        parties = {a for _, a in stances} | set(repo.parties(TRACK))
        assert len(entry.children) == len(parties) + bool(logged)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_point_and_latest_stance_with_resolving_footnotes(
    sample: Repository, fmt: str
) -> None:
    parsed = parse(sample, fmt)
    check_brief(sample, parsed)
    # An older stance is replaced by the latest one.
    corridor = item_with_lead(parsed.sections["Sticking points"], "Border corridor")
    assert "Troops must stay for now." not in corridor.text
    assert all("Troops must stay for now." not in c.text for c in corridor.children)


@pytest.mark.parametrize("fmt", FORMATS)
def test_standing_proposals_events_and_assessments(sample: Repository, fmt: str) -> None:
    parsed = parse(sample, fmt, as_of=date(2024, 8, 20))
    standing = parsed.sections["Where the talks stand"]
    assert "Doha round" in item_with_lead(standing, "Latest round").text
    assert "Cairo round" in item_with_lead(standing, "Next round").text
    assert "United States, Egypt, Qatar" in item_with_lead(standing, "Mediators").text
    proposals = parsed.sections["Open proposals"]
    assert len(proposals) == 1, "the proposal every party accepted is not open"
    bridging = item_with_lead(proposals, "Bridging proposal")
    israel = item_with_lead(bridging.children, "Israel")
    assert "accepted" in israel.text
    check_sources(sample, parsed, israel, ["wire-0819"])
    assert "pending" in item_with_lead(bridging.children, "Hamas").text
    events = parsed.sections["Recent events"]
    assert [e.lead or e.text.split(" (")[0] for e in events] == [
        "Envoy leaves the region",
        "Death toll passes a grim mark",
        "Arms sale approved",
    ]
    check_sources(sample, parsed, events[0], ["wire-0819", "state-0821"])
    check_sources(sample, parsed, events[1], [])
    # As of 20 August, neither assessment had been made.
    assert parsed.sections["Assessments"] == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_as_of_shows_the_stances_of_the_day(sample: Repository, fmt: str) -> None:
    parsed = parse(sample, fmt, as_of=date(2024, 8, 15))
    corridor = item_with_lead(parsed.sections["Sticking points"], "Border corridor")
    assert "Troops must stay for now." in item_with_lead(corridor.children, "Israel").text
    assert "no stated position" in item_with_lead(corridor.children, "Hamas").text
    standing = parsed.sections["Where the talks stand"]
    assert "none scheduled" in item_with_lead(standing, "Next round").text
    # Hostage release was still open on the 15th.
    hostages = item_with_lead(parsed.sections["Sticking points"], "Hostage release")
    assert "open" in hostages.text and "narrowing" not in hostages.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_since_lists_dated_records_and_recorded_changes(sample: Repository, fmt: str) -> None:
    parsed = parse(sample, fmt, since=date(2024, 8, 23))
    happened = parsed.sections["What happened since 2024-08-23"]
    assert [it.text for it in happened if "A rumour" in it.text]
    assert not [it for it in happened if "Troops stay" in it.text]
    recorded = parsed.sections["Recorded in the store since 2024-08-23"]
    # Grouped by what the change did, each group's changes beneath it.
    groups = {one_line(it.text).split(" (")[0]: it.children for it in recorded}
    assert list(groups) == ["New events", "Edits", "Deletions", "Undone"]
    texts = " | ".join(c.text for children in groups.values() for c in children)
    assert "edited sticking point Aid deliveries (status, sources)" in groups["Edits"][0].text
    assert "added event A rumour, 23 Aug 2024" in groups["New events"][0].text
    assert "undid" in groups["Undone"][0].text
    assert "added track" not in texts, "changes before --since are left out"
    aid = groups["Edits"][0]
    check_sources(sample, parsed, aid, ["review-0822"])


def test_sources_are_numbered_in_reading_order(sample: Repository) -> None:
    brief = build_brief(sample)
    numbers = [c.number for c in brief.sources]
    assert numbers == list(range(1, len(numbers) + 1))
    # The first statement that cites anything is the latest round (Doha, from the wire).
    assert brief.sources[0].source_id == "wire-0819"
    assert {c.source_id for c in brief.sources} == {"wire-0819", "state-0821", "review-0822"}


# -- hostile text ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_text_still_parses_to_the_same_brief(hostile: Repository, fmt: str) -> None:
    check_brief(hostile, parse(hostile, fmt))


def test_hostile_html_is_escaped(hostile: Repository) -> None:
    page = render_html(build_brief(hostile))
    _, tree = parse_html(page)
    allowed = {
        "html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2",
        "p", "section", "ul", "ol", "li", "span", "sup", "a", "q",
    }  # fmt: skip
    assert set(tree.tags) <= allowed, set(tree.tags) - allowed
    for node in tree.root.walk():
        for name, value in node.attrs.items():
            assert not name.startswith("on"), f"event handler {name} on <{node.tag}>"
            if name == "href":
                assert str(value).startswith(("#source-", "https://")), value
    text = tree.root.text()
    for literal in (
        sample_store.HOSTILE_ACTOR,
        sample_store.HOSTILE_TITLE,
        sample_store.HOSTILE_OUTLET,
        sample_store.HOSTILE_QUOTE,
    ):
        assert literal in text
    assert sample_store.HOSTILE_URL in text, "a non-web URL is shown as text"
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "http://" not in page.replace("https://example.org", "")
    assert "<link" not in page and "src=" not in page.replace("src=x", "")


def test_hostile_markdown_is_escaped(hostile: Repository) -> None:
    md = render_markdown(build_brief(hostile))
    assert "<script>" not in md and "**x**" not in md and "[bold]" not in md
    assert "\\<script\\>" in md and "\\*\\*x\\*\\*" in md and "\\[bold\\]" in md
    headings = [line for line in md.split("\n") if line.startswith("#")]
    assert all(h.startswith(("# Briefing", "## ")) for h in headings), headings
    # Every line that opens a list item is one the renderer wrote.
    for line in md.split("\n"):
        if re.match(r"^\s*([-+*]|\d+[.)]) ", line):
            assert re.match(r"^\s*- (\*\*|_)", line), line
    assert md_unescape(md_escape(sample_store.HOSTILE_TITLE)) == sample_store.HOSTILE_TITLE
    # The quoted "[^1]" is not a footnote reference.
    assert "\\[^1\\]" in md


def test_hostile_terminal_text_is_literal(hostile: Repository) -> None:
    brief = build_brief(hostile)
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, color_system="truecolor", width=4000)
    render_text(brief, console)
    coloured = buffer.getvalue()
    assert ANSI.search(coloured), "a terminal gets styles"
    shown = ANSI.sub("", coloured)
    for literal in (sample_store.HOSTILE_TITLE, sample_store.HOSTILE_ACTOR, "[red]stays[/red]"):
        assert literal in shown
    plain = plain_text(brief, width=4000)
    assert not ANSI.search(plain)
    assert sample_store.HOSTILE_TITLE in plain


def test_html_is_self_contained(sample: Repository) -> None:
    page = render_html(build_brief(sample))
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page and "<script" not in page and "<link" not in page
    assert "Content-Security-Policy" in page


def test_no_track(tmp_path: Path) -> None:
    from store import NotFound

    with open_store(tmp_path / "empty.json") as repo, pytest.raises(NotFound, match="no track"):
        build_brief(repo)


def test_store_reads_without_rich_or_textual() -> None:
    """The brief's model (and everything else in store/) is read without a UI library."""
    script = (
        "import importlib, pkgutil, sys, store\n"
        "for m in pkgutil.walk_packages(store.__path__, 'store.'):\n"
        "    importlib.import_module(m.name)\n"
        "assert 'store.reading.brief' in sys.modules\n"
        "print(' '.join(sorted({n.split('.')[0] for n in sys.modules})))\n"
    )
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    loaded = set(done.stdout.split())
    assert "pydantic" in loaded
    assert not loaded & {"rich", "textual"}, loaded & {"rich", "textual"}


def test_sections_chooses_what_goes_in(sample_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", str(sample_db)]
    code, out, _ = run_cli([*db, "brief", "--format", "markdown", "--sections", "points"], capsys)
    assert code == 0
    titles = [line[3:] for line in out.split("\n") if line.startswith("## ")]
    assert titles == ["Sticking points", "Sources"]
    args = [*db, "brief", "--since", "2024-08-23", "--sections", "recorded,standing"]
    code, out, _ = run_cli([*args, "--format", "markdown"], capsys)
    titles = [line[3:] for line in out.split("\n") if line.startswith("## ")]
    # In the brief's own order, whatever the order asked.
    assert titles == ["Where the talks stand", "Recorded in the store since 2024-08-23", "Sources"]


@pytest.mark.parametrize(
    ("sections", "said"),
    [
        ("points,bogus", "unknown section 'bogus'; choose from standing, points,"),
        (",", "name at least one section"),
        ("recorded", "--sections recorded needs --since DATE"),
    ],
)
def test_sections_refused_in_one_line(
    sample_db: Path, capsys: pytest.CaptureFixture[str], sections: str, said: str
) -> None:
    code, out, err = run_cli(["--db", str(sample_db), "brief", "--sections", sections], capsys)
    assert code == 2 and not out
    assert said in err and err.count("\n") == 1

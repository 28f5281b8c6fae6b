"""A briefing on one negotiation track, as terminal text, Markdown or HTML.

The brief itself (what it says, its sections, entries and numbered sources) is
built from the store by :func:`store.reading.brief.build_brief`. The three renderers here
turn the same :class:`~store.reading.brief.Brief` into output and hold no knowledge of the
domain: :func:`render_text` (rich ``Text`` objects, never markup, so ``[bold]``
in a record prints literally), :func:`render_markdown` (store text
backslash-escaped, sources as ``[^n]`` footnotes) and :func:`render_html` (one
self-contained page, every piece of store text through ``html.escape``). In all
three, control and invisible characters in store text (a direction override, a
zero-width space) are shown as escapes, as the dashboard shows them (:func:`revealed`).
"""

from __future__ import annotations

import dataclasses
import html
import io
import re
from datetime import date
from pathlib import Path
from typing import Any, TypeVar, cast

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from store import Repository
from store.files.atomic import write_atomic
from store.reading.brief import build_brief
from store.reading.brief_data import Brief, Citation, Entry
from tui.text import reveal

FORMATS = ("text", "markdown", "html")

# -- rendering: shared pieces --------------------------------------------------

_T = TypeVar("_T")


def _revealed(value: _T) -> _T:
    found: Any = value
    if isinstance(value, str):
        found = reveal(value)
    elif isinstance(value, tuple):
        found = tuple(_revealed(v) for v in value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _revealed(getattr(value, f.name)) for f in dataclasses.fields(value)}
        found = dataclasses.replace(value, **changes)
    return cast(_T, found)


def revealed(brief: Brief) -> Brief:
    """The brief with every piece of its text through :func:`tui.text.reveal`: a record
    keeps a direction override or a zero-width space as data, the brief shows where it is
    (as ``\\u202e``) instead of letting it reorder or hide the text around it."""
    return _revealed(brief)


def _source_line(c: Citation) -> str:
    if c.missing:
        return f"missing source {c.source_id!r}"
    return f"{c.outlet}: {c.title} ({c.published}, {c.kind})"


def no_source(entry: Entry) -> str:
    """What an entry that cites nothing says: "unsourced" only where its record marks it
    so; a record that simply gave no source says that instead."""
    return "unsourced" if entry.unsourced else "no source given"


def _http_url(url: str) -> bool:
    return bool(re.fullmatch(r"https?://[^\s<>\"'`]+", url))


# Words in meta that get a colour in the terminal and a class in HTML.
TONES = {
    "red line": "bad",
    "rejected": "bad",
    "deadlocked": "bad",
    "collapsed": "bad",
    "demand": "warn",
    "stalled": "warn",
    "open": "warn",
    "pending": "warn",
    "conditional": "mild",
    "accepted with conditions": "mild",
    "narrowing": "mild",
    "under way": "mild",
    "scheduled": "mild",
    "flexible": "good",
    "accepted": "good",
    "bridged": "good",
    "agreed": "good",
    "concluded": "good",
}
TEXT_TONE = {"bad": "bold red", "warn": "yellow", "mild": "cyan", "good": "green"}


# -- terminal text ---------------------------------------------------------------


def _text_entry(entry: Entry, depth: int) -> RenderableType:
    line = Text()
    if entry.lead:
        line.append(entry.lead, style="bold")
    if entry.meta:
        line.append(" (" if entry.lead else "(", style="dim")
        for i, item in enumerate(entry.meta):
            if i:
                line.append(" · ", style="dim")
            line.append(item, style=TEXT_TONE.get(TONES.get(item, ""), "dim"))
        line.append(")", style="dim")
    if entry.text:
        if entry.lead or entry.meta:
            line.append(": ")
        line.append(entry.text)
    if entry.quote:
        line.append(f" “{entry.quote}”", style="italic")
    if entry.notes == ():
        line.append(f" ({no_source(entry)})", style="bold yellow")
    elif entry.notes:
        line.append(" " + "".join(f"[{n}]" for n in entry.notes), style="cyan")
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(width=2 * depth + 1, no_wrap=True, justify="right")
    grid.add_column(ratio=1)
    grid.add_row("•" if depth == 0 else "–", line)
    parts: list[RenderableType] = [grid]
    parts += [_text_entry(child, depth + 1) for child in entry.children]
    return Group(*parts)


def text_renderables(brief: Brief) -> list[RenderableType]:
    brief = revealed(brief)
    out: list[RenderableType] = [Text(brief.title, style="bold underline")]
    out.append(Text("  ·  ".join(brief.facts), style="dim"))
    if brief.description:
        out += [Text(""), Text(brief.description)]
    for section in brief.sections:
        out += [Text(""), Text(section.title, style="bold magenta")]
        if section.note:
            out.append(Text(section.note, style="dim italic"))
        if not section.entries:
            out.append(Text(section.empty, style="dim italic"))
        out += [_text_entry(e, 0) for e in section.entries]
    out += [Text(""), Text("Sources", style="bold magenta")]
    if not brief.sources:
        out.append(Text("No sources cited.", style="dim italic"))
    for c in brief.sources:
        line = Text(_source_line(c), style="red" if c.missing else "")
        if c.url:
            line.append(f" {c.url}", style="underline")
        if c.reliability:
            line.append("\n")
            line.append(c.reliability, style="dim")
        grid = Table.grid(padding=(0, 1, 0, 0))
        grid.add_column(no_wrap=True, justify="right", width=len(str(len(brief.sources))) + 2)
        grid.add_column(ratio=1)
        grid.add_row(Text(f"[{c.number}]", style="cyan"), line)
        out.append(grid)
    return out


def render_text(brief: Brief, console: Console) -> None:
    """Print the brief; styles show only when the console is a colour terminal."""
    for renderable in text_renderables(brief):
        console.print(renderable)


def plain_text(brief: Brief, width: int = 100) -> str:
    """The brief as plain text, as it prints when not on a terminal (no trailing blanks)."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=False,
        no_color=True,
        color_system=None,
        markup=False,
        highlight=False,
        emoji=False,
    )
    render_text(brief, console)
    return "\n".join(line.rstrip() for line in buffer.getvalue().split("\n"))


# -- Markdown --------------------------------------------------------------------

_MD_INLINE = re.compile(r"([\\`*_\[\]<>~|])")
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_MD_LINE_START = re.compile(r"^(#|\+|-|=|\d+[.)])")


def md_escape(text: str) -> str:
    """Store text as literal Markdown: nothing in it can become markup or HTML."""
    out = []
    for raw in text.split("\n"):
        line = raw.strip()
        line = _MD_INLINE.sub(r"\\\1", line)
        line = _MD_ENTITY.sub(r"\\&", line)
        line = _MD_LINE_START.sub(lambda m: m.group(0)[:-1] + "\\" + m.group(0)[-1], line)
        out.append(line)
    return "\n".join(line for line in out if line)


def _md_refs(entry: Entry) -> str:
    if entry.notes is None:
        return ""
    if not entry.notes:
        return f" _({no_source(entry)})_"
    return "".join(f"[^{n}]" for n in entry.notes)


def _md_entry(entry: Entry, depth: int) -> list[str]:
    indent = "  " * depth
    head = ""
    if entry.lead:
        head += f"**{md_escape(entry.lead)}**"
    if entry.meta:
        head += (" " if head else "") + "_(" + " · ".join(md_escape(m) for m in entry.meta) + ")_"
    body = md_escape(entry.text)
    if entry.quote:
        body += (" " if body else "") + f"“{md_escape(entry.quote)}”"
    line = head + (": " if head and body else "") + body + _md_refs(entry)
    line = line.replace("\n", "\n" + indent + "  ")
    lines = [f"{indent}- {line}"]
    for child in entry.children:
        lines += _md_entry(child, depth + 1)
    return lines


def render_markdown(brief: Brief) -> str:
    brief = revealed(brief)
    out = [f"# {md_escape(brief.title)}", "", md_escape(" · ".join(brief.facts))]
    if brief.description:
        out += ["", md_escape(brief.description)]
    for section in brief.sections:
        out += ["", f"## {md_escape(section.title)}", ""]
        if section.note:
            out += [f"_{md_escape(section.note)}_", ""]
        if not section.entries:
            out.append(f"_{md_escape(section.empty)}_")
        for entry in section.entries:
            out += _md_entry(entry, 0)
    out += ["", "## Sources", ""]
    if not brief.sources:
        out.append("_No sources cited._")
    for c in brief.sources:
        line = f"[^{c.number}]: {md_escape(_source_line(c))}"
        if c.url:
            line += f" <{c.url}>" if _http_url(c.url) else f" {md_escape(c.url)}"
        if c.reliability:
            line += " — " + md_escape(c.reliability).replace("\n", " ")
        out += [line, ""]
    return "\n".join(out).rstrip("\n") + "\n"


# -- HTML ------------------------------------------------------------------------

_CSS = """
:root { color-scheme: light dark; --muted: #667; --accent: #7b2d8e; --line: #ccd; }
body { font: 16px/1.5 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto;
       padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; color: var(--accent); border-bottom: 1px solid var(--line);
     margin-top: 2rem; }
.facts, .meta, .note, .empty { color: var(--muted); }
.note, .empty { font-style: italic; }
ul { padding-left: 1.2rem; }
li { margin: .3rem 0; }
.text, .description, .reliability { white-space: pre-line; }
.lead { font-weight: 600; }
q { font-style: italic; }
sup a { text-decoration: none; }
.unsourced { color: #b35c00; font-weight: 600; font-size: .85em; }
.unsourced.no-source { color: var(--muted); font-weight: 400; }
.tone-bad { color: #c0392b; font-weight: 600; }
.tone-warn { color: #b35c00; }
.tone-mild { color: #1f6fa5; }
.tone-good { color: #1e8449; }
.sources li { margin: .5rem 0; }
.reliability { display: block; color: var(--muted); font-size: .9em; }
"""

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _html_cite(entry: Entry) -> str:
    if entry.notes is None:
        return ""
    if not entry.notes:
        cls = "unsourced" if entry.unsourced else "unsourced no-source"
        return f' <span class="{cls}">({no_source(entry)})</span>'
    return "".join(f'<sup class="cite"><a href="#source-{n}">[{n}]</a></sup>' for n in entry.notes)


def _html_entry(entry: Entry) -> str:
    parts = []
    if entry.lead:
        parts.append(f'<span class="lead">{_e(entry.lead)}</span>')
    if entry.meta:
        items = []
        for m in entry.meta:
            tone = TONES.get(m)
            cls = f' class="tone-{tone}"' if tone else ""
            items.append(f"<span{cls}>{_e(m)}</span>")
        parts.append(f'<span class="meta">({" · ".join(items)})</span>')
    head = " ".join(parts)
    body = f'<span class="text">{_e(entry.text)}</span>' if entry.text else ""
    if entry.quote:
        body += f" <q>{_e(entry.quote)}</q>"
    inner = head + (": " if head and body else "") + body + _html_cite(entry)
    if entry.children:
        inner += "\n<ul>\n" + "\n".join(_html_entry(c) for c in entry.children) + "\n</ul>"
    return f"<li>{inner}</li>"


def render_html(brief: Brief) -> str:
    brief = revealed(brief)
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(brief.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        f"<h1>{_e(brief.title)}</h1>",
        f'<p class="facts">{_e(" · ".join(brief.facts))}</p>',
    ]
    if brief.description:
        out.append(f'<p class="description">{_e(brief.description)}</p>')
    out.append("</header>")
    for section in brief.sections:
        out.append(f'<section id="{_e(section.key)}">')
        out.append(f"<h2>{_e(section.title)}</h2>")
        if section.note:
            out.append(f'<p class="note">{_e(section.note)}</p>')
        if section.entries:
            out.append("<ul>")
            out += [_html_entry(e) for e in section.entries]
            out.append("</ul>")
        else:
            out.append(f'<p class="empty">{_e(section.empty)}</p>')
        out.append("</section>")
    out += ['<section id="sources" class="sources">', "<h2>Sources</h2>"]
    if brief.sources:
        out.append("<ol>")
        for c in brief.sources:
            item = _e(_source_line(c))
            if c.url:
                url = _e(c.url)
                link = f'<a href="{url}" rel="noopener noreferrer">{url}</a>'
                item += " " + (link if _http_url(c.url) else url)
            if c.reliability:
                item += f'<span class="reliability">{_e(c.reliability)}</span>'
            out.append(f'<li id="source-{c.number}" value="{c.number}">{item}</li>')
        out.append("</ol>")
    else:
        out.append('<p class="empty">No sources cited.</p>')
    out += ["</section>", "</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def render(brief: Brief, fmt: str, width: int = 100) -> str:
    """The brief as a string in one of FORMATS (text is plain here)."""
    if fmt == "markdown":
        return render_markdown(brief)
    if fmt == "html":
        return render_html(brief)
    if fmt == "text":
        return plain_text(brief, width)
    raise ValueError(f"unknown format {fmt!r}; one of: {', '.join(FORMATS)}")


def brief_file(repo: Repository, track_id: str | None, as_of: date | None) -> tuple[Path, str]:
    """The Markdown brief on a track as of a date, written beside the store file as
    ``brief-<track>-<date>.md``: where it went, and its text."""
    brief = build_brief(repo, track_id, as_of=as_of)
    text = render_markdown(brief)
    day = (as_of or repo.today()).isoformat()
    path = Path(repo.path).parent / f"brief-{brief.track_id}-{day}.md"
    write_atomic(path, text)
    return path, text


# -- the desk: every track in a few lines ----------------------------------------


def desk_text(repo: Repository, as_of: date | None = None) -> str:
    """``parley brief --all``: the desk as plain text, a paragraph a track."""
    from store.reading.desk import TREND_WORDS, desk
    from store.reading.words import long_day, span

    rows = desk(repo, as_of)
    out = [f"Desk: {len(rows)} tracks" + (f", as of {as_of.isoformat()}" if as_of else ""), ""]
    for row in rows:
        start, _ = row.window
        latest, upcoming = row.latest_round, row.next_round
        out += [
            f"{TREND_WORDS[row.trend]:<9} {row.track.title}",
            f"          {row.why}",
            f"          latest news {long_day(row.latest_news)} · {row.open_points} open, "
            f"{row.deadlocked} deadlocked · {row.changes} changes since {long_day(start)}",
            "          latest round: "
            + (f"{latest.title} ({span(latest.start, latest.end)})" if latest else "none yet")
            + " · next round: "
            + (f"{upcoming.title} ({span(upcoming.start, upcoming.end)})" if upcoming else "none"),
            "",
        ]
    return reveal("\n".join(out))

"""The brief's escaping: store text comes out as the same text in every format.

Each string of the corpus goes into every place of a brief that holds store text
(title, description, an entry's lead, meta, text and quote, a source's outlet, title
and note); each format is then parsed back with a real parser (markdown-it for
Markdown, with the footnote plugin Textual already depends on; html.parser for HTML)
and must give the very same text: nothing lost, nothing escaped twice.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from store.reading.brief_data import Brief, Citation, Entry, Section
from tui.brief import plain_text, render_html, render_markdown

CORPUS = [
    "Biden's remarks",
    'Hamas calls it "misleading"',
    "Biden\\'s remarks",
    "a \\ backslash",
    "two \\\\ backslashes",
    "ends with a backslash \\",
    "*stars* and **bold**",
    "_under_ and __double__",
    "`tick` and ``two``",
    "[link](javascript:alert(1))",
    "![image](x.png)",
    "[^1] not a footnote",
    "<script>alert('x')</script>",
    "<b>bold</b> & <i>it</i>",
    "&amp; &lt; &#39; &#x27; &copy;",
    "an & alone, and &amp without its semicolon",
    "# not a heading",
    "- not a list",
    "+ not a list either",
    "* nor this",
    "1. not numbered",
    "2024) not numbered",
    "> not a quote",
    "| a | table | cell |",
    "~~struck~~ and ~tilde~",
    "=== not a setext line",
    "--- not a rule",
    "<!-- a comment -->",
    "<https://example.org/autolink>",
    "http://example.org/bare?a=1&b=2",
    "[bold]Rich markup[/bold] [@click=app.quit]",
    "{braces} and $dollar and %percent",
    "quotes ‘curly’ “double” «guillemets»",
    'Philadelphi Corridor: Israeli troops staying "the day after"',
    "x < y > z",
    "a\\*b\\_c",
    "trailing two spaces keep  inside",
    "نص عربي and עברית",
]


def corpus_brief(s: str) -> Brief:
    entry = Entry(lead=s, meta=(s,), text=s, quote=s, notes=(1,))
    child = Entry(lead="Child", text=s, notes=())
    section = Section("points", "Section", (Entry(**{**entry.__dict__, "children": (child,)}),))
    source = Citation(1, "src", outlet=s, title=s, published="2024-08-21", kind="wire")
    return Brief("t", s, ("As of 2024-08-21",), s, (section,), (source,))


# -- Markdown, parsed by markdown-it --------------------------------------------------

MD = MarkdownIt("commonmark").use(footnote_plugin)


def inline_text(token: Token) -> str:
    """The text an inline token reads as: what a Markdown viewer shows."""
    out = []
    for child in token.children or []:
        assert child.type not in ("html_inline", "link_open", "image"), (
            f"store text became markup: {child.type}"
        )
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
    return "".join(out)


def strong_text(token: Token) -> str:
    children = token.children or []
    opened = [i for i, c in enumerate(children) if c.type == "strong_open"]
    closed = [i for i, c in enumerate(children) if c.type == "strong_close"]
    assert len(opened) == 1 and len(closed) == 1, "the lead is the one bold run"
    return "".join(c.content for c in children[opened[0] + 1 : closed[0]])


def markdown_parts(text: str) -> dict[str, list[Token]]:
    tokens = MD.parse(text)
    blocks = [t for t in tokens if t.type not in ("html_block",)]
    assert len(blocks) == len(tokens), "store text became an HTML block"
    found: dict[str, list[Token]] = {"h1": [], "p": [], "li": [], "footnote": []}
    where: list[str] = []
    for tok in tokens:
        if tok.type in ("heading_open",):
            where.append(tok.tag)
        elif tok.type == "list_item_open":
            where.append("li")
        elif tok.type == "footnote_open":
            where.append("footnote")
        elif tok.type in ("heading_close", "list_item_close", "footnote_close"):
            where.pop()
        elif tok.type == "inline":
            place = where[-1] if where else "p"
            found.setdefault(place, []).append(tok)
    return found


@pytest.mark.parametrize("s", CORPUS)
def test_markdown_parses_back_to_the_same_text(s: str) -> None:
    parts = markdown_parts(render_markdown(corpus_brief(s)))
    assert [inline_text(t) for t in parts["h1"]] == [s]
    assert s in [inline_text(t) for t in parts["p"]], "the description"
    item, child = parts["li"]
    assert strong_text(item) == s
    assert inline_text(item) == f"{s} ({s}): {s} “{s}”"
    refs = [c.meta["label"] for c in item.children or [] if c.type == "footnote_ref"]
    assert refs == ["1"]
    assert inline_text(child) == f"Child: {s} (no source given)"
    (note,) = parts["footnote"]
    assert inline_text(note) == f"{s}: {s} (2024-08-21, wire)"


# -- HTML, parsed by html.parser -------------------------------------------------------


class Texts(HTMLParser):
    """The text inside each element that has a class (or is h1, title, q, li)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, str]] = []
        self.found: list[tuple[str, str, str]] = []  # (tag, class, text)
        self.texts: list[list[str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("meta", "br"):
            return
        self.open.append((tag, dict(attrs).get("class") or ""))
        self.texts.append([])

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1][0] == tag, f"</{tag}> closes {self.open[-1:]}"
        opened, cls = self.open.pop()
        text = "".join(self.texts.pop())
        self.found.append((opened, cls, text))
        if self.texts:
            self.texts[-1].append(text)

    def handle_data(self, data: str) -> None:
        if self.texts:
            self.texts[-1].append(data)

    def of(self, tag: str, cls: str = "") -> list[str]:
        return [text for t, c, text in self.found if t == tag and (not cls or cls in c.split())]


@pytest.mark.parametrize("s", CORPUS)
def test_html_parses_back_to_the_same_text(s: str) -> None:
    page = render_html(corpus_brief(s))
    parsed = Texts()
    parsed.feed(page)
    parsed.close()
    assert not parsed.open, "every element is closed"
    assert "script" not in parsed.tags and "b" not in parsed.tags and "i" not in parsed.tags
    assert parsed.of("title") == [s]
    assert parsed.of("h1") == [s]
    assert parsed.of("p", "description") == [s]
    assert parsed.of("span", "lead")[0] == s
    assert parsed.of("span", "meta")[0] == f"({s})"
    assert parsed.of("span", "text") == [s, s]
    assert parsed.of("q") == [s]
    assert parsed.of("span", "unsourced") == ["(no source given)"]
    assert parsed.of("li")[-1] == f"{s}: {s} (2024-08-21, wire)"


# -- terminal text ----------------------------------------------------------------------


@pytest.mark.parametrize("s", CORPUS)
def test_text_shows_the_same_text(s: str) -> None:
    lines = plain_text(corpus_brief(s), width=4000).split("\n")
    assert lines[0] == s
    assert s in lines, "the description"
    assert f"• {s} ({s}): {s} “{s}” [1]" in lines
    assert f"  – Child: {s} (no source given)" in lines
    assert f"[1] {s}: {s} (2024-08-21, wire)" in lines


def test_the_corpus_is_large_enough() -> None:
    assert len(set(CORPUS)) >= 30


MULTILINE = [
    "first line\n# second line is no heading\n- third is no item",
    "a quote:\n> not quoted\n1. not a list",
    "trailing\\\nbackslash, then\n=== and\n---",
]


@pytest.mark.parametrize("s", MULTILINE)
def test_lines_of_long_text_come_back_as_lines(s: str) -> None:
    # Markdown joins a paragraph's lines and trims each; the words and breaks stay.
    expected = "\n".join(line.strip() for line in s.split("\n") if line.strip())
    brief = Brief("t", "Title", (), s, (Section("x", "X", (Entry(lead="L", text=s),)),), ())
    parts = markdown_parts(render_markdown(brief))
    assert expected in [inline_text(t) for t in parts["p"]]
    assert [inline_text(t) for t in parts["li"]] == [f"L: {expected}"]
    parsed = Texts()
    parsed.feed(render_html(brief))
    assert parsed.of("p", "description") == [s]
    assert parsed.of("span", "text") == [s]

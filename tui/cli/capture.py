"""``parley capture``: an article (text, Markdown or a saved HTML page) kept as a source.

The source's fields are proposed from the article (a dateline, a syndication line,
an HTML page's title and metadata); options give or correct them. What it will keep
is always shown before it is kept: at a terminal the fields, each asked for where
the article does not say it, then one question (Enter keeps them, or name a field
to change it); from a script, or with ``--yes``, one printed line, and a missing
field names its option and writes nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from store.models import SOURCE_KINDS
from tui.cli import Failure, UsageError, iso_date

if TYPE_CHECKING:
    from store import Repository
    from store.articles.article import Article

# The fields a source needs, the option for each, and how each is asked for.
NEEDED = (
    ("outlet", "--outlet", "outlet", "Outlet"),
    ("title", "--title", "title", "Title"),
    ("published", "--date", "date", "Published (YYYY-MM-DD)"),
    ("source_kind", "--kind", "kind of source", "Kind (" + ", ".join(SOURCE_KINDS) + ")"),
)

Ask = Callable[[str], str]


def read_input(name: str) -> str:
    """The file's text (``-``: standard input), as UTF-8; a file past the article limit
    is refused before it is read, and standard input read no further than the limit."""
    from store.limits import ARTICLE_FILE_BYTES, said

    bound = said(ARTICLE_FILE_BYTES)
    try:
        if name == "-":
            raw = sys.stdin.buffer.read(ARTICLE_FILE_BYTES + 1)
            length = len(raw)
        else:
            with Path(name).open("rb") as fh:
                # A file's size says it before a byte is read.
                length = os.fstat(fh.fileno()).st_size
                raw = b"" if length > ARTICLE_FILE_BYTES else fh.read(ARTICLE_FILE_BYTES + 1)
                length = max(length, len(raw))
        if length > ARTICLE_FILE_BYTES:
            size = f"more than {bound}" if name == "-" else said(length)
            raise Failure(f"{name}: {size}, past the limit of {bound} for an article")
        return raw.decode("utf-8")
    except FileNotFoundError:
        raise Failure(f"{name}: no such file") from None
    except UnicodeDecodeError:
        raise Failure(f"{name}: not UTF-8 text; save the article as UTF-8") from None
    except OSError as exc:
        raise Failure(f"cannot read {name}: {exc.strerror or exc}") from None


def source_kind(text: str) -> str:
    typed = text.strip().casefold().replace("-", " ")
    found = [k for k in SOURCE_KINDS if k.startswith(typed)] if typed else []
    if len(found) != 1:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a kind of source; one of: {', '.join(SOURCE_KINDS)}"
        )
    return found[0]


def settle(article: Article, args: argparse.Namespace, ask: Ask | None) -> dict[str, object]:
    """The source's fields: the options, else what the article proposes, else asked."""
    fields: dict[str, object] = {
        "outlet": args.outlet or article.outlet,
        "title": args.title or article.title,
        "published": args.date or article.published,
        "source_kind": args.kind or article.source_kind,
        "url": args.url if args.url is not None else article.url,
        "via": getattr(args, "via", None) or article.via,
    }
    for name, option, noun, question in NEEDED:
        while not fields[name]:
            if ask is None:
                raise UsageError(f"the article does not say its {noun}: give {option}")
            _answer(fields, name, question, ask)
    return fields


def _answer(fields: dict[str, object], name: str, question: str, ask: Ask) -> None:
    answer = ask(f"{question}: ").strip()
    try:
        if name == "published":
            fields[name] = iso_date(answer) if answer else None
        elif name == "source_kind":
            fields[name] = source_kind(answer) if answer else None
        else:
            fields[name] = answer
    except argparse.ArgumentTypeError as exc:
        print(f"parley: {exc}", file=sys.stderr)


# What the confirm shows and lets change, by the word typed to change it.
SHOWN = {
    "outlet": "Outlet",
    "via": "Via",
    "title": "Title",
    "published": "Published (YYYY-MM-DD)",
    "source_kind": "Kind (" + ", ".join(SOURCE_KINDS) + ")",
}
WORDS = {
    "outlet": "outlet",
    "via": "via",
    "title": "title",
    "date": "published",
    "kind": "source_kind",
}


def proposal_line(fields: dict[str, object], unsure: bool = False) -> str:
    """The proposed source on one line, as printed before it is kept."""
    via = f" (via {fields['via']})" if fields.get("via") else ""
    guess = " (year guessed)" if unsure else ""
    return (
        f"{fields['outlet']}{via} · “{fields['title']}” · {fields['published']}{guess} · "
        f"{fields['source_kind']}"
    )


def confirm(fields: dict[str, object], unsure: bool, ask: Ask) -> None:
    """At a terminal: the fields shown; Enter keeps them, a field's name changes it."""
    while True:
        print("Keep the article as this source?")
        for name, label in SHOWN.items():
            print(f"  {label.split(' (')[0]:<10} {fields[name] or '–'}")
        if unsure:
            print("  (no year in the article: the year is a guess)")
        answer = ask("Enter keeps it; or type outlet, via, title, date or kind to change: ")
        word = answer.strip().casefold()
        if not word:
            return
        if word not in WORDS:
            print(f"parley: {answer.strip()!r} is none of: {', '.join(WORDS)}", file=sys.stderr)
            continue
        name = WORDS[word]
        before = fields[name]
        fields[name] = None
        _answer(fields, name, SHOWN[name], ask)
        if not fields[name] and name != "via":
            fields[name] = before
        unsure = unsure and name != "published"


def cmd_capture(args: argparse.Namespace, repo: Repository) -> int:
    from store.articles.pages import read_article
    from store.records.commands import Commands

    raw = read_input(args.file)
    article = read_article(raw, "" if args.file == "-" else args.file, today=repo.today())
    if not article.text.strip():
        raise Failure(f"{args.file}: no readable text in it")
    commands = Commands(repo)
    kept = commands.kept_already(article.text, args.url or article.url)
    if kept is not None:
        raise Failure(
            f"this article is already kept, as source {kept.id} ({kept.label}); "
            "read it in the dashboard: Sources view, then v"
        )
    # Questions only where someone can answer them: not when the article itself comes
    # down standard input, nor from a script.
    interactive = args.file != "-" and sys.stdin.isatty() and not args.yes
    fields = settle(article, args, input if interactive else None)
    unsure = article.date_unsure and not args.date
    if interactive:
        confirm(fields, unsure, input)
    published = fields["published"]
    outcome = commands.capture(
        article.text,
        outlet=str(fields["outlet"]),
        title=str(fields["title"]),
        published=published.isoformat() if isinstance(published, date) else str(published),
        source_kind=str(fields["source_kind"]),
        url=str(fields["url"] or ""),
        via=str(fields["via"] or ""),
    )
    source = outcome.record
    assert source is not None
    how = "kept the text of" if outcome.changes[0].action == "update" else "captured"
    # Unasked, the one line says all that was kept, so that nothing is kept unseen.
    print(
        f"{how} source {source.id}: {proposal_line(fields, unsure)} "
        f"({len(article.text):,} characters); read it in the dashboard: Sources view, then v"
    )
    return 0


def register(add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add(
        "capture",
        cmd_capture,
        "keep an article (text, Markdown or saved HTML) as a source, to read and quote from",
        "parley capture report.html --kind wire\n"
        "  pbpaste | parley capture - --outlet Reuters --title 'Talks resume' "
        "--date 2024-08-25 --kind wire",
    )
    p.add_argument("file", metavar="FILE", help="the article, or - to read it from stdin")
    p.add_argument("--outlet", metavar="TEXT", help="who published it (else from its byline)")
    p.add_argument("--title", metavar="TEXT", help="its title (else its first line, or <title>)")
    p.add_argument(
        "--date", metavar="DATE", type=iso_date, help="published on, YYYY-MM-DD (else its dateline)"
    )
    p.add_argument(
        "--kind",
        type=source_kind,
        metavar="KIND",
        help="wire, state media, official statement, analysis or other",
    )
    p.add_argument("--url", metavar="URL", help="where it was published (else from the page)")
    p.add_argument("--via", metavar="TEXT", help="the outlet it relies on (else “as per …”)")
    p.add_argument(
        "--yes", action="store_true", help="keep what is proposed without asking; print it"
    )

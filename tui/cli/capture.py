"""``parley capture``: an article (text, Markdown or a saved HTML page) kept as a source.

The source's fields are proposed from the article (a byline, a dateline, an HTML
page's title and metadata); options give or correct them. With every field known
it asks nothing, so that scripts can use it; at a terminal it asks once for each
field it could not find, and elsewhere it names the missing option and writes
nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from tui.cli import Failure, UsageError, iso_date

if TYPE_CHECKING:
    from store import Repository
    from store.articles import Article

SOURCE_KINDS = ("wire", "state media", "official statement", "analysis", "other")
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
    }
    for name, option, noun, question in NEEDED:
        while not fields[name]:
            if ask is None:
                raise UsageError(f"the article does not say its {noun}: give {option}")
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
    return fields


def cmd_capture(args: argparse.Namespace, repo: Repository) -> int:
    from store.articles import read_article
    from store.commands import Commands

    raw = read_input(args.file)
    article = read_article(raw, "" if args.file == "-" else args.file, today=repo.today())
    if not article.text.strip():
        raise Failure(f"{args.file}: no readable text in it")
    # Questions only where someone can answer them: not when the article itself comes
    # down standard input, nor from a script.
    interactive = args.file != "-" and sys.stdin.isatty()
    fields = settle(article, args, input if interactive else None)
    published = fields["published"]
    outcome = Commands(repo).capture(
        article.text,
        outlet=str(fields["outlet"]),
        title=str(fields["title"]),
        published=published.isoformat() if isinstance(published, date) else str(published),
        source_kind=str(fields["source_kind"]),
        url=str(fields["url"] or ""),
    )
    source = outcome.record
    assert source is not None
    how = "kept the text of" if outcome.changes[0].action == "update" else "captured"
    print(
        f"{how} source {source.id} ({source.label}, {len(article.text):,} characters); "
        "read it in the dashboard: Sources view, then v"
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

"""Opening an article: the reader on a source or on the passage a record quotes
(``v``), and the paste box that keeps a new article as a source (``c``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from store import Kind, Record, Repository, Source
from store.articles.anchors import quote_span
from store.articles.article import Article
from store.articles.pages import read_article
from store.models import SOURCE_KINDS
from store.records.commands import Commands
from store.records.drafts import Outcome
from tui.dialogs.confirm import ConfirmScreen
from tui.dialogs.form import FormScreen
from tui.dialogs.form_result import FormResult
from tui.fields import Field
from tui.forms import run
from tui.screens.capture import CaptureScreen
from tui.screens.reader import ReaderScreen, no_options

# -- opening the reader ---------------------------------------------------------------


def reader_for(
    repo: Repository, commands: Commands, record: Record | None, track_id: str
) -> ReaderScreen | str:
    """The reader on a source that keeps its article, or on the passage a record quotes
    from one; else why there is none to read."""
    if isinstance(record, Source):
        if not record.text:
            return "This source keeps no article: take one in with c or `parley capture`."
        return ReaderScreen(repo, commands, record.id, track_id)
    if record is None:
        return "Select a source, or a record that quotes one."
    anchor = getattr(record, "anchor", None)
    if anchor is not None and repo.exists(Kind.SOURCE, anchor.source_id):
        return ReaderScreen(repo, commands, anchor.source_id, track_id, at=anchor.start)
    for _, kind, ref in record.references():
        if kind != Kind.SOURCE or not repo.exists(Kind.SOURCE, ref):
            continue
        source = repo.get_as(Source, ref)
        if source.text:
            span = quote_span(source.text, str(getattr(record, "quote", "") or ""))
            return ReaderScreen(repo, commands, ref, track_id, at=span[0] if span else 0)
    return "None of this record's sources keeps its article."


# -- the paste box -------------------------------------------------------------------------

PASTE = [Field("text", "Article", "area", hint="paste the article (text or HTML); ctrl+s goes on")]
SOURCE = [
    Field("outlet", "Outlet"),
    Field("via", "Via", hint="the outlet it relies on (“as per …”), if any"),
    Field("title", "Title"),
    Field("published", "Published", "date"),
    Field("source_kind", "Kind", "keys", SOURCE_KINDS),
    Field("url", "URL (optional)"),
]
UNSURE = "no year in the article: the year is a guess, check it"


def proposed_source(article: Article) -> dict[str, Any]:
    """The fields proposed from an article, as the confirm form shows them."""
    return {
        "outlet": article.outlet,
        "via": article.via,
        "title": article.title,
        "published": article.published.isoformat() if article.published else None,
        "source_kind": article.source_kind,
        "url": article.url,
    }


def confirm_source(article: Article, submit: Any) -> FormScreen:
    """What capture proposes, shown before it is kept: Enter keeps it, each field edits."""
    fields = [
        replace(f, hint=UNSURE) if f.name == "published" and article.date_unsure else f
        for f in SOURCE
    ]
    return FormScreen(
        "Keep the article as this source?",
        fields,
        proposed_source(article),
        submit,
        no_options,
        compact=True,
        enter_saves=True,
    )


def paste_article(screen: CaptureScreen) -> None:
    """c: paste an article, confirm the source fields proposed from it (asked for where
    the article does not say), then read it. An article kept already is offered to read."""
    repo, commands = screen.repo, screen.commands

    def read(source_id: str) -> None:
        screen.app.push_screen(ReaderScreen(repo, commands, source_id, screen.track_id))

    def pasted(result: FormResult | None) -> None:
        text = str((result.values.get("text") if result else "") or "")
        if not text.strip():
            return
        article = read_article(text, today=repo.today())
        kept = commands.kept_already(article.text, article.url)
        if kept is not None:

            def open_kept(yes: bool | None) -> None:
                if yes:
                    read(kept.id)

            screen.app.push_screen(
                ConfirmScreen(
                    "Already kept",
                    f"This article is kept already, as source {kept.label} ({kept.id}). Read it?",
                ),
                open_kept,
            )
            return

        def submit(values: dict[str, Any]) -> Outcome:
            return run(
                lambda: commands.capture(
                    article.text,
                    outlet=values.get("outlet") or "",
                    title=values.get("title") or "",
                    published=values.get("published"),
                    source_kind=values.get("source_kind"),
                    url=values.get("url") or "",
                    via=values.get("via") or "",
                )
            )

        screen.app.push_screen(confirm_source(article, submit), kept_now)

    def kept_now(result: FormResult | None) -> None:
        if result is None or result.record is None:
            return
        source = result.record
        screen.notify(f"Kept the article as source {source.label}.", timeout=4)
        read(source.id)

    screen.app.push_screen(
        FormScreen("Paste an article", PASTE, {}, lambda values: None, no_options), pasted
    )

"""What `y` and `Y` copy: a record as its detail reads, and the sources it cites; which
URLs a browser is asked to open, and the opening."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from store import Kind, Record, Repository, Source
from store.reading.citations import cited_ids, claims
from tui.views.details import record_detail

if TYPE_CHECKING:
    from textual.widget import Widget


def record_text(repo: Repository, record: Record, as_of: date | None = None) -> str:
    """The record's text as its detail pane shows it, without the styles."""
    return record_detail(repo, record, as_of).plain


def cited_sources(repo: Repository, record: Record) -> list[Source]:
    """Every source the record cites anywhere (itself, its status changes, its
    responses), as the sources dialog lists them; a source cites itself."""
    if isinstance(record, Source):
        return [record]
    ids = cited_ids(claims(repo, record))
    return [repo.get_as(Source, i) for i in ids if repo.exists(Kind.SOURCE, i)]


def citation(source: Source) -> str:
    """One line to paste under a quotation: outlet, title, date, and the URL if known."""
    parts = [source.outlet, f"“{source.title}”", source.published.isoformat()]
    if source.url:
        parts.append(source.url)
    return ", ".join(parts)


def citations(repo: Repository, record: Record) -> str:
    """Every source the record cites, a line each; empty if it cites none."""
    return "\n".join(citation(source) for source in cited_sources(repo, record))


def web_url(source: Source) -> str | None:
    """The source's URL if a browser should open it: http or https only, since the
    store's text is data and a ``file:`` or ``javascript:`` URL is not a web page."""
    url = (source.url or "").strip()
    scheme = url.split(":", 1)[0].casefold()
    return url if scheme in ("http", "https") and "://" in url else None


def open_source_url(widget: Widget, source: Source) -> None:
    """Open the source's web page in the browser, or say why not."""
    url = web_url(source)
    if url is None:
        why = "has no URL" if not source.url else "has no web URL (http or https)"
        widget.notify(f"{source.label} {why}.", severity="warning", timeout=4)
        return
    widget.app.open_url(url)
    widget.notify(f"Opening {url}", timeout=3)

"""The reader: an article kept as a source, sentence by sentence, to take records from.

j and k move by sentence, J and K make the passage longer or shorter. On a passage
the quick-entry keys open their forms filled from it: the quote, the source, the
actors and people it names, the day it speaks of. A sentence some record already
quotes is marked in the margin with the kind of that record.

Also here: the paste box that takes an article in from the dashboard, and what
opens the reader on a source, or on the passage a record quotes.
"""

from __future__ import annotations

from collections import Counter

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content

from store import (
    Actor,
    Assessment,
    Event,
    Kind,
    Person,
    Position,
    Record,
    Repository,
    Round,
    Source,
    StickingPoint,
)
from store.articles.anchors import plain, quote_span, sentence_at
from store.articles.article import Sentence, named_in, paragraph_spans, sentences
from store.articles.proposals import read_passage
from store.record import quoted
from store.records.commands import Commands
from tui.dialogs.choice import ChoiceScreen
from tui.dialogs.form import FormScreen
from tui.dialogs.form_result import FormResult
from tui.fields import Field
from tui.format import MUTED
from tui.quick import Passage
from tui.screens.capture import CaptureScreen, write_keys
from tui.text import line, literal
from tui.widgets.footer import KeyFooter
from tui.widgets.text_block import TextBlock

# The letter that marks, in the margin, a sentence quoted by a record of each kind.
MARKS = {Kind.POSITION: "P", Kind.EVENT: "E", Kind.ASSESSMENT: "A"}
LEGEND = "P position · E event · A assessment"


class ReaderScreen(CaptureScreen):
    """One article, read to take positions, events and assessments from its words."""

    CSS_PATH = "reader.tcss"
    # Narrow, the margin's legend gives way to the source's name.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    # The keys it shares with the dashboard share their ids: a key rebound there is
    # rebound here too.
    BINDINGS = [
        Binding("question_mark", "app.help", "Keys", id="help"),
        Binding("j,down", "move(1)", "Next", id="reader.next"),
        Binding("k,up", "move(-1)", "Previous", show=False, id="reader.previous"),
        Binding("J,shift+down", "extend(1)", "Longer passage", show=False, id="reader.longer"),
        Binding("K,shift+up", "extend(-1)", "Shorter passage", show=False, id="reader.shorter"),
        Binding("slash", "find", "Search", id="reader.search"),
        Binding("g,home", "jump(0)", "First sentence", show=False, id="reader.first"),
        Binding("G,end", "jump(-1)", "Last sentence", show=False, id="reader.last"),
        *write_keys(
            "dashboard.position",
            "dashboard.event",
            "dashboard.assessment",
            "dashboard.status",
            "dashboard.response",
            "dashboard.position-form",
            "dashboard.undo",
            "dashboard.redo",
            hidden=("dashboard.position-form", "dashboard.undo", "dashboard.redo"),
        ),
        Binding("escape", "app.pop_screen", "Back", id="reader.back"),
    ]

    def __init__(
        self, repo: Repository, commands: Commands, source_id: str, track_id: str, at: int = 0
    ) -> None:
        """Open on the sentence holding character ``at`` of the source's text."""
        super().__init__(repo, commands)
        self.set_reactive(CaptureScreen.track_id, track_id)
        self.source = repo.get_as(Source, source_id)
        self.found: list[Sentence] = sentences(self.source.text)
        self.cursor = sentence_at(self.found, at)
        self.last = self.cursor
        self.names: tuple[list[Actor], list[Person]] = ([], [])
        self.points: list[StickingPoint] = []
        self.track_title = ""
        self.usual_point: str | None = None

    def compose(self) -> ComposeResult:
        source = self.source
        with Horizontal(id="reader-head"):
            yield TextBlock(
                line(
                    (source.outlet, "bold"),
                    (f" · {source.published.isoformat()} · {source.source_kind.value}", MUTED),
                ),
                id="reader-source",
            )
            yield TextBlock(literal(LEGEND), id="reader-legend")
        yield TextBlock(literal(source.title, "bold", one_line=True), id="reader-title")
        with VerticalScroll(id="article"):
            for index, sentence in enumerate(self.found):
                following = self.found[index + 1] if index + 1 < len(self.found) else None
                ends = following is None or following.paragraph != sentence.paragraph
                classes = "row -para-end" if ends else "row"
                row = Horizontal(
                    TextBlock(classes="margin"),
                    TextBlock(literal(sentence.text), classes="sentence"),
                    classes=classes + (" -caption" if sentence.caption else ""),
                    id=f"sentence-{index}",
                )
                yield row
        yield TextBlock(id="reader-where")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#article").focus()
        self.mark()
        self.show_cursor(scroll=False)
        self.call_after_refresh(self._scroll_to_cursor)

    def on_screen_resume(self) -> None:
        self.mark()

    # -- what the margin shows -------------------------------------------------

    def mark(self) -> None:
        """Mark each sentence quoted by a record with the kinds of those records (and
        take in the actors and people to find in a passage, which may have changed)."""
        self.names = (self.repo.list_as(Actor), self.repo.list_as(Person))
        self.points = self.repo.list_as(StickingPoint, track_id=self.track_id)
        self.track_title = self.repo.get(Kind.TRACK, self.track_id).label
        # The point most statements of the track are on: proposed when a passage and
        # the paragraphs before it name none.
        counts = Counter(p.point_id for p in self.repo.positions(self.track_id))
        self.usual_point = counts.most_common(1)[0][0] if counts else None
        kinds: dict[int, set[str]] = {}
        for span, kind in self._quoted_spans():
            for index, sentence in enumerate(self.found):
                if sentence.start < span[1] and span[0] < sentence.end:
                    kinds.setdefault(index, set()).add(kind)
        for index, row in enumerate(self.query(".row").results(Horizontal)):
            letters = "".join(m for k, m in MARKS.items() if k in kinds.get(index, set()))
            margin = row.query_one(".margin", TextBlock)
            margin.update(Content(letters))
            row.set_class(bool(letters), "-quoted")

    def _quoted_spans(self) -> list[tuple[tuple[int, int], str]]:
        source = self.source
        spans: list[tuple[tuple[int, int], str]] = []
        # A quote anchored in the source cites it: the records citing it are all to read.
        for record in self.repo.citing(source.id):
            if not isinstance(record, Position | Event | Assessment):
                continue
            # Its own quote, and each other outlet's that reports the same news.
            for item in quoted(record):
                anchor = item.anchor
                if anchor is not None and anchor.source_id == source.id:
                    spans.append(((anchor.start, anchor.end), record.kind))
                elif anchor is None and item.quote and item.may_be_in(source.id):
                    # Quoted before the article was kept: found where its words are.
                    span = quote_span(source.text, item.quote)
                    if span is not None:
                        spans.append((span, record.kind))
        return spans

    # -- moving ------------------------------------------------------------------

    def show_cursor(self, scroll: bool = True) -> None:
        for index, row in enumerate(self.query(".row").results(Horizontal)):
            row.set_class(self.cursor <= index <= self.last, "-current")
        passage = self.passage()
        where = self.query_one("#reader-where", TextBlock)
        if passage is None:
            where.update(literal("This article has no sentences."))
            return
        count = self.last - self.cursor + 1
        which = f"sentence {self.cursor + 1}" + (f"–{self.last + 1}" if count > 1 else "")
        names = [self.repo.get(Kind.ACTOR, a).label for a in passage.actor_ids]
        when = passage.day.words if passage.day else f"{self.source.published} (the article's date)"
        where.update(
            line(
                (f"{which} of {len(self.found)}", "bold"),
                (" · dated ", MUTED),
                when,
                (" · names ", MUTED),
                ", ".join(names) if names else ("no actor", MUTED),
            )
        )
        if scroll:
            self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        if not self.found:
            return
        row = self.query_one(f"#sentence-{self.cursor}")
        self.query_one("#article", VerticalScroll).scroll_to_center(row, animate=False)

    def action_move(self, step: int) -> None:
        if not self.found:
            return
        self.cursor = max(0, min(len(self.found) - 1, self.cursor + step))
        self.last = self.cursor
        self.show_cursor()

    def action_extend(self, step: int) -> None:
        """J takes in the next sentence too; K lets go of the last one taken in."""
        self.last = max(self.cursor, min(len(self.found) - 1, self.last + step))
        self.show_cursor()

    def action_jump(self, index: int) -> None:
        if self.found:
            self.cursor = self.last = index % len(self.found)
            self.show_cursor()

    def action_find(self) -> None:
        """/: the next sentence with the words typed, from the one after the cursor."""

        def found(result: FormResult | None) -> None:
            typed = str((result.values.get("words") if result else "") or "")
            words = plain(typed).casefold()
            if not words or not self.found:
                return
            count = len(self.found)
            for step in range(1, count + 1):
                index = (self.cursor + step) % count
                if words in plain(self.found[index].text).casefold():
                    self.cursor = self.last = index
                    self.show_cursor()
                    return
            self.notify(f"No sentence has “{words}”.", severity="warning", timeout=3)

        self.app.push_screen(
            FormScreen(
                "Find in the article", FIND, {}, lambda values: None, no_options, verb="find"
            ),
            found,
        )

    # -- the passage the forms are filled from -----------------------------------

    def passage(self) -> Passage | None:
        if not self.found:
            return None
        start, end = self.found[self.cursor].start, self.found[self.last].end
        quote = self.source.text[start:end]
        named = named_in(quote, *self.names)
        reading = read_passage(
            quote,
            self._before(start),
            self.source.published,
            *self.names,
            self.points,
            track_title=self.track_title,
            usual_point=self.usual_point,
        )
        return Passage(
            source_id=self.source.id,
            start=start,
            end=end,
            quote=quote,
            actor_ids=tuple(named.actor_ids),
            person_ids=tuple(named.person_ids),
            day=reading.day,
            reading=reading,
        )

    def _before(self, start: int) -> str:
        """The passage's paragraph up to it and the three before: where "he said"
        finds who said it."""
        spans = [span for span in paragraph_spans(self.source.text) if span[0] < start]
        first = spans[-4][0] if len(spans) >= 4 else 0
        return self.source.text[first:start]

    def _saved(self, result: FormResult | None) -> None:
        super()._saved(result)
        self.mark()

    def action_set_status(self, full: bool = False) -> None:
        """The status of which round or sticking point: asked, since a sentence is not one."""
        records: list[Record] = [
            *self.repo.list_as(Round, track_id=self.track_id),
            *self.repo.list_as(StickingPoint, track_id=self.track_id),
        ]
        if not records:
            self.notify("This track has no round or sticking point yet.", severity="warning")
            return
        by_key = {f"{r.kind}:{r.id}": r for r in records}

        def chosen(key: str | None) -> None:
            record = by_key.get(key or "")
            if isinstance(record, Round | StickingPoint):
                self._open(self.quick().status(record, full))

        choices = [(key, f"{r.kind}: {r.label}") for key, r in by_key.items()]
        self.app.push_screen(ChoiceScreen("Status of", choices), chosen)


FIND = [Field("words", "Words")]


def no_options(kind: str) -> list[tuple[str, str]]:
    return []

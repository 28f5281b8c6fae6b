"""The commands of every day: a status, a position, a round, an event, a response, an
article kept as a source, and the same news from a second outlet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ..errors import InvalidRecord, StoreError
from ..kinds import Kind, PointStatus, ResponseStatus, RoundStatus
from ..models import Proposal, Response, Round, Source, StatusEntry, StickingPoint
from ..record import Anchor, Sourced
from ..values import text_hash
from .drafts import QUOTING, Citation, Draft, Outcome
from .edits import RecordCommands


class DailyCommands(RecordCommands):
    """What happens every day in a negotiation, each in one write."""

    def set_status(
        self,
        kind: str,
        record_id: str,
        status: str,
        on: date | str | None,
        *,
        note: str = "",
        cite: Citation | None = None,
    ) -> Outcome:
        """A round's or sticking point's status as of a date, with where that is reported.
        It adds to the record's log, on the record as it stands: it never conflicts."""
        with self.repo.latest():
            return self._set_status(kind, record_id, status, on, note, cite)

    def _set_status(
        self,
        kind: str,
        record_id: str,
        status: str,
        on: date | str | None,
        note: str,
        cite: Citation | None,
    ) -> Outcome:
        record = self.repo.get(kind, record_id)
        if not isinstance(record, Round | StickingPoint):
            raise StoreError(f"a {kind} has no status to set")
        choices = {s.value for s in (RoundStatus if isinstance(record, Round) else PointStatus)}
        draft = Draft()
        entry_data: dict[str, Any] = {"date": on, "status": status, "note": note or ""}
        self._cite(draft, entry_data, cite or Citation(), required=True)
        entry = draft.check(StatusEntry, entry_data)
        if status not in choices:
            draft.errors["status"] = "choose one of " + ", ".join(sorted(choices))
        draft.raise_errors(f"status of {kind} {record_id!r}")
        data = record.model_dump()
        if entry.model_dump() in data.get("status_log", []):
            # The same entry twice says nothing more, and a desk merging logs keeps one.
            raise StoreError(
                f"status of {kind} {record_id!r}: {status} on {entry.date} is already logged"
                " with these sources"
            )
        data["status_log"] = [*data.get("status_log", []), entry.model_dump()]
        # The entry dated last wins; on a tie, the one logged last.
        data["status"] = sorted(data["status_log"], key=lambda e: e["date"])[-1]["status"]
        updated = draft.check(type(record), data)
        draft.raise_errors(f"status of {kind} {record_id!r}")
        return self._put([*draft.records, updated])

    def record_position(
        self,
        track_id: str,
        *,
        point_id: str,
        actor_id: str,
        on: date | str | None,
        firmness: str,
        stance: str,
        gist: str = "",
        speaker_id: str | None = None,
        quote: str = "",
        round_id: str | None = None,
        cite: Citation | None = None,
    ) -> Outcome:
        """A side's stance on a sticking point, as stated on a date. A new statement is
        always a new position: earlier ones stay, so the history of who said what stays."""
        values = {
            "point_id": point_id,
            "actor_id": actor_id,
            "date": on,
            "firmness": firmness,
            "stance": stance,
            "gist": gist,
            "speaker_id": speaker_id,
            "quote": quote,
            "round_id": round_id,
        }
        return self.create(Kind.POSITION, values, track_id=track_id, cite=cite)

    def add_round(
        self,
        track_id: str,
        *,
        title: str,
        start: date | str | None,
        end: date | str | None = None,
        venues: Sequence[str] = (),
        format: str = "proximity",
        status: str = "scheduled",
        mediator_ids: Sequence[str] = (),
        participant_ids: Sequence[str] = (),
        outcome: str = "",
        cite: Citation | None = None,
    ) -> Outcome:
        """A meeting or a shuttle tour."""
        values = {
            "title": title,
            "start": start,
            "end": end,
            "venues": list(venues),
            "format": format,
            "status": status,
            "mediator_ids": list(mediator_ids),
            "participant_ids": list(participant_ids),
            "outcome": outcome,
        }
        return self.create(Kind.ROUND, values, track_id=track_id, cite=cite)

    def add_event(
        self,
        track_id: str,
        *,
        title: str,
        on: date | str | None,
        event_kind: str,
        text: str,
        actor_ids: Sequence[str] = (),
        cite: Citation | None = None,
    ) -> Outcome:
        """Anything else on the timeline: a statement, a strike, a sale, a toll."""
        values = {
            "title": title,
            "date": on,
            "event_kind": event_kind,
            "text": text,
            "actor_ids": list(actor_ids),
        }
        return self.create(Kind.EVENT, values, track_id=track_id, cite=cite)

    def record_response(
        self,
        proposal_id: str | None,
        actor_id: str | None,
        status: str | None,
        on: date | str | None,
        *,
        note: str = "",
        cite: Citation | None = None,
    ) -> Outcome:
        """A party's response to a proposal: a dated, sourced entry added to that party's
        history of responses (undo takes it back alone), on the proposal as it stands:
        it never conflicts."""
        with self.repo.latest():
            return self._record_response(proposal_id, actor_id, status, on, note, cite)

    def _record_response(
        self,
        proposal_id: str | None,
        actor_id: str | None,
        status: str | None,
        on: date | str | None,
        note: str,
        cite: Citation | None,
    ) -> Outcome:
        draft = Draft()
        data: dict[str, Any] = {
            "actor_id": actor_id,
            "status": status,
            "date": on,
            "note": note or "",
        }
        self._cite(draft, data, cite or Citation(), required=True)
        if not proposal_id:
            draft.errors["proposal_id"] = "choose the proposal"
        if not actor_id:
            draft.errors["actor_id"] = "choose the party that responded"
        if not status:
            draft.errors["status"] = "choose the response"
        elif status not in {s.value for s in ResponseStatus}:
            draft.errors["status"] = "choose one of " + ", ".join(s.value for s in ResponseStatus)
        if not draft.errors:
            draft.check(Response, data)
        draft.raise_errors("response")
        assert proposal_id is not None
        proposal = self.repo.get_as(Proposal, proposal_id)
        stored = proposal.model_dump()
        stored["responses"] = [*stored["responses"], data]
        updated = draft.check(Proposal, stored)
        draft.raise_errors("response")
        return self._put([*draft.records, updated])

    def capture(
        self,
        text: str,
        *,
        outlet: str,
        title: str,
        published: date | str | None,
        source_kind: str | None,
        url: str = "",
        via: str = "",
    ) -> Outcome:
        """An article kept with its source: a new source, or the stored one of the same
        outlet, title and date that keeps no text yet. The text is never changed after."""
        kept = self.kept_already(text, url)
        if kept is not None:
            raise StoreError(f"this article is already kept, as source {kept.id!r}")
        digest = text_hash(text)
        values = {
            "outlet": outlet,
            "title": title,
            "published": published,
            "source_kind": source_kind,
            "url": url,
            "via": via,
            "text": text,
            "text_sha256": digest,
        }
        if not text.strip():
            raise InvalidRecord("new source: text: the article is empty", {"text": "is empty"})
        same = [
            s
            for s in self.repo.list_as(Source)
            if not s.text
            and s.outlet.casefold() == outlet.strip().casefold()
            and s.title.casefold() == title.strip().casefold()
            and s.published.isoformat() == str(published)
        ]
        if same:
            keep = {"text": text, "text_sha256": digest, "url": same[0].url or url}
            return self.edit(Kind.SOURCE, same[0].id, keep)
        return self.create(Kind.SOURCE, values)

    def kept_already(self, text: str, url: str = "") -> Source | None:
        """The source that keeps this very text, or an article from this URL."""
        digest = text_hash(text)
        for source in self.repo.list_as(Source):
            if source.text_sha256 == digest or (url and source.text and source.url == url):
                return source
        return None

    # -- the same news from two outlets --------------------------------------

    def corroborate(
        self,
        kind: str,
        record_id: str,
        *,
        cite: Citation,
        quote: str = "",
        anchor: Anchor | Mapping[str, Any] | None = None,
    ) -> Outcome:
        """Another outlet's report of what a stored position, event or assessment says:
        its source joins the record's sources, with the words it reports it in and
        their anchor (made here when the source keeps its text and none is given). One
        write, on the record as it stands; undo takes it back whole."""
        with self.repo.latest():
            record = self.repo.get(kind, record_id)
            if not isinstance(record, QUOTING):
                raise StoreError(f"a {kind} keeps no quotes to add another source's to")
            draft = Draft()
            cited: dict[str, Any] = {}
            self._cite(draft, cited, cite, required=True)
            if cite.unsourced:
                draft.errors["source_ids"] = "choose the source that reports it too"
            draft.raise_errors(f"{kind} {record_id!r}")
            fresh = [s for s in cited["source_ids"] if s not in record.source_ids]
            if not fresh:
                said = ", ".join(repr(s) for s in cited["source_ids"])
                raise StoreError(f"{kind} {record_id!r} cites {said} already; nothing to add")
            given = Anchor.model_validate(anchor) if anchor is not None else None
            items = [
                self._corroboration(draft, s, quote, given, alone=len(fresh) == 1) for s in fresh
            ]
            data = record.model_dump()
            data["source_ids"] = [*record.source_ids, *fresh]
            if isinstance(record, Sourced):
                data["unsourced"] = False
            data["corroborations"] = [*data.get("corroborations", []), *items]
            updated = draft.check(type(record), data)
            self._check_anchor(draft, updated)
            draft.raise_errors(f"{kind} {record_id!r}")
            return self._put([*draft.records, updated])

    def _corroboration(
        self, draft: Draft, source_id: str, quote: str, anchor: Anchor | None, alone: bool
    ) -> dict[str, Any]:
        """A source's corroboration: the quote and its anchor when they are this source's
        (or it is the only source added), the anchor made where the source keeps text."""
        from ..articles.anchors import anchor_quote

        if anchor is not None and anchor.source_id != source_id:
            return {"source_id": source_id}
        if anchor is None and not alone:
            return {"source_id": source_id}
        item: dict[str, Any] = {"source_id": source_id, "quote": quote}
        if anchor is None and quote.strip() and self.repo.exists(Kind.SOURCE, source_id):
            source = self.repo.get_as(Source, source_id)
            if source.text:
                anchor = anchor_quote(source, quote)
                if anchor is None:
                    draft.errors.setdefault(
                        "quote", f"these words are not in the text of source {source_id!r}"
                    )
        if anchor is not None:
            item["anchor"] = anchor.model_dump()
        return item

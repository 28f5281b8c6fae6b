"""The subcommands that change the store, and the two that read it record by record.

``add``, ``edit``, ``delete``, ``set-status``, ``position``, ``undo`` and ``redo`` write through
``store.records.commands`` — the same commands the dashboard runs, so a record refused
there is refused here with the same one-line reason, naming the field. ``list``,
``show`` and ``history`` read, each record with its revision taken in the same read,
so that a script's edit names the state it saw.

Exit status follows the rest of the CLI: 2 when the command line has the wrong
shape (an unknown option, a missing argument, a ``--limit`` that is not a
number), 1 when the store refuses what it was given (a field value, an unknown
id or track, nothing to undo). A value a record refuses — a date that is not
``YYYY-MM-DD``, a firmness that does not exist — is the second kind: it is the
record's field, not the command line, that is wrong, and the message names it
(``parley: new position: date: '25/08' is not an ISO date (YYYY-MM-DD)``).

Each kind's field options are built from its model the first time that kind's
parser is used, so that ``parley`` alone does not import the models before it
starts reading the store.
"""

from __future__ import annotations

import argparse
import json
import sys
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.models import CITING_KINDS, RECORD_TYPES, ROLES, SOURCE_KINDS, SOURCED_KINDS, TRACK_KINDS
from tui.cli import Failure, Parser, UsageError, one_line

if TYPE_CHECKING:
    from store import Repository
    from store.models import Change
    from store.record import Record
    from store.records.drafts import Citation, NewActor, Outcome

KINDS = tuple(RECORD_TYPES)
# Set through `set-status` (dated and sourced) or recorded by `parley`, not given as fields.
MANAGED_FIELDS = ("id", "track_id", "source_ids", "unsourced", "status_log", "responses")
# Kept by `parley capture` and the reader, never typed: an article's text, its hash, and
# where a quote stands in it.
CAPTURED_FIELDS = {"source": ("text", "text_sha256")}
# A quote's anchor, and other outlets' reports of the same news: made by the reader and
# `--corroborate`, never typed.
QUOTE_FIELDS = ("anchor", "corroborations")
HISTORY_LIMIT = 20

Add = Callable[..., argparse.ArgumentParser]


# -- a kind's fields as options ----------------------------------------------------


@dataclass(frozen=True)
class FieldOption:
    """One model field as a command-line option."""

    name: str
    flags: tuple[str, ...]
    shape: str  # "text", "list", "enum", "date", "ref", "refs" or "participants"
    optional: bool  # None is a value it can take ("" on the command line)
    required: bool
    choices: tuple[str, ...] = ()
    ref_kind: str = ""

    @property
    def dest(self) -> str:
        return f"field_{self.name}"

    def help(self) -> str:
        parts: list[str] = []
        if self.shape == "enum":
            parts.append("one of: " + ", ".join(self.choices))
        elif self.shape == "date":
            parts.append("a date, YYYY-MM-DD")
        elif self.shape == "ref":
            parts.append(f"the id of {_a(self.ref_kind)}")
        elif self.shape == "refs":
            parts.append(f"ids of {self.ref_kind}s; repeat the option or separate them with ;")
        elif self.shape == "list":
            parts.append("repeat the option or separate them with ;")
        elif self.shape == "text":
            parts.append("text")
        elif self.shape == "participants":
            parts.append("ACTOR:ROLE, role one of " + ", ".join(ROLES) + "; repeat or use ;")
        if self.optional and self.shape in ("ref", "date"):
            parts.append('"" for none')
        if self.required:
            parts.append("required")
        return "; ".join(parts)


def _a(kind: str) -> str:
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The type inside Optional[...] and Annotated[...], and whether None is allowed."""
    optional = False
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        annotation = args[0]
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation, optional


def field_options(kind: str, editing: bool = False) -> list[FieldOption]:
    """The options of ``parley add KIND`` (or ``edit``): one per field a user gives."""
    from store import model_for

    cls = model_for(kind)
    found: list[FieldOption] = []
    for name, info in cls.model_fields.items():
        if name in MANAGED_FIELDS or (editing and name == "status") or name in QUOTE_FIELDS:
            continue
        if name in CAPTURED_FIELDS.get(kind, ()):
            continue
        inner, optional = _unwrap(info.annotation)
        ref_kind = cls.refs.get(name, "")
        flag = "--" + name.replace("_", "-")
        flags: tuple[str, ...] = (flag,)
        choices: tuple[str, ...] = ()
        if typing.get_origin(inner) is list:
            item, _ = _unwrap(typing.get_args(inner)[0])
            shape = "refs" if ref_kind else "list"
            if isinstance(item, type) and not issubclass(item, str | Enum):
                shape = "participants"  # a track's [{actor_id, role}]
            if name.endswith("_ids"):
                flags = (f"--{name.removesuffix('_ids').replace('_', '-')}", flag)
        elif isinstance(inner, type) and issubclass(inner, Enum):
            shape, choices = "enum", tuple(str(m.value) for m in inner)
        elif inner is date:
            shape = "date"
        elif ref_kind:
            shape = "ref"
            flags = (f"--{name.removesuffix('_id').replace('_', '-')}", flag)
        else:
            shape = "text"
        required = info.is_required() and not editing
        found.append(FieldOption(name, flags, shape, optional, required, choices, ref_kind))
    return found


def add_field_options(parser: argparse.ArgumentParser, kind: str, editing: bool) -> None:
    group = parser.add_argument_group(f"the {kind}'s fields")
    for option in field_options(kind, editing):
        repeat = option.shape in ("list", "refs", "participants")
        group.add_argument(
            *option.flags,
            dest=option.dest,
            metavar="ID" if option.shape in ("ref", "refs") else "VALUE",
            action="append" if repeat else "store",
            help=option.help(),
        )
        if option.shape == "participants":
            for role in ROLES:
                group.add_argument(
                    f"--{role}",
                    dest=f"role_{role}",
                    metavar="ACTOR",
                    action="append",
                    help=f"an actor taking part as {role}; repeat or use ;",
                )


def _split(values: Iterable[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(";") if part.strip()]


def field_values(
    args: argparse.Namespace, kind: str, editing: bool, current: Record | None = None
) -> dict[str, Any]:
    """The field values given as options, as the model takes them."""
    values: dict[str, Any] = {}
    for option in field_options(kind, editing):
        given = getattr(args, option.dest, None)
        if option.shape == "participants":
            values.update(_participants(args, given, current))
            continue
        if given is None:
            continue
        if option.shape in ("list", "refs"):
            values[option.name] = _split(given)
        elif option.optional and given.strip() == "":
            values[option.name] = None
        elif option.shape == "enum":
            values[option.name] = _choice(given, option.choices)
        else:
            values[option.name] = given
    return values


def _choice(given: str, choices: Sequence[str]) -> str:
    """``red-line`` for ``red line``: a value with spaces is easier to type with hyphens."""
    spaced = given.replace("-", " ")
    return spaced if given not in choices and spaced in choices else given


def _participants(
    args: argparse.Namespace, given: list[str] | None, current: Record | None
) -> dict[str, Any]:
    by_role = {role: _split(getattr(args, f"role_{role}", None) or []) for role in ROLES}
    named = {role for role in ROLES if getattr(args, f"role_{role}", None) is not None}
    if given is None and not named:
        return {}
    participants: list[dict[str, str]] = []
    if given is None and current is not None:
        # An edit naming only --mediator keeps the parties, guarantors and observers.
        kept = current.model_dump(mode="json").get("participants") or []
        participants = [p for p in kept if p["role"] not in named]
    for item in _split(given or []):
        actor, _, role = item.partition(":")
        participants.append({"actor_id": actor.strip(), "role": role.strip()})
    for role in ROLES:
        participants += [{"actor_id": a, "role": role} for a in by_role[role]]
    return {"participants": participants}


# -- sources -----------------------------------------------------------------------


def add_source_options(parser: argparse.ArgumentParser, unsourced: bool) -> None:
    group = parser.add_argument_group(
        "where it comes from",
        "a stored source, a new one (outlet, title, published date and kind), "
        + ("or --unsourced" if unsourced else "or none"),
    )
    group.add_argument(
        "--source",
        dest="source_ids",
        metavar="ID",
        action="append",
        help="a stored source; repeat the option or separate ids with ;",
    )
    group.add_argument("--new-source-outlet", metavar="TEXT", help="a new source: its outlet")
    group.add_argument("--new-source-title", metavar="TEXT", help="a new source: its title")
    group.add_argument(
        "--new-source-published", metavar="DATE", help="a new source: published on, YYYY-MM-DD"
    )
    group.add_argument(
        "--new-source-kind",
        metavar="KIND",
        help="a new source: wire, state media, official statement, analysis or other",
    )
    group.add_argument("--new-source-url", metavar="URL", help="a new source: its address")
    if unsourced:
        group.add_argument(
            "--unsourced",
            action="store_true",
            help="say explicitly that no source reports it; it shows as unsourced",
        )


NEW_SOURCE_OPTIONS = ("outlet", "title", "published", "kind", "url")


def citation(
    args: argparse.Namespace, values: dict[str, Any] | None = None, sourced: bool = True
) -> Citation | None:
    """The source options, with a JSON file's ``source_ids`` (and ``unsourced``, for a
    kind that must say where it comes from) taken out of ``values``; None if none."""
    from store.records.drafts import Citation, NewSource

    values = values if values is not None else {}
    ids = _split(getattr(args, "source_ids", None) or [])
    from_file = values.pop("source_ids", None)
    if from_file is not None:
        if not isinstance(from_file, list) or not all(isinstance(i, str) for i in from_file):
            raise Failure("source_ids: give a list of source ids")
        ids = [*from_file, *ids]
    unsourced = bool(getattr(args, "unsourced", False))
    if sourced and "unsourced" in values:
        unsourced = bool(values.pop("unsourced")) or unsourced
    new = {k: getattr(args, f"new_source_{k}", None) for k in NEW_SOURCE_OPTIONS}
    if any(v is not None for v in new.values()) and not (new["outlet"] or new["title"]):
        raise UsageError("a new source needs --new-source-outlet and --new-source-title")
    new_source = None
    if new["outlet"] or new["title"]:
        kind = new["kind"]
        new_source = NewSource(
            outlet=new["outlet"] or "",
            title=new["title"] or "",
            published=new["published"],
            source_kind=_choice(kind, SOURCE_KINDS) if kind else None,
            url=new["url"] or "",
        )
    if not ids and new_source is None and not unsourced and from_file is None:
        return None
    return Citation(source_ids=ids, new_source=new_source, unsourced=unsourced)


# -- helpers -----------------------------------------------------------------------


def read_json(name: str) -> dict[str, Any]:
    """An object of field values from a file, or from standard input for ``-``."""
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Failure(f"{name}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise Failure(f"cannot read {name}: {getattr(exc, 'strerror', None) or exc}") from None
    where = "standard input" if name == "-" else name
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Failure(f"{where}: not valid JSON: {exc.msg} (line {exc.lineno})") from None
    if not isinstance(data, dict):
        raise Failure(f"{where}: give one JSON object of field values")
    return data


def pick_track(repo: Repository, given: str | None, values: dict[str, Any]) -> tuple[str, bool]:
    """The track a new record goes to: the one given, else the one its sticking point
    or round belongs to, else the store's only (or first) track; and whether it was
    a guess among several."""
    from store.reading.brief import pick_track as only_or_first

    if given:
        return only_or_first(repo, given).id, False
    for field, kind in (("point_id", "point"), ("round_id", "round")):
        ref = values.get(field)
        if isinstance(ref, str) and repo.exists(kind, ref):
            return str(getattr(repo.get(kind, ref), "track_id")), False  # noqa: B009
    return only_or_first(repo, None).id, len(repo.tracks()) > 1


NO_SOURCE_HERE = "give --source ID, a new source (--new-source-outlet ...), or --unsourced"


def done(command: Callable[[], Outcome]) -> Outcome:
    """Run a store command; a refusal worded for the dashboard's form is worded here
    for the command line."""
    from store import InvalidRecord
    from store.records.drafts import NO_SOURCE

    try:
        return command()
    except InvalidRecord as exc:
        if NO_SOURCE not in str(exc):
            raise
        message = str(exc).replace(NO_SOURCE, NO_SOURCE_HERE)
        raise InvalidRecord(message, fields=exc.fields) from None


def written(verb: str, kind: str, outcome: Outcome) -> str:
    """``added position x``, naming any new source written with it."""
    record = outcome.record
    assert record is not None
    line = f"{verb} {kind} {record.id}"
    new_sources = [r.id for r in outcome.records[:-1] if r.kind == "source"]
    if new_sources:
        line += ", citing the new source " + ", ".join(new_sources)
    return line


def _plain(change: Change) -> str:
    summary = change.summary or f"{change.action} {change.record_kind} {change.record_id}"
    return summary.removeprefix("undid: ").removeprefix("redid: ")


def said(verb: str, changes: Sequence[Change]) -> str:
    """``undid: added position '...' and added source '...'``, in the order written."""
    ordered = sorted(changes, key=lambda c: c.seq)
    if verb == "redid":
        ordered.reverse()  # the record the write was about first, its new source after
    return f"{verb}: " + "; ".join(_plain(c) for c in ordered)


# -- commands ----------------------------------------------------------------------


def cmd_add(args: argparse.Namespace, repo: Repository) -> int:
    from store.records.commands import Commands

    kind = args.kind
    values: dict[str, Any] = read_json(args.json) if args.json else {}
    if values.get("kind", kind) != kind:
        raise Failure(f"{args.json}: holds {_a(str(values['kind']))}, not {_a(kind)}")
    values.pop("kind", None)
    if "id" in values:
        raise Failure(f"new {kind}: id: a new record's id is made from its name; leave it out")
    values.update(field_values(args, kind, editing=False))
    cite = citation(args, values, kind in SOURCED_KINDS) if kind in CITING_KINDS else None
    if not values and cite is None:
        raise UsageError(f"give the new {kind}'s fields as options, or --json FILE")
    track_id = None
    if kind in TRACK_KINDS:
        track_id, guessed = pick_track(repo, args.track or values.pop("track_id", None), values)
        if guessed:
            print(
                f"parley: the store holds {len(repo.tracks())} tracks; adding the {kind} "
                f"to {track_id!r} (choose with --track ID)",
                file=sys.stderr,
            )
    if track_id is not None and corroborated(args, repo, kind, track_id, values, cite):
        return 0
    if kind == "track" and (args.new_party or args.new_mediator):
        new = new_actors(args)
        outcome = done(lambda: Commands(repo).add_track(values, new))
    else:
        outcome = done(lambda: Commands(repo).create(kind, values, track_id=track_id, cite=cite))
    print(written("added", kind, outcome))
    return 0


def new_actors(args: argparse.Namespace) -> list[NewActor]:
    """The actors ``--new-party`` and ``--new-mediator`` name, each "Name, kind"."""
    from store.records.drafts import NewActor

    found = []
    for option, role in (("new_party", "party"), ("new_mediator", "mediator")):
        for entry in _split(getattr(args, option) or []):
            try:
                found.append(NewActor.from_text(entry, role))
            except ValueError as exc:
                flag = "--" + option.replace("_", "-")
                raise Failure(f"new track: {flag}: {entry!r}: {exc}") from None
    return found


CORROBORATE_HELP = (
    "the same news as a stored record from another outlet: add this source and its quote to "
    "that record (the one it repeats, or ID) instead of adding a new one"
)


def add_corroborate_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corroborate", nargs="?", const="", metavar="ID", default=None, help=CORROBORATE_HELP
    )


def corroborated(
    args: argparse.Namespace,
    repo: Repository,
    kind: str,
    track_id: str,
    values: dict[str, Any],
    cite: Citation | None,
) -> bool:
    """A new position or event that repeats a stored one: with ``--corroborate``, its
    source and quote added to that one (True); without, one line saying so, and False
    (it is added as new)."""
    from store.reading.corroboration import matches
    from store.records.commands import Commands

    wanted = getattr(args, "corroborate", None)
    if kind not in ("position", "event"):
        return False
    ids = list(cite.source_ids) if cite is not None else []
    found = matches(repo, kind, track_id, values, ids)
    if wanted is None:
        if found:
            match = found[0]
            print(
                f"parley: this {kind} repeats {kind} {match.record.id} ({match.apart}, in "
                "like words); --corroborate adds its source to that one instead",
                file=sys.stderr,
            )
        return False
    target = wanted or (found[0].record.id if found else "")
    if not target:
        raise Failure(
            f"no stored {kind} repeats this one; leave out --corroborate to add it as new"
        )
    if cite is None:
        raise UsageError(f"--corroborate needs the source that reports it: {NO_SOURCE_HERE}")
    quote = str(values.get("quote") or "")
    outcome = done(lambda: Commands(repo).corroborate(kind, target, cite=cite, quote=quote))
    print(f"corroborated {kind} {target}" + _new_sources(outcome))
    return True


def _new_sources(outcome: Outcome) -> str:
    made = [r.id for r in outcome.records[:-1] if r.kind == "source"]
    return ", citing the new source " + ", ".join(made) if made else ""


def cmd_edit(args: argparse.Namespace, repo: Repository) -> int:
    from store.records.commands import Commands

    kind = args.kind
    current = repo.get(kind, args.id)
    values: dict[str, Any] = read_json(args.json) if args.json else {}
    # What the options are read against (a --mediator keeps the other roles): the edit
    # is refused should the record move on before it is written. A record as `show
    # --json` gave it carries the revision it was read at.
    given = _given_revision(args, values)
    # --revision, given on the command line, speaks over the file's.
    revision = args.revision if args.revision is not None else given
    if revision is None:
        revision = repo.revision(kind, args.id)
    if values.get("kind", kind) != kind:
        raise Failure(f"{args.json}: holds {_a(str(values['kind']))}, not {_a(kind)}")
    values.pop("kind", None)
    if values.get("id", args.id) != args.id:
        raise Failure(f"{kind} {args.id!r}: id: an id stays as it is; leave it out")
    values.pop("id", None)
    if kind in ("round", "point") and "status" in values:
        raise Failure(
            f"{kind} {args.id!r}: status: set it with `parley set-status`, which dates it "
            "and names its source"
        )
    values.update(field_values(args, kind, editing=True, current=current))
    cite = citation(args, values, kind in SOURCED_KINDS) if kind in CITING_KINDS else None
    if not values and cite is None:
        raise UsageError(
            f"nothing to change: give the fields to change (see parley edit {kind} -h)"
        )
    outcome = done(lambda: Commands(repo).edit(kind, args.id, values, cite=cite, revision=revision))
    if not outcome.changed:
        print(f"{kind} {args.id} already reads so; nothing changed (revision {revision})")
        return 0
    before = current.model_dump(mode="json")
    after = outcome.records[-1].model_dump(mode="json")
    fields = [name for name in after if before.get(name) != after[name]]
    line = written("changed", kind, outcome)
    line = f"{line} ({', '.join(fields)})" if fields else line
    print(f"{line}; now revision {repo.revision(kind, args.id)}")
    return 0


def _given_revision(args: argparse.Namespace, values: dict[str, Any]) -> int | None:
    if "revision" not in values:
        return None
    given = values.pop("revision")
    if not isinstance(given, int) or isinstance(given, bool) or given < 0:
        raise Failure(f"{args.json}: revision: {given!r} is not a revision (a whole number)")
    return given


def cmd_delete(args: argparse.Namespace, repo: Repository) -> int:
    from store.records.commands import Commands

    kind = args.kind
    outcome = done(lambda: Commands(repo).delete(kind, args.id, revision=args.revision))
    print(written("deleted", kind, outcome))
    return 0


def with_revision(repo: Repository, record: Record) -> dict[str, Any]:
    """A record's fields and, beside them, its revision: what `edit --revision` takes."""
    return {**record.model_dump(mode="json"), "revision": repo.revision(record.kind, record.id)}


def cmd_set_status(args: argparse.Namespace, repo: Repository) -> int:
    from store.kinds import PointStatus, RoundStatus
    from store.records.commands import Commands

    words = list(args.words)
    if len(words) == 3:
        kind, record_id, status = words
        if kind not in ("point", "round"):
            raise UsageError(f"{kind!r} has no status to set; the kind is point or round")
    elif len(words) == 2:
        record_id, status = words
        found = [k for k in ("point", "round") if repo.exists(k, record_id)]
        if not found:
            raise Failure(f"no sticking point or round with id {record_id!r}")
        if len(found) > 1:
            raise Failure(
                f"{record_id!r} is both a sticking point and a round; say which: "
                f"parley set-status point|round {record_id} {status} ..."
            )
        kind = found[0]
    else:
        raise UsageError("give [point|round] ID STATUS")
    choices = [s.value for s in (PointStatus if kind == "point" else RoundStatus)]
    status = _choice(status, choices)
    cite = citation(args)
    outcome = done(
        lambda: Commands(repo).set_status(
            kind, record_id, status, args.date, note=args.note or "", cite=cite
        )
    )
    words_kind = "sticking point" if kind == "point" else "round"
    line = f"set {words_kind} {record_id} to {status} as of {args.date}"
    new_sources = [r.id for r in outcome.records[:-1] if r.kind == "source"]
    if new_sources:
        line += ", citing the new source " + ", ".join(new_sources)
    print(line)
    return 0


def cmd_position(args: argparse.Namespace, repo: Repository) -> int:
    from store.kinds import Firmness
    from store.records.commands import Commands

    cite = citation(args)
    track_id, guessed = pick_track(repo, args.track, {"point_id": args.point})
    if guessed:
        print(
            f"parley: adding the position to the track {track_id!r} (choose with --track ID)",
            file=sys.stderr,
        )
    commands = Commands(repo)
    firmness = _choice(args.firmness, [f.value for f in Firmness])
    said = {
        "point_id": args.point,
        "actor_id": args.actor,
        "date": args.date,
        "stance": args.stance,
        "quote": args.quote or "",
    }
    if corroborated(args, repo, "position", track_id, said, cite):
        return 0
    outcome = done(
        lambda: commands.record_position(
            track_id,
            point_id=args.point,
            actor_id=args.actor,
            on=args.date,
            firmness=firmness,
            stance=args.stance,
            gist=args.gist or "",
            speaker_id=args.speaker or None,
            quote=args.quote or "",
            round_id=args.round or None,
            cite=cite,
        )
    )
    print(written("added", "position", outcome))
    return 0


def cmd_undo(args: argparse.Namespace, repo: Repository) -> int:
    from store.records.commands import Commands

    outcome = Commands(repo).undo()
    if not outcome.changed:
        raise Failure("nothing to undo")
    print(said("undid", outcome.changes))
    return 0


def cmd_redo(args: argparse.Namespace, repo: Repository) -> int:
    from store.records.commands import Commands

    outcome = Commands(repo).redo()
    if not outcome.changed:
        raise Failure("nothing to redo")
    print(said("redid", outcome.changes))
    return 0


def cmd_history(args: argparse.Namespace, repo: Repository) -> int:
    limit = args.limit or None
    with repo.one_read():
        changes = repo.history(args.kind, args.id, limit)
        # Each change with the revision its record stands at now (0 once deleted), read
        # with the changes, so that a script's edit names the state it saw.
        revisions = {
            key: repo.revision(*key) if repo.exists(*key) else 0
            for key in {(c.record_kind, c.record_id) for c in changes}
            if key[0] in KINDS
        }
    if not changes and args.id is not None:
        kinds = [args.kind] if args.kind else list(KINDS)
        if not any(repo.exists(k, args.id) for k in kinds):
            what = args.kind or "record"
            raise Failure(f"no {what} with id {args.id!r}, and no change to one")
    if args.json:
        dumps = [
            {
                **c.model_dump(mode="json"),
                "record_revision": revisions.get((c.record_kind, c.record_id), 0),
            }
            for c in changes
        ]
        json.dump(dumps, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if not changes:
        print("parley: no changes recorded", file=sys.stderr)
        return 0
    from store.reading.words import author_of

    for change in changes:
        at = change.at.strftime("%Y-%m-%d %H:%M")
        what = f"{change.record_kind} {change.record_id}"
        print(one_line(f"#{change.seq:<5} {at}  {author_of(change)}  {what}  {change.summary}"))
    return 0


def cmd_list(args: argparse.Namespace, repo: Repository) -> int:
    from store.reading.brief import pick_track as only_or_first

    kind = args.kind
    filters = {}
    if args.track:
        if kind not in TRACK_KINDS:
            raise UsageError(f"--track: {kind}s are shared by every track")
        filters["track_id"] = only_or_first(repo, args.track).id
    with repo.one_read():
        records = repo.list(kind, **filters)
        dumps = [with_revision(repo, r) for r in records] if args.json else []
    if args.json:
        json.dump(dumps, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if not records:
        print(f"parley: no {kind} records", file=sys.stderr)
        return 0
    width = min(max(len(r.id) for r in records), 48)
    for record in records:
        print(one_line(f"{record.id:<{width}}  {record.label}"))
    return 0


# -- parsers -----------------------------------------------------------------------


class KindParser(Parser):
    """The parser of one kind under ``add`` or ``edit``; its field options are read from
    the kind's model when it is first asked to parse (or to show its help)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.populate: Callable[[argparse.ArgumentParser], None] | None = kwargs.pop(
            "populate", None
        )
        super().__init__(*args, **kwargs)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self.populate is not None:
            populate, self.populate = self.populate, None
            populate(self)
        return super().parse_known_args(args, namespace)


ADD_EXAMPLES = {
    "track": 'parley add track --title "Sudan talks" --region "Horn of Africa" --party saf',
    "actor": 'parley add actor --name Jordan --actor-kind state --aliases "Hashemite Kingdom"',
    "person": 'parley add person --name "A. Envoy" --title "Special envoy" --actor qatar',
    "source": (
        'parley add source --outlet Reuters --title "Talks resume" --published 2024-08-24 '
        "--source-kind wire"
    ),
    "round": (
        'parley add round --title "Cairo round" --start 2024-08-24 --venues "Cairo, Egypt" '
        "--format proximity --status scheduled --mediator egypt --mediator qatar"
    ),
    "point": 'parley add point --title "Rafah crossing" --status open --priority high',
    "position": (
        "parley add position --point philadelphi-corridor --actor hamas --date 2024-08-25 "
        '--firmness "red line" --stance "No Israeli troops in the corridor." '
        "--source xinhua-2024-08-21-blinken-tour"
    ),
    "proposal": (
        'parley add proposal --title "Updated bridging text" --date 2024-08-24 '
        "--by united-states --point philadelphi-corridor"
    ),
    "event": (
        'parley add event --title "Talks resume in Cairo" --date 2024-08-24 '
        '--event-kind diplomatic --text "Delegations arrive." --unsourced'
    ),
    "assessment": (
        'parley add assessment --analyst "A. Analyst" --date 2024-08-22 '
        '--gist "The gap on the corridor stays wide." --source xinhua-2024-08-21-blinken-tour'
    ),
}


def cmd_show(args: argparse.Namespace, repo: Repository) -> int:
    with repo.one_read():
        record = with_revision(repo, repo.get(args.kind, args.id))
    if args.json:
        json.dump(record, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    width = max(len(name) for name in record)
    for name, value in record.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        print(one_line(f"{name:<{width}}  {shown}"))
    return 0


def register(add: Add) -> None:
    """Add the editing subcommands to ``parley``'s parser; ``add`` makes one."""
    p = add(
        "add",
        None,
        "add a record of any kind, from options or a JSON object",
        ADD_EXAMPLES["position"],
    )
    kinds = p.add_subparsers(
        title="kinds",
        metavar="KIND",
        dest="kind",
        required=True,
        parser_class=KindParser,
    )
    for kind in KINDS:
        kp = kinds.add_parser(
            kind,
            help=f"a new {kind}",
            description=f"Add a new {kind}; its id is made from its name and printed.",
            epilog=f"example:\n  {ADD_EXAMPLES[kind]}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,
            populate=_populate(kind, editing=False),
        )
        kp.set_defaults(func=cmd_add)

    p = add(
        "edit",
        None,
        "change some fields of a record; the others stay as they are",
        'parley edit round doha-round-2024-08 --end 2024-08-16 --outcome "Talks adjourned."',
    )
    kinds = p.add_subparsers(
        title="kinds", metavar="KIND", dest="kind", required=True, parser_class=KindParser
    )
    for kind in KINDS:
        kp = kinds.add_parser(
            kind,
            help=f"change a {kind}",
            description=(
                f"Change fields of a {kind}. A list option replaces the whole list; "
                '"" clears an optional field.'
                + (
                    " Its status changes with `parley set-status`."
                    if kind in ("point", "round")
                    else ""
                )
            ),
            epilog=f"example:\n  {_edit_example(kind)}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,
            populate=_populate(kind, editing=True),
        )
        kp.add_argument("id", metavar="ID", help=f"the {kind} to change")
        add_revision_option(kp, "the change was made from")
        kp.set_defaults(func=cmd_edit)

    p = add(
        "delete",
        None,
        "delete a record no other record refers to",
        "parley delete event ID --revision 57",
    )
    deleted = p.add_subparsers(title="kinds", metavar="KIND", dest="kind", required=True)
    for kind in KINDS:
        dp = deleted.add_parser(kind, help=f"delete a {kind}", allow_abbrev=False)
        dp.add_argument("id", metavar="ID", help=f"the {kind} to delete")
        add_revision_option(dp, "it was read at")
        dp.set_defaults(func=cmd_delete)

    p = add(
        "show",
        cmd_show,
        "one record's fields and its revision, read together",
        "parley show point philadelphi-corridor --json",
    )
    p.add_argument("kind", choices=KINDS, metavar="KIND", help="one of: " + ", ".join(KINDS))
    p.add_argument("id", metavar="ID", help="the record's id")
    p.add_argument(
        "--json", action="store_true", help="the fields and the revision as a JSON object"
    )

    p = add(
        "set-status",
        cmd_set_status,
        "set a sticking point's or a round's status as of a date, with its source",
        "parley set-status philadelphi-corridor deadlocked --date 2024-08-25 "
        "--source xinhua-2024-08-21-blinken-tour",
    )
    p.usage = "parley set-status [-h] [point|round] ID STATUS --date DATE [options]"
    p.add_argument(
        "words",
        nargs="+",
        metavar="[point|round] ID STATUS",
        help="the kind may be left out when the id is only one of them; "
        "a status of two words goes in quotes (or with a hyphen: under-way)",
    )
    p.add_argument("--date", required=True, metavar="DATE", help="as of when, YYYY-MM-DD")
    p.add_argument("--note", metavar="TEXT", help="a note on the change")
    add_source_options(p, unsourced=True)

    p = add(
        "position",
        cmd_position,
        "record a party's stance on a sticking point, as stated on a date",
        "parley position --point philadelphi-corridor --actor hamas --date 2024-08-25 "
        '--firmness red-line --stance "No Israeli troops in the corridor." '
        "--source xinhua-2024-08-21-blinken-tour",
    )
    p.add_argument("--point", required=True, metavar="ID", help="the sticking point")
    p.add_argument("--actor", required=True, metavar="ID", help="the party stating it")
    p.add_argument("--date", required=True, metavar="DATE", help="when it was stated, YYYY-MM-DD")
    p.add_argument(
        "--firmness",
        required=True,
        metavar="F",
        help="red line, demand, conditional, flexible, accepted or rejected",
    )
    p.add_argument("--stance", required=True, metavar="TEXT", help="the stance, in full")
    p.add_argument("--gist", metavar="TEXT", help="the stance in a few words")
    p.add_argument("--speaker", metavar="ID", help="the person who stated it")
    p.add_argument("--quote", metavar="TEXT", help="their words, quoted")
    p.add_argument("--round", metavar="ID", help="the round it was stated during")
    p.add_argument("--track", metavar="ID", help="the track (default: the sticking point's)")
    add_source_options(p, unsourced=True)
    add_corroborate_option(p)

    add(
        "undo",
        cmd_undo,
        "undo the last change (all of it, if it wrote several records) and say what it was",
        "parley undo",
    )
    add("redo", cmd_redo, "take back the last undo, if nothing was written since", "parley redo")

    p = add(
        "history",
        cmd_history,
        "the changes made to the store, newest first",
        "parley history --kind point --id philadelphi-corridor --limit 5",
    )
    p.add_argument("--kind", choices=KINDS, help="only changes to records of this kind")
    p.add_argument("--id", metavar="ID", help="only changes to the record with this id")
    p.add_argument(
        "--limit",
        type=_count,
        default=HISTORY_LIMIT,
        metavar="N",
        help=f"at most N changes (default: {HISTORY_LIMIT}; 0 for all)",
    )
    p.add_argument("--json", action="store_true", help="the changes as a JSON list")

    p = add(
        "list",
        cmd_list,
        "the records of one kind: id and name, or JSON",
        "parley list point --track gaza-ceasefire-hostage-talks",
    )
    p.add_argument("kind", choices=KINDS, metavar="KIND", help="one of: " + ", ".join(KINDS))
    p.add_argument("--track", metavar="ID", help="only the records of this track")
    p.add_argument("--json", action="store_true", help="the records as a JSON list")


def add_revision_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--revision",
        type=_revision,
        metavar="N",
        help=f"the revision {what} (parley show KIND ID prints it); refused if the record "
        "has changed since",
    )


def _populate(kind: str, editing: bool) -> Callable[[argparse.ArgumentParser], None]:
    def populate(parser: argparse.ArgumentParser) -> None:
        add_field_options(parser, kind, editing)
        if not editing and kind in TRACK_KINDS:
            parser.add_argument(
                "--track",
                metavar="ID",
                help="the track (default: its sticking point's or round's, else the "
                "only or first track)",
            )
        elif editing:
            parser.set_defaults(track=None)
        if kind in CITING_KINDS:
            add_source_options(parser, unsourced=kind in SOURCED_KINDS)
        if kind == "track" and not editing:
            for option, role in (("--new-party", "party"), ("--new-mediator", "mediator")):
                parser.add_argument(
                    option,
                    metavar="'NAME, KIND'",
                    action="append",
                    help=f"an actor not stored yet taking part as {role}, made with the "
                    "track (one undo takes back both); repeat or use ;",
                )
        if not editing and kind in ("position", "event"):
            add_corroborate_option(parser)
        parser.add_argument(
            "--json",
            metavar="FILE",
            help="an object of field values (- for standard input); options override it",
        )

    return populate


def _edit_example(kind: str) -> str:
    examples = {
        "round": 'parley edit round doha-round-2024-08 --end 2024-08-16 --outcome "Adjourned."',
        "point": "parley edit point philadelphi-corridor --priority high",
        "position": "parley edit position hamas-philadelphi-corridor-2024-08-25 --gist 'No troops'",
        "track": "parley edit track gaza-ceasefire-hostage-talks --mediator egypt --mediator qatar",
        "actor": 'parley edit actor hamas --aliases "Islamic Resistance Movement"',
        "source": "parley edit source xinhua-2024-08-21-blinken-tour --source-kind 'state media'",
    }
    return examples.get(kind, f"parley edit {kind} ID --json changes.json")


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of changes (0 or more)")
    return value


def _revision(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"{text!r} is not a revision (a whole number)")
    return int(text)

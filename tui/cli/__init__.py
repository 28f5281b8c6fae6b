"""The ``parley`` command: the dashboard, and subcommands for the store.

The subcommands that edit the store record by record (``add``, ``edit``,
``set-status``, ``position``, ``undo``, ``redo``) and those that read it so
(``list``, ``history``) are in ``tui.cli.edits``.

Every failure prints one line on standard error, never a traceback: exit
status 1 for a problem with the input (a bad store, a bad import file, an
unknown track), 2 for a mistake in the command line itself.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import ipaddress
import os
import re
import shlex
import sys
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

if TYPE_CHECKING:
    from store import Preread, Repository
    from store.reading.kept_desk import KeptDesk
    from tui.serve.accounts import Accounts

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Imports bigger than this show a progress bar on standard error.
PROGRESS_THRESHOLD = 2000
BRIEF_FORMATS = ("text", "markdown", "html")
ALL_HELP = "list every problem (default: the first 50, then a count of the rest by kind)"

EPILOG = """\
examples:
  parley                       open the dashboard on data/parley.json
  parley --db talks.json       open another store
  parley seed                  fill an empty store with the seed data
  parley check                 list every problem with the store, and every quote
                               no longer what its source says
  parley capture report.html   keep an article as a source, to quote from
  parley repair --apply        set a damaged end of the journal aside
  parley brief --since 2024-08-19
                               where the talks stand, and what changed since
  parley export -o talks-export.json
                               the whole store, history included, as JSON
  parley import talks-export.json --dry-run
                               what an import would add or change
  parley serve                 the dashboard in a browser: open the URL it prints
  parley list point            the sticking points, by id
  parley show point philadelphi-corridor --json
                               one record and its revision, for a script's edit
  parley set-status philadelphi-corridor deadlocked --date 2024-08-25 --source ID
                               a sticking point's status as of a date, sourced
  parley position --point philadelphi-corridor --actor hamas --date 2024-08-25 \\
      --firmness red-line --stance "..." --source ID
                               a party's new stance on a sticking point
  parley add round --title "Cairo round" --start 2024-08-24 ...
                               any kind of record (parley add KIND --help)
  parley --user amal edit point philadelphi-corridor --priority high --revision 57
                               an edit recorded as by amal, refused if the point has
                               changed since revision 57
  parley undo                  undo the last change, saying what it was
  parley history --limit 5     the latest changes
  parley sync --init /srv/desk.git
                               sync this store through a git repository, then
  parley sync                  send the changes made here, take in the others'
"""


class Collector:
    """Holds off Python's cyclic garbage collector while the dashboard starts.

    Start-up builds a few hundred thousand containers (the models' classes, the
    parsed store, the widgets) and frees almost none, yet each full collection
    walks every one of them: left on, the collector adds about a third to the time
    before the first screen. Once it is up, what was built mostly stays for the
    session, so it is frozen (left out of later collections): the full collections
    that moving between views sets off every second or two then take half as long.
    """

    def __init__(self) -> None:
        self.paused = False
        self.held = False

    def pause(self) -> None:
        if gc.isenabled():
            gc.disable()
            self.paused = True

    def resume(self, freeze: bool = False) -> None:
        if self.paused:
            self.paused = False
            if freeze:
                gc.freeze()
            gc.enable()

    def dialog(self, open_: bool) -> None:
        """Held off while a dialog is over the dashboard; collected once it is back.

        Closing a form leaves its widgets behind as garbage in cycles, thousands of
        objects, which only a full collection frees. Left to itself the collector
        starts one every form or two, as often as not while the save that closed
        the form is drawing its result: on a store of 100,000 records that adds
        20 to 30 ms (more on a busy machine) to every other save. Held, it
        collects once the result is on screen.
        """
        if open_:
            if gc.isenabled() and not self.paused:
                gc.disable()
                self.held = True
        elif self.held:
            self.held = False
            gc.enable()
            gc.collect()


COLLECTOR = Collector()


class ReadAhead(threading.Thread):
    """The store's snapshot, read while the interpreter imports the rest of Parley.

    Reading a large snapshot takes a good part of a tenth of a second, all of it
    outside the interpreter lock; the store uses the bytes only after checking,
    under its lock, that the file is still its snapshot.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(name="read ahead", daemon=True)
        self.path = path
        self.found: Preread | None = None

    def run(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return
        try:
            # Taken before reading, so that a write in place during or after the
            # read shows as a later mtime than the store finds.
            mtime_ns = os.fstat(fd).st_mtime_ns
            with open(fd, "rb", closefd=False) as fh:
                self.found = (fd, fh.read(), mtime_ns)
        except OSError:
            os.close(fd)

    def take(self) -> Preread | None:
        """The descriptor, the bytes and the mtime before the read, once; whoever
        takes them closes the descriptor."""
        self.join()
        found, self.found = self.found, None
        return found

    def discard(self) -> None:
        found = self.take()
        if found is not None:
            os.close(found[0])


class Failure(Exception):
    """A problem with the user's input: printed as one line, exit status 1."""


class UsageError(Failure):
    """A mistake in the command line: printed as one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse, with its errors on one line (usage is one ``--help`` away)."""

    def error(self, message: str) -> NoReturn:
        message = " ".join(message.split())
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def default_db() -> Path:
    """data/parley.json when run from a checkout of Parley; once installed, the user's
    data folder ($XDG_DATA_HOME/parley, ~/.local/share/parley by default)."""
    if (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "data").is_dir():
        return PROJECT_ROOT / "data" / "parley.json"
    from tui.config import data_dir

    return data_dir() / "parley.json"


def db_path(args: argparse.Namespace) -> Path:
    store = args.settings.config.store
    return Path(args.db or os.environ.get("PARLEY_DB") or store or default_db())


def iso_date(text: str) -> date:
    """An ISO date (YYYY-MM-DD); argparse names the option in the error."""
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def brief_sections(text: str) -> tuple[str, ...]:
    """Names of the brief's sections, comma-separated; argparse names the option."""
    from store.reading.brief import parse_sections

    try:
        return parse_sections(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def port_number(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (1-65535)")
    return port


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: an address only this machine can reach."""
    bare = host.strip().removeprefix("[").removesuffix("]")
    if bare.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False


def one_line(text: str) -> str:
    """A message fit for one terminal line: line breaks and control characters escaped."""
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


# A list of problems prints this many, then how many more there are of each kind.
PROBLEM_LINES = 50
PROBLEM_KINDS = 6
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_NUMBER = re.compile(r"\d+")


def print_problems(problems: Sequence[object], show_all: bool, file: TextIO) -> None:
    """Problems one a line: every one with ``show_all``, else the first PROBLEM_LINES and
    then the rest counted by kind, so that a file with 200,000 bad entries still gives a
    screenful. A problem's kind is its field and reason (or its text) with the values in
    it (quoted names, numbers) left out: "undoes: undoes change N, which is not ..."."""
    shown = problems if show_all else problems[:PROBLEM_LINES]
    for problem in shown:
        print(one_line(str(problem)), file=file)
    rest = problems[len(shown) :]
    if not rest:
        return
    kinds: Counter[str] = Counter()
    for problem in rest:
        reason = getattr(problem, "reason", None)
        text = f"{getattr(problem, 'field', '')}: {reason}" if reason else str(problem)
        kinds[_NUMBER.sub("N", _QUOTED.sub("'…'", one_line(text))).lstrip(": ")] += 1
    print(f"and {len(rest):,} more (--all lists every one):", file=file)
    for kind, count in kinds.most_common(PROBLEM_KINDS):
        print(f"  {count:,} × {kind}", file=file)
    if len(kinds) > PROBLEM_KINDS:
        others = sum(count for _, count in kinds.most_common()[PROBLEM_KINDS:])
        print(f"  {others:,} of {len(kinds) - PROBLEM_KINDS:,} other kinds", file=file)


def write_output(path: str, text: str) -> None:
    from store.files.atomic import write_atomic

    try:
        write_atomic(Path(path), text)
    except OSError as exc:
        raise Failure(f"cannot write {path}: {exc.strerror or exc}") from None


def write_stdout(text: str, what: str) -> None:
    """Write ``text`` to standard output and flush it, checked: a full disk or a device
    that takes nothing is one line and exit 1, never a partial file said to be whole.
    (A reader gone away, a broken pipe, is left to stop the command quietly.)"""
    try:
        try:
            fd = sys.stdout.fileno()
        except (OSError, ValueError):
            fd = -1
        if fd < 0:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            # Each write's count checked, by the descriptor itself: Python's buffered
            # stdout takes a short write on a nearly full disk without a word.
            sys.stdout.flush()
            view = memoryview(text.encode("utf-8"))
            while view:
                written = os.write(fd, view)
                if written <= 0:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                view = view[written:]
    except BrokenPipeError:
        raise
    except OSError as exc:
        # What could not be written must not be tried again at exit, which would print a
        # second complaint and exit 120.
        devnull = os.open(os.devnull, os.O_WRONLY)
        with contextlib.suppress(OSError, ValueError):
            os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
        reason = (exc.strerror or str(exc) or "failed").lower()
        raise Failure(
            f"cannot write {what} to standard output: {reason}; it is not whole"
        ) from None


# -- commands --------------------------------------------------------------------


def kept_desk(args: argparse.Namespace, path: Path) -> KeptDesk | None:
    """The desk the last session kept, if Parley opens on it and the store is as then."""
    from store import system_clock
    from store.reading.kept_desk import kept

    config = args.settings.config
    if config.start == "track":
        return None
    found = kept(path, system_clock().date())
    return found if found is not None and config.opens_on_desk(len(found.tracks)) else None


def cmd_dashboard(args: argparse.Namespace, repo: Repository) -> int:
    from store.exchange.seed import seed
    from store.reading.kept_desk import keep
    from tui import config
    from tui.app import ParleyApp

    if args.kept is None:
        # A kept desk is of a store with tracks: nothing to seed.
        seed(repo)
    settings = args.settings
    if settings.config.keymap:
        # Read again, now that the app's keys are known: a keymap entry must name one.
        settings = config.load(settings.path, scopes=config.key_scopes())
    for problem in settings.problems:
        print(f"parley: {one_line(problem)}", file=sys.stderr)

    def remember(theme: str) -> None:
        failed = config.remember_theme(settings.path, theme)
        if failed:
            app.notify(failed, severity="warning")

    def visited(track_id: str, day: date) -> None:
        failed = config.remember_visit(settings.path, track_id, day)
        if failed:
            app.notify(failed, severity="warning")

    app = ParleyApp(
        repo,
        config=settings.config,
        on_theme=remember,
        on_visit=visited,
        notices=settings.problems,
        on_shown=lambda: COLLECTOR.resume(freeze=True),
        on_dialog=COLLECTOR.dialog,
        # The views built behind the first screen stay for the session as well; left
        # in the collector's reach, every full collection walks their records again,
        # and one landing on a key press delays its screen by a tenth of a second.
        on_views_built=gc.freeze,
        kept=args.kept,
    )
    app.run()
    if app.open_failed is not None:
        raise app.open_failed
    # Textual ends the app on a failure it could not survive: say so in the status.
    if app.return_code:
        return app.return_code
    if repo.is_open and settings.config.opens_on_desk(len(repo.tracks())):
        # Folded in now, not on closing: the desk is kept for the snapshot left.
        repo.settle()
        keep(repo)
    return 0


def cmd_seed(args: argparse.Namespace, repo: Repository) -> int:
    from store.exchange.seed import seed, seed_again, seed_undone

    added = seed(repo)
    if added:
        print(f"seeded {repo.path} with {added} records")
    elif seed_undone(repo):
        # Its adding was undone and other writes came after, so redo cannot bring it
        # back: asked at a terminal, done when run from a script.
        if sys.stdin.isatty() and not _yes("The seed was undone. Seed again? [y/N] "):
            print("nothing added")
            return 0
        added = seed_again(repo)
        print(f"the seed was undone; seeded {repo.path} again with {added} records")
    else:
        print(f"{repo.path} already holds records; nothing added")
    return 0


def _yes(question: str) -> bool:
    try:
        return input(question).strip().casefold() in ("y", "yes")
    except EOFError:
        return False


def cmd_config(args: argparse.Namespace, path: Path) -> int:
    """Runs without the store: the settings say which store, and need not open it."""
    from tui import config

    if args.what == "path":
        print(args.settings.path)
        return 0
    scopes = config.key_scopes()
    settings = config.load(args.settings.path, scopes=scopes)
    for problem in settings.problems:
        print(f"parley: {one_line(problem)}", file=sys.stderr)
    sys.stdout.write(config.show(settings, path, config.default_keys(scopes)))
    return 0


def cmd_check(args: argparse.Namespace, repo: Repository) -> int:
    from store.reading.quotes import quote_problems

    problems: list[object] = [*repo.problems()]
    if not problems:
        # Quotes are read from valid records only.
        problems += quote_problems(repo)
    print_problems(problems, args.all, sys.stdout)
    if problems:
        print(f"{len(problems)} problem(s) in {repo.path}", file=sys.stderr)
        return 1
    print(f"{repo.path}: {repo.count()} records, no problems")
    return 0


def cmd_repair(args: argparse.Namespace, path: Path) -> int:
    """Runs on the files, not through an open store: the store may not open."""
    from store.files.repair import repair_journal

    found = repair_journal(path, apply=args.apply)
    if not found.needed:
        print(f"{found.journal}: every entry is valid; nothing to repair")
        return 0
    assert found.damaged is not None and found.first_bad is not None
    first, last = found.first_bad, found.first_bad + found.set_aside - 1
    print(f"{found.journal} line {first}: {one_line(found.reason)}")
    kept = f"{found.kept} {'entry' if found.kept == 1 else 'entries'}"
    lines = f"line {first}" if first == last else f"lines {first} to {last}"
    if found.applied:
        print(f"kept {kept}; set aside {lines} in {found.damaged}")
    else:
        print(
            f"would keep {kept} and set aside {lines} in {found.damaged}; "
            "nothing was changed (add --apply to do it)"
        )
    return 0


def cmd_brief(args: argparse.Namespace, repo: Repository) -> int:
    from rich.console import Console

    from store.reading.brief import NEEDS_SINCE, build_brief
    from tui.brief import desk_text, render, render_text

    if args.all:
        if args.track or args.since or args.sections or args.format != "text":
            raise UsageError("--all gives the desk as text: no --track, --since, --sections")
        return _brief_out(args, desk_text(repo, args.as_of), "the desk")
    if args.since and args.as_of and args.since > args.as_of:
        raise UsageError(f"--since {args.since} is after --as-of {args.as_of}")
    needs = [s for s in args.sections or () if s in NEEDS_SINCE]
    if needs and not args.since:
        raise UsageError(f"--sections {needs[0]} needs --since DATE")
    brief = build_brief(
        repo, args.track, as_of=args.as_of, since=args.since, sections=args.sections
    )
    tracks = repo.tracks()
    if not args.track and len(tracks) > 1:
        print(
            f"parley: the store holds {len(tracks)} tracks; this brief is on "
            f"{brief.track_id!r} (choose with --track ID)",
            file=sys.stderr,
        )
    width = 100
    if args.format == "text" and not args.output and sys.stdout.isatty():
        if not os.environ.get("NO_COLOR"):
            render_text(brief, Console(markup=False, highlight=False, emoji=False))
            return 0
        width = os.get_terminal_size().columns
    # Plain text when written to a file or a pipe, or when NO_COLOR asks for it.
    text = render(brief, args.format, width)
    return _brief_out(args, text, f"the {args.format} brief on {brief.track_id!r}")


def _brief_out(args: argparse.Namespace, text: str, what: str) -> int:
    """The brief to ``--output`` (saying so), else to standard output."""
    if args.output:
        write_output(args.output, text)
        print(f"wrote {what} to {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_export(args: argparse.Namespace, repo: Repository) -> int:
    from store.exchange.export import dump_export, export_csv, export_document

    if args.format == "csv":
        if not args.output or args.output == "-":
            raise UsageError("--format csv writes one file per kind: give a folder with -o FOLDER")
        written = export_csv(repo, Path(args.output))
        print(f"exported {repo.count()} records to {len(written)} CSV files in {args.output}")
        return 0
    document = export_document(repo)
    text = dump_export(document)
    if args.output and args.output != "-":
        write_output(args.output, text)
        changes = len(document["changes"])
        print(f"exported {repo.count()} records and {changes} changes to {args.output}")
    else:
        write_stdout(text, "the export")
    return 0


class ImportProgress:
    """A rich progress bar on standard error, shown only for imports of many records."""

    def __init__(self, threshold: int = PROGRESS_THRESHOLD) -> None:
        self.threshold = threshold
        self.progress: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if total <= self.threshold:
            return
        if self.progress is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("checking records", total=total)
        finished = done >= total
        self.progress.update(
            self.task,
            completed=done,
            description="writing" if finished else "checking records",
        )

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def cmd_import(args: argparse.Namespace, repo: Repository) -> int:
    from store.exchange.importing import import_path

    path = Path(args.file)
    if args.file != "-" and not path.exists():
        raise Failure(f"{path}: no such file or folder")
    progress = ImportProgress()
    try:
        report = import_path(
            repo, path, dry_run=args.dry_run, progress=progress, manifest=not args.hand_edited
        )
    finally:
        progress.close()
    if report.problems:
        print_problems(report.problems, args.all, sys.stderr)
        count = len(report.problems)
        raise Failure(f"{count} problem(s) in {args.file}; nothing was imported")
    if args.dry_run:
        for line in report.lines():
            print(line)
        print(f"dry run of {args.file}: {report.summary()}; nothing was written")
    else:
        print(f"imported {args.file} into {repo.path}: {report.summary()}")
    return 0


def check_serve(args: argparse.Namespace) -> None:
    """Refuse an address other machines can reach unless --allow-remote says so."""
    host = args.host.strip()
    if not is_loopback(host) and not args.allow_remote:
        raise UsageError(
            f"refusing to serve on {host}: it is not a loopback address, so other machines "
            "could read and change the store; add --allow-remote if that is what you want"
        )
    bare = host.removeprefix("[").removesuffix("]")
    with contextlib.suppress(ValueError):
        if ipaddress.ip_address(bare).is_unspecified and not args.public_host:
            raise UsageError(
                f"--host {host} listens on every address: give --public-host, the name "
                "browsers reach this machine by (the server answers to that name only)"
            )


def serve_accounts(args: argparse.Namespace) -> tuple[Accounts, str | None]:
    """Who may sign in, and the token to print (None when each user has their own)."""
    from store.records.repository import default_author
    from tui.serve.accounts import (
        Account,
        AccountError,
        Accounts,
        checked_token,
        generated_token,
        parse_user,
        read_users,
    )

    try:
        if args.user or args.users:
            if args.token:
                raise UsageError(
                    "--token is for one user; with --user or --users each has their own"
                )
            given = [parse_user(text) for text in args.user]
            if args.users:
                given += read_users(Path(args.users))
            return Accounts(given), None
        token = args.token or os.environ.get("PARLEY_TOKEN")
        if token:
            checked_token(token, "--token" if args.token else "PARLEY_TOKEN")
        else:
            token = generated_token()
        # The shared token's sessions write as the server's own author: its
        # PARLEY_USER, else its login.
        return Accounts([Account(default_author() or "unknown", token)]), token
    except AccountError as exc:
        raise UsageError(str(exc)) from None


def duration(text: str) -> float:
    """Seconds, or a number with s, m or h: ``90``, ``30m``, ``2h``; 0 for never."""
    units = {"s": 1, "m": 60, "h": 3600}
    number, unit = (text[:-1], text[-1]) if text[-1:] in units else (text, "s")
    try:
        seconds = float(number) * units[unit]
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration (e.g. 900, 30m, 2h, 0)")
    return seconds


def said_duration(seconds: float) -> str:
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number above 0")
    return int(text)


def cmd_serve(args: argparse.Namespace, repo: Repository) -> int:
    from tui.serve.server import LockedServer

    check_serve(args)
    host = args.host.strip()
    accounts, token = serve_accounts(args)
    # Read once: the sessions' processes have no use for it.
    os.environ.pop("PARLEY_TOKEN", None)

    bare = host.removeprefix("[").removesuffix("]")
    public = (args.public_host or "").strip().removeprefix("[").removesuffix("]") or bare
    store = Path(repo.path).resolve()
    # Each browser session runs its own app process on this store; the store's journal
    # and lock keep concurrent writers safe.
    command = f"{shlex.quote(sys.executable)} -m tui.cli --db {shlex.quote(str(store))}"
    # The sessions start in whatever folder this was run from: make sure they find Parley.
    paths = [str(PROJECT_ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    if not is_loopback(host):
        print(
            f"parley: serving on {host}: anyone who can reach port {args.port} and holds "
            f"a token can change {store}",
            file=sys.stderr,
        )
    server = LockedServer(
        command,
        host=bare,
        port=args.port,
        public_host=public,
        accounts=accounts,
        max_sessions=args.max_sessions,
        idle_timeout=args.idle_timeout,
    )
    idle = said_duration(args.idle_timeout) if args.idle_timeout else "never"
    server.banner = [
        f"Parley is serving {store} to at most {args.max_sessions} session(s) "
        f"(idle sessions end after: {idle})",
        f"Open {server.sign_in_url(token)}"
        if token
        else f"Sign in at {server.sign_in_url('TOKEN')} with each user's token "
        f"(users: {', '.join(accounts.names)})",
        "Press Ctrl+C to stop.",
    ]
    try:
        server.serve()
    except OSError as exc:
        raise Failure(f"cannot serve on {host} port {args.port}: {exc.strerror or exc}") from None
    return 0


Command = Callable[[argparse.Namespace, "Repository"], int]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="parley",
        description="Follow ceasefire and peace negotiations from the terminal.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="the store file (default: $PARLEY_DB, else the config's store, else "
        "data/parley.json in a checkout, ~/.local/share/parley/parley.json once installed)",
    )
    parser.add_argument(
        "--shared-group",
        action="store_true",
        help="make the store's files readable and writable by their group too (0660, not "
        "0600), and open a store its group can write (also: shared_group in the settings, "
        "or PARLEY_SHARED_GROUP=1)",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="who the changes are recorded as by (default: $PARLEY_USER, else your login)",
    )
    parser.set_defaults(func=cmd_dashboard)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)

    def add(name: str, func: Command | None, help: str, example: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help,
            description=help,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if func is not None:
            p.set_defaults(func=func)
        return p

    p = add(
        "config",
        None,
        "where the settings file is, and the settings in force (store, theme, keys)",
        "parley config show",
    )
    p.add_argument(
        "what",
        choices=("path", "show"),
        help="path: the file's path; show: every setting, and every key by its binding id",
    )
    p.set_defaults(func=None, on_files=cmd_config)

    add("seed", cmd_seed, "fill an empty store with the seed data", "parley --db talks.json seed")
    p = add("check", cmd_check, "validate a store and list every problem", "parley check")
    p.add_argument("--all", action="store_true", help=ALL_HELP)
    # Check only reads: it never folds the journal into the snapshot, so a damaged
    # store is left exactly as it was found.
    p.set_defaults(read_only=True)

    p = add(
        "repair",
        None,
        "set aside a damaged end of the journal, keeping every valid entry before it",
        "parley repair            say what it would keep and set aside\n"
        "  parley repair --apply    do it: the damaged lines go to a dated .damaged file",
    )
    p.add_argument(
        "--apply",
        action="store_true",
        help="do it (without it, a dry run that only says what it would do)",
    )
    p.set_defaults(func=None, on_files=cmd_repair)

    p = add(
        "brief",
        cmd_brief,
        "a briefing on one track: where talks stand, sticking points, proposals, sources",
        "parley brief --since 2024-08-19 --format html -o brief.html",
    )
    p.add_argument("--track", metavar="ID", help="the track (default: the only or first one)")
    p.add_argument(
        "--all",
        action="store_true",
        help="every track, a few lines each: its trend and why, latest news, points, rounds",
    )
    p.add_argument("--as-of", metavar="DATE", type=iso_date, help="the talks as they stood on DATE")
    p.add_argument(
        "--since", metavar="DATE", type=iso_date, help="also list what changed on or after DATE"
    )
    p.add_argument(
        "--format",
        choices=BRIEF_FORMATS,
        default="text",
        help="text for the terminal (default), Markdown, or one self-contained HTML file",
    )
    p.add_argument(
        "--sections",
        metavar="NAMES",
        type=brief_sections,
        help="only these sections, comma-separated: standing, points, proposals, since, "
        "recorded (these two with --since), events, assessments (default: all)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of the screen")

    p = add(
        "export",
        cmd_export,
        "write the whole store, history included, as JSON or as CSV files",
        "parley export --format csv -o talks-csv/",
    )
    p.add_argument(
        "--format",
        choices=("json", "csv"),
        default="json",
        help="json: one file (default); csv: one file per kind in a folder",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="the JSON file (default: standard output) or the CSV folder (required)",
    )

    p = add(
        "import",
        cmd_import,
        "add or update records from an export, all or nothing",
        "parley import talks-export.json --dry-run",
    )
    p.add_argument(
        "file", metavar="FILE", help="a JSON export, a folder of CSV files, or - for stdin"
    )
    p.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    p.add_argument("--all", action="store_true", help=ALL_HELP)
    p.add_argument(
        "--hand-edited",
        action="store_true",
        help="a CSV folder whose files were changed by hand since the export: taken without "
        "its manifest's check (a file missing, cut short or from another export is then not "
        "caught; every row is still checked)",
    )

    p = add(
        "serve",
        cmd_serve,
        "serve the dashboard to a web browser (each tab runs its own session)",
        "parley serve --port 8080",
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1)"
    )
    p.add_argument(
        "--port", type=port_number, default=8000, help="the port to listen on (default: 8000)"
    )
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other machines can reach; they can then change the store",
    )
    p.add_argument(
        "--public-host",
        metavar="NAME",
        help="the name browsers reach the server by, if not --host (the only Host accepted)",
    )
    p.add_argument(
        "--token",
        help="the token to sign in with (default: $PARLEY_TOKEN, else a random one)",
    )
    p.add_argument(
        "--user",
        metavar="NAME:TOKEN",
        action="append",
        default=[],
        help="a user who signs in with TOKEN and records changes as NAME (repeatable)",
    )
    p.add_argument("--users", metavar="FILE", help="users from FILE, one 'name token' a line")
    p.add_argument(
        "--max-sessions",
        type=positive,
        default=8,
        metavar="N",
        help="at most N sessions at once; past it a page says so (default: 8)",
    )
    p.add_argument(
        "--idle-timeout",
        type=duration,
        default=1800.0,
        metavar="TIME",
        help="end a session nobody has used for TIME: 900, 30m, 2h, 0 for never (default: 30m)",
    )
    p.set_defaults(precheck=check_serve)

    from tui.cli import capture, edits, sync

    edits.register(add)
    capture.register(add)
    sync.register(add)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from tui.config import load

    args.settings = load()
    if args.func is not cmd_dashboard and getattr(args, "on_files", None) is not cmd_config:
        # The dashboard shows them itself, once its keys are known; so does config show.
        for problem in args.settings.problems:
            print(f"parley: {one_line(problem)}", file=sys.stderr)
    from store.files.access import share_with_group

    shared = args.shared_group or args.settings.config.shared_group
    if shared or os.environ.get("PARLEY_SHARED_GROUP") == "1":
        # Inherited by the processes this starts (the sessions of parley serve).
        os.environ["PARLEY_SHARED_GROUP"] = "1"
        shared = True
    share_with_group(shared)
    path = db_path(args)
    ahead = ReadAhead(path)
    ahead.start()
    if args.func is cmd_dashboard:
        COLLECTOR.pause()
    try:
        return _run(args, path, ahead)
    finally:
        ahead.discard()
        COLLECTOR.resume()


def _run(args: argparse.Namespace, path: Path, ahead: ReadAhead) -> int:
    # Imported here, not at the top: the import runs while the snapshot is read, and
    # with the collector paused.
    from store import StoreError, open_store

    try:
        precheck = getattr(args, "precheck", None)
        if precheck is not None:
            precheck(args)
        on_files = getattr(args, "on_files", None)
        if on_files is not None:
            return int(on_files(args, path))
        read_only = getattr(args, "read_only", False)
        # Opening on a desk kept from the last session, the store is read once it is drawn.
        args.kept = kept_desk(args, path) if args.func is cmd_dashboard else None
        with open_store(
            path,
            preread=ahead.take(),
            author=args.user,
            read_only=read_only,
            defer=args.kept is not None,
        ) as repo:
            return int(args.func(args, repo))
    except UsageError as exc:
        print(f"parley: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except (StoreError, Failure) as exc:
        print(f"parley: {one_line(str(exc))}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`parley brief | head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        return 130


def run() -> None:
    """The console-script entry point."""
    sys.exit(main())

"""The ``parley`` command: the dashboard, and subcommands for the store."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from store import Repository, StoreError, open_store
from store.seed import seed

DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "parley.json"

EPILOG = """\
examples:
  parley                       open the dashboard on data/parley.json
  parley --db talks.json       open another store
  parley seed                  fill an empty store with the seed data
  parley check                 list every problem with the store
"""


class Failure(Exception):
    """A problem with the user's input: printed as one line, exit status 1."""


def db_path(args: argparse.Namespace) -> Path:
    return Path(args.db or os.environ.get("PARLEY_DB") or DEFAULT_DB)


def cmd_dashboard(args: argparse.Namespace, repo: Repository) -> int:
    from tui.app import ParleyApp

    seed(repo)
    ParleyApp(repo).run()
    return 0


def cmd_seed(args: argparse.Namespace, repo: Repository) -> int:
    added = seed(repo)
    if added:
        print(f"seeded {repo.path} with {added} records")
    else:
        print(f"{repo.path} already holds records; nothing added")
    return 0


def cmd_check(args: argparse.Namespace, repo: Repository) -> int:
    problems = repo.problems()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {repo.path}", file=sys.stderr)
        return 1
    print(f"{repo.path}: {repo.count()} records, no problems")
    return 0


Command = Callable[[argparse.Namespace, Repository], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parley",
        description="Follow ceasefire and peace negotiations from the terminal.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--db", metavar="PATH", help="the store file (default: $PARLEY_DB, else data/parley.json)"
    )
    parser.set_defaults(func=cmd_dashboard)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def add(name: str, func: Command, help: str, example: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help,
            description=help,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(func=func)
        return p

    add("seed", cmd_seed, "fill an empty store with the seed data", "parley --db talks.json seed")
    add("check", cmd_check, "validate a store and list every problem", "parley check")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with open_store(db_path(args)) as repo:
            return int(args.func(args, repo))
    except (StoreError, Failure) as exc:
        print(f"parley: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def run() -> None:
    """The console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()

"""Who may open a session of ``parley serve``, and under which name.

Each account is a name and a token. A browser signs in once with its token (in
the URL, as Jupyter does) and is then known by a session cookie; the session's
dashboard runs with ``PARLEY_USER`` set to the account's name, so the store
records that name as the author of each change.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Long enough that guessing one over the network is hopeless: a generated token
# is 43 characters.
TOKEN_MIN = 16
# A name goes into the environment and the store: letters, digits and a few marks.
NAME = re.compile(r"[\w.@+-]+")
# Printable ASCII without spaces, so a token survives a URL, a shell and a users file.
TOKEN = re.compile(r"[!-~]+")
TOKEN_ADVICE = "python3 -c 'import secrets; print(secrets.token_urlsafe())' makes one"


class AccountError(ValueError):
    """A bad account: the message is one line naming where it came from."""


@dataclass(frozen=True)
class Account:
    name: str
    token: str


def generated_token() -> str:
    return secrets.token_urlsafe(32)


def account(name: str, token: str, where: str) -> Account:
    """An account, checked; ``where`` says in the error where it was given."""
    if not NAME.fullmatch(name):
        raise AccountError(
            f"{where}: the name {name!r} should be letters, digits and . _ @ + - only"
        )
    return Account(name, checked_token(token, where))


def checked_token(token: str, where: str) -> str:
    if not TOKEN.fullmatch(token):
        raise AccountError(f"{where}: the token has a space or a character outside ASCII")
    if len(token) < TOKEN_MIN:
        raise AccountError(
            f"{where}: the token is {len(token)} characters; it needs at least "
            f"{TOKEN_MIN} ({TOKEN_ADVICE})"
        )
    return token


def parse_user(text: str) -> Account:
    """``NAME:TOKEN``, as ``--user`` takes it."""
    name, colon, token = text.partition(":")
    if not colon or not name or not token:
        raise AccountError(f"--user {name or text}: expected NAME:TOKEN")
    return account(name, token, f"--user {name}")


def read_users(path: Path) -> list[Account]:
    """One ``name token`` a line; blank lines and lines starting with ``#`` are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise AccountError(f"--users {path}: cannot read it: {reason}") from None
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if len(words) != 2:
            raise AccountError(f"{path} line {number}: expected a name and a token")
        found.append(account(words[0], words[1], f"{path} line {number}"))
    if not found:
        raise AccountError(f"--users {path}: no users in it")
    return found


class Accounts:
    """The accounts a server signs in, with a session cookie for each."""

    def __init__(self, accounts: Iterable[Account]) -> None:
        self.accounts = list(accounts)
        if not self.accounts:
            raise AccountError("no accounts to sign in")
        names: set[str] = set()
        tokens: set[str] = set()
        for one in self.accounts:
            if one.name in names:
                raise AccountError(f"the user {one.name} is given twice; give each one token")
            if one.token in tokens:
                raise AccountError(f"the user {one.name} has another user's token")
            names.add(one.name)
            tokens.add(one.token)
        # Made afresh at each start, so a cookie from an earlier run signs nobody in.
        self.cookies = {one.name: secrets.token_urlsafe(32) for one in self.accounts}

    @property
    def names(self) -> list[str]:
        return [one.name for one in self.accounts]

    def by_token(self, token: str) -> str | None:
        """The name whose token this is, compared in constant time, or None."""
        return self._match(token, ((one.name, one.token) for one in self.accounts))

    def by_cookie(self, cookie: str) -> str | None:
        return self._match(cookie, self.cookies.items())

    @staticmethod
    def _match(given: str, pairs: Iterable[tuple[str, str]]) -> str | None:
        found = None
        for name, secret in pairs:
            # Every secret is compared, so the time taken says nothing of which matched.
            if hmac.compare_digest(given.encode(), secret.encode()):
                found = name
        return found

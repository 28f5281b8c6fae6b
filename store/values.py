"""The values records are made of: text bounded in length and free of control characters
(so that no record carries a terminal escape sequence into the dashboard), one-line
text, titles, slugs, ISO dates."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, StringConstraints

from .limits import LINE_CHARS, TEXT_CHARS


def text_hash(text: str) -> str:
    """The SHA-256 of the text's UTF-8 bytes, as a source keeps it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# C0 controls but tab and newline, DEL, C1 controls, and lone surrogates.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def no_control(value: str) -> str:
    found = _CONTROL_RE.search(value)
    if found:
        raise ValueError(f"contains a control character (U+{ord(found.group()):04X}); remove it")
    return value


def _one_line(value: str) -> str:
    if "\n" in value or "\t" in value:
        raise ValueError("must be a single line")
    return value


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


def _slug(value: str) -> str:
    if not SLUG_RE.match(value):
        raise ValueError(
            f"{value!r} is not a valid id: use lower-case letters, digits and single hyphens"
        )
    return value


def _iso_date(value: Any) -> Any:
    # pydantic's lax mode would take Unix timestamps and datetimes; a date is a date.
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a real date") from None
    raise ValueError(f"{value!r} is not an ISO date (YYYY-MM-DD)")


ISODate = Annotated[dt.date, BeforeValidator(_iso_date)]
# Long free text (descriptions, stances, outcomes): may span lines.
Text = Annotated[str, StringConstraints(max_length=TEXT_CHARS), AfterValidator(no_control)]
# Short text that names something: one line, may be empty.
Line = Annotated[
    str,
    StringConstraints(max_length=LINE_CHARS),
    AfterValidator(no_control),
    AfterValidator(_one_line),
]
# A title or name: one line, not empty.
Title = Annotated[
    str,
    StringConstraints(max_length=LINE_CHARS),
    AfterValidator(no_control),
    AfterValidator(_one_line),
    AfterValidator(_non_empty),
]
# Stance texts, gists and event texts: not empty, may span lines.
Body = Annotated[
    str,
    StringConstraints(max_length=TEXT_CHARS),
    AfterValidator(no_control),
    AfterValidator(_non_empty),
]
Slug = Annotated[str, StringConstraints(max_length=LINE_CHARS), AfterValidator(_slug)]


def slugify(text: str, max_length: int = 48) -> str:
    """A stable id made from a title: ``Philadelphi Corridor`` -> ``philadelphi-corridor``."""
    # Split words at any punctuation first: NFKD-to-ASCII drops dashes like "–" outright.
    spaced = re.sub(r"[^\w]+", " ", text)
    folded = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug.strip("-") or "record"

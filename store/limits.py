"""How large anything Parley takes in may be, said up front and checked before the work.

Without bounds one oversized value costs every later command: a 200 MB title is
read, parsed and validated by each `list`, `check` and `brief` after it. Each bound
here is far above what a record of a negotiation needs (a long stance runs to a few
thousand characters, a long article to a few hundred thousand), and each is checked
where it is cheapest: a file's size before it is read, a string's length as the
model validates it (pydantic-core, no Python per field), a journal line's size before
it is written. Past a bound the message is one line naming what and the bound, and
nothing is written.

The model limits apply to every text field through the base model and the text types
(``Line``, ``Title``, ``Text``, ``Body`` in ``models.py``), so a field added later is
bounded without a word about it here.
"""

from __future__ import annotations

# A one-line field: a title, a name, an outlet, a gist, a URL, an id.
LINE_CHARS = 1_000
# Any other text: a stance, a description, an outcome, a note, a quotation. The base
# model holds every string to it, whatever its type says.
TEXT_CHARS = 20_000
# An article's text as a source keeps it (`parley capture`).
ARTICLE_CHARS = 2_000_000
# A file given to `parley capture`, before its HTML is reduced to text.
ARTICLE_FILE_BYTES = 10 * 1024 * 1024
# An export taken back in: a JSON file, or all the files of a CSV folder together.
IMPORT_BYTES = 100 * 1024 * 1024
# One line of the journal: one transaction (an import of the largest file is one).
JOURNAL_LINE_BYTES = 4 * IMPORT_BYTES


def said(size: int) -> str:
    """A size in bytes as a person reads it: 100 MB, 10 MB, 1,000 bytes."""
    if size >= 1024 * 1024 and size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024):,} MB"
    return f"{size:,} bytes"


def past(what: str, size: int, limit: int, outcome: str) -> str:
    """One line: ``what`` is ``size`` bytes, past ``limit``, and ``outcome``."""
    return f"{what} is {said(size)}, past the limit of {said(limit)}; {outcome}"

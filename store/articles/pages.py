"""Reading a page as an analyst does: which lines are the page's furniture, and what the
rest says of the source — its outlet, the outlet it relies on, its title, its date.

A saved HTML page goes through trafilatura, the maintained extractor of news pages'
main text and metadata (htmldate finds its date); the plain text it keeps, and any
text pasted or saved as it is, are then read for the shapes wire copy takes:

- datelines ``CAIRO, Aug 25 (Reuters) —``, ``JERUSALEM (AP) —``,
  ``CAIRO, August 26. /TASS/.``;
- syndication lines at either end: ``Source: Xinhua``, ``— Agency``, ``(Agency)``;
- bylines (an author, never the outlet) and desk names ("Web Desk", "Staff");
- "as per X", "citing X": the outlet the article relies on (``via``);
- ``Published`` and ``Updated`` lines in any spacing ("August 26,2024");
- navigation, section words and date lines above the headline, which are not its title.

A date without a year takes the first year that puts it on or after every dated
thing the text mentions, and on or before the capture day; with nothing to go by it
takes the last such day before the capture day, and says it is unsure.
"""

from __future__ import annotations

import re
from datetime import date

from ..kinds import SourceKind
from .article import _CALENDAR, _MONTH, DATELINES, Article, _month_number, parse_calendar

# Wire agencies owned by a state: their copy is state media.
STATE_AGENCIES = {
    "tass",
    "xinhua",
    "xinhua news agency",
    "ria novosti",
    "irna",
    "wafa",
    "mena",
    "sana",
    "kcna",
    "spa",
    "qna",
    "wam",
    "anadolu",
    "anadolu agency",
}
# Names of a newsroom's desks, printed where a byline goes: never an outlet.
DESKS = re.compile(
    r"^(?:web|news|online|digital|foreign|world|international)\s+desk$|^(?:staff|agencies|"
    r"news agencies|staff reporter|our correspondent|correspondents?|reuters staff)$",
    re.IGNORECASE,
)
# A page's section and navigation words: a line made only of these is furniture.
SECTION_WORDS = {
    *[
        "home",
        "news",
        "world",
        "international",
        "middle",
        "east",
        "africa",
        "asia",
        "europe",
        "americas",
        "politics",
    ],
    *[
        "business",
        "sport",
        "sports",
        "opinion",
        "live",
        "latest",
        "breaking",
        "region",
        "regional",
        "top",
        "stories",
    ],
    *[
        "contact",
        "us",
        "about",
        "menu",
        "search",
        "subscribe",
        "login",
        "sign",
        "in",
        "video",
        "videos",
        "photos",
        "analysis",
    ],
    *"more trending local national",
    "&",
    "and",
    "the",
}
_WORD = re.compile(r"[A-Za-z][\w'’&.-]*")
_YEARED = re.compile(
    r"(?:\b\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]{2,8}\.?,?\s*\d{4}|"
    r"\b[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?,\s*\d{4}|\b\d{4}-\d{2}-\d{2})"
)
_YEAR = re.compile(r"(?<![\d/-])(?:19|20)\d{2}(?![\d/-])")
# "since October 2023", "in Oct. 2023": a month of a year, which the text has reached.
_MONTH_YEAR = re.compile(rf"(?P<month>{_MONTH})\.?,?\s+(?P<year>(?:19|20)\d{{2}})(?![\d/-])")
_STAMP = re.compile(
    rf"^\s*[*_]*(?P<label>published|updated|posted|last updated|date|dated|issued)[*_]*"
    rf"\s*(?:on)?\s*[:\s]\s*[*_]*(?P<date>{_CALENDAR})",
    re.IGNORECASE | re.MULTILINE,
)
# A line that is only a date: "August 25, 2024", "Cairo, 25 August 2024", "Monday 26
# August 2024 06.10 BST", "Thursday, 29 August 2024 - 07:45".
_WEEKDAY_WORD = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?"
_CLOCK = (
    r"(?:\s*(?:[-–—,|·]\s*)?(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?"
    r"(?:\s*\(?[A-Z]{2,4}(?:[+-]\d{1,2})?\)?)?)?"
)
_PLACE_DATE = re.compile(
    rf"^\s*(?:{_WEEKDAY_WORD}\s*,?\s+|[A-Z][\w .'’-]+,\s*)?(?P<date>{_CALENDAR}){_CLOCK}"
    r"\s*[.,]?\s*$",
    re.MULTILINE | re.I,
)
# An accessibility link printed at a page's top.
_SKIP_LINK = re.compile(r"^skip (?:to|navigation)\b.{0,30}$", re.IGNORECASE)
_BYLINE = re.compile(r"^\s*[*_]*by\s+(?P<who>[^\n*_]{2,80}?)[*_]*\s*$", re.IGNORECASE)
_STATEMENT = re.compile(
    r"^(?:joint\s+)?(?:statement|press release|communiqué|communique)\b(?:\s+(?:by|from|of)\s+"
    r"(?:the\s+)?(?P<who>.+))?",
    re.IGNORECASE,
)
_URL_LINE = re.compile(r"^\s*(?:url|source|link)\s*:\s*(?P<url>https?://\S+)\s*$", re.I | re.M)
# At either end: "Source: Xinhua", "— Harbour Herald", "(Meridian News)".
_SYNDICATED = re.compile(
    r"^\s*(?:source\s*:\s*(?P<source>[^\n/:]{2,60}?)|[-–—]\s*(?P<dash>[A-Z][^\n]{1,50}?)|"
    r"\((?P<paren>[A-Z][^\n()]{1,50})\))\s*\.?\s*$",
    re.IGNORECASE,
)
_CAPITALISED = r"(?:[A-Z][\w'’&.-]*|al-\w+|of|the|and)"
_VIA = re.compile(
    rf"\b(?i:as per|citing|according to)\s+(?P<via>[A-Z][\w'’&.-]*(?:\s+{_CAPITALISED})*)"
)
_MEDIA_WORD = re.compile(
    r"\b(?:news|tv|television|radio|agency|times|post|journal|channel|press|herald|daily|"
    r"network|media|wire|gazette|tribune)\b",
    re.IGNORECASE,
)


def propose(text: str, today: date | None = None) -> Article:
    """The source fields a plain text proposes; the text is kept as it is."""
    today = today or date.today()
    lines = [line.strip() for line in text.splitlines()]
    head = _head(lines)
    outlet, kind, published, unsure = "", None, None, False
    found_date = ""
    for pattern in DATELINES:
        wire = pattern.search(text[:3000])
        if wire is None:
            continue
        agency = wire.groupdict().get("agency")
        if agency:
            outlet = agency.strip()
            kind = _agency_kind(outlet)
        found_date = wire.groupdict().get("date") or ""
        break
    title, statement_by = _title(lines, head)
    if statement_by is not None:
        kind = SourceKind.OFFICIAL_STATEMENT.value
        outlet = outlet or statement_by
    syndicated = _syndicated(lines)
    if syndicated and not outlet:
        outlet = syndicated
        kind = kind or _agency_kind(syndicated, wire=False)
    if not outlet:
        outlet = _byline_outlet(lines[: max(head, 12)]) or _masthead(lines[:head], title)
    stamps = list(_STAMP.finditer(text))
    published_stamp = next((s for s in stamps if s.group("label").lower() != "updated"), None)
    stamp = published_stamp or next(iter(stamps), None)
    if stamp is not None and (published_stamp is not None or not found_date):
        found_date = stamp.group("date")
    if not found_date:
        place_date = _PLACE_DATE.search("\n".join(lines[: head + 3]))
        found_date = place_date.group("date") if place_date else ""
    if found_date:
        published, unsure = date_in(found_date, text, today)
    via = _via(text, outlet)
    url = _URL_LINE.search("\n".join(lines[:12]))
    return Article(
        text=text,
        outlet=outlet,
        title=title,
        published=published,
        url=url.group("url") if url else "",
        source_kind=kind,
        via=via,
        date_unsure=unsure,
    )


def read_html(raw: str, today: date | None = None) -> Article | None:
    """A page's main text and metadata, through trafilatura; None when it finds no text."""
    import trafilatura

    found = trafilatura.bare_extraction(
        raw, with_metadata=True, include_comments=False, include_tables=False
    )
    if found is None:
        return None
    doc = found if isinstance(found, dict) else found.as_dict()
    lines = [" ".join(line.split()) for line in str(doc.get("text") or "").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return None
    # A blank line between blocks: the reader's paragraphs.
    text = "\n\n".join(lines) + "\n"
    proposed = propose(text, today)
    title = str(doc.get("title") or "") or proposed.title
    outlet = str(doc.get("sitename") or "") or _title_suffix(raw, title) or proposed.outlet
    published = proposed.published
    stamp = str(doc.get("date") or "")
    if stamp:
        published = parse_calendar(stamp[:10], today) or published
    return Article(
        text=text,
        outlet=outlet,
        title=title,
        published=published,
        url=str(doc.get("url") or "") or proposed.url,
        source_kind=proposed.source_kind,
        html=True,
        via=proposed.via,
        date_unsure=proposed.date_unsure and not stamp,
    )


# -- the pieces ------------------------------------------------------------------------


def date_in(phrase: str, text: str, today: date) -> tuple[date | None, bool]:
    """The date ``phrase`` names, and whether its year was a guess. A phrase without a
    year takes the first year that puts it on or after the latest date (or year) the
    text mentions, if that day is not after ``today``."""
    if re.search(r"\b\d{4}\b", phrase):
        return parse_calendar(phrase, today), False
    undated = parse_calendar(phrase, today)
    if undated is None:
        return None, True
    floor = _latest_mentioned(text, today)
    if floor is None:
        return undated, True
    for year in (floor.year, floor.year + 1):
        try:
            day = undated.replace(year=year)
        except ValueError:
            continue
        if floor <= day <= today:
            return day, False
    return undated, True


def _latest_mentioned(text: str, today: date) -> date | None:
    days = [parse_calendar(m.group(), today) for m in _YEARED.finditer(text)]
    days += [date(int(y.group()), 1, 1) for y in _YEAR.finditer(text)]
    # A month and its year count from that month's first day, not the year's: after
    # "since October 2023", a yearless "Aug 29" is the next August, not that year's.
    days += [
        date(int(m.group("year")), _month_number(m.group("month")), 1)
        for m in _MONTH_YEAR.finditer(text)
    ]
    known = [d for d in days if d is not None and d <= today]
    return max(known) if known else None


def _agency_kind(name: str, wire: bool = True) -> str | None:
    if name.casefold() in STATE_AGENCIES:
        return SourceKind.STATE_MEDIA.value
    return SourceKind.WIRE.value if wire else None


def is_furniture(line: str) -> bool:
    """A line of navigation, a section's name, a desk's name, a byline or a date line."""
    bare = line.strip().strip("*_#").strip()
    if not bare:
        return True
    if DESKS.match(bare) or _BYLINE.match(bare) or _STAMP.match(bare):
        return True
    if _PLACE_DATE.fullmatch(bare) or re.fullmatch(r"[\d:]+\s*(?:am|pm|gmt|utc)?", bare, re.I):
        return True
    if _SKIP_LINK.match(bare):
        return True
    # Menus and breadcrumbs: "Home | World | Contact Us", "World > Middle East".
    parts = [p.strip() for p in re.split(r"\s[|·•»›>/]\s|\s{2,}", bare) if p.strip()]
    words = [w.casefold() for w in _WORD.findall(bare)]
    if len(parts) >= 3 and all(len(p.split()) <= 3 for p in parts):
        return True
    return bool(words) and all(w in SECTION_WORDS for w in words)


def _head(lines: list[str]) -> int:
    """How many lines the page's head runs to: up to its first paragraph of prose."""
    for index, line in enumerate(lines):
        if len(line.split()) > 25 or any(p.match(line) for p in DATELINES[:3]):
            return index
    return min(len(lines), 12)


def _title(lines: list[str], head: int) -> tuple[str, str | None]:
    """The headline (not furniture, not a paragraph), and who a statement is by."""
    for line in lines[: max(head, 1)]:
        bare = re.sub(r"^#+\s*", "", line).strip("*_ ").strip()
        if is_furniture(bare):
            continue
        statement = _STATEMENT.match(bare)
        if statement:
            return bare, (statement.group("who") or "").strip().rstrip(".")
        if line.startswith("#") or len(bare.split()) >= 4:
            return bare, None
    return "", None


def _syndicated(lines: list[str]) -> str:
    filled = [line for line in lines if line]
    for line in [*filled[-3:][::-1], *filled[:2]]:
        found = _SYNDICATED.match(line)
        if found:
            name = next(g for g in found.groups() if g).strip().rstrip(".")
            if len(name.split()) <= 5 and not DESKS.match(name):
                return name
    return ""


def _byline_outlet(lines: list[str]) -> str:
    """ "By Jane Doe, Reuters": the outlet after the author's name; "By Xinhua News
    Agency": a newsroom; "By Dana Holt": an author, and no outlet."""
    for line in lines:
        byline = _BYLINE.match(line)
        if byline is None:
            continue
        who = byline.group("who")
        outlet = who.split(",")[-1].strip()
        if DESKS.match(outlet) or ("," not in who and not _MEDIA_WORD.search(who)):
            return ""
        return outlet
    return ""


def _masthead(lines: list[str], title: str) -> str:
    """A short name alone above the headline that is no section of the page."""
    for line in lines:
        bare = line.strip("*_# ").strip()
        if bare == title:
            return ""
        words = bare.split()
        if (
            1 <= len(words) <= 3
            and all(w[:1].isupper() for w in words)
            and not is_furniture(bare)
            and not re.search(r"[.:;!?,]$", bare)
        ):
            return bare
    return ""


def _via(text: str, outlet: str) -> str:
    for found in _VIA.finditer(text):
        name = re.sub(r"\s+(?:of|the|and)$", "", found.group("via").strip(" .,"))
        if name.casefold() != outlet.casefold() and _MEDIA_WORD.search(name):
            return name
    return ""


def _title_suffix(raw: str, title: str) -> str:
    """ "Headline - Outlet" in a page's <title>: the outlet."""
    found = re.search(r"<title[^>]*>(?P<t>[^<]+)</title>", raw, re.IGNORECASE)
    if not found or not title:
        return ""
    full = " ".join(found.group("t").split())
    for sep in (" | ", " - ", " — ", " – "):
        if full.startswith(title + sep):
            return full.removeprefix(title + sep).strip()
    return ""


def looks_like_html(raw: str, name: str = "") -> bool:
    if name.lower().endswith((".html", ".htm", ".xhtml")):
        return True
    head = raw.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or "<html" in head


def read_article(raw: str, name: str = "", today: date | None = None) -> Article:
    """An article from a file's text: HTML reduced to its main text, anything else
    kept as it is; the source fields proposed from what the page says."""
    if looks_like_html(raw, name):
        return read_html(raw, today) or _read_html(raw, today)
    return propose(raw, today)


# What a reader does not read: scripts, menus, page furniture, pictures' captions.
_SKIPPED = [
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "figure",
    "iframe",
    "svg",
    "button",
    "select",
]
_BLOCKS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt"]


def _read_html(raw: str, today: date | None) -> Article:
    from bs4 import BeautifulSoup, Tag

    soup = BeautifulSoup(raw, "html.parser")

    def meta(*names: str) -> str:
        for name in names:
            tag = soup.find("meta", attrs={"property": name}) or soup.find(
                "meta", attrs={"name": name}
            )
            if isinstance(tag, Tag) and tag.get("content"):
                return " ".join(str(tag["content"]).split())
        return ""

    outlet = meta("og:site_name", "publisher", "application-name")
    title = meta("og:title", "twitter:title")
    if not title and soup.title is not None:
        title = " ".join(soup.title.get_text().split())
        for sep in (" | ", " - ", " — ", " – "):
            # "Talks resume | Outlet": the outlet's name is not part of the title.
            if outlet and title.endswith(sep + outlet):
                title = title.removesuffix(sep + outlet)
    url = meta("og:url")
    canonical = soup.find("link", attrs={"rel": "canonical"})
    if not url and isinstance(canonical, Tag) and canonical.get("href"):
        url = str(canonical["href"])
    published = None
    stamp = meta("article:published_time", "date", "dc.date", "pubdate")
    time_tag = soup.find("time", attrs={"datetime": True})
    if not stamp and isinstance(time_tag, Tag):
        stamp = str(time_tag["datetime"])
    if stamp:
        published = parse_calendar(stamp[:10], today) or parse_calendar(stamp, today)
    kind = {"article": None}.get(meta("og:type"))

    for tag in soup.find_all(_SKIPPED):
        tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    blocks = [
        tag for tag in root.find_all(_BLOCKS) if isinstance(tag, Tag) and tag.find(_BLOCKS) is None
    ]
    paragraphs = [" ".join(tag.get_text(" ").split()) for tag in blocks]
    paragraphs = [_tidy(p) for p in paragraphs if p]
    if not paragraphs:
        paragraphs = [" ".join(line.split()) for line in root.get_text("\n").splitlines()]
        paragraphs = [p for p in paragraphs if p]
    text = "\n\n".join(paragraphs) + "\n" if paragraphs else ""
    proposed = propose(text, today)
    return Article(
        text=text,
        outlet=outlet or proposed.outlet,
        title=title or proposed.title,
        published=published or proposed.published,
        url=url or proposed.url,
        source_kind=kind or proposed.source_kind,
        html=True,
    )


def _tidy(text: str) -> str:
    # get_text(" ") puts a space where inline tags met punctuation: "Hamas ," -> "Hamas,".
    return re.sub(r"\s+([,.;:!?’”)])", r"\1", re.sub(r"([(“‘])\s+", r"\1", text))

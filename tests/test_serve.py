"""``parley serve``: loopback only unless told otherwise, and locked down.

Most tests run a real ``parley serve`` on a free loopback port and talk to it the
way textual-serve's page does: the page, its assets, and a WebSocket that carries
the dashboard's output. The last one opens it in headless Chromium.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import codecs
import contextlib
import getpass
import json
import os
import re
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
import pytest
import sample_store
import textual_serve
from aiohttp import web
from tui_helpers import run_cli, seeded_store

from store import open_store
from store.kinds import Firmness
from store.reading.trends import LEVEL, Step
from tui.cli import is_loopback, main, serve_accounts
from tui.serve.accounts import (
    TOKEN_MIN,
    Account,
    AccountError,
    Accounts,
    parse_user,
    read_users,
)
from tui.serve.server import QUIT_GRACE, LockedServer
from tui.trends import BLOCKS, WEB_BLOCKS, legend, strip, use_web_glyphs

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
SESSION_TIMEOUT = 30.0
TOKEN = "test-token-0123456789abcdef"
TRACK = "Ceasefire and hostage talks"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LocalHost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("10.0.0.1", False),
        ("example.com", False),
        ("localhost.example.com", False),
        ("", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "example.com"])
def test_serve_refuses_a_remote_host_without_allow_remote(
    tmp_path: Path, host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "data" / "talks.json"
    code = main(["--db", str(db), "serve", "--host", host])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    lines = err.strip().split("\n")
    assert len(lines) == 1
    assert lines[0].startswith(f"parley: refusing to serve on {host}: it is not a loopback")
    assert "--allow-remote" in lines[0]
    # Refused before anything was opened or created.
    assert not db.parent.exists()


def test_serve_on_every_address_needs_the_name_browsers_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "talks.json"
    args = ["--db", str(db), "serve", "--host", "0.0.0.0", "--allow-remote"]
    code, out, err = run_cli(args, capsys)
    assert code == 2
    assert out == ""
    assert err.strip() == (
        "parley: --host 0.0.0.0 listens on every address: give --public-host, the name "
        "browsers reach this machine by (the server answers to that name only)"
    )
    assert not db.exists()


# Who signs in.


def test_a_users_file_gives_each_name_its_token(tmp_path: Path) -> None:
    path = tmp_path / "users"
    path.write_text(
        "# the desk\n\nanna  anna-token-0123456789\nben\tben-token-0123456789ab\n",
        encoding="utf-8",
    )
    accounts = Accounts(read_users(path))
    assert accounts.names == ["anna", "ben"]
    assert accounts.by_token("ben-token-0123456789ab") == "ben"
    assert accounts.by_token("anna-token-0123456789") == "anna"
    assert accounts.by_token("anna-token-012345678") is None
    assert accounts.by_cookie(accounts.cookies["anna"]) == "anna"
    assert accounts.by_cookie("anna-token-0123456789") is None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("anna anna-token-0123456789\nben\n", "line 2: expected a name and a token"),
        ("anna anna-token-0123456789 extra\n", "line 1: expected a name and a token"),
        ("anna short\n", f"line 1: the token is 5 characters; it needs at least {TOKEN_MIN}"),
        ("an/na anna-token-0123456789\n", "line 1: the name 'an/na' should be letters"),
        ("# nobody\n", "no users in it"),
    ],
)
def test_a_bad_users_file_is_refused_naming_the_line(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "users"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AccountError) as caught:
        read_users(path)
    assert error in str(caught.value)
    assert "\n" not in str(caught.value)


def test_two_users_cannot_share_a_name_or_a_token() -> None:
    with pytest.raises(AccountError, match="the user anna is given twice"):
        Accounts([parse_user("anna:token-one-0123456789"), parse_user("anna:token-two-0123456789")])
    with pytest.raises(AccountError, match="the user ben has another user's token"):
        Accounts([parse_user("anna:token-one-0123456789"), parse_user("ben:token-one-0123456789")])


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--token", "short"], "--token: the token is 5 characters"),
        (["--user", "anna"], "--user anna: expected NAME:TOKEN"),
        (["--user", "anna:tiny"], "--user anna: the token is 4 characters"),
        (
            ["--user", "anna:anna-token-0123456789", "--token", TOKEN],
            "--token is for one user",
        ),
        (["--max-sessions", "0"], "'0' is not a whole number above 0"),
        (["--idle-timeout", "soon"], "'soon' is not a duration"),
    ],
)
def test_serve_refuses_bad_sign_in_options_in_one_line(
    tmp_path: Path, args: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["--db", str(tmp_path / "talks.json"), "serve", *args], capsys)
    assert code == 2
    assert out == ""
    assert error in err
    assert len(err.strip().split("\n")) == 1 or err.startswith("usage:")


# A real server.


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found.update(int(p) for p in (task / "children").read_text().split())
    return found


def _alive(pid: int) -> bool:
    """Running, or exited but not yet reaped by its parent."""
    return Path(f"/proc/{pid}").exists()


def _environ(pid: int) -> dict[str, str]:
    """The process's environment; empty once it has gone."""
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    pairs = (item.partition(b"=") for item in raw.split(b"\0") if item)
    return {k.decode(): v.decode("utf-8", "replace") for k, _, v in pairs}


class Served:
    """A ``parley serve`` process on a free loopback port, and what it printed."""

    def __init__(self, db: Path, cwd: Path, *args: str, token: str | None = None) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": ""}
        env.pop("PARLEY_TOKEN", None)
        env.pop("PARLEY_USER", None)  # the server's own author is the login
        if token is not None:
            env["PARLEY_TOKEN"] = token
        command = [sys.executable, "-m", "tui.cli", "--db", str(db), "serve"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port), *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        deadline = time.monotonic() + SESSION_TIMEOUT
        while not any("Press Ctrl+C" in line for line in self.lines):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail("parley serve did not start:\n" + self.output)
            time.sleep(0.05)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            self.lines.append(raw.decode("utf-8", "replace"))

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def stop(self) -> None:
        # The server and the app processes it started share the server's session.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.reader.join(timeout=5)


@contextlib.contextmanager
def served(db: Path, cwd: Path, *args: str, token: str | None = None) -> Iterator[Served]:
    server = Served(db, cwd, *args, token=token)
    try:
        yield server
    finally:
        server.stop()
    assert "Traceback" not in server.output, server.output


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the tests that leave it as they found it."""
    folder = tmp_path_factory.mktemp("serve")
    db = folder / "talks.json"
    clock = sample_store.Clock()
    with open_store(db, clock=clock) as repo:
        sample_store.build(repo, clock)
    # The token from the environment, as a service manager would give it.
    with served(db, folder, token=TOKEN) as running:
        yield running


def _client() -> aiohttp.ClientSession:
    # The default jar keeps no cookie from a bare IP address; a browser does.
    return aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True), timeout=aiohttp.ClientTimeout(total=10)
    )


def _run(coroutine: object) -> object:
    return asyncio.run(asyncio.wait_for(coroutine, SESSION_TIMEOUT * 2))  # type: ignore[arg-type]


async def _sign_in(http: aiohttp.ClientSession, base: str, token: str) -> str:
    async with http.get(f"{base}/", params={"token": token}) as response:
        assert response.status == 200, await response.text()
        return await response.text()


async def _refused(
    http: aiohttp.ClientSession, url: str, status: int = 403, **kwargs: object
) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as caught:
        async with http.ws_connect(url, **kwargs):  # type: ignore[arg-type]
            pass
    assert caught.value.status == status


async def _screen(ws: aiohttp.ClientWebSocketResponse, *wanted: str) -> str:
    """What the session shows once every wanted text is on it."""
    await ws.send_json(["resize", {"width": 120, "height": 36}])
    seen = ""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    async for message in ws:
        if message.type == aiohttp.WSMsgType.BINARY:
            seen += decoder.decode(message.data)
            screen = ANSI.sub("", seen)
            if all(w in screen for w in wanted):
                return screen
        elif message.type != aiohttp.WSMsgType.TEXT:
            break
    return ANSI.sub("", seen)


def test_without_the_token_nothing_is_served(server: Served) -> None:
    async def check() -> None:
        async with _client() as http:
            for path in ("/", "/static/js/textual.js", "/static/css/xterm.css"):
                async with http.get(server.base + path) as response:
                    assert response.status == 403, path
                    page = await response.text()
                    assert "Sign in" in page
                    assert "xterm" not in page and "Terminal" not in page
            async with http.get(f"{server.base}/", params={"token": TOKEN + "x"}) as response:
                assert response.status == 403
                assert "That token signs nobody in." in await response.text()
                assert "parley-session" not in response.headers.get("Set-Cookie", "")
            await _refused(http, f"{server.base}/ws", origin=server.base)
            # A cookie the server did not hand out is no better.
            forged = {"Cookie": f"parley-session-{server.port}={TOKEN}"}
            async with http.get(f"{server.base}/", headers=forged) as response:
                assert response.status == 403
            await _refused(http, f"{server.base}/ws", origin=server.base, headers=forged)

    _run(check())


def test_the_token_signs_in_once_then_a_strict_cookie_stands_for_it(server: Served) -> None:
    async def check() -> None:
        async with _client() as http:
            async with http.get(f"{server.base}/", params={"token": TOKEN}) as response:
                assert response.status == 200
                cookie = response.headers["Set-Cookie"]
                assert f"parley-session-{server.port}=" in cookie
                assert "HttpOnly" in cookie
                assert "SameSite=Strict" in cookie
                assert TOKEN not in cookie
                assert response.headers["Referrer-Policy"] == "no-referrer"
                assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
            async with http.get(f"{server.base}/static/js/textual.js") as response:
                assert response.status == 200
            # The static folder lists nothing.
            async with http.get(f"{server.base}/static/") as response:
                assert response.status in (403, 404)

    _run(check())


def test_a_foreign_origin_or_host_is_refused(server: Served) -> None:
    port = server.port
    evil = f"evil.example:{port}"

    async def check() -> None:
        async with _client() as http:
            await _sign_in(http, server.base, TOKEN)
            ws = f"{server.base}/ws"
            await _refused(http, ws, origin="http://evil.example")
            await _refused(http, ws, origin=f"http://localhost:{port}")
            await _refused(http, ws)  # a browser always sends one
            # DNS rebinding: a foreign name pointed at this address, so the page's own
            # origin matches the Host it sends.
            await _refused(http, ws, origin=f"http://{evil}", headers={"Host": evil})
            async with http.get(
                f"{server.base}/", params={"token": TOKEN}, headers={"Host": evil}
            ) as response:
                assert response.status == 403
                assert "TOKEN" not in await response.text()
            async with http.get(
                f"{server.base}/static/js/textual.js", headers={"Origin": "http://evil.example"}
            ) as response:
                assert response.status == 403

    _run(check())


def test_a_signed_in_session_sees_the_dashboard_as_the_os_login(server: Served) -> None:
    before = _children(server.process.pid)

    async def check() -> tuple[str, dict[int, dict[str, str]]]:
        async with _client() as http:
            page = await _sign_in(http, server.base, TOKEN)
            match = re.search(r'data-session-websocket-url="([^"]+)"', page)
            assert match, "the page names no websocket"
            assert match.group(1) == f"ws://127.0.0.1:{server.port}/ws"
            async with http.ws_connect(
                f"{match.group(1)}?width=120&height=36", origin=server.base
            ) as ws:
                screen = await _screen(ws, "Parley", TRACK)
                new = _children(server.process.pid) - before
                return screen, {pid: _environ(pid) for pid in new}

    screen, sessions = _run(check())  # type: ignore[misc]
    assert "Parley" in screen, screen[-2000:]
    assert TRACK in screen
    ((child, environ),) = sessions.items()
    # The session's process is the dashboard itself (exec), signed in as the OS login,
    # without the token.
    assert Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[1:3] == [b"-m", b"tui.cli"]
    assert environ["PARLEY_USER"] == getpass.getuser()
    assert TOKEN not in "".join(environ.values())
    # And it is gone with the tab.
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child)
    assert f"Open http://127.0.0.1:{server.port}/?token={TOKEN}" in server.output


class Links(HTMLParser):
    """Every address the page names, and its inline CSS."""

    ATTRIBUTES = {"href", "src", "action", "srcset", "poster", "data", "xmlns", "background"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.assets: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in self.ATTRIBUTES:
                self.urls.append(value)
            if name == "style":
                self.styles.append(value)
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.assets.append(found["src"] or "")
        if tag == "link" and found.get("href") and found.get("rel") == "stylesheet":
            self.assets.append(found["href"] or "")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


def css_urls(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", css)
    found += re.findall(r"@import\s+(?:url\()?\s*['\"]([^'\"]+)['\"]", css)
    return found


def test_the_page_and_its_assets_fetch_nothing_from_outside(server: Served) -> None:
    def inside(url: str, base: str) -> bool:
        whole = urlsplit(urljoin(base, url))
        if whole.scheme == "data":  # in the page itself: nothing to fetch
            return True
        return whole.scheme in ("http", "ws") and whole.netloc == f"127.0.0.1:{server.port}"

    async def check() -> None:
        async with _client() as http:
            page = await _sign_in(http, server.base, TOKEN)
            links = Links()
            links.feed(page)
            assert links.assets, "the page loads no assets"
            assert links.urls
            for url in links.urls:
                assert inside(url, server.base + "/"), url
            for url in css_urls("\n".join(links.styles)):
                assert inside(url, server.base + "/"), url
                async with http.get(urljoin(server.base, url)) as response:
                    assert response.status == 200, url
            assert links.styles, "the page has no style"
            for asset in links.assets:
                url = urljoin(server.base + "/", asset)
                async with http.get(url) as response:
                    assert response.status == 200, url
                    text = await response.text()
                if url.endswith(".css"):
                    for inner in css_urls(text):
                        assert inside(inner, url), f"{url}: {inner}"
                else:
                    # The script names no address at all: it reaches only its own page.
                    assert not re.findall(r"(?:https?|wss?)://", text), url

    _run(check())


def test_past_max_sessions_the_next_is_refused(tmp_path: Path, sample_db: Path) -> None:
    with served(sample_db, tmp_path, "--token", TOKEN, "--max-sessions", "1") as server:

        async def check() -> None:
            async with _client() as http:
                await _sign_in(http, server.base, TOKEN)
                ws_url = f"{server.base}/ws"
                async with http.ws_connect(ws_url, origin=server.base) as first:
                    assert "Parley" in await _screen(first, "Parley")
                    async with http.get(f"{server.base}/") as response:
                        assert response.status == 503
                        page = await response.text()
                        assert "All sessions in use" in page
                        assert "at most 1 session at once" in page
                    await _refused(http, ws_url, status=503, origin=server.base)
                # The slot is free again once the first session has ended.
                deadline = time.monotonic() + SESSION_TIMEOUT
                while True:
                    async with http.get(f"{server.base}/") as response:
                        if response.status == 200:
                            break
                    assert time.monotonic() < deadline, "the session never ended"
                    await asyncio.sleep(0.2)

        _run(check())


def test_an_idle_session_is_ended_with_its_process(tmp_path: Path, sample_db: Path) -> None:
    with served(sample_db, tmp_path, "--token", TOKEN, "--idle-timeout", "2") as server:

        async def check() -> tuple[int | None, float, set[int]]:
            async with _client() as http:
                await _sign_in(http, server.base, TOKEN)
                async with http.ws_connect(f"{server.base}/ws", origin=server.base) as ws:
                    await ws.send_json(["resize", {"width": 80, "height": 24}])
                    started = time.monotonic()

                    async def heartbeat() -> None:
                        # The page's own pings are not someone using the session.
                        while True:
                            await asyncio.sleep(0.3)
                            await ws.send_json(["ping", str(time.monotonic())])

                    beating = asyncio.create_task(heartbeat())
                    children: set[int] = set()
                    pongs = 0
                    async for message in ws:
                        children |= _children(server.process.pid)
                        pongs += message.type == aiohttp.WSMsgType.TEXT
                    beating.cancel()
                    assert pongs >= 3
                    return ws.close_code, time.monotonic() - started, children

        code, took, children = _run(check())  # type: ignore[misc]
        assert code == 4000
        assert 2 <= took < SESSION_TIMEOUT
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in children)


def test_each_user_signs_in_with_their_token_and_ctrl_c_ends_every_session(
    tmp_path: Path, sample_db: Path
) -> None:
    users = tmp_path / "users"
    users.write_text("ben ben-token-0123456789ab\n", encoding="utf-8")
    server = Served(
        sample_db, tmp_path, "--user", "anna:anna-token-0123456789", "--users", str(users)
    )
    try:
        assert "users: anna, ben" in server.output
        assert "anna-token" not in server.output

        async def session(token: str, opened: asyncio.Event, release: asyncio.Event) -> None:
            async with _client() as http:
                await _sign_in(http, server.base, token)
                async with http.ws_connect(f"{server.base}/ws", origin=server.base) as ws:
                    assert TRACK in await _screen(ws, TRACK)
                    opened.set()
                    await release.wait()

        async def both() -> dict[int, str]:
            opened = [asyncio.Event(), asyncio.Event()]
            release = asyncio.Event()
            tasks = [
                asyncio.create_task(session("anna-token-0123456789", opened[0], release)),
                asyncio.create_task(session("ben-token-0123456789ab", opened[1], release)),
            ]
            opening = asyncio.gather(opened[0].wait(), opened[1].wait())
            done, _ = await asyncio.wait([opening, *tasks], return_when=asyncio.FIRST_COMPLETED)
            for task in done - {opening}:
                task.result()  # a session that ended before it opened says why
            users = {
                pid: _environ(pid).get("PARLEY_USER", "") for pid in _children(server.process.pid)
            }
            # Ctrl+C while both sessions are open.
            os.kill(server.process.pid, signal.SIGINT)
            release.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            return users

        users_by_pid: dict[int, str] = _run(both())  # type: ignore[assignment]
        assert sorted(users_by_pid.values()) == ["anna", "ben"]
        assert server.process.wait(timeout=15) == 0
        assert not [pid for pid in users_by_pid if _alive(pid)]
    finally:
        server.stop()
    assert "Traceback" not in server.output, server.output


def test_stopping_kills_a_session_whose_app_does_not_quit(tmp_path: Path) -> None:
    """An app that ignores the request to quit is killed, and the stop waits no longer."""
    hung = (
        "import sys, time; sys.stdout.write('__GANGLION__\\n'); sys.stdout.flush(); time.sleep(120)"
    )
    port = _free_port()
    server = LockedServer(
        f"{shlex.quote(sys.executable)} -c {shlex.quote(hung)}",
        host="127.0.0.1",
        port=port,
        public_host="127.0.0.1",
        accounts=Accounts([Account("anna", TOKEN)]),
        max_sessions=2,
        idle_timeout=0,
    )
    base = f"http://127.0.0.1:{port}"
    # Other tests' servers may be running from this process too.
    before = _children(os.getpid())

    async def run() -> tuple[set[int], float]:
        runner = web.AppRunner(server.make_app())
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            async with _client() as http:
                await _sign_in(http, base, TOKEN)
                async with http.ws_connect(f"{base}/ws", origin=base):
                    deadline = time.monotonic() + SESSION_TIMEOUT
                    # Until the shell has become the app (exec), it has the test's own
                    # environment; a child that has exited and awaits reaping shows none.
                    while not (
                        children := {
                            pid
                            for pid in _children(os.getpid()) - before
                            if _environ(pid).get("PARLEY_USER") == "anna"
                        }
                    ):
                        assert time.monotonic() < deadline, "the session never started"
                        await asyncio.sleep(0.05)
                    started = time.monotonic()
                    await runner.cleanup()
                    return children, time.monotonic() - started
        finally:
            await runner.cleanup()

    children, took = _run(run())  # type: ignore[misc]
    assert children
    assert not [pid for pid in children if _alive(pid)]
    assert took < QUIT_GRACE + 2


# A real browser: headless Chromium, driven over its DevTools port. The dashboard
# draws on a canvas, so the page's text is read from the terminal the page's script
# builds (caught as it is made), and a screenshot is kept beside it.

CHROMIUM = shutil.which("chromium")
BROWSER_TIMEOUT = 40.0

# Runs before the page's own scripts: keeps each xterm.js Terminal the page makes,
# which textual.js stores as `this.terminal`.
CATCH_TERMINAL = """
(() => {
  const seen = [];
  window.__terminals = seen;
  Object.defineProperty(Object.prototype, "terminal", {
    configurable: true,
    set(value) {
      Object.defineProperty(this, "terminal", {
        value, writable: true, configurable: true, enumerable: true,
      });
      seen.push(value);
    },
  });
})();
"""

SCREEN_TEXT = """
(() => {
  const terminal = (window.__terminals || []).filter((t) => t && t.buffer).pop();
  if (!terminal) return "";
  const buffer = terminal.buffer.active;
  const lines = [];
  for (let row = 0; row < terminal.rows; row++) {
    const line = buffer.getLine(buffer.viewportY + row);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
})()
"""


# Whether the keyboard is in the terminal: xterm.js takes keys through a hidden textarea.
FOCUSED = """
(() => {
  const active = document.activeElement;
  return !!active && active.classList.contains("xterm-helper-textarea")
    && !!active.closest("#terminal");
})()
"""


class DevTools:
    """Calls to one page over the Chrome DevTools protocol, and the events it sent."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.count = 0
        self.waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            if "id" in data and data["id"] in self.waiting:
                self.waiting.pop(data["id"]).set_result(data)
            elif "method" in data:
                self.events.append(data)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.count += 1
        answer = asyncio.get_running_loop().create_future()
        self.waiting[self.count] = answer
        await self.ws.send_json({"id": self.count, "method": method, "params": params})
        data = await asyncio.wait_for(answer, 10)
        assert "error" not in data, f"{method}: {data['error']}"
        result: dict[str, Any] = data["result"]
        return result

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def screen_with(self, *texts: str) -> str:
        deadline = time.monotonic() + BROWSER_TIMEOUT
        screen = ""
        while time.monotonic() < deadline:
            screen = await self.evaluate(SCREEN_TEXT) or ""
            if all(text in screen for text in texts):
                return screen
            await asyncio.sleep(0.2)
        raise AssertionError(f"{texts} never showed; the page showed:\n{screen}")

    async def press(self, key: str, code: str = "", shift: bool = False) -> None:
        code = code or (f"Digit{key}" if key.isdigit() else f"Key{key.upper()}")
        common = {
            "key": key,
            "code": code,
            "windowsVirtualKeyCode": 191 if code == "Slash" else ord(key.upper()),
            "modifiers": 8 if shift else 0,
        }
        await self.call("Input.dispatchKeyEvent", type="keyDown", text=key, **common)
        await self.call("Input.dispatchKeyEvent", type="keyUp", **common)


def _devtools_port(profile: Path, browser: subprocess.Popen[bytes]) -> int:
    """Chromium started with port 0 writes the port it took into its profile."""
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + BROWSER_TIMEOUT
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int(marker.read_text().split()[0])
        assert browser.poll() is None, "chromium exited at start"
        time.sleep(0.1)
    raise AssertionError("chromium never opened its DevTools port")


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="the chromium binary is not installed (Debian: apt-get install chromium)",
)
def test_the_dashboard_in_headless_chromium(tmp_path: Path) -> None:
    assert CHROMIUM is not None
    db = tmp_path / "talks.json"
    seeded_store(db).close()
    server = Served(db, tmp_path, "--token", TOKEN)
    profile = tmp_path / "profile"
    browser = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "--window-size=1280,800",
            "about:blank",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    shot = tmp_path / "points.png"
    try:
        port = _devtools_port(profile, browser)

        async def drive() -> tuple[str, str, str, str, list[dict[str, Any]], bool]:
            async with aiohttp.ClientSession() as http:
                async with http.get(f"http://127.0.0.1:{port}/json/list") as response:
                    targets = await response.json()
                page = next(t for t in targets if t["type"] == "page")
                async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                    tools = DevTools(ws)
                    for domain in ("Page", "Runtime", "Network", "Log"):
                        await tools.call(f"{domain}.enable")
                    await tools.call("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINAL)
                    await tools.call("Page.navigate", url=f"{server.base}/?token={TOKEN}")
                    overview = await tools.screen_with("1 Overview", "Gap board")
                    # No click and no focus() from here: the page itself puts the keyboard
                    # in the terminal once its session is open.
                    focused = await tools.evaluate(FOCUSED)
                    await tools.press("2")
                    rounds = await tools.screen_with("2 Rounds", "Doha round, mid-August 2024")
                    await tools.press("3")
                    points = await tools.screen_with("3 Points", "Trend", "Philadelphi")
                    await asyncio.sleep(0.5)  # the canvas catches up with the buffer
                    image = await tools.call("Page.captureScreenshot", format="png")
                    shot.write_bytes(base64.b64decode(image["data"]))
                    await tools.press("?", code="Slash", shift=True)
                    await tools.screen_with("Trends", f"{WEB_BLOCKS} a party's stances")
                    started = await tools.evaluate(
                        "document.body.classList.contains('-first-byte') && location.search"
                    )
                    tools.reader.cancel()
                    return focused, overview, rounds, points, tools.events, started == ""

        focused, overview, rounds, points, events, token_gone = asyncio.run(
            asyncio.wait_for(drive(), BROWSER_TIMEOUT * 3)
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(browser.pid, signal.SIGKILL)
        browser.wait(timeout=10)
        server.stop()
    assert "Traceback" not in server.output, server.output

    assert focused, "the terminal did not take the keyboard when its session opened"
    assert "Doha round, mid-August 2024" not in overview
    assert "Doha round, mid-August 2024" in rounds
    assert "Gap board" not in rounds
    assert "Doha round, mid-August 2024" not in points
    # The trend strips in glyphs the page's font has (see the test below), not blocks.
    # (The list left of the detail pane: the pane's scrollbar is drawn in half blocks.)
    listed = "\n".join(line.split("▊")[0] for line in points.splitlines())
    assert set(WEB_BLOCKS) & set(listed)
    assert not set(BLOCKS) & set(listed)
    # Signed in, the page took the token out of its address.
    assert token_gone
    # Everything the browser asked for came from the server, nothing was refused by the
    # page's policy, and the page had no errors.
    asked = [
        e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"
    ]
    assert asked
    for url in asked:
        assert urlsplit(url).netloc == f"127.0.0.1:{server.port}" or url.startswith("data:"), url
    logged = [e["params"]["entry"] for e in events if e["method"] == "Log.entryAdded"]
    errors = [(e["text"], e.get("url")) for e in logged if e["level"] == "error"]
    assert not errors
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 10_000


def test_the_shared_tokens_sessions_write_as_the_servers_parley_user(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A server started with PARLEY_USER=uxweb and one shared token: its sessions are
    uxweb's, not the login's."""
    args = argparse.Namespace(user=[], users=None, token=None)
    monkeypatch.setenv("PARLEY_USER", "uxweb")
    accounts, token = serve_accounts(args)
    assert accounts.names == ["uxweb"] and token
    monkeypatch.delenv("PARLEY_USER")
    assert serve_accounts(args)[0].names == [getpass.getuser()]


def _font_characters(font: Path) -> set[str]:
    """The characters a TrueType font has glyphs for, from its Unicode cmap (format 4)."""
    data = font.read_bytes()
    tables = {
        data[12 + 16 * i : 16 + 16 * i]: struct.unpack(">I", data[20 + 16 * i : 24 + 16 * i])[0]
        for i in range(struct.unpack(">H", data[4:6])[0])
    }
    cmap = tables[b"cmap"]
    found: set[str] = set()
    for i in range(struct.unpack(">H", data[cmap + 2 : cmap + 4])[0]):
        platform, encoding, offset = struct.unpack(
            ">HHI", data[cmap + 4 + 8 * i : cmap + 12 + 8 * i]
        )
        table = cmap + offset
        if (platform, encoding) != (3, 1) or struct.unpack(">H", data[table : table + 2])[0] != 4:
            continue
        segments = struct.unpack(">H", data[table + 6 : table + 8])[0] // 2
        ends = struct.unpack(f">{segments}H", data[table + 14 : table + 14 + 2 * segments])
        start_at = table + 16 + 2 * segments
        starts = struct.unpack(f">{segments}H", data[start_at : start_at + 2 * segments])
        for start, end in zip(starts, ends, strict=True):
            found.update(chr(c) for c in range(start, end + 1) if c != 0xFFFF)
    return found


def test_the_browser_views_trend_strips_use_glyphs_its_font_has() -> None:
    """The served page's font lacks block elements; a strip drawn for the browser and the
    keys' legend of it use only characters the font has."""
    fonts = Path(textual_serve.__file__).parent / "static" / "fonts"
    characters = _font_characters(fonts / "RobotoMono-VariableFont_wght.ttf")
    assert set("Parley 2024-08-21 …") <= characters
    # The terminal's blocks are what the browser drew as blotches.
    assert not set(BLOCKS) & characters
    steps = [
        Step(date(2024, 8, day), firmness, LEVEL[firmness])
        for day, firmness in enumerate(Firmness, 1)
    ]
    try:
        use_web_glyphs(True)
        drawn = [strip(steps[:n]) for n in range(len(steps) + 1)] + [strip(steps * 2), legend()]
        # A glyph a level, lowest first.
        ladder = sorted({step.level: step for step in steps}.values(), key=lambda s: s.level)
        assert strip(ladder) == WEB_BLOCKS
    finally:
        use_web_glyphs(False)
    for text in drawn:
        assert set(text) <= characters, text
    # Back to the terminal's blocks, as every app that is not in a browser draws.
    assert strip(ladder) == BLOCKS

"""``parley serve``: loopback only unless told otherwise, and a real browser session."""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from tui.cli import is_loopback, main

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
SESSION_TIMEOUT = 20.0


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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_app_module(timeout: float = 120.0) -> None:
    """The dashboard may still be on its way; wait for it rather than fail."""
    deadline = time.monotonic() + timeout
    while not (ROOT / "tui" / "app.py").exists():
        if time.monotonic() > deadline:
            pytest.fail("tui/app.py never appeared")
        time.sleep(1.0)


async def _first_screen(server: subprocess.Popen[bytes], port: int, wanted: tuple[str, ...]) -> str:
    """Open a browser session the way textual-serve's page does; return the screen text."""
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        while True:
            try:
                async with http.get(f"{base}/") as response:
                    page = await response.text()
                    break
            except aiohttp.ClientConnectionError:
                assert server.poll() is None, "parley serve exited before it listened"
                await asyncio.sleep(0.1)
        match = re.search(r'data-session-websocket-url="([^"]+)"', page)
        assert match, "the page names no websocket"
        url = match.group(1)
        assert url == f"ws://127.0.0.1:{port}/ws"
        seen = ""
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        async with http.ws_connect(f"{url}?width=120&height=36") as ws:
            await ws.send_json(["resize", {"width": 120, "height": 36}])
            await ws.send_json(["ping", "1"])
            async for message in ws:
                if message.type == aiohttp.WSMsgType.BINARY:
                    seen += decoder.decode(message.data)
                elif message.type == aiohttp.WSMsgType.TEXT:
                    continue
                else:
                    break
                screen = ANSI.sub("", seen)
                if all(w in screen for w in wanted):
                    return screen
        return ANSI.sub("", seen)


def test_serve_runs_the_dashboard_in_a_browser_session(tmp_path: Path, sample_db: Path) -> None:
    _wait_for_app_module()
    db = sample_db
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": ""}
    server = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "--db", str(db), "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wanted = ("Parley", "Ceasefire and hostage talks")
        screen = asyncio.run(asyncio.wait_for(_first_screen(server, port, wanted), SESSION_TIMEOUT))
        assert "Parley" in screen, screen[-2000:]
        assert "Ceasefire and hostage talks" in screen
    finally:
        # The server and the app process it started share the server's session.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
        output = server.stdout.read().decode("utf-8", "replace") if server.stdout else ""
    assert f"http://127.0.0.1:{port}" in output
    assert "Traceback" not in output

"""``parley serve``: textual-serve's web front end, locked down the way Jupyter's is.

What comes from where:

- textual-serve (``Server``, ``AppService``): the page, its scripts and fonts, the
  WebSocket protocol between the page and a dashboard process, downloads. Used
  through its public names: the handlers ``handle_index`` and ``handle_download``,
  the ``on_startup``/``on_shutdown`` hooks, ``AppService``'s methods.
- Parley, here: the routes and the aiohttp application (textual-serve builds them in
  its private ``_make_app``, which has no place for middlewares), a gate in front of
  every request (the ``Host`` header, the ``Origin``, the token or the session
  cookie), the session handler (a cap on sessions, an idle timeout, the user's name
  in ``PARLEY_USER``), a page without anything from outside this server
  (``templates/app_index.html``), and a shutdown that ends every session's process.
- ``tui.compat.private.session_process``: the one private name, a session's process,
  to kill it when it does not quit.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import shlex
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from tui.compat.private import session_process
from tui.serve.accounts import Accounts

log = logging.getLogger("parley.serve")

TEMPLATES = Path(__file__).parent / "templates"
USER = web.RequestKey("parley_user", str)
# How long a session's app has to quit when asked, before it is killed.
QUIT_GRACE = 3.0
# The close code a page sees when its session ended for want of use.
IDLE_CLOSE = 4000
# Messages from the page that are someone using the session; "ping" is the page's
# own heartbeat and keeps nothing alive.
ACTIVITY = {"stdin", "resize", "focus", "blur"}

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Parley: {title}</title>
<style>
body {{ background: #0c181f; color: rgba(255, 255, 255, 0.95); margin: 4em auto;
  max-width: 40em; padding: 0 1em;
  font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; }}
input, button {{ font: inherit; padding: 0.3em 0.6em; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{message}</p>
{form}
</body>
</html>
"""

SIGN_IN_FORM = """<form method="get" action="/">
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="off" required>
<button type="submit">Sign in</button>
</form>"""


def page(status: int, title: str, message: str, sign_in: bool = False) -> web.HTTPException:
    """A page that refuses, with a reason; raised, so a handler of any type can use it."""
    body = PAGE.format(
        title=html.escape(title),
        message=html.escape(message),
        form=SIGN_IN_FORM if sign_in else "",
    )
    refusal = web.HTTPForbidden if status == 403 else web.HTTPServiceUnavailable
    return refusal(text=body, content_type="text/html")


@dataclass(eq=False)
class Session:
    """One browser tab's dashboard: who it is for, and how to end it."""

    user: str
    websocket: web.WebSocketResponse | None = None
    service: AppService | None = None
    last_active: float = field(default_factory=time.monotonic)
    done: asyncio.Event = field(default_factory=asyncio.Event)


class LockedServer(Server):
    """textual-serve's ``Server`` behind a token, an origin check and a session cap."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        public_host: str,
        accounts: Accounts,
        max_sessions: int,
        idle_timeout: float,
    ) -> None:
        url_host = f"[{public_host}]" if ":" in public_host else public_host
        self.origin = f"http://{url_host}:{port}".lower()
        super().__init__(
            command,
            host=host,
            port=port,
            title="Parley",
            public_url=self.origin,
            templates_path=TEMPLATES,
        )
        # A page or socket reached under another name is refused: a web page whose
        # name an attacker points at this address (DNS rebinding) is another origin
        # to the browser, so its own token check would not hold it back.
        self.hosts = {f"{url_host}:{port}".lower()}
        if port == 80:
            self.hosts.add(url_host.lower())
        self.accounts = accounts
        self.max_sessions = max_sessions
        self.idle_timeout = idle_timeout
        # What to print once listening: the address to open, set by the caller.
        self.banner: list[str] = []
        # Cookies do not tell ports apart: each server on this machine has its own name.
        self.cookie = f"parley-session-{port}"
        self.sessions: set[Session] = set()

    def sign_in_url(self, token: str) -> str:
        return f"{self.origin}/?token={token}"

    # The server and its routes.

    def make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.gate])
        # The same routes as textual-serve 1.1's Server._make_app, with the same names
        # (its handle_index looks up "websocket" and "static"); the static folder is
        # textual-serve's own, without its file listing.
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ]
        )
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        app.on_response_prepare.append(self.secure)
        return app

    def serve(self, debug: bool = False) -> None:
        """Serve until Ctrl+C or SIGTERM, then end every session.

        textual-serve's ``serve`` does the same with its own application; this one
        runs Parley's, and keeps the access log off, since a URL can carry a token.
        """
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self.request_exit)
        web.run_app(
            self.make_app(),
            host=self.host,
            port=self.port,
            handle_signals=False,
            loop=loop,
            print=None,
            access_log=None,
            shutdown_timeout=QUIT_GRACE + 2,
        )

    async def on_startup(self, app: web.Application) -> None:
        for line in self.banner:
            print(line, flush=True)

    async def on_shutdown(self, app: web.Application) -> None:
        sessions = list(self.sessions)
        # The processes first: they must end even if a browser never answers the close.
        await asyncio.gather(*(self.end(session) for session in sessions))
        for session in sessions:
            if session.websocket is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(
                        session.websocket.close(
                            code=WSCloseCode.GOING_AWAY, message=b"parley serve stopped"
                        ),
                        1.0,
                    )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*(session.done.wait() for session in sessions)), QUIT_GRACE
            )

    # The gate.

    @web.middleware
    async def gate(self, request: web.Request, handler: Any) -> web.StreamResponse:
        host = request.headers.get("Host", "").lower()
        if host not in self.hosts:
            raise page(403, "Wrong address", f"This server answers at {self.origin} only.")
        origin = request.headers.get("Origin")
        # A browser always sends the Origin of a WebSocket; for the rest, a foreign
        # one is a page elsewhere reaching in.
        if (origin is None and request.path == "/ws") or (
            origin is not None and origin.lower() != self.origin
        ):
            raise page(403, "Refused", f"Only pages from {self.origin} may open a session.")
        token = request.query.get("token")
        user = self.signed_in(request, token)
        if user is None:
            message = (
                "That token signs nobody in."
                if token
                else "Sign in with the token parley serve printed (the URL it printed has it)."
            )
            raise page(403, "Sign in", message, sign_in=True)
        request[USER] = user
        if request.path == "/" and len(self.sessions) >= self.max_sessions:
            raise self.full()
        response: web.StreamResponse = await handler(request)
        if token and not response.prepared:
            # From now on the cookie stands for the token: HttpOnly keeps it from
            # scripts, SameSite=Strict from requests that other sites' pages start.
            response.set_cookie(
                self.cookie,
                self.accounts.cookies[user],
                path="/",
                httponly=True,
                samesite="Strict",
            )
        return response

    def signed_in(self, request: web.Request, token: str | None) -> str | None:
        if token:
            return self.accounts.by_token(token)
        cookie = request.cookies.get(self.cookie)
        return self.accounts.by_cookie(cookie) if cookie else None

    def full(self) -> web.HTTPException:
        count = self.max_sessions
        return page(
            503,
            "All sessions in use",
            f"This server runs at most {count} session{'s' if count != 1 else ''} at once, "
            "and all are open. Close a tab that has Parley open, or try again later.",
        )

    async def secure(self, request: web.Request, response: web.StreamResponse) -> None:
        """Headers on every response: nothing loads from elsewhere, nothing frames it."""
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; font-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' ws{self.origin.removeprefix('http')}; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        )
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        # The address may carry the token.
        response.headers["Referrer-Policy"] = "no-referrer"
        if request.path == "/":
            response.headers["Cache-Control"] = "no-store"

    # Sessions.

    def session_command(self, user: str) -> str:
        # textual-serve runs the command through the shell: exec leaves one process
        # to end, and the name reaches the dashboard (and the store) as PARLEY_USER.
        return f"PARLEY_USER={shlex.quote(user)} exec {self.command}"

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's session handler, with a cap, an idle timeout and a user.

        The messages are textual-serve 1.1's (its ``_process_messages``), relayed
        with ``AppService``'s public methods.
        """
        if len(self.sessions) >= self.max_sessions:
            raise self.full()
        session = Session(request[USER])
        self.sessions.add(session)
        log.info("%s opened a session (%d of %d)", session.user, *self.load())
        websocket = web.WebSocketResponse(heartbeat=15)
        session.websocket = websocket
        try:
            width = _int(request.query.get("width"), 80)
            height = _int(request.query.get("height"), 24)
            await websocket.prepare(request)

            async def close() -> None:
                await websocket.close()

            session.service = AppService(
                self.session_command(session.user),
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await session.service.start(width, height)
            await self.relay(session, websocket, session.service)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("a session of %s failed", session.user)
        finally:
            await self.end(session)
            with contextlib.suppress(Exception):
                await websocket.close()
            self.sessions.discard(session)
            session.done.set()
            log.info("%s closed a session (%d of %d)", session.user, *self.load())
        return websocket

    def load(self) -> tuple[int, int]:
        return len(self.sessions), self.max_sessions

    async def relay(
        self, session: Session, websocket: web.WebSocketResponse, service: AppService
    ) -> None:
        while True:
            wait = None
            if self.idle_timeout:
                wait = session.last_active + self.idle_timeout - time.monotonic()
                if wait <= 0:
                    log.info("%s's session was idle for %ss", session.user, self.idle_timeout)
                    await websocket.close(code=IDLE_CLOSE, message=b"idle")
                    return
            try:
                message = await websocket.receive(timeout=wait)
            except TimeoutError:
                continue
            if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                return
            if message.type == WSMsgType.ERROR:
                return
            if message.type != WSMsgType.TEXT:
                continue
            try:
                kind, data = message.json()
            except (ValueError, TypeError):
                continue
            if kind in ACTIVITY:
                session.last_active = time.monotonic()
            if kind == "stdin" and isinstance(data, str):
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                width, height = _int(data.get("width"), 80), _int(data.get("height"), 24)
                await service.set_terminal_size(width, height)
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    async def end(self, session: Session) -> None:
        """Ask the session's app to quit; kill it if it has not within QUIT_GRACE."""
        service = session.service
        if service is None:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + QUIT_GRACE
        with contextlib.suppress(Exception):
            await asyncio.wait_for(service.stop(), QUIT_GRACE)
        process = session_process(service)
        if process is None or process.returncode is not None:
            return
        try:
            await asyncio.wait_for(process.wait(), max(0.0, deadline - loop.time()))
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()


def _int(value: object, default: int) -> int:
    try:
        return max(1, min(int(str(value)), 1000))
    except ValueError:
        return default

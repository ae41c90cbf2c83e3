"""Browser test set-up: Debian's headless Chromium, the website server, and a Rasa to talk to.

The conversation tests run against the real assistant (the session-scoped ``stack`` fixture
in tests/conftest.py). Set ``ATTUNE_BROWSER_BACKEND=fake`` to run them against ``FakeRasa``
instead, a few-line stand-in for Rasa's socket.io and REST channels (handy while the model is
not trained). Tests that need the server to send hostile text always use ``FakeRasa``.

Chromium comes from Debian (scripts/install-browser.sh), not from a browser download.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import threading
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

from attune.paths import REPO_ROOT
from tools.stack import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = REPO_ROOT / "var" / "screenshots"
SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")


# --------------------------------------------------------------------------- a stand-in Rasa


WELCOME = (
    "Hi, I'm Attune, the automated assistant of Harbourlight Counselling. I'm not a therapist "
    "or a person, and nobody reads this chat live."
)
MENU = [
    {"title": "Learn about attachment patterns", "payload": "/learn_attachment"},
    {"title": "Talk to a therapist", "payload": "/request_human"},
    {"title": "I need help now", "payload": "/request_crisis_help"},
]
CRISIS = (
    "I'm really glad you told me. Please reach someone now: call or text 9-8-8, any time. "
    "If you are in danger right now, call 9-1-1."
)


def fake_replies(text: str) -> List[Dict[str, Any]]:
    """What the stand-in answers: just enough shape of Attune's replies for the widget."""
    lowered = text.lower()
    if text == "/greet":
        return [{"text": WELCOME}, {"text": "What would you like to do?", "buttons": MENU}]
    if text == "/request_crisis_help" or "kill myself" in lowered:
        return [{"text": CRISIS}, {"text": "Are you safe right now?"}]
    if text == "/learn_attachment":
        return [{"text": "Attachment patterns are ways of staying close to people that we learned early on."}]
    if text == "menu please":
        return [{"text": "Here are some things we can do.", "buttons": MENU}]
    if text == "/say_html":
        return [{"text": 'Look: <img src=x onerror="window.__attune_xss = 1"> <b>bold</b> '
                         "javascript:alert(1) https://example.org/read?a=1 or call 1-800-668-6868."}]
    return [{"text": f"Thanks for writing. (Heard {len(text)} characters.)"}]


class FakeRasa:
    """Rasa's socket.io and REST channels, answering from ``fake_replies``, in a thread.

    Like Rasa, it refuses browsers from websites not in ``allowed_origins`` (any website
    while that is None).
    """

    def __init__(self) -> None:
        """Picks a port; call ``start_rasa`` to listen."""
        self.port = free_port()
        self.rasa_url = f"http://127.0.0.1:{self.port}"
        self.received: List[str] = []
        self.allowed_origins: Optional[List[str]] = None
        self._sio: Any = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._runner: Any = None

    def _app(self) -> Any:
        import socketio
        from aiohttp import web

        sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins=self.allowed_origins or "*")
        self._sio = sio
        app = web.Application()
        sio.attach(app, socketio_path="socket.io")
        rooms: Dict[str, str] = {}

        @sio.on("session_request")
        async def session_request(sid: str, data: Any = None) -> None:
            wanted = data.get("session_id") if isinstance(data, dict) else None
            session = wanted if isinstance(wanted, str) and SESSION_ID.match(wanted) else os.urandom(16).hex()
            await sio.enter_room(sid, session)
            rooms[sid] = session
            await sio.emit("session_confirm", session, room=sid)

        @sio.on("user_uttered")
        async def user_uttered(sid: str, data: Any = None) -> None:
            if sid not in rooms or not isinstance(data, dict):
                return
            self.received.append(str(data.get("message")))
            for reply in fake_replies(str(data.get("message"))):
                out = {"text": reply["text"]}
                if reply.get("buttons"):
                    out["quick_replies"] = [
                        {"content_type": "text", "title": b["title"], "payload": b["payload"]}
                        for b in reply["buttons"]
                    ]
                await sio.emit("bot_uttered", out, room=rooms[sid])

        def cors_for(request: Any) -> Dict[str, str]:
            origin = request.headers.get("Origin", "")
            if self.allowed_origins is not None and origin not in self.allowed_origins:
                return {}
            return {
                "Access-Control-Allow-Origin": origin or "*",
                "Access-Control-Allow-Headers": "Content-Type",
                "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            }

        async def rest(request: Any) -> Any:
            cors = cors_for(request)
            if request.method == "OPTIONS":
                return web.Response(headers=cors)
            body = await request.json()
            self.received.append(str(body.get("message")))
            replies = [dict(r, recipient_id=body.get("session_id")) for r in fake_replies(str(body.get("message")))]
            return web.json_response(replies, headers=cors)

        async def hello(request: Any) -> Any:
            return web.Response(text="Hello from a fake Rasa", headers=cors_for(request))

        app.router.add_route("*", "/webhooks/socketio/webhook", rest)
        app.router.add_get("/", hello)
        return app

    def start_rasa(self) -> None:
        """Listens (again) on the same port."""
        from aiohttp import web

        if self._thread is not None:
            return
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            runner = web.AppRunner(self._app())
            loop.run_until_complete(runner.setup())
            # Going down closes every connection at once, open sockets included (as a Rasa
            # process that stops does); aiohttp would otherwise wait a minute for them.
            loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port, shutdown_timeout=0.2).start())
            self._runner = runner
            ready.set()
            loop.run_forever()
            loop.run_until_complete(runner.cleanup())
            for task in asyncio.all_tasks(loop):
                task.cancel()
            loop.run_until_complete(asyncio.sleep(0.1))
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-rasa", daemon=True)
        self._thread.start()
        ready.wait(10)

    restart_rasa = start_rasa

    def allow(self, origin: str) -> None:
        """Adds a website to those it accepts browsers from (until then: any website)."""
        self.allowed_origins = (self.allowed_origins or []) + [origin]
        if self._sio is not None:
            self._sio.eio.cors_allowed_origins = self.allowed_origins

    def stop_rasa(self) -> None:
        """Stops listening and drops every socket, like a Rasa server going down."""
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._thread = None
        self._loop = None


@pytest.fixture(scope="session")
def fake_rasa() -> Iterator[FakeRasa]:
    """A stand-in Rasa whose replies the tests choose."""
    fake = FakeRasa()
    fake.start_rasa()
    try:
        yield fake
    finally:
        fake.stop_rasa()


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> Any:
    """The assistant the conversation tests talk to: the real ``stack`` unless told otherwise."""
    if os.environ.get("ATTUNE_BROWSER_BACKEND") == "fake":
        return request.getfixturevalue("fake_rasa")
    return request.getfixturevalue("stack")


# --------------------------------------------------------------------------- website servers


class WebSite:
    """A running website server (ours, in this process) and its base URL."""

    def __init__(self, rasa_url: str, workdir: Path) -> None:
        """Starts ``attune.web.server`` on a free port in a thread, its own website among the
        practice's allowed origins (as the real stack's)."""
        from attune.web.server import make_server
        from tests.conftest import practice_file_for_tests

        port = free_port()
        practice = practice_file_for_tests(workdir, f"http://127.0.0.1:{port}")
        self.server = make_server("127.0.0.1", port, rasa_url, practice_path=practice)
        self.url = self.server.url
        self.site = self.server.site
        self._thread = threading.Thread(target=self.server.serve_forever, name="web", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stops serving and frees the port."""
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(10)


@pytest.fixture(scope="session")
def web(backend: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The chat website in front of ``backend``.

    With the real stack this is the stack's own website process (its origin is the one the
    Rasa server must allow); with the stand-in it is a server in this process.
    """
    stack_url = getattr(backend, "web_url", None)
    if stack_url:
        from attune.web.server import load_site_config

        site = WebSiteRef(stack_url, load_site_config(backend.rasa_url))
        yield site
        return
    site = WebSite(backend.rasa_url, tmp_path_factory.mktemp("web"))
    backend.allow(site.url)
    try:
        yield site
    finally:
        site.close()


class WebSiteRef:
    """A website someone else runs: only its URL and configuration."""

    def __init__(self, url: str, site: Any) -> None:
        """Remembers where it is and what it was told."""
        self.url = url
        self.site = site


@pytest.fixture(scope="session")
def fake_web(fake_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebSite]:
    """The chat website in front of the stand-in Rasa, which accepts only this website."""
    site = WebSite(fake_rasa.rasa_url, tmp_path_factory.mktemp("fake-web"))
    fake_rasa.allow(site.url)
    try:
        yield site
    finally:
        site.close()


# --------------------------------------------------------------------------- the browser


def chromium_options(user_data_dir: Path) -> Any:
    """Headless Chromium that makes no requests of its own."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--disable-extensions", "--hide-scrollbars",
        "--force-device-scale-factor=1", f"--user-data-dir={user_data_dir}",
        "--window-size=390,844",
    ):
        options.add_argument(flag)
    return options


@pytest.fixture
def driver(tmp_path: Path) -> Iterator[Any]:
    """A fresh headless Chromium (fresh profile, so no storage carries between tests)."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("Chromium is not installed: run scripts/install-browser.sh")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    browser = webdriver.Chrome(
        service=Service(executable_path=str(CHROMEDRIVER)), options=chromium_options(profile)
    )
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


def set_viewport(browser: Any, width: int, height: int) -> None:
    """Makes the page's layout viewport exactly ``width`` x ``height`` CSS pixels."""
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def screenshot(browser: Any, name: str) -> Path:
    """Saves the current page under var/screenshots/ and returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    browser.save_screenshot(str(path))
    return path


def wait_for(browser: Any, condition: Callable[[Any], Any], timeout: float = 60, message: str = "") -> Any:
    """Waits until ``condition(browser)`` is truthy, failing with ``message`` if it never is."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout, poll_frequency=0.1).until(condition, message)

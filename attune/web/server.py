"""A small static server for the website chat: the full-page chat, the widget and its config.

    python -m attune.web.server --port 8080 --rasa-url http://127.0.0.1:5005

Serves ``web/`` with strict security headers. ``/`` is the full-page chat with the crisis
banner written into the HTML, and ``/attune-config.js`` carries the practice's name, banner
and quick-exit address to the widget: both are built once at start from the practice file
and the crisis registry, so the crisis line shows even when the Rasa server is down.
``/widget.js`` is ``web/widget.js`` with the browser build of socket.io-client (npm, pinned in
package-lock.json, installed by ``make run`` and ``make browser``) inside it: one script, from
this server, and nothing the practice has to build.

``--print-snippet`` prints the HTML a practice pastes into its own pages.
"""

from __future__ import annotations

import argparse
import html
import json
import logging
import os
import re
import sys
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple
from urllib.parse import unquote, urlsplit

from attune.paths import REPO_ROOT
from attune.safety.taxonomy import HELP_PAYLOAD

logger = logging.getLogger("attune.web")

WEB_ROOT = REPO_ROOT / "web"
# socket.io-client's browser build, as `npm ci` installs it from package-lock.json.
SOCKETIO_CLIENT_DIR = REPO_ROOT / "node_modules" / "socket.io-client"
SOCKETIO_CLIENT_ENV = "ATTUNE_SOCKETIO_CLIENT_DIR"
DEFAULT_RASA_URL = "http://127.0.0.1:5005"
GREET_PAYLOAD = "/greet"

# Only plain file names directly inside web/: no folders, no dot files, no "..".
# File names the site serves: short, lower-case, one known extension (a longer name is a 404,
# never a file-system error).
_SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,100}\.(?:js|css|html|png|svg|ico|txt)$")
_TEMPLATES = {"index.html", "embed-demo.html", "widget.js"}  # built at start, never served raw
_CONTENT_TYPES = {
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "png": "image/png",
    "svg": "image/svg+xml",
    "ico": "image/x-icon",
    "txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class SiteConfig:
    """What the pages and the widget are told: everything a visitor's browser may see."""

    practice_name: str
    quick_exit_url: str
    rasa_url: str
    banner: Mapping[str, Any]
    # The longest message the channels take (practice.yml `limits.max_message_chars`): the
    # widget counts down to it instead of letting a visitor type what would be refused.
    max_message_chars: int = 2000
    # The websites the Rasa server accepts chats from (practice.yml `website.allowed_origins`):
    # on any other site the widget says the chat is not set up there, instead of waiting for
    # a connection the server will always refuse.
    allowed_origins: Tuple[str, ...] = ()

    def to_json(self) -> Dict[str, Any]:
        """The object the widget reads as ``window.ATTUNE_CONFIG``."""
        return {
            "practiceName": self.practice_name,
            "rasaUrl": self.rasa_url,
            "socketPath": "/socket.io",
            # The website channel's own HTTP route ({"session_id", "message"}), for when no
            # socket can be opened; the REST channel's /webhooks/rest/webhook wants a "sender".
            "restPath": "/webhooks/socketio/webhook",
            "greetPayload": GREET_PAYLOAD,
            "helpPayload": HELP_PAYLOAD,
            "quickExitUrl": self.quick_exit_url,
            "banner": dict(self.banner),
            "maxMessageChars": self.max_message_chars,
            "allowedOrigins": list(self.allowed_origins),
        }


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, raising ValueError if it is not http(s)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"expected an http(s) URL, got {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def websocket_origin(url: str) -> str:
    """The ws:// or wss:// origin matching an http(s) URL."""
    origin = origin_of(url)
    return ("wss" + origin[5:]) if origin.startswith("https") else ("ws" + origin[4:])


def widget_banner(registry: Any, country: str, subdivision: Optional[str]) -> Dict[str, Any]:
    """The crisis banner in the shape the widget uses, from `banner()` (attune/safety/lines.py).

    The registry writes numbers the way the region writes them ("9-8-8"); the links use
    digits only, so the label comes from the contact and the link from ``banner()``.
    """
    from attune.safety.lines import banner

    data = banner(registry, country, subdivision)
    found, _ = registry.locate(country, subdivision)
    call = found.primary.first("call")
    text = found.primary.first("text")
    sms_label = None
    if text is not None:
        keyword = data.get("primary_sms_keyword")
        sms_label = f"{keyword} to {text.value}" if keyword else text.value
    return {
        "lineName": data["primary_name"],
        "tel": data.get("primary_tel") or "",
        "telLabel": call.value if call is not None else "",
        "sms": data.get("primary_sms") or "",
        "smsLabel": sms_label or "",
        "hours": "24/7" if data.get("primary_available_24_7") else "",
        "emergency": data["emergency_number"],
        "emergencyTel": data["emergency_tel"],
        "text": data["text"],
    }


def load_site_config(rasa_url: str, practice_path: Optional[Path] = None) -> SiteConfig:
    """Reads the practice file and the crisis registry (fails loudly if either is wrong)."""
    from attune.practice import load_practice
    from attune.safety.resources import load_registry

    registry = load_registry()
    practice = load_practice(practice_path, registry=registry) if practice_path else load_practice(registry=registry)
    region = practice.region
    return SiteConfig(
        practice_name=practice.name,
        quick_exit_url=str(practice.quick_exit_url),
        rasa_url=rasa_url.rstrip("/"),
        banner=widget_banner(registry, region.country, getattr(region, "subdivision", None)),
        max_message_chars=practice.limits.max_message_chars,
        allowed_origins=tuple(practice.website.allowed_origins),
    )


def config_script(site: SiteConfig) -> bytes:
    """``/attune-config.js``: the config as a JSON literal that cannot break out of a script."""
    body = json.dumps(site.to_json(), ensure_ascii=True, indent=1)
    body = body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"window.ATTUNE_CONFIG = {body};\n".encode("utf-8")


def banner_html(site: SiteConfig) -> str:
    """The crisis banner as static HTML, for pages and snippets that must work without us."""
    b = site.banner
    esc = html.escape
    lines = []
    if b.get("emergency"):
        lines.append(
            f'<p>In danger right now? Call <a href="{esc(b["emergencyTel"])}">{esc(b["emergency"])}</a>.</p>'
        )
    ways = []
    if b.get("tel"):
        ways.append(f'<a href="{esc(b["tel"])}">call {esc(b["telLabel"])}</a>')
    if b.get("sms"):
        ways.append(f'<a href="{esc(b["sms"])}">text {esc(b["smsLabel"])}</a>')
    if ways:
        hours = f' ({esc(b["hours"])})' if b.get("hours") else ""
        lines.append(f'<p>Talk to someone now: {esc(b["lineName"])}, {" or ".join(ways)}{hours}.</p>')
    return (
        '<aside class="attune-banner" aria-label="Crisis help">'
        f'<div class="attune-banner-text">{"".join(lines)}</div></aside>'
    )


def embed_snippet(site: SiteConfig, web_url: str) -> str:
    """The HTML a practice pastes into its pages: a static crisis line plus one script tag.

    The block shows the crisis line by itself; the widget replaces it when it loads. So the
    practice's page still shows the line if our server cannot be reached.
    """
    b = site.banner
    esc = html.escape
    web_url = web_url.rstrip("/")
    attributes = {
        "src": f"{web_url}/widget.js",
        "data-attune-server": web_url,
        "data-practice-name": site.practice_name,
        "data-quick-exit": site.quick_exit_url,
        "data-crisis-name": b.get("lineName", ""),
        "data-crisis-tel": b.get("tel", ""),
        "data-crisis-sms": b.get("sms", ""),
        "data-crisis-number": b.get("telLabel", ""),
        "data-crisis-hours": b.get("hours", ""),
        "data-emergency": b.get("emergency", ""),
    }
    attrs = " ".join(f'{k}="{esc(v)}"' for k, v in attributes.items() if v)
    return (
        "<!-- Attune chat: the block shows the crisis line even if the chat cannot load. -->\n"
        f'<div data-attune-fallback class="attune">{banner_html(site)}</div>\n'
        f"<script {attrs} defer></script>"
    )


@dataclass(frozen=True)
class SocketIoClient:
    """The browser build of socket.io-client the widget carries, and which release it is."""

    version: str
    source: str


def find_socketio_client(directory: Optional[Path] = None) -> Optional[SocketIoClient]:
    """socket.io-client from ``node_modules`` (or ``$ATTUNE_SOCKETIO_CLIENT_DIR``), or None.

    Its source-map comment is dropped: the map is not served, and a browser's developer tools
    would ask for it.
    """
    directory = directory or Path(os.environ.get(SOCKETIO_CLIENT_ENV) or SOCKETIO_CLIENT_DIR)
    try:
        version = json.loads((directory / "package.json").read_text(encoding="utf-8"))["version"]
        source = (directory / "dist" / "socket.io.min.js").read_text(encoding="utf-8")
    except (OSError, ValueError, KeyError):
        return None
    source = re.sub(r"\n?//# sourceMappingURL=\S*\s*$", "\n", source)
    return SocketIoClient(version=str(version), source=source)


def widget_bundle(widget_source: str, client: Optional[SocketIoClient]) -> bytes:
    """``/widget.js``: the widget with socket.io-client inside it, in one closure.

    The library sees its own ``module`` and no ``define``, so it never touches the practice
    page's globals (its own ``io``, an AMD loader); the widget reads it as ``attuneSocketIo``.
    Without the library the widget talks to Rasa over its HTTP route only.
    """
    if client is None:
        return widget_source.encode("utf-8")
    return (
        f"/* Attune chat widget (web/widget.js) with socket.io-client {client.version} "
        "(MIT License, npm), one script from the chat server. */\n"
        "(function () {\n"
        "var attuneSocketIo = (function () {\n"
        "var module = { exports: {} }, exports = module.exports, define;\n"
        f"{client.source}\n"
        "return module.exports;\n"
        "}).call(window);\n"
        f"{widget_source}\n"
        "}());\n"
    ).encode("utf-8")


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replaces ``{{name}}`` markers; every value is already HTML-safe."""
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], template)


class AttuneWebServer(ThreadingHTTPServer):
    """Serves the chat page, the widget and its config. Start with ``serve_forever()``."""

    daemon_threads = True

    def __init__(
        self,
        address: Tuple[str, int],
        site: SiteConfig,
        web_root: Path = WEB_ROOT,
        socketio_client: Optional[SocketIoClient] = None,
    ):
        """Builds every generated response once, so a request only picks bytes to send."""
        self.site = site
        self.socketio_client = socketio_client
        self.web_root = web_root.resolve()
        self.connect_sources = f"{origin_of(site.rasa_url)} {websocket_origin(site.rasa_url)}"
        page_values = {
            "practice_name": html.escape(site.practice_name),
            "quick_exit_url": html.escape(site.quick_exit_url),
            "banner_html": banner_html(site),
            "snippet": embed_snippet(site, ""),
        }
        self.generated: Dict[str, Tuple[bytes, str]] = {
            "/attune-config.js": (config_script(site), _CONTENT_TYPES["js"]),
        }
        for name in ("index.html", "embed-demo.html"):
            path = self.web_root / name
            if path.is_file():
                body = fill(path.read_text(encoding="utf-8"), page_values).encode("utf-8")
                self.generated["/" + name] = (body, _CONTENT_TYPES["html"])
        self.generated["/"] = self.generated["/index.html"]
        # The widget is code, not configuration: browsers may keep it like the other files.
        widget = widget_bundle((self.web_root / "widget.js").read_text(encoding="utf-8"), socketio_client)
        self.bundled = {"/widget.js": (widget, _CONTENT_TYPES["js"])}
        super().__init__(address, AttuneRequestHandler)

    @property
    def url(self) -> str:
        """The address the server listens on, e.g. ``http://127.0.0.1:8080``."""
        host, port = self.server_address[:2]
        # An AF_INET server's host is a str; the stubs allow bytes for every socket family.
        return f"http://{host}:{port}"  # type: ignore[str-bytes-safe]

    def page_policy(self) -> str:
        """Content-Security-Policy for HTML pages: only our files and the Rasa server."""
        return (
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            f"connect-src {self.connect_sources}; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'"
        )

    def resolve(self, raw_path: str) -> Optional[Tuple[bytes, str, bool]]:
        """``(body, content type, generated?)`` for a request path, or None for 404."""
        path = unquote(urlsplit(raw_path).path)
        if path in self.generated:
            body, kind = self.generated[path]
            return body, kind, True
        if path in self.bundled:
            body, kind = self.bundled[path]
            return body, kind, False
        name = path[1:] if path.startswith("/") else ""
        if not _SAFE_NAME.match(name) or name in _TEMPLATES:
            return None
        file = (self.web_root / name).resolve()
        if file.parent != self.web_root or not file.is_file():
            return None
        return file.read_bytes(), _CONTENT_TYPES[name.rsplit(".", 1)[1]], False


class AttuneRequestHandler(BaseHTTPRequestHandler):
    """GET and HEAD only. Logs method, path and status; never a body or a query string."""

    server: AttuneWebServer
    server_version = "Attune"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        """Serves a file or a generated page."""
        self._respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        """Like GET, without the body."""
        self._respond(send_body=False)

    def _refuse(self) -> None:
        self._plain(HTTPStatus.METHOD_NOT_ALLOWED, b"Method not allowed\n", {"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse  # noqa: N815

    def _plain(self, status: HTTPStatus, body: bytes, extra: Optional[Dict[str, str]] = None) -> None:
        self.send_response(status)
        self._common_headers("text/plain; charset=utf-8", len(body), "no-store")
        self.send_header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _common_headers(self, content_type: str, length: int, cache: str) -> None:
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")

    def _respond(self, send_body: bool) -> None:
        found = self.server.resolve(self.path)
        if found is None:
            self._plain(HTTPStatus.NOT_FOUND, b"Not found\n")
            return
        body, content_type, generated = found
        is_page = content_type.startswith("text/html")
        # Generated responses carry the practice's config: always fresh. Pages too, so that
        # nothing from a visit waits in a shared computer's cache.
        cache = "no-store" if generated or is_page else "public, max-age=300"
        self.send_response(HTTPStatus.OK)
        self._common_headers(content_type, len(body), cache)
        if is_page:
            self.send_header("Content-Security-Policy", self.server.page_policy())
            self.send_header("X-Frame-Options", "DENY")
            self.send_header("Cross-Origin-Resource-Policy", "same-origin")
            self.send_header("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
        else:
            self.send_header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
            # The widget, its styles and config are loaded by practice pages on other origins.
            self.send_header("Cross-Origin-Resource-Policy", "cross-origin")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        """Quiet by default; never writes queries, bodies or client addresses."""

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        """One line per request at debug level: method, path without query, status."""
        path = urlsplit(self.path).path if self.path else "-"
        logger.debug("%s %s %s", self.command, path[:200], getattr(code, "value", code))


def make_server(
    host: str,
    port: int,
    rasa_url: str,
    practice_path: Optional[Path] = None,
) -> AttuneWebServer:
    """A ready-to-run server (port 0 picks a free port; see ``server.url``).

    Args:
        host: interface to bind, 127.0.0.1 unless the server sits behind nothing else.
        port: TCP port, or 0 for any free one.
        rasa_url: the Rasa server's address as the visitor's browser reaches it.
        practice_path: the practice file; the default practice file if None.
    """
    site = load_site_config(rasa_url, Path(practice_path) if practice_path else None)
    client = find_socketio_client()
    if client is None:
        logger.warning(
            "socket.io-client is not installed (run `npm ci` or `make run`): the website chat "
            "will reach Rasa over HTTP only, without live replies over socket.io."
        )
    return AttuneWebServer((host, port), site, socketio_client=client)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Command line: serve until Ctrl-C, or print the embed snippet."""
    parser = argparse.ArgumentParser(prog="python -m attune.web.server", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--rasa-url", default=os.environ.get("RASA_URL", DEFAULT_RASA_URL),
                        help="the Rasa server as browsers reach it (default $RASA_URL or %(default)s)")
    parser.add_argument("--practice", type=Path, default=None, help="practice file (default: the project's)")
    parser.add_argument("--print-snippet", metavar="PUBLIC_URL",
                        help="print the embed snippet for a site served at PUBLIC_URL, then exit")
    parser.add_argument("--verbose", action="store_true", help="log each request (method, path, status)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")

    if args.print_snippet:
        origin_of(args.print_snippet)
        print(embed_snippet(load_site_config(args.rasa_url, args.practice), args.print_snippet))
        return 0
    server = make_server(args.host, args.port, args.rasa_url, args.practice)
    logger.info("Attune website chat on %s (Rasa server: %s)", server.url, args.rasa_url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The website server: what it serves, what it refuses, and the headers that protect visitors."""

from __future__ import annotations

import http.client
import json
import re
import threading
from typing import Dict, Iterator, Tuple

import pytest

from attune.paths import REPO_ROOT
from attune.practice import load_practice
from attune.web.server import (
    WEB_ROOT,
    AttuneWebServer,
    embed_snippet,
    find_socketio_client,
    main,
    make_server,
    widget_bundle,
)

RASA_URL = "http://127.0.0.1:5005"


@pytest.fixture(scope="module")
def server() -> Iterator[AttuneWebServer]:
    """The server on a free loopback port, in a thread."""
    running = make_server("127.0.0.1", 0, RASA_URL)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    try:
        yield running
    finally:
        running.shutdown()
        running.server_close()
        thread.join(10)


def fetch(server: AttuneWebServer, path: str, method: str = "GET",
          body: bytes = b"") -> Tuple[int, Dict[str, str], bytes]:
    """One raw request (the path is sent exactly as given, dots and all)."""
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
    finally:
        connection.close()


def config_from(script: bytes) -> Dict:
    """The object ``/attune-config.js`` assigns to ``window.ATTUNE_CONFIG``."""
    match = re.fullmatch(r"window\.ATTUNE_CONFIG = (\{.*\});\n", script.decode(), flags=re.S)
    assert match, "the config is one assignment of one JSON object"
    return json.loads(match.group(1))


def test_chat_page_carries_the_crisis_banner_without_any_script(server):
    status, headers, body = fetch(server, "/")
    page = body.decode()
    assert status == 200 and headers["content-type"].startswith("text/html")
    banner = server.site.banner
    assert f'href="{banner["tel"]}"' in page and f'href="{banner["emergencyTel"]}"' in page
    assert banner["lineName"] in page
    assert server.site.practice_name in page
    assert "{{" not in page, "every template marker is filled"


def test_page_headers_lock_down_scripts_and_connections(server):
    _, headers, _ = fetch(server, "/")
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "connect-src http://127.0.0.1:5005 ws://127.0.0.1:5005;" in policy
    assert "'unsafe-inline'" not in policy and "*" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"


def test_config_script_comes_from_the_practice_file_and_is_never_cached(server):
    status, headers, body = fetch(server, "/attune-config.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert headers["cache-control"] == "no-store"
    config = config_from(body)
    practice = load_practice()
    assert config["practiceName"] == practice.name
    assert config["quickExitUrl"] == practice.quick_exit_url
    assert config["rasaUrl"] == RASA_URL
    assert config["banner"]["tel"].startswith("tel:")
    assert config["banner"]["emergency"]
    assert config["greetPayload"] == "/greet"
    # The website channel's HTTP route takes the widget's session id (the REST channel does not).
    assert config["restPath"] == "/webhooks/socketio/webhook"
    # The widget's limit is the channels' limit: a visitor never types what would be refused.
    assert config["maxMessageChars"] == practice.limits.max_message_chars
    # The widget says so plainly on a website the Rasa server will refuse.
    assert config["allowedOrigins"] == list(practice.website.allowed_origins)


def test_widget_files_are_served_for_other_sites_to_embed(server):
    for path, kind in (("/widget.js", "text/javascript"), ("/widget.css", "text/css")):
        status, headers, body = fetch(server, path)
        assert status == 200 and headers["content-type"].startswith(kind) and body
        assert headers["cross-origin-resource-policy"] == "cross-origin"
        assert headers["x-content-type-options"] == "nosniff"


def test_the_widget_carries_the_pinned_socketio_client_from_this_server(server):
    # socket.io-client comes from npm at the version package-lock.json pins (`make run`,
    # `make browser`), inside the widget's script: no second request, no third party.
    lock = json.loads((REPO_ROOT / "package-lock.json").read_text())
    pinned = lock["packages"]["node_modules/socket.io-client"]["version"]
    assert json.loads((REPO_ROOT / "package.json").read_text())["dependencies"]["socket.io-client"] == pinned
    assert server.socketio_client is not None, "socket.io-client is not installed: `make test-unit` runs npm ci"
    assert server.socketio_client.version == pinned
    _, headers, body = fetch(server, "/widget.js")
    script = body.decode()
    assert f"Socket.IO v{pinned}" in script and "attuneSocketIo" in script
    assert "sourceMappingURL" not in script
    assert (WEB_ROOT / "widget.js").read_text() in script
    assert headers["cache-control"] == "public, max-age=300"
    assert fetch(server, "/socket.io.min.js")[0] == 404


def test_without_socketio_client_the_widget_is_served_alone(tmp_path):
    assert find_socketio_client(tmp_path) is None
    widget = (WEB_ROOT / "widget.js").read_text()
    assert widget_bundle(widget, None) == widget.encode()


@pytest.mark.parametrize("path", [
    "/../practice.yml", "/%2e%2e/practice.yml", "/..%2fpractice.yml", "/web/../practice.yml",
    "/../attune/web/server.py", "//etc/passwd", "/.gitignore", "/index.html.bak", "/nothing.js",
    "/" + "a" * 300 + ".js", "/" + "b" * 5000 + ".css",
])
def test_anything_outside_the_web_folder_is_not_found(server, path):
    status, _, body = fetch(server, path)
    assert status == 404
    assert b"practice" not in body.lower() and b"root:" not in body


def test_only_get_and_head_are_allowed(server):
    status, headers, _ = fetch(server, "/", method="POST", body=b'{"message": "secret"}')
    assert status == 405 and headers["allow"] == "GET, HEAD"
    status, headers, body = fetch(server, "/widget.js", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


def test_requests_are_logged_without_query_strings(server, caplog):
    caplog.set_level("DEBUG", logger="attune.web")
    fetch(server, "/nothing.css?name=Jordan&message=I+feel+unsafe")
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "/nothing.css" in logged
    assert "Jordan" not in logged and "unsafe" not in logged


def test_config_cannot_break_out_of_its_script(tmp_path):
    practice = tmp_path / "practice.yml"
    text = load_practice().source_path.read_text(encoding="utf-8")
    practice.write_text(
        text.replace("name: Harbourlight Counselling", 'name: "Harbour</script><script>alert(1)</script>"'),
        encoding="utf-8",
    )
    running = make_server("127.0.0.1", 0, RASA_URL, practice_path=practice)
    try:
        thread = threading.Thread(target=running.serve_forever, daemon=True)
        thread.start()
        _, _, script = fetch(running, "/attune-config.js")
        _, _, page = fetch(running, "/")
    finally:
        running.shutdown()
        running.server_close()
    assert b"</script>" not in script
    assert config_from(script)["practiceName"] == "Harbour</script><script>alert(1)</script>"
    assert b"<script>alert(1)" not in page


def test_binds_loopback_unless_told_otherwise(server):
    assert server.server_address[0] == "127.0.0.1"


def test_embed_snippet_shows_the_line_before_the_widget_loads(server, capsys):
    snippet = embed_snippet(server.site, "https://attune.example/")
    banner = server.site.banner
    assert '<script src="https://attune.example/widget.js"' in snippet
    assert 'data-attune-server="https://attune.example"' in snippet
    assert f'data-crisis-tel="{banner["tel"]}"' in snippet
    assert "data-attune-fallback" in snippet and f'href="{banner["tel"]}"' in snippet
    assert main(["--print-snippet", "https://attune.example"]) == 0
    assert "widget.js" in capsys.readouterr().out

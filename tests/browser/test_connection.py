"""Honest connection states and the transport (issue #19 items 4 and 6), as a visitor sees them.

- On a website the practice has not listed, the server refuses the chat: the widget says so
  plainly and shows the crisis line, instead of "will be sent when it is back" forever.
- After an outage the chat is back within seconds of the server (it took 23-38 s).
- "Get help now" pressed while offline is answered by the page, once: it is not sent later to
  bring a second crisis reply.
- The transport is socket.io-client from npm, served inside the chat server's own script:
  nothing from a third party, and HTTP long-polling when WebSockets are blocked.

Sizes: 320x640 and 375x812 phones, 1280x800.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import Any, Dict, List
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import CRISIS, screenshot, set_viewport, wait_for
from tests.browser.test_phone import on_screen
from tests.browser.test_widget import (
    REPLY_TIMEOUT,
    bot_texts,
    crisis_number,
    open_chat,
    press_get_help_now,
    send_text,
    wait_for_bot_messages,
    wait_until_quiet,
)

SIZES = [(320, 640), (375, 812), (1280, 800)]

# How long the server stays away: long enough for any backoff to reach its longest pause.
OUTAGE_SECONDS = 15
# From the server listening again to the queued message answered on screen. The widget's
# longest pause between tries is 5 s (socket.io-client's backoff); the rest is room for a
# loaded 2-core machine. Before #19 this took 23-38 s.
BACK_WITHIN_SECONDS = 12

REFUSED = "not set up for this website"
WAITING = "will be sent when it is back"


def size_id(size: Any) -> str:
    """``320x640`` for a (width, height) pair."""
    return f"{size[0]}x{size[1]}"


def status_text(browser: Any) -> str:
    """What the chat's status line says."""
    return browser.find_element(By.CSS_SELECTOR, ".attune-status").text


def as_localhost(url: str) -> str:
    """The same server under another name: to the browser, another website."""
    return url.replace("://127.0.0.1:", "://localhost:")


def handshake_status(rasa_url: str, origin: str) -> int:
    """The HTTP status of a socket.io handshake from a page on ``origin``."""
    request = urllib.request.Request(f"{rasa_url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def help_cards(browser: Any) -> List[Any]:
    """The lists of crisis lines "Get help now" put in the conversation."""
    return browser.find_elements(By.CSS_SELECTOR, ".attune-log .attune-msg--help")


def visible_crisis_links(browser: Any, web: Any) -> set:
    """The crisis line's and emergency number's links that are on screen right now."""
    wanted = {web.site.banner["tel"], web.site.banner["emergencyTel"]}
    links = browser.find_elements(By.CSS_SELECTOR, "a[href^='tel:']")
    return {a.get_attribute("href") for a in links if a.get_attribute("href") in wanted and on_screen(browser, a)}


# --------------------------------------------------------------------------- a website not listed


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_on_a_website_not_listed_the_chat_says_so_with_the_crisis_line(driver, web, backend, size):
    page_url = as_localhost(web.url)
    origin = f"{urlsplit(page_url).scheme}://{urlsplit(page_url).netloc}"
    # The server itself refuses that website, and accepts the listed one.
    assert handshake_status(backend.rasa_url, origin) == 400
    assert handshake_status(backend.rasa_url, web.url) == 200

    set_viewport(driver, *size)
    driver.get(page_url + "/")
    wait_for(driver, lambda b: REFUSED in status_text(b), 20, "no word that the chat is not set up here")
    status = driver.find_element(By.CSS_SELECTOR, ".attune-status")
    assert crisis_number(web) in status.text and web.site.banner["emergency"] in status.text
    hrefs = {a.get_attribute("href") for a in status.find_elements(By.TAG_NAME, "a")}
    assert {web.site.banner["tel"], web.site.banner["emergencyTel"]} <= hrefs, "the numbers in it are links"
    assert on_screen(driver, status), "the message is off screen"
    assert visible_crisis_links(driver, web) == {web.site.banner["tel"], web.site.banner["emergencyTel"]}
    assert not driver.find_element(By.CSS_SELECTOR, ".attune-input").is_enabled(), "a message box that cannot send"
    screenshot(driver, f"refused-page-{size_id(size)}")

    # Later, through the server's retries, it never turns into a promise to send.
    time.sleep(6)
    assert REFUSED in status_text(driver) and WAITING not in driver.find_element(By.TAG_NAME, "body").text
    press_get_help_now(driver)
    assert crisis_number(web) in help_cards(driver)[0].text

    # Embedded on that website: the crisis pill at once, and the same plain word when opened.
    driver.get(page_url + "/embed-demo.html")
    pill = wait_for(driver, lambda b: b.find_elements(By.CSS_SELECTOR, ".attune-launcher-crisis a"), 20)[0]
    assert on_screen(driver, pill) and crisis_number(web) in pill.text
    driver.find_element(By.CSS_SELECTOR, ".attune-launcher").click()
    wait_for(driver, lambda b: REFUSED in status_text(b), 20, "the embedded chat does not say it is not set up")
    assert visible_crisis_links(driver, web), "no crisis number on screen in the open embedded chat"
    assert WAITING not in driver.find_element(By.TAG_NAME, "body").text
    screenshot(driver, f"refused-embed-{size_id(size)}")


# --------------------------------------------------------------------------- after an outage


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_after_an_outage_the_chat_is_back_within_seconds(driver, fake_web, fake_rasa, size):
    set_viewport(driver, *size)
    open_chat(driver, fake_web)
    wait_for_bot_messages(driver, 1)
    before = len(wait_until_quiet(driver))
    fake_rasa.stop_rasa()
    try:
        wait_for(driver, lambda b: "Reconnecting" in status_text(b), 30, "no sign that the chat is offline")
        send_text(driver, "are you back yet?")
        assert driver.find_elements(By.CSS_SELECTOR, ".attune-msg--user .attune-pending")
        time.sleep(OUTAGE_SECONDS)
    finally:
        fake_rasa.restart_rasa()
    back = time.monotonic()
    wait_for(driver, lambda b: len(bot_texts(b)) > before and "Heard" in bot_texts(b)[-1], 60,
             "the queued message was never answered")
    took = time.monotonic() - back
    print(f"\n[#19.4] {size_id(size)}: queued message answered {took:.1f} s after the server returned")
    assert took <= BACK_WITHIN_SECONDS, f"the chat came back {took:.1f} s after the server"
    assert not driver.find_elements(By.CSS_SELECTOR, ".attune-pending")
    wait_for(driver, lambda b: not status_text(b), 10, "the offline note stayed")


def test_after_a_rasa_restart_the_chat_is_back_within_seconds(driver, web, backend):
    """The same with the real Rasa server, whose first answer after a start is slower."""
    set_viewport(driver, 375, 812)
    open_chat(driver, web)
    wait_for_bot_messages(driver, 1)
    before = len(wait_until_quiet(driver))
    backend.stop_rasa()
    try:
        wait_for(driver, lambda b: "Reconnecting" in status_text(b), 30, "no sign that the chat is offline")
        send_text(driver, "What does anxious attachment mean?")
    finally:
        (getattr(backend, "restart_rasa", None) or backend.start_rasa)()
    back = time.monotonic()
    wait_for(driver, lambda b: not status_text(b), 60, "the chat never reconnected")
    reconnected = time.monotonic() - back
    wait_for(driver, lambda b: len(bot_texts(b)) > before, REPLY_TIMEOUT, "the queued message was never answered")
    answered = time.monotonic() - back
    print(f"\n[#19.4] Rasa restart: reconnected {reconnected:.1f} s, answered {answered:.1f} s after it answered HTTP")
    assert reconnected <= BACK_WITHIN_SECONDS, f"the chat reconnected {reconnected:.1f} s after Rasa was back"


# --------------------------------------------------------------------------- "Get help now" offline


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_get_help_now_offline_is_answered_by_the_page_once(driver, fake_web, fake_rasa, size):
    set_viewport(driver, *size)
    open_chat(driver, fake_web)
    wait_for_bot_messages(driver, 1)
    before = len(wait_until_quiet(driver))
    sent_before = len(fake_rasa.received)
    fake_rasa.stop_rasa()
    try:
        wait_for(driver, lambda b: "Reconnecting" in status_text(b), 30, "no sign that the chat is offline")
        press_get_help_now(driver)
        cards = help_cards(driver)
        assert len(cards) == 1 and crisis_number(fake_web) in cards[0].text
        hrefs = {a.get_attribute("href") for a in cards[0].find_elements(By.TAG_NAME, "a")}
        assert {fake_web.site.banner["tel"], fake_web.site.banner["emergencyTel"]} <= hrefs
        assert "cannot reach" in cards[0].text, "the list says it comes from the page while offline"
        assert not driver.find_elements(By.CSS_SELECTOR, ".attune-pending"), "nothing waits to be sent"
        screenshot(driver, f"offline-help-{size_id(size)}")
        # A press from just before the connection dropped, still in the tab's queue: it is
        # 20 s old by the time the server returns, and must not go out either.
        driver.execute_script("var w = window.AttuneWidget; w.state.outbox.push("
                              "{text: w.cfg.helpPayload, turn: w.state.turn, helpAt: Date.now() - 20000}); w.save();")
    finally:
        fake_rasa.restart_rasa()
    # Back online, and the conversation goes on: still one answer to that press.
    wait_for(driver, lambda b: not status_text(b), 30, "the chat never came back")
    send_text(driver, "thank you")
    wait_for(driver, lambda b: any("Heard" in t for t in bot_texts(b)[before:]), REPLY_TIMEOUT)
    wait_until_quiet(driver)
    time.sleep(2)  # room for a late reply that must not come
    assert "/request_crisis_help" not in fake_rasa.received[sent_before:], "the press was sent after the outage"
    assert not [t for t in bot_texts(driver)[before:] if CRISIS[:40] in t], "a second crisis reply came"
    assert len(help_cards(driver)) == 1


def test_get_help_now_online_still_asks_the_assistant(driver, fake_web, fake_rasa):
    set_viewport(driver, 375, 812)
    open_chat(driver, fake_web)
    wait_for_bot_messages(driver, 1)
    before = len(wait_until_quiet(driver))
    press_get_help_now(driver)
    wait_for(driver, lambda b: any(CRISIS[:40] in t for t in bot_texts(b)[before:]), REPLY_TIMEOUT,
             "online, the assistant's crisis reply follows the page's list")
    wait_until_quiet(driver)
    assert len([t for t in bot_texts(driver)[before:] if CRISIS[:40] in t]) == 1
    assert "cannot reach" not in help_cards(driver)[0].text


# --------------------------------------------------------------------------- the transport


def resource_origins(browser: Any) -> Dict[str, str]:
    """Every address the page loaded or connected to, by origin (one example each)."""
    urls = browser.execute_script(
        "return [location.href].concat(performance.getEntriesByType('resource').map(function (e) { return e.name; }));")
    found: Dict[str, str] = {}
    for url in urls:
        parts = urlsplit(url)
        found.setdefault(f"{parts.scheme}://{parts.netloc}", url)
    return found


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_the_transport_is_socketio_client_from_the_chat_server(driver, web, backend, size):
    set_viewport(driver, *size)
    open_chat(driver, web)
    wait_for_bot_messages(driver, 1)
    before = len(wait_until_quiet(driver))
    transport = driver.execute_script(
        "var s = window.AttuneWidget.sock; return s && s.connected && s.io.engine.transport.name;")
    assert transport == "websocket"
    # The library stays inside the widget: the practice page's own `io` is untouched.
    assert driver.execute_script("return typeof window.io;") == "undefined"
    send_text(driver, "What does anxious attachment mean?")
    wait_for_bot_messages(driver, before + 1)
    origins = resource_origins(driver)
    assert set(origins) <= {web.url, backend.rasa_url}, f"requests beyond the chat server and Rasa: {origins}"
    scripts = driver.execute_script(
        "return Array.prototype.map.call(document.scripts, function (s) { return s.src; });")
    assert all(src.startswith(web.url + "/") for src in scripts if src), scripts


BLOCK_WEBSOCKETS = """
// What a proxy that refuses WebSocket upgrades looks like to a page: every socket fails.
window.WebSocket = function () {
  var ws = this;
  ws.readyState = 0;
  setTimeout(function () {
    ws.readyState = 3;
    if (ws.onerror) ws.onerror(new Event('error'));
    if (ws.onclose) ws.onclose({ code: 1006, reason: '', wasClean: false });
  }, 20);
};
window.WebSocket.prototype.send = function () { throw new Error('not open'); };
window.WebSocket.prototype.close = function () {};
"""


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_with_websockets_blocked_the_chat_works_over_polling(driver, web, size):
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": BLOCK_WEBSOCKETS})
    set_viewport(driver, *size)
    open_chat(driver, web)
    wait_for_bot_messages(driver, 1)
    before = len(wait_until_quiet(driver))
    transport = driver.execute_script(
        "var s = window.AttuneWidget.sock; return s && s.connected && s.io.engine.transport.name;")
    assert transport == "polling"
    send_text(driver, "I want to kill myself")
    wait_for(driver, lambda b: crisis_number(web) in " ".join(bot_texts(b)[before:]), REPLY_TIMEOUT,
             "no crisis reply over polling")
    assert not status_text(driver)


def test_without_the_library_the_chat_still_works_over_http(driver, fake_rasa, tmp_path):
    """A chat server with no socket.io-client installed serves the widget alone: the widget
    then talks to Rasa's HTTP route, and says nothing is wrong once it is answered."""
    import threading

    from tools.stack import free_port
    from attune.web.server import AttuneWebServer, load_site_config
    from tests.conftest import practice_file_for_tests

    port = free_port()
    site = load_site_config(fake_rasa.rasa_url, practice_file_for_tests(tmp_path, f"http://127.0.0.1:{port}"))
    server = AttuneWebServer(("127.0.0.1", port), site, socketio_client=None)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake_rasa.allow(server.url)
    try:
        set_viewport(driver, 375, 812)
        driver.get(server.url + "/")
        wait_for_bot_messages(driver, 1)
        before = len(wait_until_quiet(driver))
        assert driver.execute_script("return window.AttuneWidget.sock;") is None
        send_text(driver, "over http")
        wait_for(driver, lambda b: any("Heard" in t for t in bot_texts(b)[before:]), REPLY_TIMEOUT)
        wait_for(driver, lambda b: not status_text(b), 10, "an offline note while the HTTP route works")
    finally:
        server.shutdown()
        server.server_close()


def test_with_no_socket_at_all_the_chat_works_over_the_http_route(driver, web):
    """WebSockets and long-polling both blocked: the widget's own HTTP route to Rasa."""
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": BLOCK_WEBSOCKETS})
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/socket.io/*"]})
    set_viewport(driver, 375, 812)
    open_chat(driver, web)
    wait_for_bot_messages(driver, 1)
    before = len(wait_until_quiet(driver))
    assert not driver.execute_script("var s = window.AttuneWidget.sock; return !!(s && s.connected);")
    send_text(driver, "I want to kill myself")
    wait_for(driver, lambda b: crisis_number(web) in " ".join(bot_texts(b)[before:]), REPLY_TIMEOUT,
             "no crisis reply over the HTTP route")
    wait_for(driver, lambda b: not status_text(b), 10, "an offline note while the HTTP route works")

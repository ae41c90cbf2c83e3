"""The website chat in a real browser, as a visitor (often on a phone) meets it.

Needs Debian's Chromium (scripts/install-browser.sh). Conversation tests talk to the real
assistant through the ``stack`` fixture; see conftest.py for ``ATTUNE_BROWSER_BACKEND=fake``.
"""

from __future__ import annotations

from typing import Any, List
from urllib.parse import urlparse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.browser.conftest import screenshot, set_viewport, wait_for

REPLY_TIMEOUT = 90  # the first reply of a fresh Rasa server can be slow on 2 cores


# --------------------------------------------------------------------------- helpers


def open_chat(browser: Any, web: Any) -> None:
    """Opens the full-page chat and waits for the widget to start."""
    browser.get(web.url + "/")
    wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, ".attune-input"), 20, "widget did not start")


def bot_texts(browser: Any) -> List[str]:
    """The text of every assistant message on screen, in order."""
    return [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".attune-log .attune-msg--bot .attune-bubble")]


def wait_for_bot_messages(browser: Any, count: int) -> List[str]:
    """Waits until at least ``count`` assistant messages are on screen."""
    wait_for(browser, lambda b: len(bot_texts(b)) >= count, REPLY_TIMEOUT,
             f"fewer than {count} assistant messages arrived")
    return bot_texts(browser)


def wait_until_quiet(browser: Any) -> List[str]:
    """Waits until nothing is waiting to be sent and the typing dots are gone."""
    wait_for(browser, lambda b: b.execute_script(
        "var w = window.AttuneWidget; return w && !w.state.outbox.length && !w.inFlight "
        "&& document.querySelector('.attune-typing').hidden;"), REPLY_TIMEOUT, "the chat never settled")
    return bot_texts(browser)


def send_text(browser: Any, text: str) -> None:
    """Types a message and presses Enter, like a visitor."""
    field = browser.find_element(By.CSS_SELECTOR, ".attune-input")
    field.click()
    field.send_keys(text)
    field.send_keys(Keys.ENTER)


def storage_length(browser: Any) -> int:
    """How many sessionStorage entries the current page's origin holds in this tab."""
    return int(browser.execute_script("return window.sessionStorage.length;"))


def crisis_number(web: Any) -> str:
    """The primary crisis line's number as the practice's region writes it (e.g. 9-8-8)."""
    return web.site.banner["telLabel"]


def open_crisis_strip(browser: Any) -> None:
    """On a phone the crisis line is one line: taps "More" to show all of it."""
    toggle = browser.find_element(By.CSS_SELECTOR, ".attune-banner-toggle")
    if toggle.is_displayed() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()


def press_get_help_now(browser: Any) -> None:
    """Presses the crisis banner's "Get help now" (on a phone, after "More")."""
    open_crisis_strip(browser)
    browser.find_element(By.CSS_SELECTOR, ".attune-banner .attune-help").click()


# --------------------------------------------------------------------------- first visit


def test_page_opens_with_notice_banner_and_welcome(driver, web):
    set_viewport(driver, 390, 844)
    open_chat(driver, web)
    # On a phone the notice opens the conversation; on a large screen it is in the header.
    notice = next(n for n in driver.find_elements(By.CSS_SELECTOR, ".attune-notice") if n.is_displayed())
    assert "automated assistant" in notice.text.lower() and "not a therapist" in notice.text.lower()

    banner = driver.find_element(By.CSS_SELECTOR, ".attune-banner")
    assert banner.is_displayed()
    assert crisis_number(web) in banner.text
    assert web.site.banner["emergency"] in banner.text
    assert driver.find_element(By.CSS_SELECTOR, ".attune-exit").is_displayed()

    texts = wait_for_bot_messages(driver, 1)
    assert "automated assistant" in texts[0].lower()
    buttons = wait_for(driver, lambda b: b.find_elements(By.CSS_SELECTOR, ".attune-reply"), REPLY_TIMEOUT)
    assert buttons, "the welcome offers buttons"
    screenshot(driver, "welcome-390x844")


def test_welcome_is_sent_once_per_session(driver, web):
    open_chat(driver, web)
    wait_for_bot_messages(driver, 1)
    before = wait_until_quiet(driver)
    session = driver.execute_script("return window.AttuneWidget.state.sessionId;")
    driver.refresh()
    wait_for(driver, lambda b: b.find_elements(By.CSS_SELECTOR, ".attune-input"), 20)
    after = wait_until_quiet(driver)
    assert after == before, "reloading the tab keeps the conversation without a second welcome"
    assert driver.execute_script("return window.AttuneWidget.state.sessionId;") == session


def test_quick_reply_gets_an_answer(driver, web):
    open_chat(driver, web)
    wait_for(driver, lambda b: b.find_elements(By.CSS_SELECTOR, ".attune-reply"), REPLY_TIMEOUT)
    before = wait_until_quiet(driver)
    button = next(b for b in driver.find_elements(By.CSS_SELECTOR, ".attune-reply")
                  if "attachment" in b.text.lower())
    title = button.text
    button.click()
    mine = driver.find_elements(By.CSS_SELECTOR, ".attune-msg--user .attune-bubble")
    assert mine and mine[-1].text == title
    after = wait_for_bot_messages(driver, len(before) + 1)
    assert "attach" in " ".join(after[len(before):]).lower()
    assert driver.switch_to.active_element == driver.find_element(By.CSS_SELECTOR, ".attune-input")


def test_typed_question_gets_an_answer(driver, web):
    open_chat(driver, web)
    wait_for_bot_messages(driver, 1)
    before = wait_until_quiet(driver)
    send_text(driver, "What does anxious attachment mean?")
    assert driver.find_element(By.CSS_SELECTOR, ".attune-input").get_attribute("value") == ""
    after = wait_for_bot_messages(driver, len(before) + 1)
    assert after[len(before)].strip()


def test_risk_message_shows_crisis_lines_in_the_chat(driver, web):
    open_chat(driver, web)
    wait_for_bot_messages(driver, 1)
    before = wait_until_quiet(driver)
    send_text(driver, "I want to kill myself")
    wait_for(driver, lambda b: crisis_number(web) in " ".join(bot_texts(b)[len(before):]),
             REPLY_TIMEOUT, "no crisis line in the reply")
    links = driver.find_elements(By.CSS_SELECTOR, ".attune-log .attune-msg--bot a[href^='tel:']")
    assert links, "the crisis number in the reply is a link a phone can call"


def test_user_text_with_markup_is_shown_as_text(driver, web):
    open_chat(driver, web)
    wait_for_bot_messages(driver, 1)
    send_text(driver, '<img src=x onerror="window.__attune_xss=1">hello')
    mine = driver.find_elements(By.CSS_SELECTOR, ".attune-msg--user .attune-bubble")
    assert '<img src=x onerror="window.__attune_xss=1">hello' in mine[-1].text
    assert not driver.find_elements(By.CSS_SELECTOR, ".attune-log img")
    assert driver.execute_script("return window.__attune_xss;") is None


# --------------------------------------------------------------------------- safety controls


def test_quick_exit_button_leaves_and_forgets(driver, web):
    driver.get("about:blank")
    open_chat(driver, web)
    wait_for_bot_messages(driver, 1)
    assert storage_length(driver) > 0
    driver.find_element(By.CSS_SELECTOR, ".attune-exit").click()
    wait_for(driver, lambda b: not b.current_url.startswith(web.url), 20, "quick exit did not leave")
    assert driver.current_url.startswith(web.site.quick_exit_url)

    driver.back()
    wait_for(driver, lambda b: b.current_url == "about:blank", 20, "Back did not skip the chat")
    # Same tab, same origin, a page without the widget: the tab's storage must be empty.
    driver.get(web.url + "/widget.css")
    assert storage_length(driver) == 0


def test_escape_three_times_is_a_quick_exit(driver, web):
    driver.get("about:blank")
    open_chat(driver, web)
    wait_for_bot_messages(driver, 1)
    field = driver.find_element(By.CSS_SELECTOR, ".attune-input")
    field.send_keys("half a sentence I don't want seen")
    field.send_keys(Keys.ESCAPE, Keys.ESCAPE, Keys.ESCAPE)
    wait_for(driver, lambda b: not b.current_url.startswith(web.url), 20, "Esc x3 did not leave")
    driver.back()
    wait_for(driver, lambda b: b.current_url == "about:blank", 20, "Back did not skip the chat")
    driver.get(web.url + "/widget.css")
    assert storage_length(driver) == 0


def test_clear_this_chat_starts_a_new_conversation(driver, web):
    open_chat(driver, web)
    wait_for_bot_messages(driver, 1)
    wait_until_quiet(driver)
    send_text(driver, "something private")
    old_session = driver.execute_script("return window.AttuneWidget.state.sessionId;")
    driver.find_element(By.XPATH, "//button[normalize-space()='Clear this chat']").click()
    assert "something private" not in driver.find_element(By.CSS_SELECTOR, ".attune-log").text
    new_session = driver.execute_script("return window.AttuneWidget.state.sessionId;")
    assert new_session != old_session
    assert wait_for_bot_messages(driver, 1), "the new conversation is welcomed again"


def test_get_help_now_shows_lines_at_once(driver, web):
    open_chat(driver, web)
    press_get_help_now(driver)
    panel = driver.find_element(By.CSS_SELECTOR, ".attune-msg--help")
    assert crisis_number(web) in panel.text
    hrefs = [a.get_attribute("href") for a in panel.find_elements(By.TAG_NAME, "a")]
    assert web.site.banner["tel"] in hrefs and web.site.banner["emergencyTel"] in hrefs


def test_a_safety_plan_is_written_on_screen_and_never_leaves_it_unless_the_visitor_takes_it(driver, web, backend):
    open_chat(driver, web)
    wait_for_bot_messages(driver, 1)
    wait_until_quiet(driver)
    driver.execute_script("window.AttuneWidget.send('/make_safety_plan', 'Make a safety plan');")
    fields = wait_for(driver, lambda b: b.find_elements(By.CSS_SELECTOR, ".attune-plan-field"), REPLY_TIMEOUT,
                      "the safety plan never appeared")
    assert len(fields) == 5
    card = driver.find_element(By.CSS_SELECTOR, ".attune-plan")
    assert "nothing you write here is sent or saved" in card.text
    fields[0].send_keys("can't sleep, stop eating")
    fields[3].send_keys("my sister Ana")
    wait_until_quiet(driver)
    # Typing in the plan sent nothing and stored nothing.
    assert "my sister Ana" not in driver.execute_script("return JSON.stringify(window.sessionStorage);")
    if hasattr(backend, "received"):
        assert not [m for m in backend.received if "Ana" in m]
    else:
        import sqlite3

        with sqlite3.connect(backend.tracker_db) as db:
            stored = " ".join(row[0] for row in db.execute("SELECT data FROM events"))
        assert "my sister Ana" not in stored
    # What leaves, leaves only by the visitor's hand: a download or an email to themselves.
    links = {a.text: a.get_attribute("href") for a in card.find_elements(By.CSS_SELECTOR, ".attune-plan-action")}
    assert "my%20sister%20Ana" in links["Download"] and links["Download"].startswith("data:text/plain")
    assert links["Email it to myself"].startswith("mailto:?subject=")
    assert "my%20sister%20Ana" in links["Email it to myself"]
    # After a reload the headings are back, the words are gone.
    driver.refresh()
    fields = wait_for(driver, lambda b: b.find_elements(By.CSS_SELECTOR, ".attune-plan-field"), 20)
    assert all(not f.get_attribute("value") for f in fields)


# --------------------------------------------------------------------------- access and layout


def test_keyboard_reaches_everything_with_a_visible_focus_ring(driver, web):
    open_chat(driver, web)
    wait_for(driver, lambda b: b.find_elements(By.CSS_SELECTOR, ".attune-reply"), REPLY_TIMEOUT)
    wait_until_quiet(driver)
    open_crisis_strip(driver)
    driver.execute_script("document.activeElement && document.activeElement.blur();")
    body = driver.find_element(By.TAG_NAME, "body")
    reached = {}
    for _ in range(40):
        body = driver.switch_to.active_element
        body.send_keys(Keys.TAB)
        info = driver.execute_script(
            "var e = document.activeElement, s = getComputedStyle(e);"
            "return [e.className, e.tagName, s.outlineStyle, parseFloat(s.outlineWidth)];")
        reached.setdefault(info[0] or info[1], info)
    names = " ".join(reached)
    for wanted in ("attune-exit", "attune-help", "attune-reply", "attune-input", "attune-send"):
        assert wanted in names, f"Tab never reached {wanted}"
    for name, (_, _, style, width) in reached.items():
        if name.startswith("attune"):
            assert style != "none" and width >= 2, f"{name} has no visible focus ring"

    # Enter on a focused quick reply works like a click.
    reply = driver.find_element(By.CSS_SELECTOR, ".attune-reply")
    before = len(bot_texts(driver))
    reply.send_keys(Keys.ENTER)
    wait_for_bot_messages(driver, before + 1)


def test_input_is_labelled_and_replies_are_announced(driver, web):
    open_chat(driver, web)
    field = driver.find_element(By.CSS_SELECTOR, ".attune-input")
    label = driver.find_element(By.CSS_SELECTOR, f"label[for='{field.get_attribute('id')}']")
    assert label.get_attribute("textContent").strip()
    log = driver.find_element(By.CSS_SELECTOR, ".attune-log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"


CONTRAST_SCRIPT = """
function lum(c) {
  var v = c.match(/[\\d.]+/g).slice(0, 3).map(function (x) {
    x = x / 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
}
function background(e) {
  for (; e; e = e.parentElement) {
    var b = getComputedStyle(e).backgroundColor;
    if (b && b !== 'transparent' && !/rgba\\(.*, 0\\)$/.test(b)) return b;
  }
  return 'rgb(255, 255, 255)';
}
var low = [];
document.querySelectorAll('.attune *').forEach(function (e) {
  var own = Array.prototype.some.call(e.childNodes, function (n) {
    return n.nodeType === 3 && n.textContent.trim(); });
  if (!own || !e.getClientRects().length || e.closest('.attune-visually-hidden')) return;
  var a = lum(getComputedStyle(e).color), b = lum(background(e));
  var ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  if (ratio < 4.5) low.push([e.className || e.tagName, e.textContent.trim().slice(0, 30), ratio.toFixed(2)]);
});
return low;
"""


def test_text_contrast_is_at_least_4_5_to_1(driver, web):
    open_chat(driver, web)
    wait_for(driver, lambda b: b.find_elements(By.CSS_SELECTOR, ".attune-reply"), REPLY_TIMEOUT)
    send_text(driver, "hello")
    press_get_help_now(driver)
    wait_until_quiet(driver)
    assert driver.execute_script(CONTRAST_SCRIPT) == []


@pytest.mark.parametrize("width,height", [(320, 640), (390, 844), (640, 400)])
def test_nothing_overflows_sideways(driver, web, width, height):
    # 640 x 400 is what a 1280 x 800 screen shows at 200 % zoom.
    set_viewport(driver, width, height)
    open_chat(driver, web)
    wait_for_bot_messages(driver, 1)
    wait_until_quiet(driver)
    send_text(driver, "a-very-long-word-" * 12 + " https://example.org/" + "x" * 80)
    wide = driver.execute_script(
        "var w = document.documentElement.clientWidth, bad = [];"
        "document.querySelectorAll('.attune *').forEach(function (e) {"
        "  var r = e.getBoundingClientRect();"
        "  if (r.width && (r.right > w + 0.5 || r.left < -0.5)) bad.push(e.className || e.tagName); });"
        "return [document.documentElement.scrollWidth - w, bad];")
    assert wide[0] <= 0, f"the page scrolls sideways by {wide[0]} px at {width} px"
    assert not wide[1], f"these stick out at {width} px: {wide[1][:5]}"
    screenshot(driver, f"chat-{width}x{height}")


# --------------------------------------------------------------------------- hostile server text


def test_server_text_with_markup_is_rendered_as_text(driver, fake_web, fake_rasa):
    open_chat(driver, fake_web)
    wait_for_bot_messages(driver, 1)
    wait_until_quiet(driver)
    driver.execute_script("window.AttuneWidget.send('/say_html', 'show me');")
    texts = wait_for(driver, lambda b: [t for t in bot_texts(b) if "Look:" in t], REPLY_TIMEOUT)
    assert '<img src=x onerror="window.__attune_xss = 1">' in texts[0]
    assert not driver.find_elements(By.CSS_SELECTOR, ".attune-log img, .attune-log b")
    assert driver.execute_script("return window.__attune_xss;") is None
    message = driver.find_elements(By.CSS_SELECTOR, ".attune-msg--bot")[-1]
    hrefs = [a.get_attribute("href") for a in message.find_elements(By.TAG_NAME, "a")]
    assert hrefs == ["https://example.org/read?a=1", "tel:18006686868"], "only http(s) and phone links"


def registry_lines_and_links() -> List[Any]:
    """Every line of the crisis registry as a reply writes it, with the links it must give."""
    from attune.practice import load_practice
    from attune.safety.lines import format_line
    from attune.safety.resources import load_registry

    cases = []
    for resource in load_registry().all_resources():
        calls = {c.digits for c in resource.contacts if c.kind in ("call", "tty")}
        wanted = set()
        for contact in resource.contacts:
            if contact.kind in ("call", "tty"):
                wanted.add(contact.href)
            elif contact.kind == "text":
                # "call or text 9-8-8" opens the dialler; a text-only line the messaging app.
                wanted.add(f"tel:{contact.digits}" if contact.digits in calls else contact.href)
            elif contact.kind == "chat":
                # A chat line opens its page (the browser writes a bare host with its "/").
                wanted.add(contact.value if urlparse(contact.value).path else contact.value + "/")
        cases.append((format_line(resource), sorted(wanted)))
    phone = load_practice().contact.phone
    digits = "".join(ch for ch in phone if ch.isdigit())
    cases.append((f"You can call the practice at {phone}, Monday to Friday 9-5.", [f"tel:{digits}"]))
    cases.append(("A session is 50 minutes and costs $150; 24/7 lines are below.", []))
    return cases


def test_every_number_in_the_registry_is_one_tap_away(driver, fake_web):
    """Each crisis line's numbers become links exactly as the registry lists them: tel: to
    call, sms: for a text-only line, its page for a chat line; "(24/7)", prices and times stay
    text."""
    open_chat(driver, fake_web)
    cases = registry_lines_and_links()
    rendered = driver.execute_script(
        "return arguments[0].map(function (t) {"
        "  return Array.prototype.map.call(window.AttuneWidget.renderText(t).querySelectorAll('a'),"
        "    function (a) { return a.getAttribute('href'); }); });",
        [text for text, _ in cases],
    )
    wrong = [(text, sorted(set(links)), wanted) for (text, wanted), links in zip(cases, rendered)
             if sorted(set(links)) != wanted]
    assert not wrong, f"{len(wrong)} of {len(cases)} lines: {wrong[:3]}"


# --------------------------------------------------------------------------- server down (last: slow)


def test_with_rasa_down_the_lines_still_show_and_messages_wait(driver, web, backend):
    backend.stop_rasa()
    try:
        open_chat(driver, web)
        banner = driver.find_element(By.CSS_SELECTOR, ".attune-banner")
        assert crisis_number(web) in banner.text
        wait_for(driver, lambda b: "Reconnecting" in b.find_element(By.CSS_SELECTOR, ".attune-status").text,
                 30, "no sign that the chat is offline")

        press_get_help_now(driver)
        panel = driver.find_element(By.CSS_SELECTOR, ".attune-msg--help")
        assert crisis_number(web) in panel.text

        send_text(driver, "first while offline")
        send_text(driver, "second while offline")
        pending = driver.find_elements(By.CSS_SELECTOR, ".attune-msg--user .attune-pending")
        assert len(pending) == 2, "both messages wait, marked as not sent yet"
    finally:
        restart = getattr(backend, "restart_rasa", None) or backend.start_rasa
        restart()
    # Back online: the queue goes out in order and the status clears.
    wait_for(driver, lambda b: not b.find_elements(By.CSS_SELECTOR, ".attune-pending"),
             240, "queued messages were never sent")
    wait_for(driver, lambda b: not b.find_element(By.CSS_SELECTOR, ".attune-status").text, 60)
    received = getattr(backend, "received", None)
    if received is not None:
        assert received.index("first while offline") < received.index("second while offline")


# --------------------------------------------------------------------------- embedded on a practice page


def test_embedded_widget_keeps_the_crisis_line_visible_and_opens_on_demand(driver, fake_web):
    set_viewport(driver, 390, 844)
    driver.get(fake_web.url + "/embed-demo.html")
    launcher = wait_for(driver, lambda b: b.find_elements(By.CSS_SELECTOR, ".attune-launcher"), 20)[0]
    pill = driver.find_element(By.CSS_SELECTOR, ".attune-launcher-crisis")
    assert pill.is_displayed() and fake_web.site.banner["telLabel"] in pill.text
    assert not driver.find_element(By.CSS_SELECTOR, ".attune-panel").is_displayed()

    launcher.click()
    assert driver.switch_to.active_element == driver.find_element(By.CSS_SELECTOR, ".attune-input")
    wait_for_bot_messages(driver, 1)
    assert driver.find_element(By.CSS_SELECTOR, ".attune-banner").is_displayed()
    screenshot(driver, "embedded-390x844")

    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    assert not driver.find_element(By.CSS_SELECTOR, ".attune-panel").is_displayed()
    assert pill.is_displayed()

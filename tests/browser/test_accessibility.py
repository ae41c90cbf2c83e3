"""axe-core on the full page and the embed in every state #19 added (issue #19 item 7).

No violation of any impact, with axe's check that a control's name contains its visible label
(WCAG 2.5.3) turned on: the embed closed and open, after a crisis reply, on a website the chat
is not set up for, and offline with the page's own list of crisis lines. The crisis pill sits in
a landmark, and the close button's name is what it shows. Sizes: 320x640, 375x812, 1280x800.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.browser.conftest import screenshot, set_viewport, wait_for
from tests.browser.test_connection import REFUSED, SIZES, as_localhost, size_id, status_text
from tests.browser.test_phone import axe_source, axe_violations, is_phone, on_screen
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

LANDMARKS = "main, aside, nav, header, footer, section[aria-label], [role=region], [role=complementary]"


def open_embed(browser: Any, url: str) -> None:
    """The stand-in practice page with the embed snippet, the chat still closed."""
    browser.get(url + "/embed-demo.html")
    wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, ".attune-launcher-crisis a"), 20, "no embed")


def visible_words(text: str) -> str:
    """A label's words, without symbols such as the close button's cross."""
    return " ".join(re.findall(r"[A-Za-z0-9]+", text)).lower()


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_axe_finds_nothing_in_the_embed_closed_open_and_after_a_crisis(driver, web, size):
    source = axe_source()
    driver.set_script_timeout(60)
    set_viewport(driver, *size)
    open_embed(driver, web.url)
    assert axe_violations(driver, source) == [], "the practice page with the chat closed"

    driver.find_element(By.CSS_SELECTOR, ".attune-launcher").click()
    wait_for_bot_messages(driver, 1)
    before = len(wait_until_quiet(driver))
    assert axe_violations(driver, source) == [], "the chat open"

    send_text(driver, "I want to kill myself")
    wait_for(driver, lambda b: crisis_number(web) in " ".join(bot_texts(b)[before:]), REPLY_TIMEOUT)
    wait_until_quiet(driver)
    if is_phone(*size):
        driver.find_element(By.CSS_SELECTOR, ".attune-banner-toggle").click()
    assert axe_violations(driver, source) == [], "after a crisis reply"
    screenshot(driver, f"embed-crisis-{size_id(size)}")


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_the_crisis_pill_is_in_a_landmark_and_the_close_button_says_what_it_shows(driver, fake_web, size):
    set_viewport(driver, *size)
    open_embed(driver, fake_web.url)
    pill = driver.find_element(By.CSS_SELECTOR, ".attune-launcher-crisis")
    assert on_screen(driver, pill) and crisis_number(fake_web) in pill.text
    landmark = driver.execute_script("var l = arguments[0].closest(arguments[1]);"
                                     "return l && (l.getAttribute('aria-label') || l.tagName);", pill, LANDMARKS)
    assert landmark, "the crisis pill is outside every landmark"
    screenshot(driver, f"embed-closed-{size_id(size)}")

    launcher = driver.find_element(By.CSS_SELECTOR, ".attune-launcher")
    assert launcher.accessible_name == launcher.text
    launcher.click()
    close = driver.find_element(By.CSS_SELECTOR, ".attune-close")
    assert close.is_displayed() and on_screen(driver, close)
    shown = visible_words(close.text)
    assert shown == "close", f"the close button shows {close.text!r}"
    assert visible_words(close.accessible_name).startswith(shown), (
        f"shows {close.text!r} but is called {close.accessible_name!r}")
    screenshot(driver, f"embed-open-{size_id(size)}")
    close.click()
    assert not driver.find_element(By.CSS_SELECTOR, ".attune-panel").is_displayed()
    assert driver.switch_to.active_element == launcher


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_axe_finds_nothing_on_a_website_the_chat_is_not_set_up_for(driver, web, size):
    source = axe_source()
    driver.set_script_timeout(60)
    set_viewport(driver, *size)
    driver.get(as_localhost(web.url) + "/")
    wait_for(driver, lambda b: REFUSED in status_text(b), 20)
    assert axe_violations(driver, source) == [], "the full page"
    open_embed(driver, as_localhost(web.url))
    driver.find_element(By.CSS_SELECTOR, ".attune-launcher").click()
    wait_for(driver, lambda b: REFUSED in status_text(b), 20)
    assert axe_violations(driver, source) == [], "the embed"


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_axe_finds_nothing_offline_with_the_pages_own_crisis_lines(driver, fake_web, fake_rasa, size):
    source = axe_source()
    driver.set_script_timeout(60)
    set_viewport(driver, *size)
    open_chat(driver, fake_web)
    wait_for_bot_messages(driver, 1)
    wait_until_quiet(driver)
    fake_rasa.stop_rasa()
    try:
        wait_for(driver, lambda b: "Reconnecting" in status_text(b), 30)
        press_get_help_now(driver)
        send_text(driver, "still there?")
        assert axe_violations(driver, source) == []
    finally:
        fake_rasa.restart_rasa()

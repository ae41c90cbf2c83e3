"""Input limits shared by every channel."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from attune.channels.guard import (
    TOO_LONG_PAYLOAD,
    ChannelGuard,
    RateLimiter,
    prepare_text,
    screen_text,
    valid_sender,
)
from attune.channels.http import caller_address, is_loopback
from attune.channels.rest import authorised


def fake_risk(text: str):
    return "risk_suicide" if "kill myself" in text else None


def test_a_message_within_the_limit_goes_through_unchanged():
    assert prepare_text("hello", 10, fake_risk) == "hello"


def test_an_over_long_message_becomes_the_too_long_intent_and_its_text_is_dropped():
    assert prepare_text("blah " * 1000, 2000, fake_risk) == TOO_LONG_PAYLOAD


def test_an_over_long_message_with_risk_at_the_end_hands_on_the_part_with_the_risk():
    text = "blah " * 1000 + " i want to kill myself"
    prepared = prepare_text(text, 2000, fake_risk)
    assert prepared.endswith("i want to kill myself") and len(prepared) == 2000


def test_an_over_long_message_with_risk_at_the_start_hands_on_the_start():
    text = "i want to kill myself. " + "blah " * 1000
    assert prepare_text(text, 2000, fake_risk).startswith("i want to kill myself")


def test_the_risk_check_of_a_huge_text_reads_two_windows_only():
    seen = []

    def counting(text):
        seen.append(len(text))
        return None

    assert screen_text("a" * 1_000_000, 2000, counting) is None
    assert seen == [2000, 2000]


def test_screen_names_the_risk_of_a_refused_message_of_any_length():
    guard = ChannelGuard(max_chars=100, per_minute=2, risk_intent=fake_risk)
    assert guard.screen("x" * 500_000 + " kill myself") == "risk_suicide"
    assert guard.screen("hello") is None
    assert guard.screen({"not": "text"}) is None


def test_a_flood_is_told_to_pause_once_a_minute_not_message_by_message():
    guard = ChannelGuard(max_chars=100, per_minute=2, risk_intent=fake_risk)
    assert [guard.notify_refusal("s1") for _ in range(3)] == [True, False, False]
    assert guard.notify_refusal("s2")


def test_rate_limit_counts_a_sliding_minute_per_key():
    now = [0.0]
    limiter = RateLimiter(per_minute=3, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b"), "another sender has its own budget"
    now[0] = 61.0
    assert limiter.allow("a"), "the window slides"


def test_rate_limiter_forgets_the_oldest_keys_instead_of_growing_without_bound():
    limiter = RateLimiter(per_minute=1, max_keys=100)
    for n in range(1000):
        limiter.allow(str(n))
    assert len(limiter._hits) == 100


def test_guard_limits_an_address_more_loosely_than_a_sender():
    guard = ChannelGuard(max_chars=100, per_minute=2, risk_intent=fake_risk)
    assert guard.admit("s1", "10.0.0.1") and guard.admit("s1", "10.0.0.1")
    assert not guard.admit("s1", "10.0.0.1")
    # other visitors behind the same address still get through for a while
    assert all(guard.admit(f"s{n}", "10.0.0.1") for n in range(2, 6))


def test_guard_refuses_anything_that_is_not_text():
    guard = ChannelGuard(max_chars=100, per_minute=2, risk_intent=fake_risk)
    assert guard.prepare({"text": "hi"}) is None
    assert guard.prepare("  hi\x00 ") == "hi"


@pytest.mark.parametrize("sender,ok", [
    ("visitor-1", True), ("+14165550142", True), ("a" * 128, True),
    ("", False), ("a" * 129, False), ("../../etc", False), ("x y", False), (None, False), (3, False),
])
def test_sender_ids_have_a_safe_bounded_form(sender, ok):
    assert valid_sender(sender) is ok


def request(ip: str, authorization: str = ""):
    return SimpleNamespace(ip=ip, headers={"authorization": authorization} if authorization else {})


def test_without_a_token_only_this_machine_may_use_the_rest_channel():
    assert authorised(request("127.0.0.1"), None)
    assert authorised(request("::1"), None)
    assert not authorised(request("203.0.113.9"), None)


def test_with_a_token_every_caller_must_present_it():
    assert authorised(request("203.0.113.9", "Bearer s3cret"), "s3cret")
    assert not authorised(request("203.0.113.9", "Bearer wrong"), "s3cret")
    assert not authorised(request("127.0.0.1"), "s3cret")


@pytest.mark.parametrize("address,expected", [("127.0.0.1", True), ("127.8.9.10", True), ("::1", True),
                                              ("192.0.2.1", False), ("", False), ("nonsense", False)])
def test_loopback_detection(address, expected):
    assert is_loopback(address) is expected


def forwarded(peer: str, chain: str) -> SimpleNamespace:
    return SimpleNamespace(ip=peer, headers={"x-forwarded-for": chain})


def test_behind_the_practices_proxy_each_visitor_has_their_own_address(monkeypatch):
    monkeypatch.setenv("ATTUNE_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")
    assert caller_address(forwarded("10.0.0.5", "198.51.100.7")) == "198.51.100.7"
    assert caller_address(forwarded("10.0.0.5", "198.51.100.8")) == "198.51.100.8"
    # A chain of the practice's own proxies is walked from the nearest hop back.
    assert caller_address(forwarded("127.0.0.1", "198.51.100.7, 10.0.0.5")) == "198.51.100.7"


def test_a_visitor_cannot_choose_their_address_with_a_header(monkeypatch):
    monkeypatch.setenv("ATTUNE_TRUSTED_PROXIES", "10.0.0.0/8")
    # Not through a trusted proxy: the header is ignored.
    assert caller_address(forwarded("203.0.113.9", "198.51.100.7")) == "203.0.113.9"
    # Through the proxy, what the visitor wrote before the proxy's own entry does not count.
    assert caller_address(forwarded("10.0.0.5", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    # Garbage in the header: the proxy's address is used.
    assert caller_address(forwarded("10.0.0.5", "not-an-address")) == "10.0.0.5"


def test_without_trusted_proxies_forwarded_headers_are_ignored(monkeypatch):
    monkeypatch.delenv("ATTUNE_TRUSTED_PROXIES", raising=False)
    assert caller_address(forwarded("203.0.113.9", "198.51.100.7")) == "203.0.113.9"


def test_a_forwarded_loopback_address_does_not_unlock_the_tokenless_rest_channel(monkeypatch):
    monkeypatch.setenv("ATTUNE_TRUSTED_PROXIES", "10.0.0.0/8")
    assert not authorised(forwarded("10.0.0.5", "127.0.0.1"), None)

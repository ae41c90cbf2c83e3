"""Messaging apps: replies that fit each app, number replies, replay memory, request checks."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from attune.channels.formatting import (
    CHANNEL_LIMITS,
    OPTIONS_INTRO,
    Option,
    OptionMemory,
    RecentIds,
    number_reply,
    plain_text,
    plan_turn,
    split_text,
    turn_options,
)
from attune.channels.messenger import hub_signature, valid_hub_signature
from attune.channels.telegram import command_text, valid_secret, webhook_secret
from attune.channels.twilio import conversation_id, twilio_signature, valid_signature

CRISIS = {
    "text": (
        "I'm really glad you told me. You can reach someone any time:\n"
        "• 9-8-8 Suicide Crisis Helpline: call or text 9-8-8 (24/7)\n"
        "• Kids Help Phone: call 1-800-668-6868 or text CONNECT to 686868 (24/7)\n"
        "• Emergency services: call 9-1-1 (24/7)"
    )
}
SAFE_NOW = {
    "text": "Are you safe right now?",
    "buttons": [
        {"title": "I'm safe right now", "payload": "/confirm_safe"},
        {"title": "I'm not safe", "payload": "/not_safe"},
        {"title": "Contact the practice", "payload": "/request_human"},
    ],
}
MENU = {
    "text": "What would you like to do?",
    "buttons": [
        {"title": "Learn about attachment patterns", "payload": "/learn_attachment"},
        {"title": "Reflect on my patterns", "payload": "/start_reflection"},
        {"title": "Talk to a therapist", "payload": "/request_human"},
        {"title": "I need help now", "payload": "/request_crisis_help"},
    ],
}
GET_HELP = {"title": "Get help now", "payload": "/request_crisis_help"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --------------------------------------------------------------------------- numbered options


@pytest.mark.parametrize("channel", ["sms", "whatsapp"])
def test_sms_and_whatsapp_show_buttons_as_a_numbered_list_after_the_words(channel):
    messages, options = plan_turn([CRISIS, SAFE_NOW], channel)
    body = "\n".join(m.text for m in messages)
    assert body.index("686868") < body.index(OPTIONS_INTRO)
    assert "1. I'm safe right now\n2. I'm not safe\n3. Contact the practice" in body
    assert [o.payload for o in options] == ["/confirm_safe", "/not_safe", "/request_human"]
    assert all(not m.buttons for m in messages)


def test_a_button_repeated_in_one_turn_is_offered_once():
    repeated = {"text": "More?", "buttons": [GET_HELP]}
    options = turn_options([{**MENU}, repeated])
    assert [o.payload for o in options].count("/request_crisis_help") == 1
    assert [o.number for o in options] == [1, 2, 3, 4]


def test_a_number_reply_chooses_the_option_just_offered():
    memory = OptionMemory()
    _, options = plan_turn([MENU], "sms")
    memory.remember("sms-a", options)
    assert memory.resolve("sms-a", "3") == "/request_human"
    assert memory.resolve("sms-a", " 2. ") == "/start_reflection"
    assert memory.resolve("sms-a", "#4") == "/request_crisis_help"


@pytest.mark.parametrize("text", ["0", "5", "12", "1 I want to die", "one", "1,2", "-1", ""])
def test_anything_but_an_offered_number_stays_text(text):
    memory = OptionMemory()
    memory.remember("sms-a", turn_options([MENU]))
    assert memory.resolve("sms-a", text) is None


def test_numbers_mean_nothing_after_a_turn_without_options_or_for_someone_else():
    memory = OptionMemory()
    memory.remember("sms-a", turn_options([MENU]))
    assert memory.resolve("sms-b", "1") is None
    memory.remember("sms-a", [])
    assert memory.resolve("sms-a", "1") is None


def test_offered_options_expire_and_the_memory_stays_bounded():
    clock = FakeClock()
    memory = OptionMemory(max_senders=2, ttl_seconds=60, clock=clock)
    memory.remember("a", turn_options([MENU]))
    clock.now += 61
    assert memory.resolve("a", "1") is None
    for sender in ("b", "c", "d"):
        memory.remember(sender, turn_options([MENU]))
    assert memory.resolve("b", "1") is None  # pushed out by c and d
    assert memory.resolve("d", "1") == "/learn_attachment"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=12))
def test_a_mapped_payload_is_only_ever_one_of_the_buttons_just_offered(text):
    memory = OptionMemory()
    memory.remember("s", turn_options([SAFE_NOW]))
    resolved = memory.resolve("s", text)
    assert resolved is None or resolved in {b["payload"] for b in SAFE_NOW["buttons"]}
    if resolved is not None:
        assert number_reply(text) is not None


# --------------------------------------------------------------------------- plain text


def test_crisis_lines_read_as_plain_text_with_numbers_a_phone_can_dial():
    text = "\n".join(m.text for m in plan_turn([CRISIS], "telegram")[0])
    assert "call or text 988" in text
    assert "call 911" in text
    assert "9-8-8 Suicide Crisis Helpline" in text  # the service's name is kept
    assert "1-800-668-6868" in text


def test_links_become_plain_urls_and_markdown_disappears():
    assert plain_text("Book at [our site](https://example.ca/book) **today**") == (
        "Book at our site: https://example.ca/book today"
    )


def test_sms_uses_only_plain_characters_so_each_part_stays_long():
    body = plan_turn([CRISIS, {"text": "It\u2019s okay \u2014 really\u2026"}], "sms")[0][0].text
    assert "\u2022" not in body and "\u2019" not in body and "\u2014" not in body
    assert "- Kids Help Phone" in body and "It's okay - really..." in body


def test_whatsapp_keeps_bullets():
    assert "\u2022 Kids Help Phone" in plan_turn([CRISIS], "whatsapp")[0][0].text


def test_messenger_puts_short_titles_in_quick_replies_under_the_last_message():
    messages, _ = plan_turn([CRISIS, SAFE_NOW], "messenger")
    assert not messages[0].buttons
    assert [b["title"] for b in messages[-1].buttons] == [
        "I'm safe right now", "I'm not safe", "Contact the practice",
    ]
    assert OPTIONS_INTRO not in messages[-1].text


def test_messenger_numbers_options_whose_titles_are_too_long_for_its_buttons():
    messages, options = plan_turn([MENU], "messenger")
    assert "1. Learn about attachment patterns" in messages[-1].text
    assert [b["title"] for b in messages[-1].buttons] == ["1", "2", "3", "4"]
    assert [b["payload"] for b in messages[-1].buttons] == [o.payload for o in options]


def test_telegram_keeps_each_reply_with_its_own_buttons():
    messages, _ = plan_turn([MENU, {"text": "Or just type."}], "telegram")
    assert [len(m.buttons) for m in messages] == [4, 0]
    assert OPTIONS_INTRO not in messages[0].text


# --------------------------------------------------------------------------- splitting


@pytest.mark.parametrize("channel", sorted(CHANNEL_LIMITS))
def test_a_long_reply_is_split_within_each_apps_limit(channel):
    long_text = " ".join(f"Sentence {i} is here." for i in range(900))
    messages, _ = plan_turn([{"text": long_text, "buttons": MENU["buttons"]}], channel)
    assert len(messages) > 1
    assert all(len(m.text) <= CHANNEL_LIMITS[channel] for m in messages)
    joined = " ".join(m.text for m in messages)
    assert "Sentence 0 is here." in joined and "Sentence 899 is here." in joined


def test_splitting_prefers_paragraphs():
    first, second = "a" * 60, "b" * 60
    assert split_text(f"{first}\n\n{second}", 100) == [first, second]


_WORD = st.sampled_from(["care", "is", "near.", "you", "matter,", "okay", "\n", "\n\n"])
_URL = st.builds(lambda n: f"https://example.ca/help/{'x' * n}", st.integers(0, 30))
_PHONE = st.sampled_from(["1-800-668-6868", "+1 416 555 0100", "(416) 555-0100", "686868"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_WORD, _URL, _PHONE), min_size=1, max_size=120), st.integers(60, 200))
# Found by this test: two numbers side by side were read as one ending inside the next.
@example(["care", "care", "1-800-668-6868", "686868", "1-800-668-6868", "(416) 555-0100"], 60)
def test_a_split_never_cuts_a_url_or_a_phone_number(tokens, limit):
    text = " ".join(tokens)
    parts = split_text(text, limit)
    assert all(0 < len(p) <= limit for p in parts)
    for token in tokens:
        if token.startswith("http") or re.search(r"\d", token):
            assert any(token in part for part in parts), token
    assert re.sub(r"\s+", "", "".join(parts)) == re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------- replay memory


def test_a_message_id_is_accepted_once_within_the_hour():
    clock = FakeClock()
    recent = RecentIds(ttl_seconds=3600, clock=clock)
    assert recent.first_time("twilio:SM1")
    assert not recent.first_time("twilio:SM1")
    clock.now += 3601
    assert recent.first_time("twilio:SM1")


def test_a_forgotten_id_may_be_retried_and_the_memory_is_bounded():
    recent = RecentIds(max_ids=3)
    assert recent.first_time("a")
    recent.forget("a")
    assert recent.first_time("a")
    for message_id in "bcd":
        recent.first_time(message_id)
    assert recent.first_time("a")  # the oldest went first


# --------------------------------------------------------------------------- request checks


def test_twilio_signature_matches_twilios_published_example():
    params = [
        ("CallSid", "CA1234567890ABCDE"),
        ("Caller", "+12349013030"),
        ("Digits", "1234"),
        ("From", "+12349013030"),
        ("To", "+18005551212"),
    ]
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature("12345", url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    assert valid_signature("12345", url, list(reversed(params)), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")


@pytest.mark.parametrize(
    "token, url, signature",
    [
        ("wrong", "https://mycompany.com/myapp.php?foo=1&bar=2", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
        ("12345", "https://attacker.example/myapp.php?foo=1&bar=2", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
        ("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", ""),
        ("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", None),
    ],
)
def test_twilio_requests_with_another_key_address_or_no_signature_fail(token, url, signature):
    params = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"),
              ("From", "+12349013030"), ("To", "+18005551212")]
    assert not valid_signature(token, url, params, signature)


def test_twilio_signature_covers_every_parameter():
    params = [("Body", "hello"), ("From", "+15550001111"), ("MessageSid", "SM1")]
    signature = twilio_signature("t", "https://bot.example.ca/webhooks/twilio/webhook", params)
    changed = [("Body", "/deny_risk"), ("From", "+15550001111"), ("MessageSid", "SM1")]
    assert not valid_signature("t", "https://bot.example.ca/webhooks/twilio/webhook", changed, signature)


def test_phone_numbers_become_ids_that_do_not_reveal_them():
    sms = conversation_id("token", "+14165550100")
    whatsapp = conversation_id("token", "whatsapp:+14165550100")
    assert sms.startswith("sms-") and whatsapp.startswith("whatsapp-")
    assert "4165550100" not in sms + whatsapp
    assert sms == conversation_id("token", "+14165550100")
    assert sms != conversation_id("token", "+14165550101")


def test_messenger_signature_is_sha256_of_the_raw_body():
    body = b'{"object":"page","entry":[]}'
    header = hub_signature("app-secret", body)
    assert re.fullmatch(r"sha256=[0-9a-f]{64}", header)
    assert valid_hub_signature("app-secret", body, header)
    assert not valid_hub_signature("app-secret", body + b" ", header)
    assert not valid_hub_signature("other-secret", body, header)
    assert not valid_hub_signature("app-secret", body, None)
    # The old SHA-1 form Rasa accepts is not enough.
    import hashlib
    import hmac

    sha1 = "sha1=" + hmac.new(b"app-secret", body, hashlib.sha1).hexdigest()
    assert not valid_hub_signature("app-secret", body, sha1)


def test_telegram_secret_is_checked_and_derived_when_not_configured():
    derived = webhook_secret("123:ABC", None)
    assert re.fullmatch(r"[0-9a-f]{64}", derived)
    assert derived == webhook_secret("123:ABC", None) != webhook_secret("123:ABD", None)
    assert webhook_secret("123:ABC", "chosen-secret") == "chosen-secret"
    assert valid_secret(derived, derived)
    assert not valid_secret(derived, derived[:-1])
    assert not valid_secret(derived, None)


@pytest.mark.parametrize(
    "text, expected",
    [("/start", "/greet"), ("/start campaign42", "/greet"), ("/help", "/help"),
     ("/HELP@AttuneBot", "/help"), ("I want help", "I want help"), ("", "")],
)
def test_telegram_commands_become_intents(text, expected):
    assert command_text(text) == expected


def test_options_keep_their_numbers():
    assert turn_options([SAFE_NOW])[1] == Option(2, "I'm not safe", "/not_safe")


# --------------------------------------------------------------------------- enabling


MESSAGING_ENV = [
    "ATTUNE_PUBLIC_BASE_URL", "ATTUNE_TELEGRAM_TOKEN", "ATTUNE_TELEGRAM_WEBHOOK_SECRET",
    "ATTUNE_TWILIO_AUTH_TOKEN", "ATTUNE_MESSENGER_APP_SECRET", "ATTUNE_MESSENGER_PAGE_TOKEN",
    "ATTUNE_MESSENGER_VERIFY_TOKEN",
]


def test_without_secrets_each_channel_registers_and_names_what_is_missing(monkeypatch):
    from attune.channels.messenger import VerifiedMessengerInput
    from attune.channels.telegram import VerifiedTelegramInput
    from attune.channels.twilio import VerifiedTwilioInput

    for name in MESSAGING_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ATTUNE_TWILIO_AUTH_TOKEN", "  ")  # blank counts as unset
    assert VerifiedTelegramInput().missing_settings() == [
        "ATTUNE_TELEGRAM_TOKEN", "ATTUNE_PUBLIC_BASE_URL",
    ]
    assert VerifiedTwilioInput().missing_settings() == [
        "ATTUNE_TWILIO_AUTH_TOKEN", "ATTUNE_PUBLIC_BASE_URL",
    ]
    assert VerifiedMessengerInput().missing_settings() == [
        "ATTUNE_MESSENGER_APP_SECRET", "ATTUNE_MESSENGER_PAGE_TOKEN", "ATTUNE_MESSENGER_VERIFY_TOKEN",
    ]
    assert VerifiedTelegramInput().get_output_channel() is None


def test_with_secrets_set_each_channel_is_ready(monkeypatch):
    from attune.channels.messenger import VerifiedMessengerInput
    from attune.channels.telegram import VerifiedTelegramInput
    from attune.channels.twilio import VerifiedTwilioInput

    for name in MESSAGING_ENV:
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("ATTUNE_PUBLIC_BASE_URL", "https://bot.example.ca/")
    monkeypatch.setenv("ATTUNE_TELEGRAM_TOKEN", "123:abc")
    monkeypatch.delenv("ATTUNE_TELEGRAM_WEBHOOK_SECRET")
    telegram = VerifiedTelegramInput()
    assert telegram.missing_settings() == []
    assert telegram.webhook_url == "https://bot.example.ca/webhooks/telegram/webhook"
    assert VerifiedTwilioInput().missing_settings() == []
    assert VerifiedMessengerInput().missing_settings() == []


def test_a_telegram_secret_telegram_would_refuse_is_reported(monkeypatch):
    from attune.channels.telegram import VerifiedTelegramInput

    monkeypatch.setenv("ATTUNE_PUBLIC_BASE_URL", "https://bot.example.ca")
    monkeypatch.setenv("ATTUNE_TELEGRAM_TOKEN", "123:abc")
    monkeypatch.setenv("ATTUNE_TELEGRAM_WEBHOOK_SECRET", "has spaces!")
    assert VerifiedTelegramInput().missing_settings() == [
        "ATTUNE_TELEGRAM_WEBHOOK_SECRET (1-256 letters, digits, _ or -)",
    ]


# --------------------------------------------------------------------------- privacy note


NOTE = {"text": "These messages also stay on your phone."}


def test_the_note_comes_after_the_first_reply_and_before_the_closing_options():
    from attune.channels.formatting import with_note

    assert with_note([CRISIS, SAFE_NOW], NOTE) == [CRISIS, NOTE, SAFE_NOW]
    assert with_note([CRISIS], NOTE) == [CRISIS, NOTE]
    assert with_note([MENU], NOTE) == [MENU, NOTE]
    assert with_note([], NOTE) == [NOTE]
    body = plan_turn(with_note([CRISIS, SAFE_NOW], NOTE), "sms")[0][0].text
    assert body.index("686868") < body.index("stay on your phone") < body.index(OPTIONS_INTRO)

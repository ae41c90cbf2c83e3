"""Telegram, Twilio (SMS, WhatsApp) and Messenger against the real Rasa server, offline.

The Rasa and action servers run with every messaging channel's secrets set. Telegram's and
Messenger's outgoing calls go to fake APIs on loopback (tests/fakes); Twilio's replies come
back as TwiML in the webhook's answer. Requests are signed exactly as each service signs them,
by code written here from the services' documentation (not the channel's own helpers).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ElementTree
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import pytest
import yaml

from attune.paths import REPO_ROOT
from tools.stack import DEFAULT_MODEL, free_port
from tests.conftest import TEST_MESSAGES_PER_MINUTE, RunningStack, practice_file_for_tests
from tests.fakes.api_server import FakeApiServer, fake_graph_api, fake_telegram_api, telegram_method

PUBLIC_BASE_URL = "https://bot.example.ca"
TELEGRAM_TOKEN = "123456789:TEST-token_for-attune"
TELEGRAM_SECRET = "telegram-webhook-secret-for-tests"
TWILIO_TOKEN = "twilio-auth-token-for-tests"
MESSENGER_SECRET = "messenger-app-secret-for-tests"
MESSENGER_PAGE_TOKEN = "messenger-page-token-for-tests"
MESSENGER_VERIFY = "messenger-verify-token-for-tests"
RISK_MESSAGE = "I want to kill myself"
# The crisis line every Canadian crisis reply lists, as a phone dials it.
CRISIS_NUMBER = "988"


@pytest.fixture(scope="module")
def telegram_api() -> Iterator[FakeApiServer]:
    server = fake_telegram_api().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def graph_api() -> Iterator[FakeApiServer]:
    server = fake_graph_api().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def messaging_stack(
    tmp_path_factory: pytest.TempPathFactory, telegram_api: FakeApiServer, graph_api: FakeApiServer
) -> Iterator[RunningStack]:
    """Rasa and action servers with every messaging channel configured."""
    if not DEFAULT_MODEL.is_file():
        pytest.fail(f"No trained model at {DEFAULT_MODEL}; run `make train` first.")
    workdir = tmp_path_factory.mktemp("messaging")
    running = RunningStack(
        model=DEFAULT_MODEL,
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=None,
        tracker_db=workdir / "tracker.db",
        log_dir=REPO_ROOT / "var" / "test-logs",
        extra_env={
            "ATTUNE_DATABASE_URL": f"sqlite:///{workdir / 'attune.db'}",
            "ATTUNE_PRACTICE_FILE": str(practice_file_for_tests(workdir)),
            "ATTUNE_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "ATTUNE_TELEGRAM_TOKEN": TELEGRAM_TOKEN,
            "ATTUNE_TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "ATTUNE_TELEGRAM_API_URL": telegram_api.url,
            "ATTUNE_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "ATTUNE_MESSENGER_APP_SECRET": MESSENGER_SECRET,
            "ATTUNE_MESSENGER_PAGE_TOKEN": MESSENGER_PAGE_TOKEN,
            "ATTUNE_MESSENGER_VERIFY_TOKEN": MESSENGER_VERIFY,
            "ATTUNE_MESSENGER_GRAPH_URL": graph_api.url,
        },
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()


# --------------------------------------------------------------------------- helpers


def post(
    url: str, body: bytes, headers: Dict[str, str], timeout: float = 60
) -> Tuple[int, str]:
    """POSTs and returns (status, body text), errors included."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as failure:
        return failure.code, failure.read().decode()


def get(url: str) -> Tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as failure:
        return failure.code, failure.read().decode()


def stored_user_texts(stack: RunningStack, sender: str) -> List[str]:
    """What the tracker store kept of this sender's messages."""
    if not Path(stack.tracker_db).is_file():
        return []
    with sqlite3.connect(stack.tracker_db) as db:
        rows = db.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user'", (sender,)
        ).fetchall()
    return [json.loads(data).get("text") or "" for (data,) in rows]


def privacy_note_start(channel: str) -> Optional[str]:
    """The first words of the domain's first-contact note for a channel, if it has one."""
    domain = yaml.safe_load((REPO_ROOT / "domain.yml").read_text())
    variations = (domain.get("responses") or {}).get("utter_messaging_privacy_note")
    if not variations:
        return None
    chosen = next((v for v in variations if v.get("channel") == channel), None)
    chosen = chosen or next(v for v in variations if not v.get("channel"))
    return " ".join(chosen["text"].split())[:30].split("{")[0].strip()


# Twilio: https://www.twilio.com/docs/usage/security#validating-requests
def twilio_sign(token: str, url: str, params: Dict[str, str]) -> str:
    data = url + "".join(f"{k}{params[k]}" for k in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def twilio_params(sender: str, body: str, sid: Optional[str] = None) -> Dict[str, str]:
    """The form fields Twilio posts for an incoming message (blank ones included)."""
    return {
        "ToCountry": "CA", "ToState": "ON", "SmsMessageSid": sid or "", "NumMedia": "0",
        "ToCity": "", "FromZip": "", "SmsSid": sid or "", "FromState": "ON",
        "SmsStatus": "received", "FromCity": "TORONTO", "Body": body, "FromCountry": "CA",
        "To": "+14165550199", "MessagingServiceSid": "", "ToZip": "", "NumSegments": "1",
        "MessageSid": sid or "", "AccountSid": "AC" + "0" * 32, "From": sender,
        "ApiVersion": "2010-04-01",
    }


def send_twilio(
    stack: RunningStack,
    sender: str,
    body: str,
    sid: Optional[str] = None,
    token: str = TWILIO_TOKEN,
    signed_url: str = f"{PUBLIC_BASE_URL}/webhooks/twilio/webhook",
    signature: Optional[str] = None,
    tamper: Optional[Dict[str, str]] = None,
) -> Tuple[int, List[str]]:
    """Posts a Twilio-signed message; returns the status and the TwiML messages sent back."""
    params = twilio_params(sender, body, sid or "SM" + uuid.uuid4().hex)
    signature = signature if signature is not None else twilio_sign(token, signed_url, params)
    params.update(tamper or {})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature:
        headers["X-Twilio-Signature"] = signature
    status, text = post(
        f"{stack.rasa_url}/webhooks/twilio/webhook",
        urllib.parse.urlencode(params).encode(),
        headers,
    )
    if status != 200:
        return status, []
    root = ElementTree.fromstring(text)
    return status, [m.text or "" for m in root.findall("Message")]


def twilio_conversation(sender: str) -> str:
    kind = "whatsapp" if sender.startswith("whatsapp:") else "sms"
    return f"{kind}-" + hmac.new(TWILIO_TOKEN.encode(), sender.encode(), hashlib.sha256).hexdigest()[:32]


def new_phone() -> str:
    return "+1416" + str(uuid.uuid4().int)[:7]


def telegram_update(chat_id: int, text: Optional[str] = None, data: Optional[str] = None,
                    update_id: Optional[int] = None, chat_type: str = "private") -> Dict:
    """An update as Telegram posts it: a text message, or a button tap when `data` is set."""
    chat = {"id": chat_id, "type": chat_type, "first_name": "Sam"}
    user = {"id": chat_id, "is_bot": False, "first_name": "Sam"}
    update_id = update_id or uuid.uuid4().int % 2_000_000_000
    message = {"message_id": update_id % 100000, "date": 1700000000, "chat": chat, "from": user}
    if data is not None:
        return {"update_id": update_id, "callback_query": {
            "id": str(update_id), "from": user, "chat_instance": "1", "data": data,
            "message": {**message, "text": "What would you like to do?"}}}
    return {"update_id": update_id, "message": {**message, "text": text}}


def send_telegram(stack: RunningStack, update: Dict, secret: Optional[str] = TELEGRAM_SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    status, _ = post(f"{stack.rasa_url}/webhooks/telegram/webhook", json.dumps(update).encode(), headers)
    return status


def telegram_texts(api: FakeApiServer, chat_id: int, before: int = 0) -> List[str]:
    return [
        c.params.get("text", "") for c in api.snapshot()[before:]
        if telegram_method(c) == "sendMessage" and c.params.get("chat_id") == str(chat_id)
    ]


def new_chat() -> int:
    return uuid.uuid4().int % 10**9 + 10**9


def messenger_delivery(psid: str, text: Optional[str] = None, mid: Optional[str] = None,
                       quick_reply: Optional[str] = None) -> bytes:
    message = {"mid": mid or "m_" + uuid.uuid4().hex, "text": text}
    if quick_reply:
        message["quick_reply"] = {"payload": quick_reply}
    return json.dumps({"object": "page", "entry": [{"id": "PAGE", "time": 1700000000000,
        "messaging": [{"sender": {"id": psid}, "recipient": {"id": "PAGE"},
                       "timestamp": 1700000000000, "message": message}]}]}).encode()


# Meta: https://developers.facebook.com/docs/messenger-platform/webhooks#validate-payloads
def meta_sign(body: bytes, secret: str = MESSENGER_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_messenger(stack: RunningStack, body: bytes, signature: Optional[str] = "sign") -> int:
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        signature = meta_sign(body)
    if signature:
        headers["X-Hub-Signature-256"] = signature
    status, _ = post(f"{stack.rasa_url}/webhooks/facebook/webhook", body, headers)
    return status


def messenger_sent(api: FakeApiServer, psid: str) -> List[Dict]:
    return [
        c.params["message"] for c in api.snapshot()
        if c.path.endswith("/me/messages") and (c.params.get("recipient") or {}).get("id") == psid
        and "message" in c.params
    ]


# --------------------------------------------------------------------------- Telegram


def test_telegram_webhook_is_registered_with_its_secret_token(messaging_stack, telegram_api):
    calls = telegram_api.wait_for(lambda c: telegram_method(c) == "setWebhook")
    assert calls, "the bot never called setWebhook"
    params = calls[-1].params
    assert params["url"] == f"{PUBLIC_BASE_URL}/webhooks/telegram/webhook"
    assert params["secret_token"] == TELEGRAM_SECRET
    assert calls[-1].path == f"/bot{TELEGRAM_TOKEN}/setWebhook"


def test_telegram_message_is_answered_through_the_bot_api(messaging_stack, telegram_api):
    chat = new_chat()
    assert send_telegram(messaging_stack, telegram_update(chat, "/start")) == 200
    texts = telegram_texts(telegram_api, chat)
    assert any("Attune" in text for text in texts)
    buttons = [
        json.loads(c.params["reply_markup"]) for c in telegram_api.snapshot()
        if c.params.get("chat_id") == str(chat) and c.params.get("reply_markup")
    ]
    assert buttons, "the menu's buttons were not sent as an inline keyboard"


def test_telegram_risk_message_gets_the_crisis_reply(messaging_stack, telegram_api):
    chat = new_chat()
    assert send_telegram(messaging_stack, telegram_update(chat, RISK_MESSAGE)) == 200
    assert CRISIS_NUMBER in "\n".join(telegram_texts(telegram_api, chat))


def test_telegram_button_tap_is_handled_and_an_unoffered_one_ignored(messaging_stack, telegram_api):
    chat = new_chat()
    send_telegram(messaging_stack, telegram_update(chat, "hello"))
    before = len(telegram_api.snapshot())
    assert send_telegram(messaging_stack, telegram_update(chat, data="/request_crisis_help")) == 200
    assert CRISIS_NUMBER in "\n".join(telegram_texts(telegram_api, chat, before))
    assert telegram_api.wait_for(lambda c: telegram_method(c) == "answerCallbackQuery")

    before = len(telegram_api.snapshot())
    forged = telegram_update(chat, data='/greet{"name": "x"}')
    assert send_telegram(messaging_stack, forged) == 200
    assert telegram_texts(telegram_api, chat, before) == []
    assert '/greet{"name": "x"}' not in stored_user_texts(messaging_stack, str(chat))


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", TELEGRAM_SECRET + "x"])
def test_telegram_update_without_the_secret_is_refused_and_not_stored(
    messaging_stack, telegram_api, secret
):
    chat = new_chat()
    assert send_telegram(messaging_stack, telegram_update(chat, RISK_MESSAGE), secret) == 403
    assert telegram_texts(telegram_api, chat) == []
    assert stored_user_texts(messaging_stack, str(chat)) == []


def test_telegram_replayed_update_is_not_processed_twice(messaging_stack, telegram_api):
    chat = new_chat()
    update = telegram_update(chat, "What is attachment?")
    assert send_telegram(messaging_stack, update) == 200
    first = len(telegram_texts(telegram_api, chat))
    assert send_telegram(messaging_stack, update) == 200
    assert len(telegram_texts(telegram_api, chat)) == first
    assert stored_user_texts(messaging_stack, str(chat)) == ["What is attachment?"]


def test_telegram_group_chats_are_not_served(messaging_stack, telegram_api):
    chat = -new_chat()
    assert send_telegram(messaging_stack, telegram_update(chat, "hello", chat_type="group")) == 200
    assert telegram_texts(telegram_api, chat) == []


# --------------------------------------------------------------------------- Twilio


def test_sms_is_answered_in_twiml_with_numbered_options_and_a_number_chooses_one(messaging_stack):
    phone = new_phone()
    status, replies = send_twilio(messaging_stack, phone, "hi")
    assert status == 200 and replies
    body = "\n".join(replies)
    assert "Reply with a number:" in body
    assert all(len(reply) <= 1600 for reply in replies)
    lines = [line for line in body.splitlines() if line[:2].rstrip(".").isdigit()]
    help_line = next(line for line in lines if "help now" in line.lower())
    number = help_line.split(".")[0]

    status, replies = send_twilio(messaging_stack, phone, number)
    assert status == 200
    assert CRISIS_NUMBER in "\n".join(replies)
    assert "\u2022" not in "\n".join(replies)  # plain characters keep SMS parts long
    # The number was stored as the chosen button, and the phone number nowhere.
    stored = stored_user_texts(messaging_stack, twilio_conversation(phone))
    assert stored[-1] == "/request_crisis_help"


def test_a_number_with_nothing_offered_is_just_text(messaging_stack):
    phone = new_phone()
    status, _ = send_twilio(messaging_stack, phone, "7")
    assert status == 200
    assert stored_user_texts(messaging_stack, twilio_conversation(phone)) == ["7"]


@pytest.mark.parametrize("sender", ["+14165550123", "whatsapp:+14165550124"])
def test_sms_and_whatsapp_risk_messages_get_the_crisis_reply(messaging_stack, sender):
    status, replies = send_twilio(messaging_stack, sender, RISK_MESSAGE)
    assert status == 200
    assert CRISIS_NUMBER in "\n".join(replies)


@pytest.mark.parametrize(
    "forgery",
    [
        {"signature": ""},
        {"token": "not-the-auth-token"},
        {"signed_url": "https://attacker.example/webhooks/twilio/webhook"},
        {"tamper": {"Body": "something else"}},
        {"tamper": {"From": "+14165550000"}},
        {"signature": "0/KCTR6DLpKmkAf8muzZqo1nDgQ="},
    ],
)
def test_forged_or_unsigned_twilio_requests_are_refused_and_not_stored(messaging_stack, forgery):
    phone = new_phone()
    status, replies = send_twilio(messaging_stack, phone, RISK_MESSAGE, **forgery)
    assert status == 403 and replies == []
    assert stored_user_texts(messaging_stack, twilio_conversation(phone)) == []
    assert stored_user_texts(messaging_stack, twilio_conversation("+14165550000")) == []


def test_replayed_twilio_request_is_not_processed_twice(messaging_stack):
    phone, sid = new_phone(), "SM" + uuid.uuid4().hex
    status, replies = send_twilio(messaging_stack, phone, "What is attachment?", sid=sid)
    assert status == 200 and replies
    status, replies = send_twilio(messaging_stack, phone, "What is attachment?", sid=sid)
    assert status == 200 and replies == []
    assert stored_user_texts(messaging_stack, twilio_conversation(phone)) == ["What is attachment?"]


def test_the_phone_number_is_never_the_stored_conversation_id(messaging_stack):
    phone = new_phone()
    send_twilio(messaging_stack, phone, "hello")
    with sqlite3.connect(messaging_stack.tracker_db) as db:
        ids = {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}
    assert phone not in ids and twilio_conversation(phone) in ids


# --------------------------------------------------------------------------- Messenger


def test_messenger_subscription_check_answers_only_the_verify_token(messaging_stack):
    base = f"{messaging_stack.rasa_url}/webhooks/facebook/webhook"
    query = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": MESSENGER_VERIFY}
    assert get(f"{base}?{urllib.parse.urlencode(query)}") == (200, "1158201444")
    query["hub.verify_token"] = "guess"
    assert get(f"{base}?{urllib.parse.urlencode(query)}")[0] == 403


def test_messenger_message_is_answered_through_the_send_api(messaging_stack, graph_api):
    psid = uuid.uuid4().hex
    assert send_messenger(messaging_stack, messenger_delivery(psid, "hi")) == 200
    sent = messenger_sent(graph_api, psid)
    assert any("Attune" in m.get("text", "") for m in sent)
    assert all(len(m.get("text", "")) <= 2000 for m in sent)
    call = next(c for c in graph_api.snapshot() if c.path.endswith("/me/messages"))
    assert call.query["access_token"] == MESSENGER_PAGE_TOKEN
    assert "appsecret_proof" in call.query


def test_messenger_risk_message_gets_the_crisis_reply(messaging_stack, graph_api):
    psid = uuid.uuid4().hex
    assert send_messenger(messaging_stack, messenger_delivery(psid, RISK_MESSAGE)) == 200
    assert CRISIS_NUMBER in "\n".join(m.get("text", "") for m in messenger_sent(graph_api, psid))


def test_messenger_quick_reply_is_used_only_when_offered(messaging_stack, graph_api):
    psid = uuid.uuid4().hex
    body = messenger_delivery(psid, "Sure", quick_reply='/greet{"name": "x"}')
    assert send_messenger(messaging_stack, body) == 200
    assert stored_user_texts(messaging_stack, psid) == ["Sure"]


@pytest.mark.parametrize("forgery", ["", "sha256=" + "0" * 64, "wrong-secret", "sha1"])
def test_forged_or_unsigned_messenger_requests_are_refused_and_not_stored(
    messaging_stack, graph_api, forgery
):
    psid = uuid.uuid4().hex
    body = messenger_delivery(psid, RISK_MESSAGE)
    if forgery == "wrong-secret":
        signature = meta_sign(body, "not-the-app-secret")
    elif forgery == "sha1":  # the old header Rasa checks
        signature = "sha1=" + hmac.new(MESSENGER_SECRET.encode(), body, hashlib.sha1).hexdigest()
    else:
        signature = forgery
    assert send_messenger(messaging_stack, body, signature) == 403
    assert messenger_sent(graph_api, psid) == []
    assert stored_user_texts(messaging_stack, psid) == []


def test_replayed_messenger_request_is_not_processed_twice(messaging_stack, graph_api):
    psid = uuid.uuid4().hex
    body = messenger_delivery(psid, "What is attachment?")
    assert send_messenger(messaging_stack, body) == 200
    first = len(messenger_sent(graph_api, psid))
    assert first > 0
    assert send_messenger(messaging_stack, body) == 200
    assert len(messenger_sent(graph_api, psid)) == first
    assert stored_user_texts(messaging_stack, psid) == ["What is attachment?"]


# --------------------------------------------------------------------------- privacy note


def test_first_contact_gets_the_privacy_note_once(messaging_stack, telegram_api, graph_api):
    """The note comes with the first reply on each app, and never again."""
    phone, chat, psid = new_phone(), new_chat(), uuid.uuid4().hex

    _, sms_first = send_twilio(messaging_stack, phone, "hello")
    _, sms_second = send_twilio(messaging_stack, phone, "What is attachment?")
    send_telegram(messaging_stack, telegram_update(chat, "hello"))
    telegram_first = telegram_texts(telegram_api, chat)
    send_telegram(messaging_stack, telegram_update(chat, "What is attachment?"))
    telegram_second = telegram_texts(telegram_api, chat)[len(telegram_first):]
    send_messenger(messaging_stack, messenger_delivery(psid, "hello"))
    messenger_first = [m.get("text", "") for m in messenger_sent(graph_api, psid)]
    send_messenger(messaging_stack, messenger_delivery(psid, "What is attachment?"))
    messenger_second = [m.get("text", "") for m in messenger_sent(graph_api, psid)][len(messenger_first):]

    turns = {
        "twilio": (sms_first, sms_second),
        "telegram": (telegram_first, telegram_second),
        "facebook": (messenger_first, messenger_second),
    }
    for channel, (first, second) in turns.items():
        assert first and second, channel
        note = privacy_note_start(channel)
        if note is None:
            continue  # the domain has no note yet: first contacts are answered as usual
        assert note in " ".join(" ".join(first).split()), channel
        assert note not in " ".join(" ".join(second).split()), channel


# --------------------------------------------------------------------------- over the rate limit
# A sender over the limit is never dropped in silence: risk gets the crisis reply, anything
# else one notice a minute that names the crisis line.


def test_a_flooding_telegram_chat_still_gets_crisis_lines_and_one_pause_notice(
    messaging_stack, telegram_api
):
    chat = new_chat()
    for _ in range(TEST_MESSAGES_PER_MINUTE):
        send_telegram(messaging_stack, telegram_update(chat, "/help"))
    before = len(telegram_api.snapshot())
    send_telegram(messaging_stack, telegram_update(chat, "hello again"))
    send_telegram(messaging_stack, telegram_update(chat, "hello once more"))
    notices = telegram_texts(telegram_api, chat, before)
    assert len(notices) == 1 and "pause" in notices[0] and CRISIS_NUMBER in notices[0]

    before = len(telegram_api.snapshot())
    assert send_telegram(messaging_stack, telegram_update(chat, RISK_MESSAGE)) == 200
    assert CRISIS_NUMBER in "\n".join(telegram_texts(telegram_api, chat, before))


def test_a_flooding_sms_sender_still_gets_crisis_lines(messaging_stack):
    phone = new_phone()
    for _ in range(TEST_MESSAGES_PER_MINUTE):
        send_twilio(messaging_stack, phone, "menu")
    status, replies = send_twilio(messaging_stack, phone, "what else")
    assert status == 200 and len(replies) == 1 and CRISIS_NUMBER in replies[0]
    status, replies = send_twilio(messaging_stack, phone, "and more")
    assert status == 200 and replies == [], "a flood is told once a minute, not each time"
    status, replies = send_twilio(messaging_stack, phone, RISK_MESSAGE)
    assert status == 200 and CRISIS_NUMBER in "\n".join(replies)


def test_a_flooding_messenger_sender_still_gets_crisis_lines(messaging_stack, graph_api):
    psid = uuid.uuid4().hex
    for _ in range(TEST_MESSAGES_PER_MINUTE):
        send_messenger(messaging_stack, messenger_delivery(psid, "menu"))
    before = len(messenger_sent(graph_api, psid))
    assert send_messenger(messaging_stack, messenger_delivery(psid, RISK_MESSAGE)) == 200
    sent = messenger_sent(graph_api, psid)[before:]
    assert CRISIS_NUMBER in "\n".join(m.get("text", "") for m in sent)


# --------------------------------------------------------------------------- hostile but signed


def test_a_replay_with_characters_shifted_between_twilio_fields_is_not_answered_twice(messaging_stack):
    phone, sid = new_phone(), "SM" + uuid.uuid4().hex
    status, replies = send_twilio(messaging_stack, phone, "What is attachment?", sid=sid)
    assert status == 200 and replies
    # The signature runs sorted fields together without separators: moving "MessageSid<sid>"
    # into the value of the field before it (FromZip) signs the same.
    url = f"{PUBLIC_BASE_URL}/webhooks/twilio/webhook"
    params = twilio_params(phone, "What is attachment?", sid)
    shifted = {k: v for k, v in params.items() if k != "MessageSid"}
    shifted["FromZip"] = params["FromZip"] + "MessageSid" + sid
    assert twilio_sign(TWILIO_TOKEN, url, shifted) == twilio_sign(TWILIO_TOKEN, url, params)
    status, _ = post(
        f"{messaging_stack.rasa_url}/webhooks/twilio/webhook",
        urllib.parse.urlencode(shifted).encode(),
        {"Content-Type": "application/x-www-form-urlencoded",
         "X-Twilio-Signature": twilio_sign(TWILIO_TOKEN, url, shifted)},
    )
    assert status in (200, 400)
    assert stored_user_texts(messaging_stack, twilio_conversation(phone)) == ["What is attachment?"]


def test_a_twilio_message_id_not_of_twilios_form_is_refused(messaging_stack):
    url = f"{PUBLIC_BASE_URL}/webhooks/twilio/webhook"
    phone = new_phone()
    params = twilio_params(phone, "hello", "SM" + uuid.uuid4().hex + "N")
    status, _ = post(
        f"{messaging_stack.rasa_url}/webhooks/twilio/webhook",
        urllib.parse.urlencode(params).encode(),
        {"Content-Type": "application/x-www-form-urlencoded",
         "X-Twilio-Signature": twilio_sign(TWILIO_TOKEN, url, params)},
    )
    assert status == 400
    assert stored_user_texts(messaging_stack, twilio_conversation(phone)) == []


@pytest.mark.parametrize("delivery", [
    {"object": "page", "entry": 5},
    {"object": "page", "entry": [{"messaging": "x"}]},
    {"object": "page", "entry": [{"messaging": [{"sender": "me", "message": {"text": "hi"}}]}]},
    {"object": "page", "entry": [{"messaging": [{"sender": {"id": "1"}, "message": {"quick_reply": "x"}}]}]},
])
def test_signed_but_malformed_messenger_deliveries_get_a_400(messaging_stack, delivery):
    assert send_messenger(messaging_stack, json.dumps(delivery).encode()) == 400


@pytest.mark.parametrize("update", [
    {"update_id": 1, "message": "hi"},
    {"update_id": 2, "message": {"chat": "private", "text": "hi"}},
    {"update_id": 3, "callback_query": {"id": "1", "message": ["x"], "data": "/help"}},
])
def test_signed_but_malformed_telegram_updates_get_a_400(messaging_stack, update):
    assert send_telegram(messaging_stack, update) == 400


def test_signed_hostile_payloads_on_the_three_webhooks_get_no_server_error(messaging_stack, telegram_api, graph_api):
    """Bodies that pass each platform's signature check but are broken, wrongly typed or
    hostile inside (the fuzz set of tests/integration/test_hostile_input.py, 600 per
    platform): a clean 4xx or an answer, never a 5xx, and each channel still answers."""
    import random

    from tests.integration.test_hostile_input import hostile_bodies

    rng = random.Random(20261202)
    tricky = ["\u202e", "\u200b", "\x00", "\U0001f600", "/greet", "i want to kill myself", "<script>",
              "%s%n", "' OR 1=1 --", "é" * 50, "a" * 3000, "SM" + "0" * 32, "\ufffd" * 10]
    statuses: Dict[int, int] = {}
    for n, (body, _) in enumerate(hostile_bodies(600, seed=7)):
        tg = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
        status, _ = post(f"{messaging_stack.rasa_url}/webhooks/telegram/webhook", body, tg, timeout=30)
        statuses[status] = statuses.get(status, 0) + 1
        assert status < 500, f"telegram body {n} got {status}"
        fb = {"Content-Type": "application/json", "X-Hub-Signature-256": meta_sign(body)}
        status, _ = post(f"{messaging_stack.rasa_url}/webhooks/facebook/webhook", body, fb, timeout=30)
        assert status < 500, f"messenger body {n} got {status}"
        params = twilio_params(rng.choice(["+14165550100", "", "whatsapp:", "x" * 300, "\x00"]),
                               "".join(rng.choice(tricky) for _ in range(rng.randint(0, 5))),
                               rng.choice(["SM" + uuid.uuid4().hex, "", "../../x", "\u202e"]))
        params[rng.choice(list(params))] = rng.choice(tricky)
        signed = twilio_sign(TWILIO_TOKEN, f"{PUBLIC_BASE_URL}/webhooks/twilio/webhook", params)
        status, _ = post(f"{messaging_stack.rasa_url}/webhooks/twilio/webhook",
                         urllib.parse.urlencode(params).encode(),
                         {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signed},
                         timeout=30)
        assert status < 500, f"twilio params {n} got {status}"
    # Every channel still answers a visitor.
    chat = new_chat()
    assert send_telegram(messaging_stack, telegram_update(chat, "hi")) == 200
    phone = new_phone()
    status, replies = send_twilio(messaging_stack, phone, "hi")
    assert status == 200 and replies

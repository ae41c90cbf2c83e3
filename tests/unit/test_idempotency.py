"""A retried message is found by its client key, and its stored replies are what gets replayed."""

from __future__ import annotations

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from attune.channels.idempotency import handle_once, stored_replies, valid_message_id

BUTTONS = [{"title": "Get help now", "payload": "/request_crisis_help"}]
EVENTS = [
    UserUttered("hello", message_id="a"),
    BotUttered("Hi, I'm an automated assistant."),
    BotUttered("What would you like to do?", data={"buttons": BUTTONS}),
    ActionExecuted("action_listen"),
    UserUttered("thanks", message_id="b"),
    BotUttered("You're welcome."),
    UserUttered("bye", message_id="c"),
]


def test_the_replies_after_the_message_are_replayed_in_order_with_their_buttons():
    assert stored_replies(EVENTS, "s", "a", "hello") == [
        {"recipient_id": "s", "text": "Hi, I'm an automated assistant."},
        {"recipient_id": "s", "text": "What would you like to do?", "buttons": BUTTONS},
    ]


def test_replies_stop_at_the_next_user_message():
    assert stored_replies(EVENTS, "s", "b", "thanks") == [{"recipient_id": "s", "text": "You're welcome."}]


def test_a_stored_message_without_replies_replays_nothing_and_an_unknown_one_is_new():
    assert stored_replies(EVENTS, "s", "c", "bye") == []
    assert stored_replies(EVENTS, "s", "zzz", "hello") is None


def test_a_reused_id_with_new_words_is_a_new_message_not_a_replay():
    # Otherwise risk words sent under an old id would get the old, harmless replies.
    assert stored_replies(EVENTS, "s", "a", "i want to end my life") is None


def test_message_ids_are_short_plain_keys():
    assert valid_message_id("3f2a-17.4")
    for bad in ("", "a" * 129, "a b", "../etc", None, 7, ["a"]):
        assert not valid_message_id(bad)


class FakeAgent:
    """An agent whose processor records the messages it handled, storing each one."""

    def __init__(self) -> None:
        self.lock_store = InMemoryLockStore()
        self.tracker_store = InMemoryTrackerStore(Domain.empty())
        self.processor = self
        self.handled = []

    async def handle_message(self, message: UserMessage) -> None:
        self.handled.append(message.text)
        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text, message_id=message.message_id))
        tracker.update(BotUttered(f"answer to {message.text}"))
        await self.tracker_store.save(tracker)


def test_two_copies_arriving_together_are_handled_once():
    agent = FakeAgent()

    async def both():
        async def unused(_):
            raise AssertionError("the agent's processor handles it")

        copies = [UserMessage("hi", CollectingOutputChannel(), "s", message_id="k") for _ in range(2)]
        return await asyncio.gather(*(handle_once(agent, m, unused) for m in copies))

    results = asyncio.run(both())

    assert agent.handled == ["hi"]
    assert sorted(results, key=lambda r: r is not None) == [
        None, [{"recipient_id": "s", "text": "answer to hi"}]
    ]


def test_without_an_agent_the_message_goes_the_usual_way():
    seen = []

    async def on_new_message(message):
        seen.append(message.text)

    message = UserMessage("hi", CollectingOutputChannel(), "s", message_id="k")
    assert asyncio.run(handle_once(None, message, on_new_message)) is None
    assert seen == ["hi"]

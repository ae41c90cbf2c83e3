"""The crisis lane (issue 18, item 5): with every model thread busy with other conversations'
long messages, a message in crisis is read and answered before the work queued ahead of it,
and still by the whole pipeline."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from types import SimpleNamespace
from typing import Any, Dict, List

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from attune import crisis_lane, model_thread
from attune.safety.detector import shared_detector
from attune.safety.taxonomy import HELP_PAYLOAD

LONG = ("When he goes quiet for a day I start to spiral, I reread every message and wonder what I "
        "did wrong, and then I text him again and again. ") * 13
LONG = LONG.strip()  # as Rasa keeps it


@pytest.fixture(scope="module", autouse=True)
def word_lists() -> None:
    shared_detector()  # built once (seconds), before any timing below


@pytest.fixture
def two_model_threads(monkeypatch):
    """A fresh pool of two model threads, as on the project's 2-core machine."""
    monkeypatch.setenv(model_thread.THREADS_ENV, "2")
    monkeypatch.setattr(model_thread, "_executor", None)
    model_thread.install()


class Conversations:
    """What parse_message and the prediction loop use of a MessageProcessor, for several
    conversations at once: a long ordinary message holds its model thread until `release`
    (another conversation's 2,000 characters being read); the reply to risk is the crisis
    reply, to anything else an ordinary answer."""

    http_interpreter = None
    on_circuit_break = None
    nlg = None

    def __init__(self) -> None:
        self.release = threading.Event()
        self.reading: List[str] = []
        self.read_by_pipeline: List[str] = []
        self.answered: List[str] = []

    def _parse_message_with_graph(self, message: Any, tracker: Any, only_output: bool) -> Dict[str, Any]:
        self.read_by_pipeline.append(message.text)
        if message.text.startswith("When he goes quiet"):
            self.reading.append(message.text)
            assert self.release.wait(20), "never released"
        intent = "risk_suicide" if "kill myself" in message.text else "attachment_question"
        return {"text": message.text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}

    def _update_full_retrieval_intent(self, parse_data: Dict[str, Any]) -> None:
        pass

    def _check_for_unseen_features(self, parse_data: Dict[str, Any]) -> None:
        pass

    def _should_handle_message(self, tracker: Any) -> bool:
        return True

    def predict_next_with_tracker_if_should(self, turn: Any) -> Any:
        if turn.actions:
            name = "action_listen"
        else:
            name = "utter_crisis_suicide" if turn.intent == "risk_suicide" else "utter_attachment"
        return SimpleNamespace(name=lambda: name), SimpleNamespace(is_end_to_end_prediction=False)

    async def _run_action(self, action: Any, turn: Any, *_: Any) -> bool:
        turn.actions.append(action.name())
        return action.name() != "action_listen"

    async def turn(self, sender: str, text: str) -> List[str]:
        """One visitor's message, read and answered as Rasa's processor does (lane included)."""
        parsed = await MessageProcessor.parse_message(self, UserMessage(text, sender_id=sender))
        turn = SimpleNamespace(intent=parsed["intent"]["name"], actions=[])
        await MessageProcessor._run_prediction_loop(self, None, turn)
        self.answered.append(sender)
        return turn.actions


async def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


def test_with_every_model_thread_busy_a_crisis_message_is_answered_before_the_queued_ones(
    two_model_threads,
):
    conversations = Conversations()

    async def scenario() -> List[str]:
        # Four other visitors send long messages: two are being read, two wait for a thread.
        others = [asyncio.create_task(conversations.turn(f"other{n}", LONG)) for n in range(4)]
        await wait_until(lambda: len(conversations.reading) == 2)
        try:
            crisis = await asyncio.wait_for(conversations.turn("in-crisis", "i want to kill myself"), 10)
        finally:
            conversations.release.set()
            await asyncio.gather(*others)
        return crisis

    crisis_reply = asyncio.run(scenario())

    assert crisis_reply == ["utter_crisis_suicide", "action_listen"]
    assert conversations.answered[0] == "in-crisis"  # before every other conversation
    assert sorted(conversations.answered[1:]) == [f"other{n}" for n in range(4)]
    # The lane changed when, not what: the whole pipeline read every message, the crisis one too.
    assert sorted(conversations.read_by_pipeline) == sorted([LONG] * 4 + ["i want to kill myself"])


def test_a_crisis_message_jumps_the_queue_even_when_the_reserved_thread_is_busy(two_model_threads):
    conversations = Conversations()
    pool = model_thread.executor()
    hold_reserved = threading.Event()

    async def scenario() -> List[str]:
        # Two long messages occupy the ordinary threads and two more wait; someone else in
        # crisis occupies the reserved thread (the only one free). The next crisis message
        # goes before the two waiting.
        others = [asyncio.create_task(conversations.turn(f"other{n}", LONG)) for n in range(4)]
        await wait_until(lambda: len(conversations.reading) == 2)
        reserved = asyncio.wrap_future(pool.submit(lambda: hold_reserved.wait(20), urgent=True))
        await wait_until(lambda: pool.waiting()["urgent"] == 0)
        crisis = asyncio.create_task(conversations.turn("in-crisis", "i want to kill myself"))
        await wait_until(lambda: pool.waiting()["urgent"] == 1)
        conversations.release.set()  # the two messages being read finish
        await crisis
        hold_reserved.set()
        await asyncio.gather(reserved, *others)
        return conversations.answered

    answered = asyncio.run(scenario())

    assert answered.index("in-crisis") < answered.index("other2")
    assert answered.index("in-crisis") < answered.index("other3")


def test_the_reserved_thread_takes_no_ordinary_work():
    pool = model_thread.LaneExecutor(threads=1, reserved=1, prefix="test-lane")
    busy = threading.Event()
    first = pool.submit(lambda: busy.wait(10))
    second = pool.submit(lambda: threading.current_thread().name)
    time.sleep(0.2)

    assert pool.waiting() == {"urgent": 0, "ordinary": 1}  # waits though one thread is idle
    assert pool.submit(lambda: threading.current_thread().name, urgent=True).result(5) == "test-lane-crisis_0"
    busy.set()
    assert first.result(5) and second.result(5) == "test-lane_0"


def test_errors_reach_the_caller_and_the_thread_keeps_working():
    pool = model_thread.LaneExecutor(threads=1, reserved=1, prefix="test-errors")

    def fails() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError):
        pool.submit(fails, urgent=True).result(5)
    with pytest.raises(ValueError):
        pool.submit(fails).result(5)
    assert pool.submit(lambda: 42, urgent=True).result(5) == 42
    assert pool.submit(lambda: 43).result(5) == 43


def test_the_warm_up_reaches_every_model_thread_once(two_model_threads):
    names: List[str] = []
    asyncio.run(model_thread.on_every_thread(lambda: names.append(threading.current_thread().name)))

    assert sorted(names) == ["attune-model-crisis_0", "attune-model_0", "attune-model_1"]


def test_the_warm_up_of_a_busy_thread_holds_no_other_thread(two_model_threads):
    pool = model_thread.executor()
    busy = threading.Event()
    held = pool.submit(lambda: busy.wait(10))  # one thread is reading a long message

    async def scenario() -> str:
        warm_up = asyncio.create_task(model_thread.on_every_thread(lambda: None))
        await asyncio.sleep(0.1)
        # A crisis step right after the start is not stuck behind the busy thread's warm-up.
        crisis = await asyncio.wait_for(
            asyncio.wrap_future(pool.submit(lambda: threading.current_thread().name, urgent=True)), 5
        )
        busy.set()
        await warm_up
        return crisis

    assert asyncio.run(scenario()).startswith("attune-model")
    assert held.result(5)


@pytest.mark.parametrize("text", [
    "i want to kill myself",
    "he hit me again last night",
    "je veux mourir",
    HELP_PAYLOAD,
    "/risk_suicide",
    # risk in the last line of a message far over the limit: read in the guard's windows
    "tell me about attachment. " * 4000 + "i'm going to end my life tonight",
])
def test_the_word_lists_the_help_button_and_risk_payloads_take_the_lane(text):
    assert crisis_lane.is_urgent(text)


@pytest.mark.parametrize("text", [
    "what is anxious attachment?", "/greet", "/message_too_long", "hi", "", "   ", None, 42,
    b"i want to kill myself", "\x00\ud800" * 1000, "a" * 1_000_000,
])
def test_ordinary_and_malformed_messages_take_the_ordinary_lane(text):
    assert crisis_lane.is_urgent(text) is False


def test_a_conversation_that_had_a_crisis_reply_keeps_the_lane():
    tracker = DialogueStateTracker.from_events("v", [
        ActionExecuted("action_listen"),
        UserUttered("i want to die", {"name": "risk_suicide", "confidence": 1.0}),
        BotUttered("9-8-8 ... Are you safe right now?"),
        ActionExecuted("action_listen"),
    ])

    assert crisis_lane.is_urgent("no", tracker)
    assert not crisis_lane.is_urgent("no", DialogueStateTracker.from_events("w", []))


def test_a_failing_check_costs_only_the_priority_and_logs_no_words(monkeypatch, caplog):
    def broken(text: str) -> bool:
        raise RuntimeError(f"could not read {text}")

    monkeypatch.setattr(crisis_lane, "_words_find_risk", broken)
    with caplog.at_level(logging.DEBUG):
        assert crisis_lane.is_urgent("my secret words") is False
    assert "secret" not in caplog.text and "RuntimeError" in caplog.text


def test_the_lane_check_costs_well_under_a_millisecond_for_a_typical_message():
    crisis_lane.is_urgent("how do I stop pulling away from my partner when things get close?")
    started = time.perf_counter()
    for _ in range(50):
        crisis_lane.is_urgent("how do I stop pulling away from my partner when things get close?")
    assert (time.perf_counter() - started) / 50 < 0.005


def test_the_lane_can_be_turned_off_for_measuring_it(monkeypatch):
    monkeypatch.setenv(model_thread.LANE_ENV, "off")
    monkeypatch.setenv(model_thread.THREADS_ENV, "2")
    monkeypatch.setattr(model_thread, "_executor", None)

    async def lane_of(text: str) -> bool:
        model_thread._choose_lane(SimpleNamespace(text=text), None)
        return model_thread.urgent_turn()

    assert asyncio.run(lane_of("i want to kill myself")) is False
    assert model_thread.executor().size == 2  # no reserved thread: one first-come queue


class _Fetched(Exception):
    """Stops a turn right after its conversation was fetched."""


@pytest.mark.parametrize("text, urgent", [("i want to kill myself", True),
                                          ("how do I stop pulling away from my partner?", False)])
def test_the_conversation_of_a_message_in_crisis_is_fetched_in_the_lane(two_model_threads, text, urgent):
    """The lane is chosen from the message before its conversation is fetched, so the tracker
    store's threads (which take the lane's work first) fetch it before other visitors' saves."""
    lanes: List[bool] = []

    class Processor:
        async def log_message(self, message: Any, should_save_tracker: bool = True) -> Any:
            lanes.append(model_thread.urgent_turn())  # what the store's fetch is queued with
            raise _Fetched()

    async def turn() -> None:
        model_thread.set_urgent_turn(not urgent)  # whatever this task held before
        with pytest.raises(_Fetched):
            await MessageProcessor.handle_message(Processor(), UserMessage(text, sender_id="v"))

    asyncio.run(turn())
    assert lanes == [urgent]

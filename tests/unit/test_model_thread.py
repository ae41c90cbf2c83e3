"""The model's work runs in the model threads, never in the event loop's own thread."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from types import SimpleNamespace
from typing import Any, Dict, List

from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor

from attune import model_thread

VISITOR = contextvars.ContextVar("visitor", default="nobody")


def test_work_runs_in_a_model_thread_with_the_callers_context():
    async def scenario() -> Any:
        VISITOR.set("this visitor")
        return await model_thread.in_model_thread(
            lambda: (threading.current_thread().name, VISITOR.get())
        )

    name, visitor = asyncio.run(scenario())
    assert name.startswith("attune-model")
    assert visitor == "this visitor"


def test_the_thread_count_comes_from_the_environment_or_the_cores(monkeypatch):
    monkeypatch.setenv(model_thread.THREADS_ENV, "3")
    assert model_thread.thread_count() == 3
    monkeypatch.setenv(model_thread.THREADS_ENV, "many")
    assert 2 <= model_thread.thread_count() <= 4


class FakeProcessor:
    """What parse_message and the prediction loop use of a MessageProcessor."""

    http_interpreter = None
    on_circuit_break = None
    nlg = None

    def __init__(self) -> None:
        self.threads: List[str] = []
        self.actions_run: List[str] = []

    def _parse_message_with_graph(self, message: Any, tracker: Any, only_output: bool) -> Dict[str, Any]:
        self.threads.append(threading.current_thread().name)
        return {"text": message.text, "intent": {"name": "greet", "confidence": 0.9}, "entities": []}

    def _update_full_retrieval_intent(self, parse_data: Dict[str, Any]) -> None:
        pass

    def _check_for_unseen_features(self, parse_data: Dict[str, Any]) -> None:
        pass

    def _should_handle_message(self, tracker: Any) -> bool:
        return True

    def predict_next_with_tracker_if_should(self, tracker: Any) -> Any:
        self.threads.append(threading.current_thread().name)
        name = "utter_greet" if not self.actions_run else "action_listen"
        return SimpleNamespace(name=lambda: name), SimpleNamespace(is_end_to_end_prediction=False)

    async def _run_action(self, action: Any, tracker: Any, *_: Any) -> bool:
        self.actions_run.append(action.name())
        return action.name() != "action_listen"


def test_reading_a_message_and_predicting_actions_leave_the_event_loop_free():
    model_thread.install()
    processor = FakeProcessor()

    async def scenario() -> Dict[str, Any]:
        loop_thread = threading.current_thread().name
        parsed = await MessageProcessor.parse_message(processor, UserMessage("hello", sender_id="v1"))
        await MessageProcessor._run_prediction_loop(processor, None, SimpleNamespace())
        processor.threads.append(loop_thread)
        return parsed

    parsed = asyncio.run(scenario())
    assert parsed["intent"]["name"] == "greet"
    assert processor.actions_run == ["utter_greet", "action_listen"]
    *model_threads, loop_thread = processor.threads
    assert len(model_threads) == 3  # one reading, two predictions
    assert all(name.startswith("attune-model") for name in model_threads)
    assert loop_thread not in model_threads


def test_threads_that_are_not_daemons_finish_the_queued_work_and_end_on_shutdown():
    from attune.model_thread import LaneExecutor

    lanes = LaneExecutor(1, reserved=0, prefix="test-store", daemon=False)
    futures = [lanes.submit(lambda n=n: n * 2) for n in range(5)]
    lanes.shutdown()
    assert [f.result(timeout=10) for f in futures] == [0, 2, 4, 6, 8]
    for worker in lanes._workers:
        worker.join(timeout=10)
        assert not worker.is_alive()

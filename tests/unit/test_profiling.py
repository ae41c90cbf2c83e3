"""The stage timers of `make bench-profile` (attune/profiling.py): off unless asked for, exact
counts from many threads, exceptions recorded and passed on, nothing a visitor wrote in the file."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, Iterator, List

import pytest

from attune import model_thread, profiling

SECRET = "I want to end it all, my number is 555-0100"
SENDER = "visitor-7f3a"


@pytest.fixture
def rasa_targets(monkeypatch) -> Iterator[None]:
    """Every attribute the timers replace is put back after the test, and the profile stopped."""
    import rasa.core.channels.channel as channel_module
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor
    from rasa.engine.graph import GraphNode

    from attune import patches

    # Every other patch first, as the server does (profiling is off without the variable): what
    # is put back afterwards is what the rest of the test session expects.
    monkeypatch.delenv(profiling.PROFILE_ENV, raising=False)
    patches.install()
    for name in ("__init__", "handle_message", "_handle_message_with_tracker", "_parse_message_with_graph",
                 "run_action_extract_slots", "_run_prediction_loop", "predict_next_with_tracker_if_should",
                 "_run_action"):
        monkeypatch.setattr(MessageProcessor, name, getattr(MessageProcessor, name))
    monkeypatch.setattr(Agent, "handle_message", Agent.handle_message)
    monkeypatch.setattr(RemoteAction, "run", RemoteAction.run)
    monkeypatch.setattr(GraphNode, "__call__", GraphNode.__call__)
    monkeypatch.setattr(channel_module, "register", channel_module.register)
    monkeypatch.setattr(model_thread, "in_model_thread", model_thread.in_model_thread)
    monkeypatch.setattr(profiling, "_wrapped", False)
    yield
    profiling.stop()


def strings_in(value: Any) -> List[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in [key, *strings_in(item)]]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return [value] if isinstance(value, str) else []


def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# ---------------------------------------------------------------------------- off by default

def test_without_the_variable_nothing_is_wrapped_and_no_thread_starts(monkeypatch, rasa_targets):
    from rasa.core.actions.action import RemoteAction
    from rasa.core.processor import MessageProcessor
    from rasa.engine.graph import GraphNode

    monkeypatch.delenv(profiling.PROFILE_ENV, raising=False)
    before = {
        "handle": MessageProcessor.handle_message, "init": MessageProcessor.__init__,
        "node": GraphNode.__call__, "remote": RemoteAction.run, "hop": model_thread.in_model_thread,
    }
    profiling.install()
    assert profiling.active() is None
    assert MessageProcessor.handle_message is before["handle"]
    assert MessageProcessor.__init__ is before["init"]
    assert GraphNode.__call__ is before["node"]
    assert RemoteAction.run is before["remote"]
    assert model_thread.in_model_thread is before["hop"]
    assert not any(t.name == "attune-profile-writer" for t in threading.enumerate())


def test_a_blank_variable_is_off_too(monkeypatch):
    monkeypatch.setenv(profiling.PROFILE_ENV, "  ")
    assert profiling.profile_path() is None


def test_patches_install_leaves_rasa_untimed_without_the_variable(monkeypatch, rasa_targets):
    from rasa.core.processor import MessageProcessor

    from attune import patches

    monkeypatch.delenv(profiling.PROFILE_ENV, raising=False)
    patches.install()
    assert not hasattr(MessageProcessor.handle_message, profiling.MARK)
    assert profiling.active() is None


# ---------------------------------------------------------------------------- counting and timing

def test_each_call_of_a_wrapped_function_is_counted_and_timed_in_its_stage():
    profile = profiling.Profile()
    nap = profile.timed("nap", lambda seconds: time.sleep(seconds) or seconds)
    for _ in range(3):
        assert nap(0.01) == 0.01
    profile.timed("other", lambda: None)()
    stages = profile.snapshot()["stages"]
    assert stages["nap"]["count"] == 3 and stages["nap"]["errors"] == 0
    assert stages["nap"]["total_ms"] >= 30
    assert 10 <= stages["nap"]["p50_ms"] <= stages["nap"]["p95_ms"] <= stages["nap"]["max_ms"]
    assert stages["other"]["count"] == 1
    assert stages["nap"]["mean_ms"] == pytest.approx(stages["nap"]["total_ms"] / 3, abs=0.01)


def test_async_functions_are_timed_until_they_finish_not_until_they_return_a_coroutine():
    profile = profiling.Profile()

    async def slow() -> str:
        await asyncio.sleep(0.02)
        return "done"

    timed = profile.timed("async stage", slow)
    assert asyncio.iscoroutinefunction(timed)
    assert asyncio.run(timed()) == "done"
    assert profile.snapshot()["stages"]["async stage"]["total_ms"] >= 20


def test_nested_stages_are_both_counted_the_outer_containing_the_inner():
    profile = profiling.Profile()
    inner = profile.timed("inner", lambda: time.sleep(0.005))

    async def outer_work() -> None:
        for _ in range(2):
            inner()
        await asyncio.sleep(0.005)

    asyncio.run(profile.timed("outer", outer_work)())
    stages = profile.snapshot()["stages"]
    assert stages["outer"]["count"] == 1 and stages["inner"]["count"] == 2
    assert stages["outer"]["total_ms"] >= stages["inner"]["total_ms"] >= 10


@pytest.mark.parametrize("is_async", [False, True])
def test_a_call_that_raises_is_recorded_as_an_error_and_the_exception_goes_on(is_async):
    profile = profiling.Profile()

    def fail() -> None:
        raise ValueError("boom")

    async def fail_async() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        if is_async:
            asyncio.run(profile.timed("failing", fail_async)())
        else:
            profile.timed("failing", fail)()
    stage = profile.snapshot()["stages"]["failing"]
    assert stage["count"] == 1 and stage["errors"] == 1


def test_a_wrapper_keeps_the_name_and_is_never_wrapped_twice(monkeypatch):
    class Store:
        async def save(self, tracker: Any) -> None:
            """Stores."""

    monkeypatch.setattr(profiling, "_profile", profiling.Profile())
    profiling._wrap_method(Store, "save", "tracker store: save")
    once = Store.save
    profiling._wrap_method(Store, "save", "tracker store: save")
    assert Store.save is once and once.__name__ == "save"
    asyncio.run(Store().save(None))
    assert profiling.active().snapshot()["stages"]["tracker store: save"]["count"] == 1


def test_many_threads_at_once_lose_no_call_and_keep_bounded_samples():
    profile = profiling.Profile(max_samples=500)
    work = {name: profile.timed(name, lambda: None) for name in ("a", "b")}
    start = threading.Barrier(16)

    def hammer(number: int) -> None:
        start.wait()
        for _ in range(1000):
            work["a" if number % 2 else "b"]()
            profile.record("shared", 0.001)

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stages = profile.snapshot()["stages"]
    assert stages["a"]["count"] == stages["b"]["count"] == 8000
    assert stages["shared"]["count"] == 16000
    assert stages["shared"]["total_ms"] == pytest.approx(16000.0, rel=1e-6)
    assert {s["samples_kept"] for s in stages.values()} == {500}


# ---------------------------------------------------------------------------- the file

def test_the_file_holds_stage_names_and_numbers_only_never_what_a_visitor_wrote(tmp_path):
    path = tmp_path / "profile.json"
    profile = profiling.start(path, every=0.05)
    try:
        handle = profile.timed("turn: handle_message", lambda text, sender: len(text))
        handle(SECRET, SENDER)
        with pytest.raises(KeyError):
            profile.timed("NLU: graph", lambda text: {}[text])(SECRET)
        wait_for(path.exists)
    finally:
        profiling.stop()
    written = path.read_text()
    # The phone number in the message, not "555" anywhere: a pid or a timestamp may hold it.
    assert SECRET not in written and SENDER not in written and "555-0100" not in written
    data = json.loads(written)
    assert set(data) == {"format", "pid", "period", "period_started", "written_at", "max_samples", "stages"}
    assert set(strings_in(data)) - {"format", "pid", "period", "period_started", "written_at", "max_samples",
                                    "stages", "count", "errors", "total_ms", "mean_ms", "p50_ms", "p95_ms",
                                    "max_ms", "samples_kept"} == {profiling.FORMAT, "turn: handle_message",
                                                                  "NLU: graph"}
    assert data["stages"]["NLU: graph"]["errors"] == 1


def test_the_file_is_written_periodically_and_at_the_end(tmp_path):
    path = tmp_path / "profile.json"
    profile = profiling.start(path, every=0.05)
    profile.record("stage", 0.002)
    wait_for(lambda: path.exists() and json.loads(path.read_text())["stages"].get("stage", {}).get("count") == 1)
    profile.record("stage", 0.002)
    profiling.stop()  # what atexit runs
    assert json.loads(path.read_text())["stages"]["stage"]["count"] == 2
    assert not any(t.name == "attune-profile-writer" for t in threading.enumerate())


def test_a_reset_request_writes_the_period_so_far_and_starts_a_new_one(tmp_path):
    path = tmp_path / "profile.json"
    profile = profiling.start(path, every=60)
    try:
        profile.record("warm-up", 0.001)
        request = profiling.request_reset(path)
        wait_for(lambda: not request.exists())
        first = json.loads(path.read_text())
        assert first["period"] == 0 and first["stages"]["warm-up"]["count"] == 1
        profile.record("level", 0.001)
        request = profiling.request_reset(path)
        wait_for(lambda: not request.exists())
        second = json.loads(path.read_text())
        assert second["period"] == 1 and set(second["stages"]) == {"level"}
    finally:
        profiling.stop()


# ---------------------------------------------------------------------------- Rasa's stages

def test_with_the_variable_rasas_stages_are_timed(monkeypatch, tmp_path, rasa_targets):
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor
    from rasa.engine.graph import GraphNode

    monkeypatch.setenv(profiling.PROFILE_ENV, str(tmp_path / "profile.json"))
    profiling.install()
    profiling.install()  # twice: still one wrapper each
    assert profiling.active() is not None
    mark = profiling.MARK
    assert getattr(Agent.handle_message, mark) == "agent: conversation lock + turn"
    assert getattr(MessageProcessor.handle_message, mark) == "turn: handle_message"
    assert getattr(MessageProcessor._parse_message_with_graph, mark) == "NLU: graph"
    assert getattr(MessageProcessor.predict_next_with_tracker_if_should, mark) == "policies: predict next action"
    assert getattr(RemoteAction.run, mark) == "action server: round trip"
    assert MessageProcessor.handle_message.__wrapped__.__name__ == "handle_message"
    assert not hasattr(MessageProcessor.handle_message.__wrapped__, mark)
    assert hasattr(GraphNode.__call__, mark)


def test_each_graph_node_is_a_stage_named_by_its_component(monkeypatch, tmp_path, rasa_targets):
    from rasa.engine.graph import ExecutionContext, GraphComponent, GraphNode, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    class Tokens(GraphComponent):
        @classmethod
        def create(cls, config, model_storage, resource, execution_context) -> "Tokens":
            return cls()

        def process(self, messages: List[str]) -> List[str]:
            return [m.upper() for m in messages]

    monkeypatch.setenv(profiling.PROFILE_ENV, str(tmp_path / "profile.json"))
    profiling.install()
    node = GraphNode("run_Tokens0", Tokens, "create", {}, "process", {"messages": "message_input"}, True,
                     LocalModelStorage(tmp_path / "storage"), None, ExecutionContext(GraphSchema({}), "m"))
    assert node(("message_input", [SECRET])) == ("run_Tokens0", [SECRET.upper()])
    stages = profiling.active().snapshot()["stages"]
    assert stages["nlu: Tokens.process"]["count"] == 1
    class Provider(GraphComponent):
        @classmethod
        def create(cls, config, model_storage, resource, execution_context) -> "Provider":
            return cls()

        def provide_inference(self) -> str:
            return "domain"

    shared = GraphNode("domain_provider", Provider, "create", {}, "provide_inference", {}, True,
                       LocalModelStorage(tmp_path / "storage"), None, ExecutionContext(GraphSchema({}), "m"))
    profiling._in_graph("nlu", shared)()
    profiling._in_graph("policies", shared)()
    profiling._in_graph("policies", shared)()
    stages = profiling.active().snapshot()["stages"]
    assert stages["nlu: Provider.provide_inference"]["count"] == 1
    assert stages["graph: Provider.provide_inference"]["count"] == 2
    assert profiling.node_stage(Tokens, "predict_action_probabilities") == "policy: Tokens.predict_action_probabilities"
    assert profiling.node_stage(Tokens, "provide_inference") == "graph: Tokens.provide_inference"
    assert profiling.node_stage(Tokens, "convert_user_message") == "nlu: Tokens.convert_user_message"


def test_the_processors_tracker_store_broker_and_nlg_are_timed_once_per_call(monkeypatch, tmp_path, rasa_targets):
    from rasa.core.processor import MessageProcessor

    class Broker:
        def publish(self, event: Dict[str, Any]) -> None:
            pass

    class Store:
        def __init__(self) -> None:
            self.event_broker = Broker()

        async def retrieve(self, sender_id: str) -> None:
            return None

        async def save(self, tracker: Any) -> None:
            for _ in range(3):
                self.event_broker.publish({"event": "bot", "text": SECRET})

    class Generator:
        async def generate(self, utter_action: str, tracker: Any, output_channel: str, **kwargs: Any) -> Any:
            return {"text": "hello"}

    class PracticeLike(Generator):
        async def generate(self, utter_action: str, tracker: Any, output_channel: str, **kwargs: Any) -> Any:
            note = await super().generate("utter_note", tracker, output_channel)  # its parent: not a 2nd call
            return {"text": f"{SECRET} {note['text']}"}

    def fake_init(self: Any, model_path: Any, tracker_store: Any, lock_store: Any, generator: Any) -> None:
        self.tracker_store, self.nlg = tracker_store, generator

    monkeypatch.setattr(MessageProcessor, "__init__", fake_init)
    monkeypatch.setenv(profiling.PROFILE_ENV, str(tmp_path / "profile.json"))
    profiling.install()
    processor = MessageProcessor("model", Store(), None, PracticeLike())

    async def turn() -> None:
        await processor.tracker_store.retrieve(SENDER)
        await processor.nlg.generate("utter_greet", None, "rest")
        await processor.tracker_store.save(None)

    asyncio.run(turn())
    stages = profiling.active().snapshot()["stages"]
    assert stages["tracker store: retrieve"]["count"] == 1
    assert stages["tracker store: save"]["count"] == 1
    assert stages["event broker: publish"]["count"] == 3
    assert stages["NLG: generate"]["count"] == 1


def test_work_handed_to_the_model_threads_records_its_queue_wait(monkeypatch, tmp_path, rasa_targets):
    monkeypatch.setenv(profiling.PROFILE_ENV, str(tmp_path / "profile.json"))
    profiling.install()

    def read_in_context(text: str) -> int:
        return len(text)

    already_timed = profiling.timed("NLU: graph", lambda text: text)

    async def hops() -> None:
        assert await model_thread.in_model_thread(read_in_context, SECRET) == len(SECRET)
        assert await model_thread.in_model_thread(already_timed, SECRET) == SECRET

    asyncio.run(hops())
    stages = profiling.active().snapshot()["stages"]
    assert stages[profiling.QUEUE_WAIT]["count"] == stages[profiling.BACK_ON_LOOP]["count"] == 2
    assert stages["model thread: read_in_context"]["count"] == 1
    assert stages["NLU: graph"]["count"] == 1
    assert not any(name.startswith("model thread: <lambda>") for name in stages)


def test_webhook_posts_are_timed_from_request_to_response(monkeypatch, tmp_path):
    monkeypatch.setattr(profiling, "_profile", profiling.Profile())
    registered: Dict[str, Any] = {}
    app = SimpleNamespace(register_middleware=lambda fn, when: registered.__setitem__(when, fn))
    profiling._time_webhooks(app, "/webhooks/")

    async def request(method: str, path: str, status: int) -> None:
        call = SimpleNamespace(method=method, path=path, ctx=SimpleNamespace())
        await registered["request"](call)
        await registered["response"](call, SimpleNamespace(status=status))

    async def traffic() -> None:
        await request("POST", "/webhooks/rest/webhook", 200)
        await request("POST", "/webhooks/rest/webhook", 500)
        await request("GET", "/webhooks/rest/", 200)  # the health route
        await request("POST", "/model/parse", 200)  # Rasa's API, not a channel

    asyncio.run(traffic())
    stage = profiling.active().snapshot()["stages"]["channel: webhook request"]
    assert stage["count"] == 2 and stage["errors"] == 1


def test_the_writer_survives_an_unwritable_file(tmp_path):
    path = tmp_path / "gone" / "profile.json"  # its folder does not exist
    profile = profiling.start(path, every=0.01)
    try:
        profile.record("stage", 0.001)
        time.sleep(0.5)
        assert any(t.name == "attune-profile-writer" and t.is_alive() for t in threading.enumerate())
    finally:
        profiling.stop()
    assert not Path(path).exists()

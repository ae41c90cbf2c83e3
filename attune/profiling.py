"""Where one message's time goes: stage timers, on only when ATTUNE_PROFILE_FILE is set.

`make bench-profile` (bench/profile.py) starts the server with ATTUNE_PROFILE_FILE naming a
file; `install()` (called from `attune.patches.install`, like every Rasa patch) then wraps the
stages of a turn in Rasa 3.6.21 with timers. Without the variable `install()` returns at once
and nothing is wrapped: production pays nothing.

Stages (they nest: the channel's request contains the turn, which contains the NLU, ...):
- `channel: webhook request`: a POST to a channel's webhook, from Sanic's request middleware
  to its response middleware (body checks, rate limit, the whole turn, the JSON answer);
- `agent: conversation lock + turn` (`Agent.handle_message`), `turn: handle_message`
  (`MessageProcessor.handle_message`): the difference is the wait for the conversation's lock;
- `NLU: read the message` (`_handle_message_with_tracker`: the parse with every wrapper
  around it, the reading in context included), `NLU: graph` (`_parse_message_with_graph`) and
  inside it one stage per graph node (`GraphNode.__call__`), labelled by component class and
  function: `nlu: WhitespaceTokenizer.process`, `policy: RulePolicy.predict_action_probabilities`
  (a node both graphs share, the domain provider, by the graph running it);
- `model threads: queue wait` (from the hand-off to a model thread to the start of the work,
  every hop: the parse, the reading in context, each prediction), `model thread: <function>`
  for work handed over that has no stage of its own (the reading in context), and `model
  threads: back on the event loop` (from the end of that work until the event loop resumes
  the turn: how busy the loop is);
- `slots: action_extract_slots`, `dialogue: prediction loop` (predictions and actions),
  `policies: predict next action` (one prediction), `action: run` (any action, with its
  events), `action server: round trip` (`RemoteAction.run`), `NLG: generate` (the configured
  generator, outermost call only);
- `tracker store: retrieve` / `retrieve full` / `save` and `event broker: publish` (once per
  event, inside the save), on the instances the message processor uses.

Each stage keeps its count, errors (a call that raised: still timed, and the exception goes on
as before), total and its last `MAX_SAMPLES` durations for the percentiles, under one lock (the
timers run on the event loop and in the model threads). Only stage names and numbers are kept:
never a message, a sender id or anything else a visitor wrote.

The aggregate is written as JSON to the file (atomically) at exit and every
ATTUNE_PROFILE_INTERVAL seconds (default 5) while something new was recorded, so a killed
server still leaves its data. Creating `<file>.reset` asks the writer thread to write the period
so far, start a new period from zero and delete `<file>.reset` (bench/profile.py's way to leave
out its warm-up and to measure levels apart on one server). One process per file.
"""

from __future__ import annotations

import asyncio
import atexit
import functools
import json
import math
import os
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any, Callable, Deque, Dict, List, Optional, Sequence, Text, Tuple

PROFILE_ENV = "ATTUNE_PROFILE_FILE"
INTERVAL_ENV = "ATTUNE_PROFILE_INTERVAL"
DEFAULT_INTERVAL_S = 5.0
MAX_SAMPLES = 20_000
RESET_SUFFIX = ".reset"
FORMAT = "attune-profile/1"
# How often the writer thread looks for a reset request.
POLL_S = 0.2
# Set on every wrapper: a stage is never wrapped twice, and the model-thread hop knows it.
MARK = "__attune_profiled__"
QUEUE_WAIT = "model threads: queue wait"
BACK_ON_LOOP = "model threads: back on the event loop"

_profile: Optional["Profile"] = None
_stop_writer: Optional[threading.Event] = None
_writer_thread: Optional[threading.Thread] = None
_path: Optional[Path] = None
_install_lock = threading.Lock()
_wrapped = False
# The graph this thread is running ("nlu" or "policies"): the domain provider is one node of both.
_graph = threading.local()


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The q-th percentile, linearly interpolated between closest ranks (NaN when empty)."""
    if not sorted_values:
        return math.nan
    position = (len(sorted_values) - 1) * q / 100.0
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


class _Stage:
    """One stage's figures (guarded by the profile's lock)."""

    __slots__ = ("count", "errors", "total", "samples")

    def __init__(self, max_samples: int) -> None:
        self.count = 0
        self.errors = 0
        self.total = 0.0
        self.samples: Deque[float] = deque(maxlen=max_samples)


class Profile:
    """Durations per stage, from any thread."""

    def __init__(self, max_samples: int = MAX_SAMPLES) -> None:
        """An empty profile keeping the last `max_samples` durations of each stage."""
        self.max_samples = max_samples
        self._lock = threading.Lock()
        self._stages: Dict[Text, _Stage] = {}
        self.period = 0
        self.period_started = time.time()
        self.changed = False

    def record(self, stage: Text, seconds: float, failed: bool = False) -> None:
        """Adds one call of `stage` that took `seconds`."""
        with self._lock:
            entry = self._stages.get(stage)
            if entry is None:
                entry = self._stages[stage] = _Stage(self.max_samples)
            entry.count += 1
            entry.errors += bool(failed)
            entry.total += seconds
            entry.samples.append(seconds)
            self.changed = True

    def snapshot(self, reset: bool = False) -> Dict[Text, Any]:
        """The aggregate as plain numbers (milliseconds): what the file holds. With `reset`, a
        new period starts at zero in the same step (no call falls between the two)."""
        with self._lock:
            copied: List[Tuple[Text, int, int, float, List[float]]] = [
                (name, s.count, s.errors, s.total, list(s.samples)) for name, s in self._stages.items()
            ]
            period, started = self.period, self.period_started
            self.changed = False
            if reset:
                self._stages = {}
                self.period += 1
                self.period_started = time.time()
        stages: Dict[Text, Dict[Text, Any]] = {}
        for name, count, errors, total, samples in sorted(copied):
            samples.sort()
            stages[name] = {
                "count": count,
                "errors": errors,
                "total_ms": round(total * 1000, 3),
                "mean_ms": round(total * 1000 / count, 3) if count else 0.0,
                "p50_ms": round(percentile(samples, 50) * 1000, 3),
                "p95_ms": round(percentile(samples, 95) * 1000, 3),
                "max_ms": round(samples[-1] * 1000, 3) if samples else 0.0,
                "samples_kept": len(samples),
            }
        return {
            "format": FORMAT,
            "pid": os.getpid(),
            "period": period,
            "period_started": round(started, 3),
            "written_at": round(time.time(), 3),
            "max_samples": self.max_samples,
            "stages": stages,
        }

    def write(self, path: Path, reset: bool = False) -> None:
        """Writes the snapshot to `path` atomically (a reader never sees half a file); with
        `reset`, starts a new period."""
        data = json.dumps(self.snapshot(reset), indent=1, allow_nan=False)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(data, encoding="utf-8")
        os.replace(temporary, path)

    def timed(self, stage: Text, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function` (plain or async) wrapped so that each call is recorded here as `stage`."""
        return timed(stage, function, self.record)


def timed(stage: Text, function: Callable[..., Any],
          record: Optional[Callable[[Text, float, bool], None]] = None) -> Callable[..., Any]:
    """`function` (plain or async) wrapped so that each call is recorded as `stage`, by `record`
    (default: in the process's profile, when there is one). A call that raises is recorded as
    an error and the exception goes on."""
    record = record or _record
    clock = time.perf_counter

    if asyncio.iscoroutinefunction(function):
        @functools.wraps(function)
        async def async_timed(*args: Any, **kwargs: Any) -> Any:
            started = clock()
            failed = True
            try:
                result = await function(*args, **kwargs)
                failed = False
                return result
            finally:
                record(stage, clock() - started, failed)

        setattr(async_timed, MARK, stage)
        return async_timed

    @functools.wraps(function)
    def sync_timed(*args: Any, **kwargs: Any) -> Any:
        started = clock()
        failed = True
        try:
            result = function(*args, **kwargs)
            failed = False
            return result
        finally:
            record(stage, clock() - started, failed)

    setattr(sync_timed, MARK, stage)
    return sync_timed


def _record(stage: Text, seconds: float, failed: bool = False) -> None:
    """Records in the process's profile; nothing when there is none (stopped)."""
    profile = _profile
    if profile is not None:
        profile.record(stage, seconds, failed)


def active() -> Optional[Profile]:
    """The process's profile, when the timers are installed."""
    return _profile


def profile_path() -> Optional[Path]:
    """The file named by ATTUNE_PROFILE_FILE, or None (timers off)."""
    value = os.environ.get(PROFILE_ENV, "").strip()
    return Path(value) if value else None


def interval() -> float:
    """Seconds between periodic writes: ATTUNE_PROFILE_INTERVAL, else 5."""
    try:
        value = float(os.environ.get(INTERVAL_ENV, ""))
    except ValueError:
        return DEFAULT_INTERVAL_S
    return value if value > 0 else DEFAULT_INTERVAL_S


def request_reset(path: Path) -> Path:
    """Asks the server writing `path` to write the period so far and start a new one; returns
    the request file, which the server deletes once `path` holds that period."""
    request = path.with_name(path.name + RESET_SUFFIX)
    request.touch()
    return request


def _writer(profile: Profile, path: Path, every: float, stopping: threading.Event) -> None:
    """The daemon thread: periodic writes, and reset requests."""
    request = path.with_name(path.name + RESET_SUFFIX)
    last = time.monotonic()
    while not stopping.wait(POLL_S):
        try:
            if request.exists():
                profile.write(path, reset=True)
                request.unlink()
                last = time.monotonic()
            elif profile.changed and time.monotonic() - last >= every:
                profile.write(path)
                last = time.monotonic()
        except OSError:
            pass  # a full disk or a removed folder must not end the thread, nor the server


def start(path: Path, every: Optional[float] = None, profile: Optional[Profile] = None) -> Profile:
    """Makes `profile` (a new one by default) the process's, written to `path` at exit and by a
    daemon thread; returns it. No Rasa class is touched: `install` does that."""
    global _profile, _stop_writer, _writer_thread, _path
    stop()
    profile = profile or Profile()
    event = threading.Event()
    thread = threading.Thread(
        target=_writer, args=(profile, path, every or interval(), event), name="attune-profile-writer", daemon=True
    )
    thread.start()
    _profile, _stop_writer, _writer_thread, _path = profile, event, thread, path
    atexit.register(stop)
    return profile


def stop() -> None:
    """Stops the writer thread and writes the profile a last time (at exit)."""
    global _profile, _stop_writer, _writer_thread
    profile, event, thread, path = _profile, _stop_writer, _writer_thread, _path
    _profile, _stop_writer, _writer_thread = None, None, None
    atexit.unregister(stop)
    if event is not None:
        event.set()
    if thread is not None and thread is not threading.current_thread():
        thread.join(timeout=2)  # its last write done: the two never write at once
    if profile is not None and path is not None:
        try:
            profile.write(path)
        except OSError:
            pass


def install() -> None:
    """Wraps Rasa's stages with timers when ATTUNE_PROFILE_FILE is set (once per process);
    does nothing otherwise."""
    global _wrapped
    path = profile_path()
    if path is None:
        return
    with _install_lock:
        if _profile is None:
            start(path)
        if not _wrapped:
            _wrap_rasa()
            _wrapped = True


# ---------------------------------------------------------------------------- Rasa 3.6.21

def _wrap_method(owner: Any, name: Text, stage: Text, graph: Optional[Text] = None) -> None:
    """Replaces `owner.name` (a class's method, or an instance's) with a timed one, once; with
    `graph`, the graph nodes it runs are labelled as that graph's."""
    method = getattr(owner, name, None)
    if method is None or getattr(method, MARK, None):
        return
    wrapped = timed(stage, method)
    if graph is not None:
        wrapped = _in_graph(graph, wrapped)
    setattr(owner, name, wrapped)


def _in_graph(graph: Text, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` (plain: the graph runs in the calling thread) run with `graph` as this
    thread's graph."""
    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        previous = getattr(_graph, "name", None)
        _graph.name = graph
        try:
            return function(*args, **kwargs)
        finally:
            _graph.name = previous

    return run


def node_stage(component_class: Any, fn_name: Text, graph: Optional[Text] = None) -> Text:
    """A graph node's stage: the NLU graph's nodes (its message converter, its components'
    `process`, and any node run while the NLU graph runs), the policies' predictions, the rest
    (providers, the ensemble)."""
    component = getattr(component_class, "__name__", "?")
    if graph == "nlu" or fn_name in ("process", "convert_user_message"):
        return f"nlu: {component}.{fn_name}"
    if fn_name == "predict_action_probabilities":
        return f"policy: {component}.predict_action_probabilities"
    return f"graph: {component}.{fn_name}"


def _wrap_rasa() -> None:
    import rasa.core.channels.channel as channel_module
    from rasa.core.actions.action import RemoteAction
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor
    from rasa.engine.graph import GraphNode

    from attune import model_thread

    # First: it replaces parse_message and the prediction loop, which are timed below.
    model_thread.install()
    record = _record
    clock = time.perf_counter

    targets: Tuple[Tuple[Any, ...], ...] = (
        (Agent, "handle_message", "agent: conversation lock + turn"),
        (MessageProcessor, "handle_message", "turn: handle_message"),
        (MessageProcessor, "_handle_message_with_tracker", "NLU: read the message"),
        (MessageProcessor, "_parse_message_with_graph", "NLU: graph", "nlu"),
        (MessageProcessor, "run_action_extract_slots", "slots: action_extract_slots"),
        (MessageProcessor, "_run_prediction_loop", "dialogue: prediction loop"),
        (MessageProcessor, "predict_next_with_tracker_if_should", "policies: predict next action", "policies"),
        (MessageProcessor, "_run_action", "action: run"),
        (RemoteAction, "run", "action server: round trip"),
    )
    for owner, name, stage, *graph in targets:
        _wrap_method(owner, name, stage, *graph)

    if not getattr(GraphNode.__call__, MARK, None):
        node_call = GraphNode.__call__

        def call_node(self: Any, *inputs: Any) -> Any:
            graph = getattr(_graph, "name", None)
            key = f"_attune_stage_{graph}"
            stage = self.__dict__.get(key)
            if stage is None:
                stage = node_stage(self._component_class, self._fn_name, graph)
                setattr(self, key, stage)
            started = clock()
            failed = True
            try:
                result = node_call(self, *inputs)
                failed = False
                return result
            finally:
                record(stage, clock() - started, failed)

        setattr(call_node, MARK, "graph node")
        GraphNode.__call__ = call_node

    # The tracker store, its event broker and the NLG the processor was given: whatever
    # endpoints.yml configures, timed on the instances (a subclass calling its parent's method,
    # as PracticeNLG does for its notes, is not counted twice).
    processor_init = MessageProcessor.__init__
    if not getattr(processor_init, MARK, None):
        def init_processor(self: Any, *args: Any, **kwargs: Any) -> None:
            processor_init(self, *args, **kwargs)
            store = getattr(self, "tracker_store", None)
            if store is not None:
                _wrap_method(store, "retrieve", "tracker store: retrieve")
                _wrap_method(store, "retrieve_full_tracker", "tracker store: retrieve full")
                _wrap_method(store, "save", "tracker store: save")
                broker = getattr(store, "event_broker", None)
                if broker is not None:
                    _wrap_method(broker, "publish", "event broker: publish")
            if getattr(self, "nlg", None) is not None:
                _wrap_method(self.nlg, "generate", "NLG: generate")

        setattr(init_processor, MARK, "processor")
        MessageProcessor.__init__ = init_processor

    # Work handed to the model threads: how long it queued, how long it ran when it has no
    # stage of its own, and how long its caller then waited for the event loop to resume it.
    hand_over = model_thread.in_model_thread
    if not getattr(hand_over, MARK, None):
        async def in_model_thread(function: Callable[..., Any], *args: Any) -> Any:
            submitted = clock()
            stage = None if getattr(function, MARK, None) else f"model thread: {_function_name(function)}"
            finished = [submitted]

            def hop(*hop_args: Any) -> Any:
                begun = clock()
                record(QUEUE_WAIT, begun - submitted)
                failed = True
                try:
                    result = function(*hop_args)
                    failed = False
                    return result
                finally:
                    finished[0] = clock()
                    if stage is not None:
                        record(stage, finished[0] - begun, failed)

            result = await hand_over(hop, *args)
            record(BACK_ON_LOOP, clock() - finished[0])
            return result

        setattr(in_model_thread, MARK, "model thread")
        model_thread.in_model_thread = in_model_thread

    # The channels' webhooks: Sanic middleware on the app the channels are registered with.
    register = channel_module.register
    if not getattr(register, MARK, None):
        def register_channels(input_channels: Any, app: Any, route: Optional[Text]) -> None:
            register(input_channels, app, route)
            _time_webhooks(app, route or "/webhooks/")

        setattr(register_channels, MARK, "channels")
        channel_module.register = register_channels


def _function_name(function: Any) -> Text:
    """A function's own name (code, never data): `read_in_context`."""
    return str(getattr(function, "__name__", None) or type(function).__name__)


def _time_webhooks(app: Any, prefix: Text) -> None:
    """Times every POST under `prefix` from request to response middleware."""
    stage = "channel: webhook request"
    clock = time.perf_counter

    async def request_started(request: Any) -> None:
        if request.method == "POST" and request.path.startswith(prefix):
            request.ctx.attune_started = clock()

    async def response_ready(request: Any, response: Any) -> None:
        started = getattr(request.ctx, "attune_started", None)
        if started is not None:
            status = getattr(response, "status", 200) or 200
            _record(stage, clock() - started, failed=status >= 500)

    app.register_middleware(request_started, "request")
    app.register_middleware(response_ready, "response")

"""The model's work runs beside the event loop, so one long message cannot hold everyone else.

Rasa 3.6 reads a message (the NLU pipeline: the sentence encoder, the intent classifier, the
risk readers) and predicts each next action (the policies) with plain function calls inside its
event loop. While one visitor's 2,000-character message was being read, no other visitor of
that process got anything, not even the health route: about 0.9 s on 2 cores
(`make bench-loop`). Here both run in a small pool of threads instead. The event loop keeps
serving other visitors, their replies, the channels' refusals and the health route; NumPy,
TensorFlow and the regular-expression-free parts of spaCy give up the interpreter lock while
they compute, so two messages are read at the same time on two cores.

Safe because nothing in those calls is shared and written: each conversation's turn holds its
lock for the whole turn (Rasa's lock store), so its tracker is only ever read by the one thread
working on it; the graph builds a fresh task graph on every run; the components only keep
caches that every thread fills with the same values.

**The crisis lane.** When every model thread is busy, new work waits in a queue, and one turn
queues several times (reading the message, the two-message reading, each prediction). A
visitor who has just written that they want to die must not wait there behind other
conversations' long messages. So the queue has two lanes: work of a turn the crisis lane
takes (`attune.crisis_lane.is_urgent`: the word lists find risk in the message, it is the
"Get help now" button, or the conversation already had a crisis reply) is taken before any
ordinary work, by whichever thread frees first, and one more thread (`RESERVED_THREADS`)
takes only that work, so it starts at once even when every other thread is in the middle of
a long message. The lane changes only *when* the work runs: the same full pipeline reads the
message and decides the reply, whatever the lane.

`install` replaces two methods of Rasa 3.6.21's `MessageProcessor`, with the same behaviour:
`parse_message` and `_run_prediction_loop` (copied from 3.6.21 but for the thread hop, and for
the debug line with the visitor's text, which Attune never logs); `parse_message` also chooses
the turn's lane. It wraps `handle_message` to choose the lane from the message alone first, so
that fetching the conversation from the tracker store (whose threads take the crisis lane's
work first, `attune.tracker_store`) is in the lane too. It must run before any other wrapper of `parse_message`
(`attune.patches.install_risk_context` installs it first), so that their work runs in the lane too.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import os
import threading
from collections import deque
from concurrent.futures import Future
from typing import Any, Callable, Deque, Dict, List, Optional, Text, Tuple, TypeVar

logger = logging.getLogger(__name__)

THREADS_ENV = "ATTUNE_MODEL_THREADS"
# "off" turns the crisis lane off: one first-come, first-served queue, no reserved thread (as
# before the lane; for measuring what it gives, `make bench-crisis`).
LANE_ENV = "ATTUNE_CRISIS_LANE"
RASA_VERSION = "3.6.21"
# Threads that take only crisis-lane work, besides the ordinary model threads.
RESERVED_THREADS = 1
THREAD_PREFIX = "attune-model"
T = TypeVar("T")

# The lane of the turn this task is handling: set when the message is read (parse_message),
# so every later hop of the same turn (the two-message reading, each prediction) keeps it.
_urgent_turn: contextvars.ContextVar[bool] = contextvars.ContextVar("attune_urgent_turn", default=False)

_executor: Optional["LaneExecutor"] = None
_executor_lock = threading.Lock()
_installed = False


def thread_count() -> int:
    """Threads for model work: ATTUNE_MODEL_THREADS, else one per core (at least 2, at most 4)."""
    try:
        wanted = int(os.environ.get(THREADS_ENV, ""))
    except ValueError:
        wanted = 0
    return wanted if wanted > 0 else max(2, min(4, os.cpu_count() or 2))


def lane_on() -> bool:
    """Whether the crisis lane is on (ATTUNE_CRISIS_LANE is not "off")."""
    return os.environ.get(LANE_ENV, "").strip().lower() not in ("off", "0", "false", "no")


class LaneExecutor:
    """Model threads with a crisis lane.

    `threads` ordinary threads take urgent work first, then ordinary work, each lane in the
    order it came; `reserved` threads take urgent work only, so urgent work never waits for an
    ordinary task to finish. The threads are daemons: a stopping server does not wait for a
    message being read.
    """

    def __init__(self, threads: int, reserved: int = RESERVED_THREADS, prefix: str = THREAD_PREFIX,
                 daemon: bool = True) -> None:
        self.threads = threads
        self.reserved = reserved
        # Not daemons (the tracker store's): work already queued finishes before the process
        # ends (`shutdown`), so a save is never cut off halfway.
        self._daemon = daemon
        self._stopping = False
        self._queues: Dict[bool, Deque[Tuple[Future, Callable[[], Any]]]] = {True: deque(), False: deque()}
        # Work for one given thread (the warm-up), taken by that thread before anything else.
        self._own: List[Deque[Tuple[Future, Callable[[], Any]]]] = []
        self._wake = threading.Condition(threading.Lock())
        self._workers: List[threading.Thread] = []
        for number in range(threads):
            self._start(f"{prefix}_{number}", takes_ordinary=True)
        for number in range(reserved):
            self._start(f"{prefix}-crisis_{number}", takes_ordinary=False)

    @property
    def size(self) -> int:
        """All threads, reserved ones included."""
        return self.threads + self.reserved

    def _start(self, name: str, takes_ordinary: bool) -> None:
        own: Deque[Tuple[Future, Callable[[], Any]]] = deque()
        self._own.append(own)
        worker = threading.Thread(target=self._work, args=(takes_ordinary, own), name=name, daemon=self._daemon)
        worker.start()
        self._workers.append(worker)

    def submit(self, function: Callable[[], T], urgent: bool = False) -> "Future[T]":
        """Queues `function()` in the crisis lane (`urgent`) or the ordinary one."""
        future: "Future[T]" = Future()
        with self._wake:
            self._queues[bool(urgent)].append((future, function))
            self._wake.notify_all()  # the reserved thread must not be the only one woken
        return future

    def submit_to_each(self, function: Callable[[], Any]) -> List[Future]:
        """Queues `function()` once for every thread, reserved ones included, each taking its
        own before any other work (the warm-up: each thread pays its own first call)."""
        futures: List[Future] = []
        with self._wake:
            for own in self._own:
                futures.append(Future())
                own.append((futures[-1], function))
            self._wake.notify_all()
        return futures

    def waiting(self) -> Dict[str, int]:
        """How many tasks wait in each lane (none of their content)."""
        with self._wake:
            return {"urgent": len(self._queues[True]), "ordinary": len(self._queues[False])}

    def shutdown(self) -> None:
        """Lets the threads finish the work queued, then end (not-daemon threads at exit)."""
        with self._wake:
            self._stopping = True
            self._wake.notify_all()

    def _next(self, takes_ordinary: bool, own: Deque) -> Optional[Tuple[Future, Callable[[], Any]]]:
        with self._wake:
            while True:
                if own:
                    return own.popleft()
                if self._queues[True]:
                    return self._queues[True].popleft()
                if takes_ordinary and self._queues[False]:
                    return self._queues[False].popleft()
                if self._stopping:
                    return None
                self._wake.wait()

    def _work(self, takes_ordinary: bool, own: Deque) -> None:
        while True:
            task = self._next(takes_ordinary, own)
            if task is None:
                return
            future, function = task
            if not future.set_running_or_notify_cancel():
                continue  # its caller stopped waiting
            try:
                result = function()
            except BaseException as error:  # noqa: BLE001 - handed to the caller, as an executor does
                future.set_exception(error)
            else:
                future.set_result(result)
            del future, function


def executor() -> LaneExecutor:
    """The process's model threads (created on first use)."""
    global _executor
    if _executor is None:
        with _executor_lock:
            if _executor is None:
                _executor = LaneExecutor(thread_count(), RESERVED_THREADS if lane_on() else 0)
    return _executor


def urgent_turn() -> bool:
    """Whether the turn this task is handling is in the crisis lane."""
    return _urgent_turn.get()


def set_urgent_turn(urgent: bool) -> None:
    """Puts the turn this task is handling in the crisis lane, or takes it out."""
    _urgent_turn.set(bool(urgent))


async def in_model_thread(function: Callable[..., T], *args: Any) -> T:
    """Runs `function(*args)` in the model threads, with this task's context variables; in the
    crisis lane when this task's turn is in it."""
    context = contextvars.copy_context()
    future = executor().submit(functools.partial(context.run, function, *args), urgent=urgent_turn())
    return await asyncio.wrap_future(future)


async def on_every_thread(function: Callable[[], Any]) -> None:
    """Runs `function()` once on each model thread, reserved ones included (the warm-up: each
    thread pays its own first call, e.g. TensorFlow's per-thread set-up). A thread runs it when
    it is free; no thread waits for the others."""
    await asyncio.gather(*(asyncio.wrap_future(future) for future in executor().submit_to_each(function)))


def _choose_lane(message: Any, tracker: Any) -> None:
    """Sets this turn's lane from the message and its conversation (never fails a turn)."""
    if not lane_on():
        set_urgent_turn(False)
        return
    from attune.crisis_lane import is_urgent

    set_urgent_turn(is_urgent(getattr(message, "text", None), tracker))


def install() -> None:
    """Moves Rasa's message reading and action prediction off the event loop (once)."""
    global _installed
    if _installed:
        return
    import rasa
    from rasa.core.processor import ActionLimitReached, MessageProcessor
    from rasa.shared.core.trackers import DialogueStateTracker

    if rasa.__version__ != RASA_VERSION:  # the copied methods below are 3.6.21's
        raise RuntimeError(f"attune.model_thread is written for Rasa {RASA_VERSION}, not {rasa.__version__}")

    original_parse = MessageProcessor.parse_message
    original_handle = MessageProcessor.handle_message

    async def handle_message(self: MessageProcessor, message: Any) -> Any:
        # The lane from the message alone, before its conversation is fetched, so that the
        # fetch of a turn in crisis goes before the other conversations' store work too;
        # parse_message chooses again with the conversation (a crisis reply already given).
        _choose_lane(message, None)
        return await original_handle(self, message)

    async def parse_message(
        self: MessageProcessor,
        message: Any,
        tracker: Optional[DialogueStateTracker] = None,
        only_output_properties: bool = True,
    ) -> Dict[Text, Any]:
        if self.http_interpreter:
            return await original_parse(self, message, tracker, only_output_properties)
        if tracker is None:
            tracker = DialogueStateTracker.from_events(message.sender_id, [])
        _choose_lane(message, tracker)
        parse_data = await in_model_thread(
            self._parse_message_with_graph, message, tracker, only_output_properties
        )
        self._update_full_retrieval_intent(parse_data)
        self._check_for_unseen_features(parse_data)
        return parse_data

    async def _run_prediction_loop(self: MessageProcessor, output_channel: Any, tracker: Any) -> None:
        should_predict_another_action = True
        while should_predict_another_action and self._should_handle_message(tracker):
            try:
                action, prediction = await in_model_thread(
                    self.predict_next_with_tracker_if_should, tracker
                )
            except ActionLimitReached:
                logger.warning("Circuit breaker tripped: stopped predicting more actions.")
                if self.on_circuit_break:
                    self.on_circuit_break(tracker, output_channel, self.nlg)
                break
            if prediction.is_end_to_end_prediction:
                tracker = await self.run_action_extract_slots(output_channel, tracker)
            should_predict_another_action = await self._run_action(
                action, tracker, output_channel, self.nlg, prediction
            )

    MessageProcessor.handle_message = handle_message
    MessageProcessor.parse_message = parse_message
    MessageProcessor._run_prediction_loop = _run_prediction_loop
    _installed = True

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

`install` replaces two methods of Rasa 3.6.21's `MessageProcessor`, with the same behaviour:
`parse_message` and `_run_prediction_loop` (copied from 3.6.21 but for the thread hop, and for
the debug line with the visitor's text, which Attune never logs). It must run before any other
wrapper of `parse_message` (attune.safety.context installs it first).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, Optional, Text, TypeVar

logger = logging.getLogger(__name__)

THREADS_ENV = "ATTUNE_MODEL_THREADS"
RASA_VERSION = "3.6.21"
T = TypeVar("T")

_executor: Optional[ThreadPoolExecutor] = None
_installed = False


def thread_count() -> int:
    """Threads for model work: ATTUNE_MODEL_THREADS, else one per core (at least 2, at most 4)."""
    try:
        wanted = int(os.environ.get(THREADS_ENV, ""))
    except ValueError:
        wanted = 0
    return wanted if wanted > 0 else max(2, min(4, os.cpu_count() or 2))


def executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=thread_count(), thread_name_prefix="attune-model")
    return _executor


async def in_model_thread(function: Callable[..., T], *args: Any) -> T:
    """Runs `function(*args)` in the model threads, with this task's context variables."""
    context = contextvars.copy_context()
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor(), functools.partial(context.run, function, *args))


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

    MessageProcessor.parse_message = parse_message  # type: ignore[method-assign]
    MessageProcessor._run_prediction_loop = _run_prediction_loop  # type: ignore[method-assign]
    _installed = True

"""Runs the whole model once before the first visitor does.

Loading a model leaves work for its first message: TensorFlow traces the dialogue policy's
graph, the sentence encoder and the risk model load their weights, spaCy builds its
vocabulary. Measured on 2 cores, the first message after a start took about 13 s, and the
server answered nobody else meanwhile: a visitor in crisis who came first, or right after a
deploy, waited. Most of it (12 s) was the channels' guard loading its own risk word lists
(the bounded risk check of refused messages, `attune.channels.guard`). The REST channel
(always on) registers `warm_up` to run after the server starts: the guard, two messages
through the NLU pipeline (risk readers included) and one prediction of the dialogue
policies, on a throwaway tracker that is never stored. Nothing is logged but how long it
took.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import Any

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

# Not a visitor's words: a short message and one long enough for the long-message reading.
WARM_UP_MESSAGES = (
    "hello",
    "I want to understand why I pull away when someone gets close to me, and what my attachment "
    "pattern might be protecting. " * 3,
)


async def warm_up(app: Any, *_: Any) -> None:
    """Runs the loaded agent's NLU and policies once; a failure only costs the first visitor
    the wait it would have had anyway."""
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    if agent is None or not agent.is_ready():
        return
    started = time.perf_counter()
    try:
        from rasa.core.channels.channel import UserMessage

        from attune.channels.guard import shared_guard
        from attune.crisis_lane import is_urgent
        from attune.model_thread import on_every_thread

        shared_guard()
        is_urgent(WARM_UP_MESSAGES[0])  # the crisis lane's check, read once
        parsed = None
        for text in WARM_UP_MESSAGES:
            parsed = await agent.parse_message(text)
        assert parsed is not None  # WARM_UP_MESSAGES is not empty
        tracker = DialogueStateTracker.from_events(
            "attune-warm-up",
            [ActionExecuted(ACTION_LISTEN_NAME), UserUttered(WARM_UP_MESSAGES[0], parsed["intent"],
                                                              parsed.get("entities") or [])],
            slots=agent.domain.slots,
        )
        # Every model thread, the crisis lane's reserved one included, pays its own first call
        # (TensorFlow's per-thread set-up): one each, before any visitor.
        await on_every_thread(lambda: agent.predict_next_with_tracker(tracker.copy()))
        processor = agent.processor
        await on_every_thread(lambda: processor._parse_message_with_graph(
            UserMessage(WARM_UP_MESSAGES[0]), DialogueStateTracker.from_events("attune-warm-up", []), True
        ))
    except Exception:  # noqa: BLE001 - never stop the server for this
        logger.exception("The warm-up failed; the first message will be slower.")
        return
    # Everything loaded so far (the models, the word lists, TensorFlow's graphs) lives as long
    # as the process: kept out of the garbage collector's full passes, which otherwise walked
    # it all about every twenty messages and held every visitor for about a second.
    gc.collect()
    gc.freeze()
    logger.info("Model warmed up in %.1f s.", time.perf_counter() - started)

"""Every change Attune makes to Rasa 3.6.21 while it runs, installed from this one place.

- `attune.log_privacy`: conversation content never reaches the logs;
- `attune.speedups`: the action server's answers checked with a prepared validator, and
  `attune.model_thread`: reading messages and choosing actions beside the event loop;
- `attune.remote_actions`: when the action server cannot be reached, the visitor is told;
- `install_risk_context()`: every parsed message read again in its conversation's light
  (`attune.safety.context`: two messages together, follow-ups after a crisis reply; then,
  before any crisis reply, `attune.topic_context`: an unsure reading after a topic, as a
  follow-up on it);
- `attune.profiling`: stage timers, only when ATTUNE_PROFILE_FILE is set (`make bench-profile`);
  otherwise nothing is wrapped.

`install()` runs when Rasa creates Attune's channels (`rasa run`) and its tracker store (also
`rasa shell`, which uses Rasa's own command-line channel); each part installs itself once per
process, so the order Rasa loads them in does not matter. The risk component installs the
reading in context itself (`install_risk_context`), when its configuration uses the risk model.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from attune import log_privacy, profiling, remote_actions, speedups

_context_installed = False


def install() -> None:
    """Installs every patch (each once per process)."""
    log_privacy.install()
    speedups.apply()
    remote_actions.install()
    profiling.install()  # last: it times the methods the others replace


def install_risk_context() -> None:
    """Wraps Rasa's MessageProcessor.parse_message (once per process) so that every parsed
    message is read in its conversation's light, beside the event loop like the parse."""
    global _context_installed
    if _context_installed:
        return
    from rasa.core.processor import MessageProcessor

    from attune import model_thread
    from attune.safety.context import read_in_context

    model_thread.install()  # first: this wrapper reads what the model threads parsed
    original = MessageProcessor.parse_message

    async def parse_message(self: Any, message: Any, tracker: Any = None,
                            only_output_properties: bool = True) -> Dict[Text, Any]:
        parse_data = await original(self, message, tracker, only_output_properties)
        if tracker is not None:
            # An encoder pass: beside the event loop too.
            await model_thread.in_model_thread(read_in_context, parse_data, tracker)
            # After the risk reading, which neither changes.
            await read_question_alone(self, message, parse_data, tracker, original)
            read_on_topic(parse_data, tracker)
        return parse_data

    MessageProcessor.parse_message = parse_message
    _context_installed = True


async def read_question_alone(processor: Any, message: Any, parse_data: Dict[Text, Any], tracker: Any,
                              parse: Any) -> bool:
    """Before any crisis reply and outside forms, the question inside a message that reads as
    a feeling ("My daughter cries every night. Do you see 14 year olds?") is read alone, and its
    reading taken when it is a topic read with confidence (`attune.topic_context`). The whole
    message was read for risk already; a question that alone reads as risk changes nothing."""
    from rasa.core.channels.channel import UserMessage

    from attune import model_thread
    from attune.safety.context import crisis_shown
    from attune.safety.taxonomy import is_risk_intent
    from attune.topic_context import question_to_read_alone, take_question_reading

    intent = parse_data.get("intent") or {}
    question = question_to_read_alone(str(parse_data.get("text") or ""), intent.get("name"),
                                      float(intent.get("confidence") or 0.0))
    if not question or getattr(tracker, "active_loop_name", None) or crisis_shown(tracker):
        return False
    urgent = model_thread.urgent_turn()  # the turn's lane stays the whole message's
    try:
        alone = await parse(processor, UserMessage(question, sender_id=message.sender_id), None, True)
    finally:
        model_thread.set_urgent_turn(urgent)
    if is_risk_intent((alone.get("intent") or {}).get("name")):
        return False
    return take_question_reading(parse_data, alone)


def read_on_topic(parse_data: Dict[Text, Any], tracker: Any) -> bool:
    """Before any crisis reply, a message the classifier is unsure of, right after a topic was
    answered, is read as a follow-up on it or on a topic the last reply offered; at "Shall we
    start?" and in the reflective exercise, one that asks nothing is the answer, and one that
    asks is the topic it asks about (`attune.topic_context`). Never in the call-back form."""
    from attune.safety.context import crisis_shown, previous_user_message
    from attune.topic_context import (SHALL_WE_START, re_read, re_read_at_start, re_read_in_exercise,
                                      re_read_named_pattern, re_read_thanks)

    loop = getattr(tracker, "active_loop_name", None)
    if crisis_shown(tracker) or (loop and loop != "reflection_form"):
        return False
    if loop == "reflection_form":
        return re_read_in_exercise(parse_data)
    last_action, offered = last_reply(tracker)
    if last_action == SHALL_WE_START:
        return re_read_at_start(parse_data)
    if re_read_named_pattern(parse_data) or re_read_thanks(parse_data):
        return True
    previous = previous_user_message(tracker)
    topic = tracker.get_slot("last_topic") if tracker.get_slot("on_topic") else None
    return re_read(parse_data, topic, previous.intent_name if previous is not None else None, offered)


def last_reply(tracker: Any) -> Tuple[Optional[Text], List[Text]]:
    """The assistant's last action before listening, and the intents its reply offered as
    buttons ("/ask_self_compassion"), since the visitor's last message."""
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

    action: Optional[Text] = None
    offered: List[Text] = []
    for event in reversed(getattr(tracker, "events", []) or []):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted) and action is None and event.action_name != "action_listen":
            action = event.action_name
        if isinstance(event, BotUttered):
            offered += [str(b.get("payload") or "").lstrip("/").split("{")[0]
                        for b in (event.data or {}).get("buttons") or []]
    return action, offered

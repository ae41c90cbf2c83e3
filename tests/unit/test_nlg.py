"""PracticeNLG fills practice details and keeps help one tap away after a crisis turn."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from unittest.mock import patch

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from attune.nlg import GET_HELP_BUTTON, PracticeNLG, capitalised_sentences, crisis_seen, with_help_button
from attune.practice import load_practice
from attune.safety.taxonomy import AUDIT_METADATA

DOMAIN = Domain.load(str(Path(__file__).parents[2] / "domain.yml"))


def tracker_with(*intents: str) -> DialogueStateTracker:
    events = [ActionExecuted("action_listen")]
    events += [UserUttered("...", intent={"name": name, "confidence": 1.0}) for name in intents]
    return DialogueStateTracker.from_events("visitor", events)


def nlg_at(moment: datetime) -> PracticeNLG:
    return PracticeNLG(domain=DOMAIN, clock=lambda: moment)


# Placeholders that actions fill when they send a response (dispatcher.utter_message kwargs).
ACTION_SUPPLIED = {"answer": "x", "summary": "x", "consent": "x", "example": "x", "contact_hint": "x",
                   # and the two the NLG fills for the note on lines in a language asked for
                   "asked_language": "x", "lines_in_asked_language": "x"}


async def test_every_domain_response_renders_without_a_leftover_placeholder():
    nlg = nlg_at(datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc))
    tracker = tracker_with("greet")
    for name in DOMAIN.responses:
        for channel in ("socketio", "rest", "telegram"):
            response = await nlg.generate(name, tracker, channel, **ACTION_SUPPLIED)
            assert response is not None, name
            assert "{" not in (response.get("text") or ""), f"{name} on {channel}"


async def test_therapist_hours_say_whether_the_practice_is_open_now():
    practice = load_practice()
    tuesday_noon_toronto = datetime(2026, 11, 24, 17, 0, tzinfo=timezone.utc)
    sunday_night_toronto = datetime(2026, 11, 23, 4, 0, tzinfo=timezone.utc)
    open_text = (await nlg_at(tuesday_noon_toronto).generate("utter_therapist_hours", tracker_with(), "rest"))["text"]
    closed_text = (await nlg_at(sunday_night_toronto).generate("utter_therapist_hours", tracker_with(), "rest"))["text"]
    assert "open right now" in open_text
    assert "closed right now" in closed_text
    assert practice.hours.reply_time in closed_text
    assert "9-8-8" in closed_text, "outside hours, say what to do if it can't wait"


async def test_crisis_reply_uses_the_practice_region_lines():
    nlg = nlg_at(datetime.now(timezone.utc))
    text = (await nlg.generate("utter_crisis_suicide", tracker_with("risk_suicide"), "rest"))["text"]
    assert "9-8-8" in text


async def test_after_a_risk_message_every_reply_offers_get_help_now():
    nlg = nlg_at(datetime.now(timezone.utc))
    after_crisis = tracker_with("risk_suicide", "deny_risk", "greet")
    response = await nlg.generate("utter_welcome", after_crisis, "rest")
    assert GET_HELP_BUTTON in response["buttons"]


async def test_without_a_risk_message_replies_are_left_as_written():
    response = await nlg_at(datetime.now(timezone.utc)).generate("utter_welcome", tracker_with("greet"), "rest")
    assert not response.get("buttons")


def test_help_button_is_not_added_twice():
    response = {"text": "x", "buttons": [dict(GET_HELP_BUTTON)]}
    assert with_help_button(response)["buttons"] == [GET_HELP_BUTTON]


@pytest.mark.parametrize("intents,expected", [(("greet",), False), (("greet", "risk_check_in"), True)])
def test_crisis_seen(intents, expected):
    assert crisis_seen(tracker_with(*intents)) is expected


def test_after_a_crisis_about_someone_else_the_kind_specific_answer_is_chosen():
    from attune.nlg import PracticeNLG
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.core.events import SlotSet

    domain = Domain.load("domain.yml")
    nlg = PracticeNLG(domain=domain)
    tracker = DialogueStateTracker.from_events("t", [], slots=domain.slots)
    assert nlg.for_crisis_kind("utter_glad_safe", tracker) == "utter_glad_safe"
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", "third_party"))
    assert nlg.for_crisis_kind("utter_glad_safe", tracker) == "utter_glad_safe__third_party"
    # A kind with no special answer keeps the usual one.
    tracker.update(SlotSet("crisis_kind", "self_harm"))
    assert nlg.for_crisis_kind("utter_glad_safe", tracker) == "utter_glad_safe"


def tracker_of(*turns) -> DialogueStateTracker:
    """Turns as (intent, {entity: value}); slots as the domain's mappings would set them."""
    events = [ActionExecuted("action_listen")]
    for intent, entities in turns:
        events.append(UserUttered("...", intent={"name": intent, "confidence": 1.0},
                                  entities=[{"entity": k, "value": v} for k, v in entities.items()]))
    return DialogueStateTracker.from_events("visitor", events, slots=DOMAIN.slots)


async def test_after_no_more_numbers_the_same_risk_again_gets_no_number_and_the_help_button():
    # The opt-out is respected: no number in the words; the crisis resource is the "Get help
    # now" button, one tap from every line, and the reply says so.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_suicide", {}), ("stop_hotlines", {}), ("risk_suicide", {}))
    response = await nlg.generate("utter_crisis_suicide", tracker, "rest")
    assert not any(ch.isdigit() for ch in response["text"])
    assert "Get help now" in response["text"] and "as you asked" in response["text"]
    assert GET_HELP_BUTTON in response["buttons"]


async def test_a_means_value_a_message_carries_in_by_itself_is_never_written_into_a_reply():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_suicide", {"means": "<b>anything a visitor typed</b>"}))
    text = (await nlg.generate("utter_crisis_suicide", tracker, "rest"))["text"]
    assert "anything a visitor typed" not in text


async def test_after_no_more_numbers_a_means_at_hand_gets_the_safety_step_without_the_list():
    # "please don't send me another one", then "I have a bottle of his morphine on the kitchen
    # table right now": writers disagreed (five of the newest wanted no number and the step,
    # three older ones the lines back). The opt-out holds; the step for the means; the button.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_suicide", {}), ("stop_hotlines", {}), ("risk_suicide", {"means": "pills"}))
    response = await nlg.generate("utter_crisis_suicide", tracker, "rest")
    assert "put the pills out of reach" in response["text"]
    assert not any(ch.isdigit() for ch in response["text"]) and "as you asked" in response["text"]
    assert GET_HELP_BUTTON in response["buttons"]
    # With a time as well ("tonight"), the lines come back.
    tonight = tracker_of(("risk_suicide", {}), ("stop_hotlines", {}),
                         ("risk_suicide", {"means": "pills", "soon": "yes"}))
    assert "9-8-8" in (await nlg.generate("utter_crisis_suicide", tonight, "rest"))["text"]


async def test_the_car_in_a_closed_garage_gets_the_engine_off_and_fresh_air_even_when_asked_if_it_is_a_bot():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_emergency", {"means": "engine"}))
    first = (await nlg.generate("utter_crisis_emergency", tracker, "rest"))["text"]
    assert "turn the engine off" in first and "fresh air" in first
    # "are you a real person or a script", from the same car: the answer keeps the step.
    tracker = tracker_of(("risk_emergency", {"means": "engine"}), ("bot_challenge", {}))
    tracker.update(SlotSet("crisis_kind", "emergency"))
    tracker.update(SlotSet("crisis_shown", True))
    answer = (await nlg.generate("utter_bot_challenge", tracker, "rest"))["text"]
    assert "not a person" in answer and "turn the engine off" in answer
    # Without a means named, the answer about the bot is only that.
    plain = tracker_of(("risk_suicide", {}), ("bot_challenge", {}))
    plain.update(SlotSet("crisis_kind", "suicide"))
    plain.update(SlotSet("crisis_shown", True))
    assert "engine" not in (await nlg.generate("utter_bot_challenge", plain, "rest"))["text"]


@pytest.mark.parametrize("text", ["can u just text me tmrw to check", "will you check on me tomorrow",
                                  "could you message me later to see if im ok"])
async def test_asked_to_check_in_later_it_says_it_cannot_and_offers_a_call_back(text):
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_self_harm", {}), ("cant_call", {}))
    tracker.latest_message.text = text
    tracker.update(SlotSet("crisis_shown", True))
    response = await nlg.generate("utter_cant_call", tracker, "rest")
    assert "can't message you first" in response["text"] and "9-8-8" in response["text"]
    assert "/request_callback" in [b["payload"] for b in response["buttons"]]


async def test_a_helper_who_cannot_reach_the_person_at_risk_is_told_to_ask_for_a_wellness_check():
    # After "i said no numbers", "she lives alone. shes not answering my texts now and its been
    # 3 hours" got "I'm listening. Tell me more": the emergency number is the step now.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_third_party", {}), ("stop_hotlines", {}), ("nlu_fallback", {}))
    tracker.latest_message.text = "she lives alone. shes not answering my texts now and its been 3 hours"
    tracker.update(SlotSet("crisis_kind", "third_party"))
    tracker.update(SlotSet("crisis_shown", True))
    text = (await nlg.generate("utter_unsure_after_crisis", tracker, "rest"))["text"]
    assert "9-1-1" in text and "wellness check" in text
    # Not answering questions is not being out of reach.
    tracker.latest_message.text = "he's not answering my questions, just says he's fine"
    text = (await nlg.generate("utter_unsure_after_crisis", tracker, "rest"))["text"]
    assert "wellness check" not in text
    # Read as the helper's crisis again (the quiet reply after "no numbers"), the same step.
    again = tracker_of(("risk_third_party", {}), ("stop_hotlines", {}), ("risk_third_party", {}))
    again.latest_message.text = "she lives alone. shes not answering my texts now and its been 3 hours"
    again.update(SlotSet("crisis_kind", "third_party"))
    again.update(SlotSet("crisis_shown", True))
    text = (await nlg.generate("utter_crisis_third_party", again, "rest"))["text"]
    assert "9-1-1" in text and "wellness check" in text


async def test_a_helper_whose_person_is_not_answering_gets_the_lines_and_the_wellness_check():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_third_party", {}))
    tracker.latest_message.text = ("my boyfriend just texted me that hes going to end it tonight "
                                   "and now hes not answering")
    tracker.update(SlotSet("crisis_shown", True))
    text = (await nlg.generate("utter_crisis_third_party", tracker, "rest"))["text"]
    assert "9-8-8" in text and "wellness check" in text


async def test_a_risk_message_that_also_asks_to_book_gets_the_lines_and_the_booking():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_abuse", {}))
    tracker.latest_message.text = ("hi can i book a first session. also my husband said if i go to therapy hell "
                                   "take the kids")
    text = (await nlg.generate("utter_crisis_abuse", tracker, "rest"))["text"]
    assert "1-866-863-0511" in text and "/book" in text
    tracker.latest_message.text = "my husband said if i go to therapy hell take the kids"
    assert "/book" not in (await nlg.generate("utter_crisis_abuse", tracker, "rest"))["text"]
    # The same risk again, the next day: the short reply keeps the booking asked for.
    again = tracker_of(("risk_abuse", {}), ("greet", {}), ("risk_abuse", {}))
    again.latest_message.text = "he threw my phone at the wall last night. i need that appointment"
    again.update(SlotSet("crisis_kind", "abuse"))
    again.update(SlotSet("crisis_shown", True))
    assert "/book" in (await nlg.generate("utter_crisis_abuse", again, "rest"))["text"]


async def test_not_safe_after_no_more_numbers_names_the_emergency_number_itself():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_abuse", {}), ("stop_hotlines", {}), ("not_safe", {}))
    tracker.update(SlotSet("crisis_kind", "abuse"))
    tracker.update(SlotSet("crisis_shown", True))
    text = (await nlg.generate("utter_not_safe", tracker, "rest"))["text"]
    assert "9-1-1" in text
    assert "1-866" not in text  # the lines stay out, as asked


async def test_the_check_in_just_after_pills_taken_twice_is_the_poison_centre_at_any_hour():
    # "I think I took my evening pills twice... Should I be worried?", then "I don't like to
    # bother anyone at this hour" read as the check-in: "if those feelings ever come back".
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("ask_medication", {"swallowed": "yes"}), ("risk_check_in", {}))
    text = (await nlg.generate("utter_check_in_gently", tracker, "rest"))["text"]
    assert "1-844-764-7669" in text and "9-1-1" in text and "feelings ever come back" not in text
    plain = tracker_of(("greet", {}), ("risk_check_in", {}))
    assert "feelings ever come back" in (await nlg.generate("utter_check_in_gently", plain, "rest"))["text"]
    # "i took my meds this morning" said with low mood keeps the check-in's own words.
    low = tracker_of(("risk_check_in", {"swallowed": "yes"}))
    assert "feelings ever come back" in (await nlg.generate("utter_check_in_gently", low, "rest"))["text"]


async def test_the_same_risk_again_gets_one_line_not_the_whole_list():
    nlg = nlg_at(datetime.now(timezone.utc))
    first = (await nlg.generate("utter_crisis_suicide", tracker_of(("risk_suicide", {})), "rest"))["text"]
    again = (await nlg.generate("utter_crisis_suicide",
                                tracker_of(("risk_suicide", {}), ("greet", {}), ("risk_suicide", {})), "rest"))["text"]
    assert first.count("•") >= 3 and "•" not in again
    assert "9-8-8" in again and "9-1-1" in again


async def test_a_message_nothing_fits_after_a_crisis_gets_the_crisis_aware_question():
    nlg = nlg_at(datetime.now(timezone.utc))
    after_crisis = await nlg.generate("utter_default", tracker_of(("risk_suicide", {}), ("deny", {})), "rest")
    without = await nlg.generate("utter_default", tracker_of(("greet", {})), "rest")
    assert after_crisis["text"] != without["text"]
    assert "9-1-1" in after_crisis["text"]


async def test_after_an_abuse_disclosure_a_question_about_history_gets_how_to_leave_no_trace():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_abuse", {}), ("ask_privacy", {}))
    tracker.update(SlotSet("crisis_kind", "abuse"))
    tracker.update(SlotSet("crisis_shown", True))
    website = (await nlg.generate("utter_privacy", tracker, "socketio"))["text"]
    phone = (await nlg.generate("utter_privacy", tracker, "rest"))["text"]
    assert "Quick exit" in website and "history" in website
    assert "delete this chat's messages" in phone


async def test_after_an_emergency_about_someone_else_the_next_steps_are_the_helpers():
    # "my buddy took something, he's not waking up", then "what do i do": stay with him, not
    # "stay where someone can see you"; the emergency reply itself keeps its own words.
    from rasa.shared.core.events import SlotSet

    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_third_party", {}), ("risk_emergency", {}), ("ask_next_step", {}))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", "emergency"))
    step = await nlg.generate("utter_next_step", tracker, "rest")
    assert "Ask them straight out" in step["text"] and "9-1-1" in step["text"]
    crisis = await nlg.generate("utter_crisis_emergency", tracker, "rest")
    assert crisis["text"].startswith("This sounds like an emergency") and "Stay with them" in crisis["text"]
    # The word lists read an overdose as another person's ("she took a bunch of tylenol").
    friend = tracker_of(("risk_emergency", {}), ("ask_next_step", {}))
    friend.events[1].parse_data["risk"] = {"about": "other", "category": "emergency", "subcategory": "overdose"}
    friend.update(SlotSet("crisis_shown", True))
    friend.update(SlotSet("crisis_kind", "emergency"))
    assert "Ask them straight out" in (await nlg.generate("utter_next_step", friend, "rest"))["text"]
    # Harm the visitor fears doing to someone ("scared i'm going to hit her": the word lists'
    # "about another person" names the target): never the helper's "stay with them".
    angry = tracker_of(("risk_emergency", {}))
    angry.events[1].parse_data["risk"] = {"about": "other", "category": "emergency", "subcategory": "violence",
                                          "signals": ["harm_others_intent"]}
    angry.update(SlotSet("crisis_shown", True))
    angry.update(SlotSet("crisis_kind", "emergency"))
    assert "Stay with them" not in (await nlg.generate("utter_crisis_emergency", angry, "rest"))["text"]
    # The visitor's own emergency keeps the emergency's next step.
    own = tracker_of(("risk_emergency", {}), ("ask_next_step", {}))
    own.update(SlotSet("crisis_shown", True))
    own.update(SlotSet("crisis_kind", "emergency"))
    assert "Stay where someone can see" in (await nlg.generate("utter_next_step", own, "rest"))["text"]


async def test_stop_sending_numbers_is_respected_even_when_the_risk_model_read_risk_in_it():
    # "pls stop with the numbers i know them all by heart": no number, the help button stays.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_suicide", {}), ("stop_hotlines", {}))
    tracker.latest_message.parse_data["risk"] = {"within_crisis": {"read": "risk_suicide", "answered": "stop_hotlines"}}
    answer = await nlg.generate("utter_stop_hotlines", tracker, "rest")
    assert "won't keep sending numbers" in answer["text"] and not any(ch.isdigit() for ch in answer["text"])
    assert GET_HELP_BUTTON in answer["buttons"]
    # Another follow-up read as risk (refusing the hospital) still names a line.
    refused = tracker_of(("risk_suicide", {}), ("refuse_hospital", {}))
    refused.latest_message.parse_data["risk"] = {
        "within_crisis": {"read": "risk_suicide", "answered": "refuse_hospital"}}
    assert any(ch.isdigit() for ch in (await nlg.generate("utter_refuse_hospital", refused, "rest"))["text"])


async def test_hi_again_gets_a_short_hello_not_the_whole_welcome():
    from rasa.shared.core.events import ActionExecuted, SessionStarted

    nlg = nlg_at(datetime.now(timezone.utc))
    first = tracker_of(("greet", {}))
    assert "I'm not a therapist" in (await nlg.generate("utter_welcome", first, "rest"))["text"]
    first.update(ActionExecuted("utter_welcome"))
    again = await nlg.generate("utter_welcome", first, "rest")
    assert again["text"].startswith("Hi again") and len(again["text"].split()) < 15
    # A new session is welcomed in full again.
    first.update(SessionStarted())
    assert "I'm not a therapist" in (await nlg.generate("utter_welcome", first, "rest"))["text"]


def tracker_saying(*turns):
    """Turns as (intent, text): what the visitor wrote matters here."""
    events = [ActionExecuted("action_listen")]
    for intent, text in turns:
        events.append(UserUttered(text, intent={"name": intent, "confidence": 1.0}))
    return DialogueStateTracker.from_events("visitor", events, slots=DOMAIN.slots)


def after_crisis(kind, *turns, **slots):
    """`tracker_saying(*turns)` after a crisis reply of `kind`, with these slots set."""
    tracker = tracker_saying(*turns)
    for name, value in {"crisis_shown": True, "crisis_kind": kind, **slots}.items():
        tracker.update(SlotSet(name, value))
    return tracker


@pytest.mark.parametrize("message", ["I'm not calling a hotline at 3am with a newborn asleep on me",
                                     "idk maybe i'll text them", "can i text instead"])
async def test_after_a_crisis_a_visitor_who_would_rather_write_gets_the_lines_that_take_texts(message):
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_saying(("risk_suicide", "i want to die"), ("refuse_hospital", message))
    reply = await nlg.generate("utter_refuse_hospital", tracker, "rest")
    assert "text CONNECT to 686868" in reply["text"]


async def test_after_no_more_numbers_only_a_request_to_text_brings_text_lines():
    nlg = nlg_at(datetime.now(timezone.utc))
    declined = tracker_saying(("risk_suicide", "i want to die"), ("stop_hotlines", "no more numbers"),
                              ("unsure_after_crisis", "i dont want to call anyone"))
    assert "686868" not in (await nlg.generate("utter_unsure_after_crisis", declined, "rest"))["text"]
    asked = tracker_saying(("risk_suicide", "i want to die"), ("stop_hotlines", "no more numbers"),
                           ("cant_call", "can i text someone instead"))
    assert "686868" in (await nlg.generate("utter_cant_call", asked, "rest"))["text"]


async def test_cant_call_after_abuse_gets_the_lines_that_take_texts_and_a_safer_room():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_abuse", {}), ("cant_call", {}))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", "abuse"))
    text = (await nlg.generate("utter_cant_call", tracker, "rest"))["text"]
    assert "text" in text.lower() and "686868" in text
    assert "a room with a way out" in text


async def test_a_helper_naming_where_they_are_gets_that_places_lines_and_the_steps_again():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_third_party", {}), ("share_location", {}))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", "third_party"))
    tracker.update(SlotSet("visitor_region", "CA-NS"))
    text = (await nlg.generate("utter_region_lines", tracker, "rest"))["text"]
    assert "Nova Scotia" in text and "9-8-8" in text
    assert "Stay with them" in text and "ask them straight out" in text


@pytest.mark.parametrize("kind,response", [
    ("third_party", "utter_glad_safe"), ("third_party", "utter_respect_denial"), ("abuse", "utter_glad_safe"),
    ("abuse", "utter_respect_denial"), ("abuse", "utter_feeling_calmer"), ("suicide", "utter_goodbye"),
    ("third_party", "utter_next_step_check"),
])
async def test_after_no_more_numbers_everyday_replies_name_no_number_but_keep_the_help_button(kind, response):
    nlg = nlg_at(datetime.now(timezone.utc))
    intent = {"third_party": "risk_third_party", "abuse": "risk_abuse", "suicide": "risk_suicide"}[kind]
    tracker = tracker_of((intent, {}), ("stop_hotlines", {}), ("confirm_safe", {}))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", kind))
    answer = await nlg.generate(response, tracker, "rest")
    assert not any(ch.isdigit() for ch in answer["text"]), answer["text"]
    assert GET_HELP_BUTTON["payload"] in [button["payload"] for button in answer["buttons"]]
    # Before the opt-out, the same reply names a line.
    before = tracker_of((intent, {}), ("confirm_safe", {}))
    before.update(SlotSet("crisis_shown", True))
    before.update(SlotSet("crisis_kind", kind))
    assert any(ch.isdigit() for ch in (await nlg.generate(response, before, "rest"))["text"])


async def test_a_child_who_swallowed_something_and_seems_fine_still_gets_the_poison_centre():
    # "she seems fine, shes playing with her blocks" after a toddler swallowed a pill: some
    # medicines harm hours later, so "glad they're safe" would be the wrong comfort.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_emergency", {}), ("confirm_safe", {}))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", "third_party"))
    tracker.update(SlotSet("swallowed", "yes"))
    text = (await nlg.generate("utter_glad_safe__third_party", tracker, "rest"))["text"]
    assert "Poison Centre" in text and "even if they seem fine" in text and "9-1-1" in text
    # After "no more numbers", the same words name the button instead of the number.
    tracker = tracker_of(("risk_emergency", {}), ("stop_hotlines", {}), ("confirm_safe", {}))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", "third_party"))
    tracker.update(SlotSet("swallowed", "yes"))
    text = (await nlg.generate("utter_glad_safe__third_party", tracker, "rest"))["text"]
    assert "poison centre" in text.lower() and not any(ch.isdigit() for ch in text)


async def test_a_parent_unsure_after_a_childs_poisoning_gets_the_poison_centre_and_the_ambulance():
    # "i called poison centre they said bring her to the ER but my car is dead" got the suicide
    # helper's "Ask them straight out how they are", about a two-year-old.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_emergency", {}), ("unsure_after_crisis", {}))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", "third_party"))
    tracker.update(SlotSet("swallowed", "yes"))
    text = (await nlg.generate("utter_unsure_after_crisis", tracker, "rest"))["text"]
    assert "Poison Centre" in text and "ambulance" in text and "9-1-1" in text
    assert "straight out" not in text
    tracker.update(SlotSet("swallowed", None))
    assert "straight out" in (await nlg.generate("utter_unsure_after_crisis", tracker, "rest"))["text"]


@pytest.mark.parametrize("intent", ["unsure_after_crisis", "stop_hotlines", "confirm_safe"])
async def test_means_put_out_of_reach_after_a_crisis_reply_is_said_back_as_a_step(intent):
    # "my buddy from the regiment lives 20 min away. maybe i leave the rifles with him for a
    # bit", after "quit sending me numbers", got "I'm listening. Tell me more".
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_saying(("risk_suicide", "i got my rifles in the house"),
                             ("stop_hotlines", "quit sending me numbers"),
                             (intent, "my buddy lives 20 min away. maybe i leave the rifles with him for a bit"))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", "suicide"))
    response = {"unsure_after_crisis": "utter_unsure_after_crisis", "stop_hotlines": "utter_stop_hotlines",
                "confirm_safe": "utter_glad_safe"}[intent]
    reply = await nlg.generate(response, tracker, "rest")
    assert "strong step" in reply["text"] and "the guns" in reply["text"]
    assert not any(ch.isdigit() for ch in reply["text"])  # numbers were declined
    assert GET_HELP_BUTTON["payload"] in [b["payload"] for b in reply["buttons"]]
    # Before any crisis reply the same words are not read this way.
    before = tracker_saying(("unsure_after_crisis", "maybe i leave the rifles with him for a bit"))
    assert "strong step" not in (await nlg.generate("utter_unsure_after_crisis", before, "rest") or {}).get("text", "")


async def test_means_given_away_after_an_overdose_keeps_the_poison_centre_answer():
    # "i wont go to hospital, i gave the rest of the pills to my mum" after swallowing them:
    # the answer about the hospital (the poison centre) stands, not "a strong step".
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_saying(("risk_emergency", "i took all my pills"),
                             ("refuse_hospital", "i wont go to hospital, i gave the rest of the pills to my mum"))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", "emergency"))
    tracker.update(SlotSet("swallowed", "yes"))
    text = (await nlg.generate("utter_refuse_hospital", tracker, "rest"))["text"]
    assert "strong step" not in text and "Poison Centre" in text


async def test_a_helper_who_takes_the_means_away_is_told_it_protects_them():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_saying(("risk_third_party", "my dad says hes done and he has guns"),
                             ("unsure_after_crisis", "i'll take his guns to my place tonight"))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", "third_party"))
    text = (await nlg.generate("utter_unsure_after_crisis", tracker, "rest"))["text"]
    assert "most protective" in text and "9-8-8" in text


@pytest.mark.parametrize("message,response", [
    ("if we call will we get arrested theres stuff everywhere here", "utter_stop_hotlines"),
    ("cant call cops, i got a warrant", "utter_cant_call"),
])
async def test_a_helper_afraid_of_the_police_in_an_emergency_is_told_to_ask_for_an_ambulance(message, response):
    # Read as "no more numbers", the first got "Okay, no more numbers".
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_saying(("risk_emergency", "my friend took something and she wont wake up"),
                             ("unsure_after_crisis", message))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", "emergency"))
    with patch("attune.nlg.about_someone_else", return_value=True):
        text = (await nlg.generate(response, tracker, "rest"))["text"]
    assert "ambulance, not the police" in text and "9-1-1" in text and "Stay with them" in text
    # After a friend's suicidal message (no emergency), the same words keep their own answer.
    tracker.update(SlotSet("crisis_kind", "third_party"))
    assert "ambulance, not the police" not in (await nlg.generate(response, tracker, "rest"))["text"]


async def test_a_one_line_follow_up_for_a_visitor_abroad_names_the_place_of_its_numbers():
    # "its only paracetamol like, its not even strong", from Cork: "Please call 112 now" and the
    # poison centre, with no word that these are Ireland's.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_emergency", {}), ("share_location", {}), ("unsure_after_crisis", {}))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", "emergency"))
    tracker.update(SlotSet("swallowed", "yes"))
    tracker.update(SlotSet("visitor_region", "IE"))
    text = (await nlg.generate("utter_unsure_after_crisis", tracker, "rest"))["text"]
    assert "112 (the emergency number in Ireland)" in text
    assert "Poisons Information Centre in Ireland (call" in text
    # At home the numbers stay as they are.
    tracker.update(SlotSet("visitor_region", None))
    assert "(the emergency number in" not in (await nlg.generate("utter_unsure_after_crisis", tracker, "rest"))["text"]


async def test_the_first_crisis_reply_to_suicide_risk_adds_one_step_to_be_safer_now():
    nlg = nlg_at(datetime.now(timezone.utc))
    text = (await nlg.generate("utter_crisis_suicide", tracker_of(("risk_suicide", {})), "rest"))["text"]
    assert "anything you could use to hurt yourself out of reach" in text
    # A named means gets its own step, not both.
    with_pills = tracker_of(("risk_suicide", {"means": "pills"}))
    pills = (await nlg.generate("utter_crisis_suicide", with_pills, "rest"))["text"]
    assert "put the pills out of reach" in pills and "anything you could use" not in pills
    # Not the abuse reply: its step is a room with a way out.
    abuse = (await nlg.generate("utter_crisis_abuse", tracker_of(("risk_abuse", {})), "rest"))["text"]
    assert "anything you could use to hurt yourself" not in abuse


async def test_asking_for_the_lines_again_after_ones_own_suicide_risk_keeps_the_step_for_tonight():
    # "i think i can call tomorrow maybe not tonight", from a student with a plan for the
    # weekend, read as asking for the lines: the lines came, the step for tonight did not.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_suicide", {}), ("affirm", {}), ("request_crisis_help", {}))
    text = (await nlg.generate("utter_crisis_general", tracker, "rest"))["text"]
    assert "anything you could use to hurt yourself out of reach" in text
    # The button pressed without any risk before it is the lines alone.
    alone = (await nlg.generate("utter_crisis_general", tracker_of(("request_crisis_help", {})), "rest"))["text"]
    assert "out of reach" not in alone


async def test_a_visitor_who_says_only_the_practices_country_gets_the_practices_own_lines():
    # "I am from Syria, in Canada 2 years. My husband hit me": the country's list has no abuse
    # line; the practice's region (Ontario) has one, and the visitor named nothing narrower.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_abuse", {}))
    tracker.update(SlotSet("crisis_kind", "abuse"))
    tracker.update(SlotSet("visitor_region", "CA"))
    text = (await nlg.generate("utter_crisis_abuse", tracker, "rest"))["text"]
    assert "Assaulted Women's Helpline" in text and "Where you are (Canada)" not in text
    # A narrower place is still theirs.
    tracker.update(SlotSet("visitor_region", "CA-BC"))
    text = (await nlg.generate("utter_crisis_abuse", tracker, "rest"))["text"]
    assert "British Columbia" in text and "VictimLinkBC" in text
    # And the country said again after it ("the numbers are the same anywhere in canada?") says
    # less than the province: it stays.
    tracker.update(SlotSet("visitor_region", "CA"))
    text = (await nlg.generate("utter_crisis_abuse", tracker, "rest"))["text"]
    assert "British Columbia" in text and "VictimLinkBC" in text


async def test_the_country_asked_about_after_a_state_of_it_keeps_the_state():
    # Writer AJ: "moved to detroit [...]", then "are the numbers the same in the US?".
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_suicide", {}))
    tracker.update(SlotSet("crisis_kind", "suicide"))
    tracker.update(SlotSet("visitor_region", "US-MI"))
    tracker.update(SlotSet("visitor_region", "US"))
    text = (await nlg.generate("utter_crisis_suicide", tracker, "rest"))["text"]
    assert "Michigan" in text and "988" in text
    # Without a state before it, the country's own lines.
    alone = tracker_of(("risk_suicide", {}))
    alone.update(SlotSet("crisis_kind", "suicide"))
    alone.update(SlotSet("visitor_region", "US"))
    text = (await nlg.generate("utter_crisis_suicide", alone, "rest"))["text"]
    assert "United States" in text and "Michigan" not in text


async def test_i_cant_call_right_after_naming_a_bridge_keeps_the_step_back():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_suicide", {"risky_place": "yes"}), ("cant_call", {}))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", "suicide"))
    text = (await nlg.generate("utter_cant_call", tracker, "rest"))["text"]
    assert "686868" in text and "step back" in text
    # Without a place named just before, no such step.
    plain = tracker_of(("risk_suicide", {}), ("cant_call", {}))
    plain.update(SlotSet("crisis_shown", True))
    plain.update(SlotSet("crisis_kind", "suicide"))
    assert "step back" not in (await nlg.generate("utter_cant_call", plain, "rest"))["text"]


async def test_a_crisis_reply_carries_the_lines_it_named_for_the_safety_log():
    # The practice's audit records what the visitor was shown, read from the reply itself.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_abuse", {}))
    reply = await nlg.generate("utter_crisis_abuse", tracker, "socketio")
    record = reply[AUDIT_METADATA]
    assert record["intent"] == "risk_abuse" and record["channel"] == "socketio"
    assert record["resources"][0] == "on-assaulted-womens-helpline", "the first line shown comes first"
    assert "ca-emergency" in record["resources"]
    # A visitor who said they are in British Columbia was shown BC's abuse line, not Ontario's.
    tracker.update(SlotSet("visitor_region", "CA-BC"))
    record = (await nlg.generate("utter_crisis_abuse", tracker, "socketio"))[AUDIT_METADATA]
    assert "on-assaulted-womens-helpline" not in record["resources"]
    assert any("victimlink" in line for line in record["resources"])


async def test_only_the_first_reply_of_a_risk_turn_is_recorded_and_ordinary_replies_never():
    # A Sunday night in Toronto: the practice is closed, so the hours reply names 9-8-8 (it
    # failed during opening hours when it read the real clock).
    nlg = nlg_at(datetime(2026, 12, 7, 3, 0, tzinfo=timezone.utc))
    tracker = tracker_of(("risk_suicide", {}))
    first = await nlg.generate("utter_crisis_suicide", tracker, "rest")
    tracker.update(BotUttered(first["text"], metadata={AUDIT_METADATA: first[AUDIT_METADATA]}))
    second = await nlg.generate("utter_crisis_suicide", tracker, "rest")
    assert AUDIT_METADATA not in second, "one turn, one record"
    # The welcome names 9-8-8 too, but nobody wrote of risk: nothing to record.
    welcome = await nlg.generate("utter_therapist_hours", tracker_with("greet"), "rest")
    assert "9-8-8" in welcome["text"] and AUDIT_METADATA not in welcome


async def test_a_reply_that_names_no_line_is_not_recorded_as_showing_lines():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_suicide", {}), ("stop_hotlines", {}), ("risk_suicide", {}))
    response = await nlg.generate("utter_crisis_suicide", tracker, "rest")
    assert AUDIT_METADATA not in response


@pytest.mark.parametrize("kind, response", [
    ("abuse", "utter_next_step"), ("harm_others", "utter_refuse_hospital"), ("third_party", "utter_next_step"),
    ("suicide", "utter_unsure_after_crisis"), ("emergency", "utter_refuse_hospital"),
])
async def test_after_no_more_numbers_every_follow_up_names_the_button_not_a_number(kind, response):
    # "stop sending numbers pls, if he sees a helpline on my screen im done", then "how do i
    # stay safe if it happens again": the steps, with no number in the words.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_suicide", {}), ("stop_hotlines", {}), ("ask_next_step", {}))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", kind))
    reply = await nlg.generate(response, tracker, "rest")
    assert not any(ch.isdigit() for ch in reply["text"]), reply["text"]
    assert GET_HELP_BUTTON in reply["buttons"]
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", reply["text"]) if s]
    assert all(not s[0].islower() for s in sentences), reply["text"]


@pytest.mark.parametrize("kind, response", [("suicide", "utter_feeling_worse"), ("emergency", "utter_next_step")])
async def test_after_no_more_numbers_danger_now_still_names_the_emergency_number(kind, response):
    # "no numbers please", then "wait i'm bleeding. like a lot" (writer AK): calling is the
    # step itself, so the emergency number is said; no crisis line is listed.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_suicide", {}), ("stop_hotlines", {}), ("feeling_worse", {}))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", kind))
    reply = await nlg.generate(response, tracker, "rest")
    assert "9-1-1" in reply["text"], reply["text"]
    assert "9-8-8" not in reply["text"] and "1-844-764-7669" not in reply["text"], reply["text"]
    assert GET_HELP_BUTTON in reply["buttons"]


async def test_without_no_more_numbers_the_same_follow_up_names_the_lines():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_abuse", {}), ("ask_next_step", {}))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", "abuse"))
    reply = await nlg.generate("utter_next_step", tracker, "rest")
    assert "9-1-1" in reply["text"] and "1-866-863-0511" in reply["text"]


def test_capitalised_sentences():
    assert capitalised_sentences('I hear you. a crisis line is there: tap "Get help now".') == \
        'I hear you. A crisis line is there: tap "Get help now".'
    # A full stop inside an address ends no sentence.
    assert capitalised_sentences("Book at harbourlight.example/book today") == "Book at harbourlight.example/book today"


async def test_after_a_crisis_a_place_named_beside_another_question_brings_that_places_lines():
    # "can someone from your place call me tomorrow? im out in gander": the way to book, then
    # Newfoundland's lines.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_suicide", {}), ("request_human", {"region": "CA-NL"}))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("visitor_region", "CA-NL"))
    text = (await nlg.generate("utter_therapist_contact", tracker, "rest"))["text"]
    assert "Newfoundland and Labrador" in text and "9-8-8" in text
    assert text.count("Newfoundland and Labrador") == 1
    # The turn's second reply (the office hours) does not repeat them.
    tracker.update(BotUttered(text))
    assert "Newfoundland" not in (await nlg.generate("utter_therapist_hours", tracker, "rest"))["text"]
    # Not when nothing in this message named the place, nor once numbers are declined.
    later = tracker_of(("risk_suicide", {}), ("request_human", {}))
    later.update(SlotSet("visitor_region", "CA-NL"))
    assert "Newfoundland" not in (await nlg.generate("utter_therapist_contact", later, "rest"))["text"]
    quiet = tracker_of(("risk_suicide", {}), ("stop_hotlines", {}), ("request_human", {"region": "CA-NL"}))
    quiet.update(SlotSet("visitor_region", "CA-NL"))
    assert "Newfoundland" not in (await nlg.generate("utter_therapist_contact", quiet, "rest"))["text"]


@pytest.mark.parametrize("kind, line", [("abuse", "Assaulted Women's Helpline"), ("emergency", "Poison Centre"),
                                        (None, "9-8-8")])
async def test_get_help_now_lists_the_lines_for_this_conversations_crisis(kind, line):
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("request_crisis_help", {}))
    if kind:
        tracker.update(SlotSet("crisis_kind", kind))
    text = (await nlg.generate("utter_crisis_general", tracker, "rest"))["text"]
    assert line in text and "9-1-1" in text


def witnessed(intent: str, who: str) -> DialogueStateTracker:
    """A message telling of someone else being abused, its slot set as the mapping would."""
    tracker = tracker_of((intent, {"abuse_of_other": who}))
    tracker.update(SlotSet("abuse_of_other", who))
    return tracker


async def test_someone_else_being_abused_gets_the_witnesss_steps_and_never_the_childs_own_reply():
    # "I can hear the little boy next door screaming": the visitor can call; they are not the
    # child, so not "go to a place with other people, Kids Help Phone is there for you".
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = witnessed("risk_emergency", "child")
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", "emergency"))
    text = (await nlg.generate("utter_crisis_emergency", tracker, "rest"))["text"]
    assert "9-1-1" in text and "don't go in yourself" in text
    assert "there for you" not in text
    # A niece's disclosure: whom to tell, and that proof is not needed.
    tracker = witnessed("risk_third_party", "child")
    text = (await nlg.generate("utter_crisis_third_party", tracker, "rest"))["text"]
    assert "child protection" in text and "don't need proof" in text
    # An elderly mother hit by her carer: the region's abuse line, for the helper.
    tracker = witnessed("risk_third_party", "adult")
    text = (await nlg.generate("utter_crisis_third_party", tracker, "rest"))["text"]
    assert "Assaulted Women's Helpline" in text and "1-866-863-0511" in text


def test_after_someone_else_being_abused_the_follow_ups_are_the_witnesss():
    nlg = PracticeNLG(domain=DOMAIN)
    tracker = witnessed("risk_third_party", "child")
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", "third_party"))
    assert nlg.for_crisis_kind("utter_glad_safe", tracker) == "utter_glad_safe__abuse_of_other"
    # No words of its own: the helper's.
    assert nlg.for_crisis_kind("utter_respect_denial", tracker) == "utter_respect_denial__third_party"


async def test_the_lines_asked_for_say_whose_they_are_when_the_visitor_named_a_place():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_suicide", {}), ("share_location", {}))
    tracker.update(SlotSet("visitor_region", "GB"))
    text = (await nlg.generate("utter_crisis_general", tracker, "rest"))["text"]
    assert "Where you are (United Kingdom)" in text and "116 123" in text


async def test_a_short_reply_naming_one_line_says_whose_line_it_is_for_another_place():
    # "got the car keys in my hand" from someone in Australia: the one line is named with
    # the place, as the lists are.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_suicide", {}), ("risk_suicide", {}))
    tracker.update(SlotSet("visitor_region", "AU"))
    text = (await nlg.generate("utter_crisis_again", tracker, "rest"))["text"]
    assert "Lifeline in Australia" in text and "13 11 14" in text
    tracker.update(SlotSet("visitor_region", "GB"))
    text = (await nlg.generate("utter_crisis_again", tracker, "rest"))["text"]
    assert "Samaritans in the United Kingdom" in text
    # The practice's own region needs no name.
    tracker.update(SlotSet("visitor_region", None))
    text = (await nlg.generate("utter_crisis_again", tracker, "rest"))["text"]
    assert "9-8-8 Suicide Crisis Helpline is there" in text


async def test_after_a_crisis_asking_for_spanish_gets_the_lines_that_answer_in_spanish_where_the_visitor_is():
    nlg = nlg_at(datetime.now(timezone.utc))
    events = [ActionExecuted("action_listen"),
              UserUttered("...", intent={"name": "risk_suicide", "confidence": 1.0}),
              UserUttered("hay alguien que hable español?", intent={"name": "ask_languages", "confidence": 1.0})]
    tracker = DialogueStateTracker.from_events("visitor", events, slots=DOMAIN.slots)
    tracker.update(SlotSet("visitor_region", "US-TX"))
    tracker.update(SlotSet("crisis_shown", True))
    text = (await nlg.generate("utter_languages", tracker, "rest"))["text"]
    assert "answer in Spanish" in text and "Where you are (Texas)" in text and "988" in text


async def test_after_a_crisis_reply_the_practices_hours_name_a_line_even_while_it_is_open():
    # A Wednesday at 11:00 in Toronto: open. Before any risk, the hours say so and no more;
    # after a crisis reply they keep a line named.
    nlg = nlg_at(datetime(2026, 12, 2, 16, 0, tzinfo=timezone.utc))
    plain = await nlg.generate("utter_therapist_hours", tracker_with("greet"), "rest")
    assert "open right now" in plain["text"] and "9-8-8" not in plain["text"]
    after = await nlg.generate("utter_therapist_hours", tracker_of(("risk_suicide", {})), "rest")
    assert "open right now" in after["text"] and "9-8-8" in after["text"]


async def test_pills_already_swallowed_get_the_poison_centre_not_a_step_to_put_them_away():
    # "tylenol. the whole bottle pretty much" after "already did it" was told to put the pills
    # out of reach.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_suicide", {}), ("risk_suicide", {"means": "pills", "swallowed": "yes"}))
    tracker.update(SlotSet("swallowed", "yes"))
    text = (await nlg.generate("utter_crisis_suicide", tracker, "rest"))["text"]
    assert "1-844-764-7669" in text and "9-1-1" in text
    assert "out of reach" not in text
    held = tracker_of(("risk_suicide", {"means": "pills"}))
    assert "put the pills out of reach" in (await nlg.generate("utter_crisis_suicide", held, "rest"))["text"]
    # Still ahead ("going to take all my insulin tonight"): the step to put it away stands.
    ahead = tracker_of(("risk_suicide", {"means": "insulin", "swallowed": "yes"}))
    ahead.latest_message.text = "cant do this anymore. going to take all my insulin tonight"
    assert "out of reach" in (await nlg.generate("utter_crisis_suicide", ahead, "rest"))["text"]
    # A question after taking them is not an intention: "took them all. will i be ok".
    taken = tracker_of(("risk_suicide", {"means": "pills", "swallowed": "yes"}))
    taken.update(SlotSet("swallowed", "yes"))
    taken.latest_message.text = "took them all. will i be ok"
    assert "out of reach" not in (await nlg.generate("utter_crisis_suicide", taken, "rest"))["text"]


async def test_no_one_can_help_after_a_crisis_reply_is_met_with_the_hopelessness_and_a_line():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_emergency", {}), ("unsure_after_crisis", {}))
    tracker.latest_message.text = "you cant help me. no one can. this isnt a thing that gets fixed"
    tracker.update(SlotSet("crisis_kind", "emergency"))
    tracker.update(SlotSet("crisis_shown", True))
    text = (await nlg.generate("utter_unsure_after_crisis", tracker, "rest"))["text"]
    assert "hopelessness" in text and "9-8-8" in text
    # Numbers declined earlier: the same words, the button instead of a number.
    declined = tracker_of(("risk_suicide", {}), ("stop_hotlines", {}), ("unsure_after_crisis", {}))
    declined.latest_message.text = "nobody can help me"
    declined.update(SlotSet("crisis_kind", "suicide"))
    declined.update(SlotSet("crisis_shown", True))
    text = (await nlg.generate("utter_unsure_after_crisis", declined, "rest"))["text"]
    assert "hopelessness" in text and not any(ch.isdigit() for ch in text)
    # A helper's "nobody can help him" is not the visitor's own hopelessness.
    helper = tracker_of(("risk_third_party", {}), ("unsure_after_crisis", {}))
    helper.latest_message.text = "nobody can help him"
    helper.update(SlotSet("crisis_kind", "third_party"))
    helper.update(SlotSet("crisis_shown", True))
    assert "hopelessness" not in (await nlg.generate("utter_unsure_after_crisis", helper, "rest"))["text"]


async def test_means_only_partly_locked_up_gets_the_step_and_the_part_left():
    # A veteran: "im safe. guns are locked up. mostly" got "If you're safe right now, I'm glad".
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_saying(("risk_suicide", "nights are bad again. itd have been simpler if i didnt come home"),
                             ("confirm_safe", "im safe. guns are locked up. mostly"))
    tracker.update(SlotSet("crisis_shown", True))
    tracker.update(SlotSet("crisis_kind", "suicide"))
    reply = (await nlg.generate("utter_glad_safe", tracker, "rest"))["text"]
    assert "still within reach" in reply and "the guns" in reply and "9-8-8" in reply
    locked = tracker_saying(("risk_suicide", "nights are bad again"), ("confirm_safe", "im safe. guns are locked up"))
    locked.update(SlotSet("crisis_shown", True))
    locked.update(SlotSet("crisis_kind", "suicide"))
    assert "still within reach" not in (await nlg.generate("utter_glad_safe", locked, "rest"))["text"]


async def test_a_helper_asking_whether_to_go_to_someone_with_a_gun_is_told_to_keep_safe_and_call():
    # Writer Y (2026-12-04): a farm wife whose husband had been in the shop for hours with his
    # shotgun asked "should i go out there" and got "ask them straight out... stay with them".
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_saying(
        ("risk_third_party", "my husband has been out in the shop 3 hours with his shotgun. this morning he said "
                             "'you and the kids will be fine without me'"),
        ("ask_next_step", "i can see the light on in the shop. should i go out there"))
    tracker.update(SlotSet("crisis_kind", "third_party"))
    tracker.update(SlotSet("crisis_shown", True))
    text = (await nlg.generate("utter_next_step", tracker, "rest"))["text"]
    assert "don't go to them alone" in text and "9-1-1" in text and "gun" in text
    # Without a gun in the conversation, going to them is the helper's step.
    tracker = tracker_saying(("risk_third_party", "my brother said he wants to die"),
                             ("ask_next_step", "should i go over there"))
    tracker.update(SlotSet("crisis_kind", "third_party"))
    tracker.update(SlotSet("crisis_shown", True))
    text = (await nlg.generate("utter_next_step", tracker, "rest"))["text"]
    assert "don't go to them alone" not in text and "Ask them straight out" in text


async def test_a_helper_whose_person_at_risk_is_young_gets_the_line_for_young_people_too():
    # Writers R and V: a grandmother raising her grandson of 14, a mother whose son of 15 locked
    # himself in the bathroom; the helper's replies named 9-8-8 only.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_saying(("risk_third_party", "My grandson is 14 and I found a note in his backpack saying he "
                                                  "wants to die"),
                             ("risk_third_party", "I asked him. He cried and said he has been thinking about it."))
    tracker.update(SlotSet("crisis_kind", "third_party"))
    tracker.update(SlotSet("crisis_shown", True))
    text = (await nlg.generate("utter_crisis_again", tracker, "rest"))["text"]
    assert "686868" in text or "1-800-668-6868" in text
    # A grown son: no line for young people is added.
    tracker = tracker_saying(("risk_third_party", "my son is 25 and he said he wants to die"),
                             ("risk_third_party", "I asked him. He cried."))
    tracker.update(SlotSet("crisis_kind", "third_party"))
    tracker.update(SlotSet("crisis_shown", True))
    text = (await nlg.generate("utter_crisis_again", tracker, "rest"))["text"]
    assert "686868" not in text


async def test_after_danger_now_from_a_partner_the_next_step_is_the_abuse_answer():
    # Writer Q: "hes back and hes yelling and banging on the bedroom door", later "i dont have
    # anywhere to go": the next step spoke of pills swallowed and the Poison Centre.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_of(("risk_emergency", {}), ("ask_next_step", {}))
    tracker.update(SlotSet("crisis_kind", "emergency"))
    tracker.update(SlotSet("abuse_disclosed", "adult"))
    tracker.update(SlotSet("crisis_shown", True))
    text = (await nlg.generate("utter_next_step", tracker, "rest"))["text"]
    assert "safe place" in text and "swallowed" not in text
    # Something swallowed keeps the emergency's next step.
    tracker.update(SlotSet("swallowed", "yes"))
    text = (await nlg.generate("utter_next_step", tracker, "rest"))["text"]
    assert "swallowed" in text


async def test_safe_enough_after_naming_a_gun_gets_the_step_for_it():
    # Writer Y: a farmer who named "rifles in the hall closet", then "safe enough... just me and
    # the dog", was told only "If you're safe right now, I'm glad".
    nlg = nlg_at(datetime.now(timezone.utc))
    events = [ActionExecuted("action_listen"),
              UserUttered("rifles in the hall closet. not saying anything just saying",
                          intent={"name": "risk_suicide", "confidence": 1.0},
                          entities=[{"entity": "means", "value": "gun"}]),
              UserUttered("safe enough. just me and the dog", intent={"name": "confirm_safe", "confidence": 1.0})]
    tracker = DialogueStateTracker.from_events("visitor", events, slots=DOMAIN.slots)
    tracker.update(SlotSet("crisis_kind", "suicide"))
    tracker.update(SlotSet("crisis_shown", True))
    text = (await nlg.generate("utter_glad_safe", tracker, "rest"))["text"]
    assert "the gun" in text and "out of reach" in text
    # Put away since: no step.
    events.insert(2, UserUttered("ok i gave the rifles to my brother", intent={"name": "confirm_safe",
                                                                              "confidence": 1.0}))
    tracker = DialogueStateTracker.from_events("visitor", events, slots=DOMAIN.slots)
    tracker.update(SlotSet("crisis_kind", "suicide"))
    tracker.update(SlotSet("crisis_shown", True))
    text = (await nlg.generate("utter_glad_safe", tracker, "rest"))["text"]
    assert "out of reach" not in text


@pytest.mark.parametrize("kind, said, swallowed, expected", [
    ("suicide", "my RA is down the hall", None, "Could you go to their room"),
    ("emergency", "my roommate is home", "yes", "tell them what you took"),
    ("suicide", "my sister is here actually shes in the other room", "yes", "ask them to call 9-1-1"),
    ("child_abuse", "my aunt lives like 10 min away. she knows about him", None, "safe place tonight"),
])
async def test_someone_trusted_close_by_is_the_step_to_go_to_them(kind, said, swallowed, expected):
    # Not "Is there someone you trust who could be with you tonight?" just after naming them.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = after_crisis(kind, (f"risk_{kind}", "..."), ("ask_next_step", said), swallowed=swallowed)
    step = await nlg.generate("utter_next_step", tracker, "rest")
    check = await nlg.generate("utter_next_step_check", tracker, "rest")
    assert expected in step["text"]
    assert "Is there someone you trust" not in check["text"]
    assert GET_HELP_BUTTON in step["buttons"]
    if swallowed:
        assert "Poison Centre" in step["text"]


async def test_someone_near_after_no_more_numbers_names_no_number():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = after_crisis("suicide", ("risk_suicide", "..."), ("stop_hotlines", "no more numbers"),
                           ("ask_next_step", "my roommate is home"))
    step = await nlg.generate("utter_next_step", tracker, "rest")
    assert "their room" in step["text"] and not any(ch.isdigit() for ch in step["text"])


@pytest.mark.parametrize("message", ["should i make myself vomit it out", "should i make him throw up",
                                     "my manager say drink milk and go back to work"])
async def test_treating_something_swallowed_at_home_gets_dont_and_the_poison_centre(message):
    # Writer AA (2026-12-05): "should i make him throw up" after a button battery got "tell me
    # more"; the answer is no, unless the poison centre says so, and its number.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = after_crisis("emergency", ("risk_emergency", "he swallowed a battery"), ("nlu_fallback", message),
                           swallowed="yes")
    reply = await nlg.generate("utter_unsure_after_crisis", tracker, "rest")
    assert "don't make anyone throw up" in reply["text"] and "Poison Centre" in reply["text"]


async def test_after_something_swallowed_no_more_numbers_keeps_the_poison_centre():
    # "please stop giving me numbers. no more numbers" after bleach: respected for the lists,
    # but the Poison Centre is medical advice and stays.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = after_crisis("emergency", ("risk_emergency", "i drank some bleach a few minutes ago. i want this to end"),
                           ("stop_hotlines", "please stop giving me numbers. no more numbers"), swallowed="yes")
    reply = await nlg.generate("utter_stop_hotlines", tracker, "rest")
    assert "Ontario Poison Centre (call 1-844-764-7669)" in reply["text"]
    assert "9-8-8" not in reply["text"]
    # Without an emergency of something swallowed ("I'll stop taking my meds" mentions them),
    # no number at all.
    plain = after_crisis("suicide", ("risk_suicide", "I've been thinking I'll stop taking my meds"),
                         ("stop_hotlines", "no more numbers"), swallowed="yes")
    assert not any(ch.isdigit() for ch in (await nlg.generate("utter_stop_hotlines", plain, "rest"))["text"])


async def test_pills_taken_and_read_as_suicide_keep_the_poison_centre_past_no_more_numbers():
    # Writer AA: "took some of his sleeping tablets, maybe five. Not trying to die, just
    # wanted to switch off", read as suicide, then "Mate I said no more numbers. I'm fine": the
    # Poison Centre went with the lists.
    nlg = nlg_at(datetime.now(timezone.utc))
    events = [ActionExecuted("action_listen"),
              UserUttered("had a few drinks then took some of his sleeping tablets, maybe five",
                          intent={"name": "risk_suicide", "confidence": 1.0},
                          entities=[{"entity": "swallowed", "value": "yes"}]),
              UserUttered("Mate I said no more numbers. I'm fine", intent={"name": "stop_hotlines", "confidence": 1.0})]
    tracker = DialogueStateTracker.from_events("visitor", events, slots=DOMAIN.slots)
    for name, value in {"crisis_shown": True, "crisis_kind": "suicide", "swallowed": "yes"}.items():
        tracker.update(SlotSet(name, value))
    reply = await nlg.generate("utter_stop_hotlines", tracker, "rest")
    assert "Ontario Poison Centre (call 1-844-764-7669)" in reply["text"]
    assert "9-8-8" not in reply["text"]


async def test_a_place_said_with_no_more_numbers_gets_no_list():
    # "I'm in Sydney, Cape Breton. But I don't want numbers, dear." got the lines of the place.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = after_crisis("third_party", ("risk_third_party", "my son said goodbye"),
                           ("share_location", "I'm in Sydney, Cape Breton. But I don't want numbers, dear."),
                           visitor_region="CA-NS")
    reply = await nlg.generate("utter_region_lines", tracker, "rest")
    assert not any(ch.isdigit() for ch in reply["text"]) and GET_HELP_BUTTON in reply["buttons"]


async def test_easing_after_pills_read_as_suicide_risk_still_gets_the_poison_centre():
    # Writer AA's aa22: caffeine pills to make a delivery window, then "its slowing down a bit
    # i think. maybe its fine" got "glad it has eased" with 988 and no word of the poison centre.
    nlg = nlg_at(datetime.now(timezone.utc))
    pills = after_crisis("suicide", ("risk_suicide", "took a few too many of those caffeine pills"),
                         ("feeling_calmer", "its slowing down a bit i think. maybe its fine"), swallowed="yes")
    pills.events[1].entities = [{"entity": "swallowed", "value": "yes"}]
    reply = await nlg.generate("utter_feeling_calmer", pills, "rest")
    assert "Poison Centre" in reply["text"] and "hours" in reply["text"]
    # A son who died of an overdose in March is not something swallowed tonight.
    grief = after_crisis("suicide", ("risk_suicide", "my son died of an overdose in march. i want to be with him"),
                         ("feeling_calmer", "just tell me it gets better"), swallowed="yes")
    grief.events[1].entities = [{"entity": "swallowed", "value": "yes"}]
    assert "Poison Centre" not in (await nlg.generate("utter_feeling_calmer", grief, "rest"))["text"]


@pytest.mark.parametrize("message, asked, also, words", [
    ("do you do couples counseling on the weekend", "utter_clients", "utter_therapist_hours", "Office hours"),
    ("Great. Do you do couples sessions in person?", "utter_clients", "utter_session_formats", "in person"),
    ("ok is there a student price lol", "utter_fees", "utter_sliding_scale", "sliding scale"),
])
async def test_a_question_about_two_facts_gets_both_answers(message, asked, also, words):
    # Writers G and H: "do you do couples counseling on the weekend" got who the practice sees,
    # and nothing about weekends.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_saying(("ask_clients", message))
    reply = await nlg.generate(asked, tracker, "rest")
    assert words in reply["text"] and reply["also_answers"] == [also]
    # One fact asked about gets that one answer.
    single = await nlg.generate(asked, tracker_saying(("ask_clients", "who do you see")), "rest")
    assert "also_answers" not in single


@pytest.mark.parametrize("message, number", [
    ("hola. estoy en Madrid. llevo meses pensando en suicidarme", "112 (the emergency number in Madrid)"),
    ("i'm in germany and i want to die", "112 (the emergency number in Germany)"),
    ("im in india and i want to die", "your local emergency number (9-1-1 in Ontario)"),
    ("I'm from Spain but I live here now and I want to die", None),
])
async def test_a_visitor_abroad_is_not_told_the_practices_emergency_number_as_theirs(message, number):
    # Writer S: "estoy en Madrid" got "Si está en peligro, llame al 9-1-1".
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = tracker_saying(("risk_suicide", message))
    tracker.update(SlotSet("visitor_region", "unknown"))
    variables = nlg.variables(tracker)
    if number is None:
        # "from Spain" is where they come from: the practice's number, named as its own.
        assert variables["emergency_number"] == "your local emergency number (9-1-1 in Ontario)"
    else:
        assert variables["emergency_number"] == number
    reply = await nlg.generate("utter_crisis_suicide", tracker, "rest")
    assert "findahelpline" in reply["text"].lower()


@pytest.mark.parametrize("utter", ["utter_session_formats", "utter_sliding_scale", "utter_clients",
                                   "utter_cancellation", "utter_fact_missing", "utter_follow_up_more_detail"])
async def test_after_no_more_numbers_the_practices_answers_give_its_email_not_its_phone(utter):
    # Writer AB: "Please no numbers", then "do your therapists do evening sessions online" got
    # "book at ... or call 416-555-0142".
    nlg = nlg_at(datetime.now(timezone.utc))
    values = nlg.variables(tracker_of())
    declined = tracker_of(("risk_suicide", {}), ("stop_hotlines", {}), ("ask_session_formats", {}))
    text = (await nlg.generate(utter, declined, "rest"))["text"]
    assert values["contact_phone"] not in text and values["contact_email"] in text
    # Without the opt-out, the phone number stays.
    asked = tracker_of(("risk_suicide", {}), ("ask_session_formats", {}))
    assert values["contact_phone"] in (await nlg.generate(utter, asked, "rest"))["text"]


def crisis_then(first: str, intent: str, risk: dict, kind: str, then: str, then_intent: str) -> DialogueStateTracker:
    """A conversation: a risk message read as `intent` with `risk`, its crisis reply of `kind`,
    then the visitor's `then`, read as `then_intent`."""
    from rasa.shared.core.events import SlotSet

    events = [ActionExecuted("action_listen"),
              UserUttered(first, intent={"name": intent, "confidence": 1.0},
                          parse_data={"intent": {"name": intent, "confidence": 1.0}, "risk": risk}),
              SlotSet("crisis_shown", True), SlotSet("crisis_kind", kind),
              ActionExecuted("action_listen"),
              UserUttered(then, intent={"name": then_intent, "confidence": 1.0})]
    return DialogueStateTracker.from_events("visitor", events, slots=DOMAIN.slots)


async def test_someone_elses_stroke_signs_and_a_refused_ambulance_get_call_now_not_your_choice():
    # Writer AC: "my husbands face looks weird on one side and hes talking funny", then "he
    # doesnt want an ambulance he says its embarrassing": not "That's your call to make".
    nlg = nlg_at(datetime.now(timezone.utc))
    stroke = crisis_then("his face looks weird on one side and hes talking funny", "risk_emergency",
                          {"category": "emergency", "subcategory": "medical_now", "about": "other"}, "emergency",
                          "he doesnt want an ambulance", "refuse_hospital")
    text = (await nlg.generate("utter_refuse_hospital", stroke, "rest"))["text"]
    assert "can't wait" in text and "9-1-1" in text
    assert "your call" not in text
    # Someone else's suicide risk and a refused hospital: still their helper's choice.
    friend = crisis_then("my friend said he wants to die", "risk_third_party",
                         {"category": "suicide", "about": "other"}, "third_party",
                         "he doesnt want an ambulance", "refuse_hospital")
    assert "can't wait" not in (await nlg.generate("utter_refuse_hospital", friend, "rest"))["text"]


async def test_make_her_throw_up_after_a_childs_poisoning_gets_the_poison_centre():
    # Writer AC: "my 2 yr old [...] drank some of the dishwasher stuff", then "should i make her
    # throw up": the helper's suicide steps, no Poison Centre.
    tracker = crisis_then("my 2 yr old drank some of the dishwasher stuff", "risk_emergency",
                           {"category": "emergency", "subcategory": "poisoning", "about": "self"}, "emergency",
                           "should i make her throw up", "ask_next_step")
    text = (await nlg_at(datetime.now(timezone.utc)).generate("utter_next_step", tracker, "rest"))["text"]
    assert "Poison Centre" in text


# ---- Writers AD and AE (2026-12-05)

async def test_a_man_told_the_abuse_lines_are_for_women_gets_the_lines_for_anyone():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = after_crisis("abuse", ("risk_abuse", "my wife hits me. im a guy, who would even believe that"),
                           ("ask_about_the_lines", "those lines are for women tho"), abuse_disclosed="adult")
    text = (await nlg.generate("utter_about_the_lines", tracker, "rest"))["text"]
    assert "only for women" in text and "1-888-579-2888" in text and "9-8-8" in text
    assert "1-866-863-0511" not in text  # the women's line is not offered to him again


async def test_a_denial_after_something_swallowed_keeps_the_poison_centre():
    nlg = nlg_at(datetime.now(timezone.utc))
    events = [ActionExecuted("action_listen"),
              UserUttered("drank half a bottle of vodka on top of my meds", intent={"name": "risk_emergency",
                                                                                    "confidence": 1.0},
                          entities=[{"entity": "swallowed", "value": "yes"}]),
              UserUttered("lol chill im fine", intent={"name": "deny_risk", "confidence": 1.0})]
    tracker = DialogueStateTracker.from_events("visitor", events, slots=DOMAIN.slots)
    for name, value in {"crisis_shown": True, "crisis_kind": "emergency", "swallowed": "yes"}.items():
        tracker.update(SlotSet(name, value))
    text = (await nlg.generate("utter_respect_denial", tracker, "rest"))["text"]
    assert "1-844-764-7669" in text and "hours later" in text


async def test_a_place_named_with_a_booking_question_gets_the_lines_there_and_the_booking():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = after_crisis("suicide", ("risk_suicide", "i want to die"),
                           ("share_location", "can i still book with you guys online even though i'm in BC now?"))
    text = (await nlg.generate("utter_region_lines", tracker, "rest"))["text"]
    assert "/book" in text


async def test_a_young_visitor_asking_for_someone_after_a_crisis_also_gets_the_youth_line():
    nlg = nlg_at(datetime.now(timezone.utc))
    young = after_crisis("third_party", ("risk_third_party", "my friend said she wants to die. im 15"),
                         ("request_human", "can i talk to someone too"), young="yes")
    assert "686868" in (await nlg.generate("utter_therapist_contact", young, "rest"))["text"]
    adult = after_crisis("third_party", ("risk_third_party", "my friend said she wants to die"),
                         ("request_human", "can i talk to someone too"))
    assert "686868" not in (await nlg.generate("utter_therapist_contact", adult, "rest"))["text"]


# ---- Writer AI (2026-12-06)

async def test_a_call_back_asked_for_in_a_crisis_keeps_the_line_until_they_reply():
    # "can your therapist call me back tonight": a call-back comes within a business day.
    nlg = nlg_at(datetime.now(timezone.utc))
    crisis = after_crisis("suicide", ("risk_suicide", "the pills in my purse"),
                          ("request_callback", "can your therapist call me back tonight"))
    text = (await nlg.generate("utter_callback_intro", crisis, "rest"))["text"]
    assert "9-8-8" in text and load_practice().hours.reply_time in text
    calm = tracker_saying(("request_callback", "can someone call me back"))
    assert "9-8-8" not in (await nlg.generate("utter_callback_intro", calm, "rest"))["text"]


async def test_after_a_crisis_a_young_visitors_calmer_and_off_topic_replies_name_the_youth_line():
    # "shes asleep now. i locked my door" from a 15-year-old; "can u help me with my english
    # essay lol" from a 16-year-old an hour after the garage roof.
    nlg = nlg_at(datetime.now(timezone.utc))
    for name, said in (("utter_feeling_calmer", "shes asleep now. i locked my door"),
                       ("utter_out_of_scope", "can u help me with my english essay lol")):
        young = after_crisis("suicide", ("risk_suicide", "sometimes i dont want to live at all. im 15"),
                             ("feeling_calmer", said), young="yes")
        assert "686868" in (await nlg.generate(name, young, "rest"))["text"], name
    adult = after_crisis("suicide", ("risk_suicide", "i dont want to live"), ("feeling_calmer", "ok i'm calmer"))
    assert "686868" not in (await nlg.generate("utter_feeling_calmer", adult, "rest"))["text"]


async def test_cant_call_because_he_checks_the_phone_gets_the_abuse_answer():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = after_crisis("suicide",
                           ("risk_suicide", "Tonight he push me on the wall. Sometimes I think it is easier to die."),
                           ("cant_call", "I cannot call, he check my phone. How to delete this?"),
                           abuse_disclosed="adult")
    text = (await nlg.generate("utter_cant_call", tracker, "rest"))["text"]
    assert "way out" in text and "686868" in text


async def test_a_door_open_a_crack_with_the_engine_running_is_not_safe_yet():
    # Writer AJ: "engine's running for the heat", then "it's fine, the garage door is open a
    # crack" got "If you're safe right now, I'm glad".
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = after_crisis("emergency", ("risk_emergency", "I'm just sitting in my car in the garage bc it's the only "
                                                          "place the kids can't hear me cry. engine's running for "
                                                          "the heat"),
                           ("confirm_safe", "it's fine, the garage door is open a crack"))
    text = (await nlg.generate("utter_glad_safe", tracker, "rest"))["text"]
    assert "turn the engine off" in text and "9-1-1" in text
    # The engine not on yet, in the car in a closed garage: out of the car and the garage.
    parked = after_crisis("suicide", ("risk_suicide", "Sitting in the car in the garage. Engine's not on yet, don't "
                                                      "panic. I'm tired of all of it."),
                          ("deny_risk", "You're overreacting. I only said I'm sitting here."))
    text = (await nlg.generate("utter_respect_denial", parked, "rest"))["text"]
    assert "out of the garage" in text and "turn the engine off" not in text
    # Once it is off, glad is enough.
    off = after_crisis("emergency", ("risk_emergency", "sitting in the car in the garage, engine's running"),
                       ("confirm_safe", "ok i turned it off. im fine"))
    assert "turn the engine off" not in (await nlg.generate("utter_glad_safe", off, "rest"))["text"]


async def test_a_headache_after_the_engine_gets_the_emergency_number():
    # Writer AJ: "ok it's off. I'm in the kitchen. my head hurts a bit" got "being out of the
    # garage is the safest thing you could do", and nothing about carbon monoxide.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = after_crisis("emergency", ("risk_emergency", "in my car in the garage. engine's running for the heat"),
                           ("feeling_calmer", "ok it's off. I'm in the kitchen. my head hurts a bit"))
    text = (await nlg.generate("utter_engine_away", tracker, "rest"))["text"]
    assert "carbon monoxide" in text and "9-1-1" in text
    # Without the engine, a headache is not carbon monoxide.
    plain = after_crisis("suicide", ("risk_suicide", "i keep thinking about ending it"),
                         ("feeling_calmer", "im calmer. my head hurts a bit from crying"))
    assert "carbon monoxide" not in (await nlg.generate("utter_feeling_calmer", plain, "rest"))["text"]


async def test_safe_after_a_knife_carried_to_someones_door_keeps_the_step_for_the_knife():
    # Writer AJ: a man who caught himself on the stairs with a kitchen knife, then "yes I'm
    # safe. he's safe. I'm sitting on my kitchen floor", got only "glad you're safe".
    nlg = nlg_at(datetime.now(timezone.utc))
    events = [ActionExecuted("action_listen"),
              UserUttered("I just caught myself walking up the stairs with a kitchen knife. I'm scared of myself.",
                          intent={"name": "risk_harm_others", "confidence": 1.0},
                          entities=[{"entity": "means", "value": "knife"}]),
              UserUttered("yes I'm safe. he's safe. I'm sitting on my kitchen floor",
                          intent={"name": "confirm_safe", "confidence": 1.0})]
    tracker = DialogueStateTracker.from_events("visitor", events, slots=DOMAIN.slots)
    for name, value in {"crisis_shown": True, "crisis_kind": "harm_others"}.items():
        tracker.update(SlotSet(name, value))
    text = (await nlg.generate("utter_glad_safe", tracker, "rest"))["text"]
    assert "the knife out of reach" in text


async def test_a_helper_asking_for_the_lines_gets_them_with_the_helpers_steps():
    # Writer AJ: a daughter in Seoul, her mother in Thunder Bay giving her things away; "can I
    # call a crisis line for her from Korea?" got the lines as if for herself.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = after_crisis("third_party", ("risk_third_party", "my mom mailed me grandma's ring and wants me to have "
                                                               "her good dishes. she's barely eating"),
                           ("request_crisis_help", "it's 3am here. can I call a crisis line for her from Korea?"))
    tracker.update(SlotSet("crisis_kind", "general"))  # as the domain maps request_crisis_help
    text = (await nlg.generate("utter_crisis_general", tracker, "rest"))["text"]
    assert "988" in text.replace("-", "") and "worried about someone" in text and "asking them" in text
    # And the turns after it are still the helper's ("her neighbour Linda has a key" got "put
    # anything you might use to hurt yourself in another room").
    tracker.update(UserUttered("her neighbour Linda has a key", intent={"name": "ask_next_step", "confidence": 1.0}))
    text = (await nlg.generate("utter_next_step", tracker, "rest"))["text"]
    assert "hurt yourself" not in text and "them" in text
    # Their own crisis: the lines alone.
    own = after_crisis("suicide", ("risk_suicide", "i want to die"), ("request_crisis_help", "give me the numbers"))
    assert "worried about someone" not in (await nlg.generate("utter_crisis_general", own, "rest"))["text"]


async def test_a_number_that_did_not_work_from_abroad_gets_the_way_to_local_lines():
    # Writer AJ: retired in the Algarve, "The number you gave me last time didn't work from
    # here." got "Okay. I won't keep sending numbers."
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = after_crisis("suicide", ("risk_suicide", "I wrote the other night from the Algarve. The thoughts are "
                                                       "back, and stronger."),
                           ("lines_did_not_help", "The number you gave me last time didn't work from here."),
                           visitor_region="unknown")
    text = (await nlg.generate("utter_lines_did_not_help", tracker, "rest"))["text"]
    assert "findahelpline" in text.lower() and "another country" in text
    assert "112 (the emergency number in" not in text, "'from the Algarve' is not said as 'in'"
    # At home, the lines that did not answer: texting, and trying again.
    home = after_crisis("suicide", ("risk_suicide", "i want to die"),
                        ("lines_did_not_help", "i called and nobody picked up"))
    text = (await nlg.generate("utter_lines_did_not_help", home, "rest"))["text"]
    assert "686868" in text and "another country" not in text


async def test_the_spanish_note_for_somewhere_uncovered_says_the_local_number_in_spanish():
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = after_crisis("suicide", ("risk_suicide", "hola, estoy en Guadalajara. no quiero vivir más"),
                           visitor_region="unknown", visitor_language="es")
    text = (await nlg.generate("utter_crisis_suicide", tracker, "rest"))["text"]
    assert "número de emergencias de su país" in text and "llame al your" not in text


async def test_lines_run_by_2slgbtq_people_where_the_registry_has_them_and_honesty_where_not():
    nlg = nlg_at(datetime.now(timezone.utc))
    asked = after_crisis("suicide", ("risk_suicide", "i don't see myself making it to 20"),
                         ("ask_lgbtq_lines", "is there like an lgbt line"), lgbtq="yes")
    text = (await nlg.generate("utter_lgbtq_lines", asked, "rest"))["text"]
    assert "Trans Lifeline" in text and "youthline.ca" in text and "9-8-8" in text
    abroad = after_crisis("suicide", ("risk_suicide", "i live in leeds. i don't want to be here"),
                          ("ask_lgbtq_lines", "is there a queer line"), lgbtq="yes", visitor_region="GB")
    text = (await nlg.generate("utter_lgbtq_lines", abroad, "rest"))["text"]
    assert "don't have a line run by 2SLGBTQ+ people" in text and "Trans Lifeline" not in text


async def test_a_visitor_who_said_they_are_2slgbtq_gets_those_lines_with_the_crisis_reply():
    nlg = nlg_at(datetime.now(timezone.utc))
    said = after_crisis("suicide", ("risk_suicide", "been out as trans at work. i don't want to be here anymore"),
                        lgbtq="yes")
    assert "Trans Lifeline" in (await nlg.generate("utter_crisis_suicide", said, "rest"))["text"]
    not_said = after_crisis("suicide", ("risk_suicide", "i don't want to be here anymore"))
    assert "Trans Lifeline" not in (await nlg.generate("utter_crisis_suicide", not_said, "rest"))["text"]


async def test_the_engine_turned_off_in_the_closed_garage_gets_the_next_step_out_into_fresh_air():
    # Writer AK: "turned it off. still sitting here" got "I'm glad you feel a bit better".
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = after_crisis("emergency", ("risk_emergency", "sitting in the car in the garage with the engine running"),
                           ("feeling_calmer", "turned it off. still sitting here"))
    text = (await nlg.generate("utter_feeling_calmer", tracker, "rest"))["text"]
    assert "fresh air" in text and "9-1-1" in text and "9-8-8" in text
    assert "feel a bit better" not in text
    # Out of the garage with the keys away: the step taken, said back.
    away = after_crisis("emergency", ("risk_emergency", "sitting in the car in the garage with the engine running"),
                        ("feeling_calmer", "I'm in the kitchen. I'll leave the keys on the hook"))
    assert "out of the garage" in (await nlg.generate("utter_feeling_calmer", away, "rest"))["text"]


async def test_someone_else_on_the_way_to_hurt_a_third_person_gets_the_police_now():
    # Writer AK: a friend "driving to her place and 'she's gonna pay'" got only the suicide
    # helper's steps.
    nlg = nlg_at(datetime.now(timezone.utc))
    text = "he said he's driving to her place and 'she's gonna pay'"
    tracker = DialogueStateTracker.from_events("visitor", [ActionExecuted("action_listen"), UserUttered(
        text, intent={"name": "risk_third_party", "confidence": 1.0},
        parse_data={"risk": {"category": "harm_others", "about": "other"}})], slots=DOMAIN.slots)
    reply = (await nlg.generate("utter_crisis_third_party", tracker, "rest"))["text"]
    assert "warn the person at risk" in reply and "driving" in reply
    # Someone else's suicide risk does not get it.
    theirs = DialogueStateTracker.from_events("visitor", [ActionExecuted("action_listen"), UserUttered(
        "my friend says she wants to die", intent={"name": "risk_third_party", "confidence": 1.0},
        parse_data={"risk": {"category": "suicide", "about": "other"}})], slots=DOMAIN.slots)
    assert "warn the person" not in (await nlg.generate("utter_crisis_third_party", theirs, "rest"))["text"]


async def test_no_more_numbers_after_thoughts_of_suicide_keeps_the_step_that_is_not_a_number():
    # Writers AJ and AK: a nurse with "stuff from work in my bag that would do it", then
    # "please don't give me 988", got no step at all.
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = after_crisis("suicide", ("risk_suicide", "i have stuff from work in my bag that would do it"),
                           ("stop_hotlines", "please don't give me 988 i know the numbers"))
    reply = (await nlg.generate("utter_stop_hotlines", tracker, "rest"))["text"]
    assert "out of reach" in reply and not any(ch.isdigit() for ch in reply)
    # Already put away: no step to ask for.
    moved = after_crisis("suicide", ("risk_suicide", "i have pills saved up"),
                         ("unsure_after_crisis", "i gave my pills to my sister"),
                         ("stop_hotlines", "no more numbers please"))
    assert "out of reach" not in (await nlg.generate("utter_stop_hotlines", moved, "rest"))["text"]


async def test_leaving_in_a_hurry_right_after_danger_now_takes_the_emergency_number():
    # Writer AL: "he's home early. he's at the door", then "i have to go".
    nlg = nlg_at(datetime.now(timezone.utc))
    tracker = after_crisis("abuse", ("risk_abuse", "i need to figure out how to leave my husband"),
                           ("not_safe", "he's home early. he's at the door"), ("goodbye", "i have to go"))
    assert "9-1-1" in (await nlg.generate("utter_goodbye", tracker, "rest"))["text"]
    calm = after_crisis("abuse", ("risk_abuse", "he hits me"), ("thank", "thanks, that helps"), ("goodbye", "bye"))
    assert "stay on the line" not in (await nlg.generate("utter_goodbye", calm, "rest"))["text"]

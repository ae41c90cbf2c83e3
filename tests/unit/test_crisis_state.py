"""After "no more numbers", only new risk brings the lists back; risk said again gets one line."""

from __future__ import annotations

import pytest

from attune.safety.crisis_state import CrisisState, crisis_state, someone_elses_emergency

NOTHING: set = set()


def turns(*steps):
    return [(step, NOTHING) if isinstance(step, str) else step for step in steps]


def test_no_more_numbers_holds_while_the_same_risk_is_said_again():
    state = crisis_state(turns("risk_suicide", "stop_hotlines", "risk_suicide"))
    assert state == CrisisState(declined=True, repeat=True)


def test_new_risk_brings_the_lists_back():
    for new in [("risk_self_harm", NOTHING),          # a kind not answered yet
                ("risk_emergency", NOTHING),          # danger happening now
                ("risk_suicide", {"risky_place"}),    # "i'm on the bridge"
                ("risk_suicide", {"soon"}),           # "tonight"
                ("risk_suicide", {"swallowed"})]:
        assert crisis_state(turns("risk_suicide", "stop_hotlines", new)) == CrisisState(False, False), new


def test_a_means_at_hand_after_no_more_numbers_gets_the_step_without_the_list():
    # Writers AB and AC: "I know the numbers [...] please don't send me another one", then "I
    # have a bottle of his morphine on the kitchen table right now": the step to put it away,
    # not every line again.
    state = crisis_state(turns("risk_suicide", "stop_hotlines", ("risk_suicide", {"means"})))
    assert state == CrisisState(declined=True, repeat=True)
    # Before any decline, a means is new risk: the lines in full.
    assert crisis_state(turns("risk_suicide", ("risk_suicide", {"means"}))) == CrisisState(False, False)
    # With a time ("tonight") or a place, the lines come back even after the decline.
    assert crisis_state(turns("risk_suicide", "stop_hotlines", ("risk_suicide", {"means", "soon"}))) == \
        CrisisState(False, False)


def test_the_help_button_and_a_retracted_denial_bring_them_back_too():
    assert not crisis_state(turns("risk_suicide", "stop_hotlines", "request_crisis_help")).declined
    assert not crisis_state(turns("risk_suicide", "stop_hotlines", "retract_denial")).declined


def test_no_more_numbers_lasts_through_ordinary_messages():
    state = crisis_state(turns("risk_suicide", "stop_hotlines", "greet", "unsure_after_crisis"))
    assert state == CrisisState(declined=True, repeat=False)


def test_risk_said_again_without_a_decline_is_a_repeat_and_the_first_time_is_not():
    assert crisis_state(turns("risk_suicide")) == CrisisState(False, False)
    assert crisis_state(turns("risk_suicide", "greet", "risk_suicide")) == CrisisState(False, True)


def test_the_gentle_check_in_is_neither_answered_risk_nor_a_repeat():
    assert crisis_state(turns("risk_check_in", "risk_check_in")) == CrisisState(False, False)
    assert crisis_state(turns("risk_check_in", "risk_suicide")) == CrisisState(False, False)


def test_someone_who_cannot_be_woken_is_always_someone_elses_emergency():
    # "my buddy isnt waking up we were using": the "we" does not make it the visitor's own.
    risk = {"about": "self", "category": "emergency", "subcategory": "unresponsive", "signals": []}
    assert someone_elses_emergency("risk_emergency", risk)
    assert not someone_elses_emergency("risk_emergency", {**risk, "subcategory": "medical"})


def test_a_child_who_swallowed_something_is_always_someone_elses_emergency():
    # "my little sister drank from the bleach bottle, shes 3": the helper's follow-ups.
    risk = {"about": "self", "category": "emergency", "subcategory": "poisoning", "signals": []}
    assert someone_elses_emergency("risk_emergency", risk)


def test_someone_elses_goodbye_read_as_danger_now_is_a_helpers_emergency():
    # "my boyfriend just texted me 'goodbye, i love you' and isnt answering": the word lists
    # read his suicide, the model danger now. The follow-ups are a helper's ("he answered,
    # says hes ok just drunk" is not "if you're safe, I'm glad").
    risk = {"about": "other", "category": "suicide", "subcategory": "plan", "signals": ["suicide_goodbye_unanswered"]}
    assert someone_elses_emergency("risk_emergency", risk)
    assert not someone_elses_emergency("risk_emergency", {**risk, "about": "self"})


def test_no_one_can_help_is_hopelessness_and_you_can_help_is_not():
    from attune.safety.crisis_state import NO_ONE_CAN_HELP

    for text in ["you cant help me. no one can", "nobody can help me", "they wont help",
                 "still dont think anyone can help. but ok"]:
        assert NO_ONE_CAN_HELP.search(text), text
    for text in ["you can help me", "can anyone help?", "you can help me book?"]:
        assert not NO_ONE_CAN_HELP.search(text), text


def test_after_no_more_numbers_a_new_kind_the_model_alone_read_in_nothing_new_is_not_new_risk():
    # Writer U: "my aunties are coming over to sit with him", after "no more phone numbers",
    # read by the model as violence: it brought every number back.
    state = crisis_state([("risk_third_party", NOTHING), ("stop_hotlines", NOTHING),
                          ("risk_harm_others", NOTHING, True)])
    assert state == CrisisState(declined=True, repeat=True)
    # The same reading by the word lists, or with something new named, or danger now, is new.
    for new in [("risk_harm_others", NOTHING, False), ("risk_harm_others", {"means"}, True),
                ("risk_emergency", NOTHING, True)]:
        state = crisis_state([("risk_third_party", NOTHING), ("stop_hotlines", NOTHING), new])
        assert state == CrisisState(False, False), new
    # Before any decline, a new kind is new whoever read it.
    before = crisis_state([("risk_third_party", NOTHING), ("risk_harm_others", NOTHING, True)])
    assert before == CrisisState(False, False)


def test_no_more_numbers_said_inside_another_message_is_declining_them():
    # Writer AA (2026-12-05): "We're in Moncton. [...] Please, no more numbers, I have them all
    # written on the fridge" was read as the place, and every reply after it listed lines.
    place = ("share_location", set(), False, "We're in Moncton. Please, no more numbers, I have them on the fridge.")
    state = crisis_state([("risk_third_party", set()), place, ("nlu_fallback", set(), False, "he ate some toast")])
    assert state.declined
    # Beside new risk, the reply without the list (a repeat), with its step.
    guns = ("risk_suicide", {"means"}, False, "dont give me any numbers. theyll take my guns")
    assert crisis_state([("risk_suicide", set()), guns]) == CrisisState(declined=True, repeat=True)
    # Danger now still gets its reply in full; numbers are declined after it.
    danger = ("risk_emergency", set(), False, "dont send me more numbers, hes got the knife out")
    assert crisis_state([("risk_suicide", set()), danger]) == CrisisState(declined=True, repeat=False)
    # Before any crisis reply, and "i dont have the number", decline nothing.
    first = ("risk_suicide", set(), False, "i want to die and dont give me hotline numbers")
    assert not crisis_state([first]).declined
    assert not crisis_state([("risk_suicide", set()),
                             ("ask_for_number", set(), False, "i dont have the number")]).declined


@pytest.mark.parametrize("text", ["No me mande números por favor, él revisa mi teléfono", "Nada de números.",
                                  "pas de numéros svp", "ne m'envoyez plus de numéros"])
def test_no_more_numbers_in_spanish_and_french_is_declining_them(text):
    assert crisis_state([("risk_abuse", set()), ("nlu_fallback", set(), False, text)]).declined


def test_a_helpers_message_after_someone_elses_emergency_is_the_same_crisis():
    # Writer AA's aa11: a friend's goodbye answered as danger now, "no more numbers", then
    # "She answered!! She's crying" read as a helper's message: not a new kind of risk, so
    # not the whole list again.
    turns = [("risk_emergency", set()), ("stop_hotlines", set()), ("risk_third_party", set(), True, "She answered!!")]
    assert crisis_state(turns) == CrisisState(declined=True, repeat=True)

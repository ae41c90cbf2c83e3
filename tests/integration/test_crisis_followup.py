"""After the crisis reply, through the REST channel, as a visitor would meet it: every turn
gives a concrete next step for this kind of crisis, help stays one tap away, a "no" is
respected, and the lines are those of where the visitor is.

The turns themselves are checked by the end-to-end stories (tests/stories/
test_crisis_followup.yml); these tests read the words the visitor gets.
"""

from __future__ import annotations

import re
from typing import List

from tests.conftest import new_sender, reply_payloads, reply_text

HELP = "/request_crisis_help"
PHONE_NUMBER = re.compile(r"\b\d[\d -]{2,}\d\b")


def conversation(stack, *messages: str) -> List[list]:
    sender = new_sender()
    return [stack.send(sender, message) for message in messages]


def test_someone_else_at_risk_gets_steps_for_the_helper_then_a_question_about_the_helper(stack):
    _, steps = conversation(stack, "my best friend told me tonight she wants to kill herself",
                            "what do i do")
    text = reply_text(steps)
    assert "Ask them straight out" in text and "does not put the idea in their head" in text
    assert "Stay with them" in text and "9-1-1" in text
    assert "helps people who are worried about someone" in text and "9-8-8" in text
    assert "how are you holding up" in text.lower()
    assert {"/confirm_safe", HELP} <= set(reply_payloads(steps))


def test_refusing_the_hospital_after_an_overdose_gets_the_poison_centre_without_a_lecture(stack):
    _, refused = conversation(stack, "i just took all my pills", "no ambulance")
    text = reply_text(refused)
    assert "Ontario Poison Centre" in text and "1-844-764-7669" in text
    assert "where someone can see or hear you" in text
    assert not re.search(r"\byou (?:must|should|need to)\b", text, re.IGNORECASE)
    assert {"/cant_call", HELP} <= set(reply_payloads(refused))


def test_someone_who_cannot_call_gets_the_lines_that_take_texts(stack):
    _, quiet = conversation(stack, "i want to kill myself", "i cant call anyone")
    text = reply_text(quiet)
    assert "text 9-8-8" in text and "text CONNECT to 686868" in text
    assert "call 1-800" not in text, "a voice-only line was offered to someone who cannot call"
    assert "delete this chat" in text  # REST: no page to leave, so how to leave no trace
    assert HELP in reply_payloads(quiet)


def test_no_more_numbers_is_respected_until_new_risk_appears(stack):
    _, declined, next_step, new_risk = conversation(
        stack, "i want to kill myself", "stop sending me numbers", "what do i do now",
        "i have the pills in my hand right now")
    assert "won't keep sending numbers" in reply_text(declined)
    assert not PHONE_NUMBER.search(reply_text(declined) + reply_text(next_step))
    assert "put anything you might use to hurt yourself out of reach" in reply_text(next_step)
    assert HELP in reply_payloads(declined) and HELP in reply_payloads(next_step)
    # New risk: the full crisis reply, lines and all.
    assert "9-1-1" in reply_text(new_risk) and "9-8-8" in reply_text(new_risk)


def test_after_no_more_numbers_the_same_thoughts_again_get_the_help_button_but_pills_at_hand_get_the_list(stack):
    _, _, again, pills = conversation(
        stack, "i think about killing myself most days", "please stop sending me hotline numbers",
        "i think about killing myself most days, same as always",
        "tonight i got the pills out and they're on the counter")
    # The same risk again is not new risk: no number, as asked; every line one tap away.
    assert "9-8-8" not in reply_text(again) and "Get help now" in reply_text(again)
    assert HELP in reply_payloads(again)
    assert "9-8-8" in reply_text(pills) and "9-1-1" in reply_text(pills)
    assert "put the pills out of reach" in reply_text(pills)


def test_the_same_risk_said_again_gets_one_line_instead_of_the_whole_list(stack):
    first, _, again = conversation(stack, "i want to kill myself", "idk", "i really want to kill myself")
    assert reply_text(first).count("•") >= 3
    assert "•" not in reply_text(again) and "9-8-8" in reply_text(again) and "9-1-1" in reply_text(again)
    assert HELP in reply_payloads(again)


def test_no_to_are_you_safe_right_now_gets_the_emergency_step(stack):
    _, unsafe = conversation(stack, "i want to end my life", "no")
    assert "9-1-1" in reply_text(unsafe)
    assert "not sure how to help" not in reply_text(unsafe)


def test_not_safe_after_an_abuse_disclosure_gets_safety_steps_and_the_abuse_line(stack):
    _, not_safe = conversation(stack, "my husband hits me", "/not_safe")
    text = reply_text(not_safe)
    assert "9-1-1" in text and "Assaulted Women's Helpline" in text
    assert "a room with a way out" in text


def test_a_joke_after_a_crisis_reply_is_respected_and_help_stays_on_screen(stack):
    _, joke = conversation(stack, "i want to kms", "jk jk")
    assert "sorry if I got that wrong" in reply_text(joke)
    assert HELP in reply_payloads(joke)


def test_a_denial_with_no_crisis_reply_before_it_apologises_for_nothing_and_shows_help(stack):
    (denial,) = conversation(stack, "you misunderstood")
    text = reply_text(denial)
    assert "sorry" not in text.lower()
    assert "9-8-8" in text and HELP in reply_payloads(denial)


def test_when_things_ease_the_way_to_a_therapist_is_offered(stack):
    _, calmer = conversation(stack, "i want to die", "i feel a bit calmer now")
    assert "glad" in reply_text(calmer)
    assert {"/request_callback", HELP} <= set(reply_payloads(calmer))


def test_a_visitor_in_another_province_gets_that_provinces_lines_from_then_on(stack):
    _, here, _, refused = conversation(stack, "i want to kill myself", "i'm in quebec",
                                       "i just took all my pills", "no ambulance")
    assert "lines for Quebec" in reply_text(here)
    assert "Centre antipoison du Québec" in reply_text(refused)
    assert "Ontario Poison Centre" not in reply_text(refused)


def test_a_place_named_in_the_risk_message_itself_gets_its_lines_in_the_same_turn(stack):
    (crisis,) = conversation(stack, "i live in texas and i want to kill myself")
    text = reply_text(crisis)
    assert "988 Suicide & Crisis Lifeline" in text and "9-8-8" not in text


def test_a_place_without_lines_is_said_plainly_with_the_international_directory(stack):
    _, here = conversation(stack, "i want to kill myself", "i'm in germany")
    text = reply_text(here)
    assert "don't have crisis lines for that place" in text and "findahelpline.com" in text
    assert HELP in reply_payloads(here)


def test_a_visitor_in_ireland_gets_irelands_lines_and_emergency_number(stack):
    _, here = conversation(stack, "i want to kill myself", "we're in dublin, 911 wont work here")
    text = reply_text(here)
    assert "Ireland" in text and "116 123" in text and "112" in text


def test_a_parent_at_the_edge_gets_the_safe_step_before_the_lines(stack):
    (crisis,) = conversation(stack, "i'm so close to shaking the baby, he won't stop screaming")
    text = reply_text(crisis)
    assert "put the child down somewhere safe" in text and "step out of the room" in text
    assert text.index("put the child down") < text.index("9-8-8")


def test_danger_now_after_an_abuse_disclosure_is_read_as_the_abusers(stack):
    _, _, scared = conversation(stack, "my husband beats me", "/not_safe", "i'm scared")
    assert "Assaulted Women's Helpline" in reply_text(scared) and "9-1-1" in reply_text(scared)


def test_a_helper_whose_person_may_be_in_danger_is_told_how_to_get_help_to_them(stack):
    _, not_safe = conversation(stack, "my friend told me tonight she wants to kill herself", "/not_safe")
    text = reply_text(not_safe)
    assert "If you think they are in danger now, call 9-1-1" in text
    assert "go to a place where there are other people" not in text


def test_after_an_overdose_a_message_not_understood_gets_the_emergency_number_and_the_poison_centre(stack):
    _, unsure = conversation(stack, "i just took all my pills", "zxqv blorp fnord")
    text = reply_text(unsure)
    assert "call 9-1-1 now" in text and "Ontario Poison Centre (call 1-844-764-7669)" in text
    assert {"/request_callback", "/request_crisis_help"} <= set(reply_payloads(unsure))


def test_after_hotlines_were_declined_a_message_not_understood_gets_no_numbers_but_a_way_to_a_person(stack):
    *_, unsure = conversation(stack, "i want to die", "stop sending me hotline numbers", "zxqv blorp fnord")
    text = reply_text(unsure)
    assert not re.search(r"\d-\d", text) and "listening" in text
    assert {"/request_callback", "/request_crisis_help"} <= set(reply_payloads(unsure))


def test_after_an_abuse_disclosure_a_message_not_understood_gets_a_safety_step_and_the_abuse_line(stack):
    _, unsure = conversation(stack, "my husband hits me and tonight he choked me", "zxqv blorp fnord")
    text = reply_text(unsure)
    assert "room with a way out" in text and "Assaulted Women's Helpline" in text


def test_abuse_read_beside_suicide_adds_the_abuse_line_to_the_crisis_reply(stack):
    (crisis,) = conversation(stack, "he hit me again tonight and I keep thinking I'd be better off dead")
    text = reply_text(crisis)
    assert "9-8-8" in text and "If someone is hurting you, Assaulted Women's Helpline" in text


def test_a_young_visitor_gets_the_youth_line_and_pills_bring_the_poison_centre(stack):
    _, young = conversation(stack, "i want to die", "im 14")
    assert "Kids Help Phone" in reply_text(young)
    (crisis,) = conversation(stack, "I take many pills tonight because I am very tired of life")
    assert "Ontario Poison Centre" in reply_text(crisis)


def test_a_place_named_in_the_disclosure_is_named_in_the_reply(stack):
    (texas,) = conversation(stack, "I keep thinking about suicide. I live in Texas now")
    assert "Where you are (Texas)" in reply_text(texas) and "988" in reply_text(texas)
    (germany,) = conversation(stack, "I'm Canadian, studying in Germany, and I feel like killing myself")
    text = reply_text(germany)
    assert "9-8-8" in text and "findahelpline.com" in text


def test_a_denial_taken_back_gets_the_lines_again(stack):
    *_, again = conversation(stack, "i want to kill myself", "jk lol", "actually i wasnt joking")
    assert "9-8-8" in reply_text(again)


def test_the_safety_plan_offer_follows_when_things_ease(stack):
    _, _, plan = conversation(stack, "i want to die", "i feel a bit calmer now", "/make_safety_plan")
    text = reply_text(plan)
    assert "My warning signs" in text and "safer" in text  # REST: the headings to copy
    assert "/request_callback" in reply_payloads(plan)


def test_risk_written_in_french_gets_the_lines_with_a_note_in_french(stack):
    (crisis,) = conversation(stack, "je veux mourir, je n'en peux plus")
    text = reply_text(crisis)
    assert text.startswith("Je lis surtout l'anglais") and "composez le 9-1-1" in text
    assert "9-8-8 Suicide Crisis Helpline: 9-8-8" in text


def test_a_message_attune_cannot_read_gets_the_lines_in_english(stack):
    (reply,) = conversation(stack, "أريد أن أموت")
    text = reply_text(reply)
    assert "I can only read English, French and Spanish" in text and "9-8-8" in text


def test_help_called_for_a_friends_overdose_gets_what_to_do_while_it_comes(stack):
    first, coming = conversation(stack, "my buddy isnt waking up we were using and his lips are kinda blue",
                                 "ok i called 911 they said theyre on the way what do i do till they get here")
    assert "9-1-1" in reply_text(first)
    text = reply_text(coming)
    assert "roll them onto their side" in text and "naloxone" in text
    assert "Call 9-1-1 now" not in text, "help is already coming: not the same instruction again"
    assert HELP in reply_payloads(coming)


def test_after_no_more_numbers_an_abuse_follow_up_names_the_button_not_a_number(stack):
    _, declined, plan = conversation(stack, "my husband hits me when he drinks", "stop sending numbers pls",
                                     "how do i stay safe if it happens again while hes asleep")
    # A helpline on the screen can itself be the danger: no more numbers, and what to do if
    # he comes near.
    assert "no more numbers" in reply_text(declined) and "a room with a way out" in reply_text(declined)
    assert not PHONE_NUMBER.search(reply_text(declined))
    assert not PHONE_NUMBER.search(reply_text(plan)), reply_text(plan)
    assert "Get help now" in reply_text(plan) and HELP in reply_payloads(plan)


def test_someone_else_being_abused_gets_a_witnesss_steps_and_whom_to_tell(stack):
    # An aunt whose niece disclosed: not the child's own reply ("go to a room you can lock"),
    # but what the one who can act does, and that proof is not needed.
    told, details = conversation(
        stack, "my niece is 9 and she just told me a family friend touches her when he babysits. i feel sick",
        "should i ask her more questions? like details?")
    text = reply_text(told)
    assert "child protection" in text and "don't need proof" in text and "9-1-1" in text
    assert "room you can lock" not in text
    assert "don't press for details" in reply_text(details)
    assert HELP in reply_payloads(details)


def test_a_child_who_swallowed_something_gets_the_emergency_and_the_poison_centre(stack):
    (swallowed,) = conversation(stack, "my 3 yr old got into the dishwasher pods")
    text = reply_text(swallowed)
    assert "9-1-1" in text and "Ontario Poison Centre" in text


def test_not_having_the_number_gets_the_poison_centre_and_restarting_meds_keeps_the_conversation(stack):
    # Writer V's development set: "i dont have the number" was read as "stop sending numbers",
    # and "I don't know if I want to restart" (her medication) wiped the conversation.
    _, no_number = conversation(stack, "my 2yo got into the dishwasher pods one is broken open hes coughing",
                                "i dont have the number")
    assert "1-844-764-7669" in reply_text(no_number), reply_text(no_number)  # Ontario Poison Centre
    _, restart = conversation(stack, "I'm so tired of fighting my own body. I'll stop my meds and let it happen.",
                              "I don't know if I want to restart")
    assert "start fresh" not in reply_text(restart)
    assert HELP in reply_payloads(restart)


def test_a_visitor_elsewhere_who_says_where_they_are_not_gets_their_own_places_lines(stack):
    _, there = conversation(stack, "i want to die", "im in sydney not canada")
    text = reply_text(there)
    assert "13 11 14" in text and "9-8-8" not in text, text  # Lifeline Australia, not Canada's line


def test_thanks_and_goodbye_after_a_crisis_keep_a_line_and_the_young_persons_line(stack):
    # Thanks are often the last words of a crisis conversation (writers AF and AG): the line
    # stays in view as they go, and a young visitor's own line with it.
    _, thanks = conversation(stack, "i want to kill myself", "ok thank you")
    assert "9-8-8" in reply_text(thanks) and "glad you reached out" in reply_text(thanks)
    _, denied, bye = conversation(stack, "sometimes i think i should just jump off the school roof lol. "
                                         "grade 10 is hell", "omg forget i said that im fine", "k bye")
    for reply in (denied, bye):
        assert "Kids Help Phone" in reply_text(reply) or "686868" in reply_text(reply)
    # After "no more numbers", thanks keep the button, not a number.
    _, _, quiet_thanks = conversation(stack, "i want to kill myself", "no more numbers please", "thanks")
    assert not PHONE_NUMBER.search(reply_text(quiet_thanks)) and HELP in reply_payloads(quiet_thanks)


def test_a_helpers_first_message_naming_where_the_person_is_gets_that_places_lines(stack):
    first = stack.send(new_sender(), "my brother in florida just called me drunk saying hes going to end it "
                                     "tonight and hes alone. he hung up")
    assert "Florida" in reply_text(first) and "988" in reply_text(first).replace("-", "")


def test_a_partners_threat_to_end_their_life_if_the_visitor_leaves_gets_what_to_do_about_it(stack):
    reply = stack.send(new_sender(), "I'm in Glasgow. My partner has just said that if I leave him he'll kill "
                                     "himself, and he's walked out. I don't know what to do.")
    text = reply_text(reply)
    assert "not yours to carry alone" in text and "call 999" in text and "check on them" in text


def test_a_parent_who_stepped_away_from_a_crying_baby_is_told_it_was_right_not_sent_to_emergency(stack):
    _, stepped = conversation(stack, "she wont stop crying its been 3 hours and i swear im about to lose it. "
                                     "i want to shake her. please", "ok shes in her crib. im in the kitchen")
    text = reply_text(stepped)
    assert "You did the right thing" in text and "another room" in text
    assert "This sounds like an emergency" not in text and "9-8-8" in text


def test_a_note_left_for_after_brings_the_lines_back_after_no_more_numbers(stack):
    *_, note = conversation(stack, "ngl i want to die", "dont give me the hotline thing man i know the numbers",
                            "doesnt matter really. i wrote her a letter already, its in the glovebox for after")
    assert "9-8-8" in reply_text(note)


def test_a_means_just_named_put_away_is_said_back_not_answered_as_danger_again(stack):
    *_, away = conversation(stack, "im going to kill myself", "im in the bathroom with my razor",
                            "ok. put it in the cabinet and came out")
    text = reply_text(away)
    assert "a strong step" in text and "This sounds like an emergency" not in text

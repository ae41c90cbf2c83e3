"""What a visitor mentions that adds a line to crisis replies: something swallowed (the Poison
Centre), being under 18 (the youth line)."""

import pytest

from attune.safety import visitor_facts
from attune.safety.visitor_facts import means_at_hand, names_dangerous_place, says_when, mentions_swallowing, says_young


@pytest.mark.parametrize("text", [
    "I take many pills tonight because I am very tired of life",
    "took the whole bottle of tylenol an hour ago",
    "i swallowed a bunch of my sleeping pills",
    "I think I OD'd",
    "had like 20 of my antidepressants with vodka",
    "j'ai pris des comprimés",
    "me tomé unas pastillas",
    "ok so i took like 15 of my seroquel an a bunch of wine",  # a count of something taken
    "i swallowed 20 of them",
    "had like half a bottle of vodka and some of my klonopin lol i just wanna sleep forever",  # drink and a drug
    "maybe 6 pills. i do this sometimes its fine",  # a count as the answer to "how many?"
    # Writer AA (2026-12-05): a chemical drunk at work, caffeine pills, a battery, gummies.
    "someone put cleaning chemical in water bottle and i drink it. my throat is burning",
    "took a few too many of those caffeine pills plus energy drinks",
    "i think he swallowed one of the little round batteries from the car remote",
    "Mi nieto de 5 años se comió unas gomitas de mi hijo",
    # Writers T and AA: edibles, foraged mushrooms, and the same in French.
    "j'ai mangé plusieurs jujubes au cannabis de ma coloc", "i ate a bunch of my roommates edibles",
    "I picked mushrooms on a walk and had them in an omelette about 6 hours ago", "il a bu de l'eau de javel",
])
def test_something_swallowed_is_noticed(text):
    assert mentions_swallowing(text)


@pytest.mark.parametrize("text", [
    "i want to die", "he took my phone", "I had a bad day at work", "pill-shaped pillow lol",
    "taking a break from the group chat", "it took 30 minutes to get here", "took 2 days off work",
    "i took 3 shots at the bar",
    "i have 30 pills saved up", "wine and cheese night with the girls", "6 pills left in the bottle lol no",
    "i had too many drinks lol", "i ate too many cookies", "he took too many shots at the goal",
    "we had mushrooms for dinner", "i bought gummies for the kids", "j'ai pris le bus",
])
def test_other_messages_mention_nothing_swallowed(text):
    assert not mentions_swallowing(text)


@pytest.mark.parametrize("text", [
    "im 16", "I'm only 14", "i am 15 years old", "sorry my english is better for typing. im 14",
    "I'm in grade 9", "im in high school", "13 yo", "tengo 15 años", "j'ai 16 ans",
    "im so done with the guys who bully me at school", "theres a girl in my high school who",
    # A young helper speaking for both (writer AA): "were 15" at a sentence's start.
    "my friend took a bunch of pills from her aunties cupboard. were 15. she lives across from the school",
    "we're both 16 and her mom isnt home", "We are 14",
    "16f, my bf keeps checking my phone", "(15m) dad hits me", "im in 10th grade", "i'm a 9th grader",
    "sophomore in high school here", "my parents grounded me and took my phone",
    # Writer AL: the age opening the message.
    "17 and i did it again and its not stopping bleeding", "15. my dad found my binder", "16 here, need help",
])
def test_a_visitor_under_18_is_noticed(text):
    assert says_young(text)


@pytest.mark.parametrize("text", [
    "im 16 minutes late", "I'm 34", "im 100% done", "I'm 18 now", "my son is 14",
    "im in grade school memories", "I was 15 when it started",
    "i teach at my high school", "my coworkers bully me at work",
    "there were 15 of them on the table", "were 15 minutes away", "we were 15 when we met",
    "were 15 of us at the party", "We're 16 km out of town",
    "i owe $15m", "15 m away", "my 10th grade teacher was awful", "im 30f",
    "when i was a sophomore in high school it started",
    # Writer AJ: a daughter teaching in Seoul was answered as a child.
    "I'm 11,000 km away. what do I do", "im 12.5 hours ahead of her",
    "12. how much are sessions", "15 minutes ago i took them", "17 and 18 are my lucky numbers",
])
def test_adults_ages_of_others_and_numbers_are_not_read_as_young(text):
    assert not says_young(text)


def test_huge_input_is_read_in_bounded_time():
    # No nested repetition: a megabyte of near-matches is read without backtracking blow-up.
    assert not mentions_swallowing("took " + "a " * 500_000)
    assert not says_young("im " * 300_000)


@pytest.mark.parametrize("text,means", [
    ("tonight i got the pills out of the cabinet", "pills"),
    ("sitting on the bathroom floor with a razor", "razor"),
    ("my daddy's revolver is on the table", "gun"),
    ("i took a knife from the kitchen to my room", "knife"),
    ("14 months sober and i just bought a bottle. sitting in the car with it", "bottle"),
    ("took the whole bottle of tylenol", "pills"),  # what was in it, not the bottle
    ("im sitting in my car in the garage with the engine running", "engine"),  # fresh air, not "out of reach"
    ("i'm thinking about it again", ""),
])
def test_a_means_at_hand_is_named_as_a_reply_would_say_it(text, means):
    assert means_at_hand(text) == means


def test_a_dangerous_place_and_a_time_close_by_are_noticed():
    assert names_dangerous_place("standing on the balcony railing")
    assert not names_dangerous_place("i keep thinking about it")
    assert says_when("i'm going to do it tonight") and says_when("on the bridge rn")
    assert not says_when("it comes in waves")
    # A date chosen, or things put in order: after "no more numbers", new risk.
    assert says_when("birthday's in 9 days. i already gave my records and my cat's stuff away")
    assert says_when("wrote the note last night") and says_when("i picked a date")
    assert says_when("i have stuff in my closet for it ok")
    assert not says_when("gave my notice at work") and not says_when("we wrote a song together")


def test_a_child_who_got_into_the_dishwasher_pods_swallowed_something():
    assert mentions_swallowing("my 3 yr old got into the dishwasher pods, she bit one")
    assert not mentions_swallowing("he had a pod of peas")


@pytest.mark.parametrize("text,means", [
    ("my buddy from the regiment lives 20 min away. maybe i leave the rifles with him for a bit", "gun"),
    ("my sister can keep my pills for a while", "pills"),
    ("i locked the knives in the car", "knife"),
    ("ok i gave the pills to my mum", "pills"),
    ("i'll flush the rest of the meds", "pills"),
    ("i'll take his guns to my place tonight", "gun"),
])
def test_means_put_out_of_reach_are_noticed(text, means):
    assert visitor_facts.means_moved_away(text) == means


@pytest.mark.parametrize("text", ["no way im giving my guns to anyone", "he gave me the pills", "i took all my pills",
                                  "i have my pills with me", "im taking my meds at 9",
                                  "i dont want to give my rifles to anyone"])
def test_means_kept_taken_or_refused_are_not_a_step_taken(text):
    assert visitor_facts.means_moved_away(text) == ""


def test_a_refusal_in_an_earlier_sentence_does_not_cancel_a_step_taken_later():
    assert visitor_facts.means_moved_away("i wont call anyone. but i gave the pills to my mum") == "pills"
    # A long run of words with no stop is read in bounded time and still refused close by.
    assert visitor_facts.means_moved_away("not " * 900 + "giving my guns to anyone") == ""


@pytest.mark.parametrize("text", ["tylenol. the whole bottle pretty much", "the whole bottle of advil",
                                  "advil, like half the bottle"])
def test_naming_the_medicine_and_how_much_is_saying_it_was_swallowed(text):
    # The answer to "what did you take", without the verb.
    assert mentions_swallowing(text)


@pytest.mark.parametrize("text", ["i have a whole bottle of tylenol", "tylenol is in the cabinet",
                                  "the whole bottle of wine"])
def test_a_bottle_at_hand_or_of_wine_is_not(text):
    assert not mentions_swallowing(text)


@pytest.mark.parametrize("text", ["last night i almost took all my meds. i didnt. today im not sure how i feel",
                                  "i didnt take my meds today", "i nearly swallowed the bleach"])
def test_almost_taken_or_not_taken_is_not_swallowed(text):
    # "i almost took all my meds" set the Poison Centre on every reply after it ("For what
    # was swallowed...") while she asked about booking.
    assert not mentions_swallowing(text)


@pytest.mark.parametrize("text", [
    # Writer AB: "thought about overdosing. I didn't." then kept the Poison Centre in every reply.
    "I had a rough night and thought about overdosing. I didn't. I'm ok now, more or less.",
    "wanted to overdose. i didnt.",
])
def test_an_overdose_said_not_to_have_happened_is_not_something_swallowed(text):
    assert not mentions_swallowing(text)


@pytest.mark.parametrize("text", ["i overdosed on my meds an hour ago", "I think I OD'd",
                                  "i overdosed but i didnt tell anyone", "he overdosed, I didn't know what to do",
                                  "i overdosed, i didnt mean to", "thought about overdosing and then i did",
                                  # Unsure whether it was taken: the Poison Centre stays, as before.
                                  "thinking about overdosing tonight"])
def test_an_overdose_taken_is_something_swallowed_whatever_follows(text):
    assert mentions_swallowing(text)


@pytest.mark.parametrize("text", ["saturday is his birthday. thats when ill do it. already decided",
                                  "next week?? i might not be here next week"])
def test_a_day_decided_or_not_being_here_by_then_is_a_time_close_by(text):
    # Writer AG: both came after "no more numbers" and got the reply without the lines.
    assert says_when(text)


def test_deciding_to_go_to_bed_is_no_time_close_by():
    assert not says_when("i decided to go to bed")


@pytest.mark.parametrize("text, young", [
    ("sometimes i think i should just jump off the school roof lol. grade 10 is hell", True),
    ("my friend said shes gonna kill herself after school today. were both in grade 9", True),
    ("my son is in grade 10 and grade 10 is hard", False),
])
def test_ones_own_grade_said_in_passing_is_a_young_visitor(text, young):
    assert says_young(text) is young


def test_pills_named_in_spanish_are_a_means_not_an_overdose():
    # "no sé si estoy segura. I have the pastillas of my mom here" (writer AI) got "If you
    # swallowed something, the Poison Centre..." instead of "put the pills out of reach".
    from attune.safety.visitor_facts import means_at_hand, mentions_swallowing

    text = "no sé si estoy segura. I have the pastillas of my mom here"
    assert not mentions_swallowing(text)
    assert means_at_hand(text) == "pills"
    assert mentions_swallowing("me tomé unas pastillas") and mentions_swallowing("j'ai pris des comprimés")
    assert mentions_swallowing("Me contestó!! dice que ya se tomó algunas")
    assert not mentions_swallowing("Mi hermana me acaba de escribir que se va a tomar todas sus pastillas")


@pytest.mark.parametrize("text, said", [
    ("19, gay, small town outside sudbury, nobody knows", True),
    ("been out as trans at work for 3 months", True),
    ("i'm non-binary and my parents keep deadnaming me", True),
    ("is there like an lgbt line", True),
    ("i don't want some cis person on a hotline telling me it gets better", True),
    ("my sessions are bi-weekly", False),
    ("i'm transferring to another school", False),
    ("my brother is gay and i'm worried about him", False),
])
def test_a_visitor_who_says_they_are_2slgbtq_or_asks_for_such_a_line(text, said):
    from attune.safety.visitor_facts import says_lgbtq

    assert says_lgbtq(text) is said

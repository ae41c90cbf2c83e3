"""Where the visitor says they are, and the lines that go with it: a visitor to an Ontario
practice who is in Quebec, Texas, Ireland or Germany gets their own region's lines, or a plain answer
that there are none, and a place mentioned about someone else changes nothing."""

from __future__ import annotations

import pytest

from attune.nlu.region_component import region_entity
from attune.safety.regions import UNKNOWN, find_place, is_place_statement
from attune.safety.lines import crisis_template_variables, poison_help, text_options
from attune.safety.resources import RegistryError, load_registry

REGISTRY = load_registry()


@pytest.mark.parametrize("text,code", [
    ("im in quebec", "CA-QC"),
    ("im 15 and in leeds and ive been burning myself", "GB-ENG"),
    ("on vacation in orlando with my husband and kids", "US-FL"),
    ("I reside in British Columbia.", "CA-BC"),
    ("i live in texas actually", "US-TX"),
    ("we're in the UK", "GB"),
    ("i'm in scotland", "GB-SCT"),
    ("vancouver", "CA-BC"),
    ("sask", "CA-SK"),
    ("i'm in NY rn", "US-NY"),
    ("i'm in ny", "US-NY"),
    ("im in ON", "CA-ON"),
    ("i just moved to calgary", "CA-AB"),
    ("i'm not in canada, i'm in new york", "US-NY"),
    ("australia", "AU"),
    ("i live in texas and i want to kill myself", "US-TX"),
    ("texas here. found this site lookin for help", "US-TX"),
    ("chu à montréal pis j'pense à ça depuis deux jours", "CA-QC"),
    ("I'm visiting family in Buffalo for the holidays", "US-NY"),
    # Placed without "I'm", and towns beyond the big cities.
    ("third year no rain worth a damn out here near Kindersley. banks calling every week", "CA-SK"),
    ("Ranch outside Minot ND. Lost 30 head in the blizzard", "US-ND"),
    ("camp job north of fort mac, 21 on 7 off", "CA-AB"),
    ("ex-PPCLI, in whitehorse now. bad night", "CA-YT"),
    ("drank most of a 26er. im in kelowna if that matters", "CA-BC"),
    ("estamos en El Paso, Texas. esos números no funcionan aquí", "US-TX"),
    # On the road, and small towns of Atlantic Canada.
    ("haulin thru tennessee. been thinkin bout pullin the rig off at the next overpass", "US-TN"),
    ("he has guns in the house. we live way out past pictou", "CA-NS"),
    ("hes asleep. im in st. johns", "CA-NL"),
    # A town qualified by its region: the region, not a namesake elsewhere.
    ("I'm in Sydney, Cape Breton. But I don't want numbers, dear.", "CA-NS"),
    ("I live in Souris, PEI. The hospital is a drive", "CA-PE"),
    ("im in fort myers, FL", "US-FL"),
    ("im in toronto, not ottawa", "CA-ON"),
    ("im in LA", "US-CA"),
    # Wintering in the south.
    ("We're down in Fort Myers for the winter like every year, except Bill died in October", "US-FL"),
])
def test_a_place_the_visitor_puts_themselves_in_is_found(text, code):
    place = find_place(REGISTRY, text)
    assert place is not None and place.code == code and place.covered


@pytest.mark.parametrize("text", [
    "my ex moved to alberta last year",
    "i'm in a bad place",
    "I'm 34 and in a bad place",
    "i'm in love with him",
    "i'm in pain",
    "i'm in the bathroom, he's outside the door",
    "i'm in on the plan",
    "we watched a film set in texas",
    "i want to kill myself",
    "nobody here would even notice",
    "my mom is here now",
    "my sister lives in Calgary",
    "in bed now, cant sleep",
    "im 20 min away, her mums at work",
    "going through hell right now",
    "past tense is hard in english",
    # "and" is not the Spanish "a" before a code ("here a nd im" was North Dakota).
    "my parents spent their savings to send me here and im failing 3 courses",
    # Writer Q: where her family is, after "he stopped. his truck is gone", got Newfoundland's
    # lines and lost the abuse line of where she is.
    "i dont have anywhere to go. all my family is back in newfoundland",
    "my whole family lives out in alberta",
])
def test_a_place_about_someone_else_or_no_place_at_all_changes_nothing(text):
    assert find_place(REGISTRY, text) is None


def test_a_place_without_lines_is_named_as_unknown_in_any_message_that_places_the_visitor():
    assert find_place(REGISTRY, "i'm in germany").code == UNKNOWN
    assert region_entity(REGISTRY, "i'm in germany", "share_location")["value"] == UNKNOWN
    # Said inside a disclosure, it still counts: the reply adds the way to local lines.
    assert region_entity(REGISTRY, "I'm Canadian, studying in Germany, and I feel like killing myself",
                          "risk_suicide")["value"] == UNKNOWN
    assert region_entity(REGISTRY, "vivo en México, no en Canadá", "greet")["value"] == UNKNOWN
    # A second placing inside the first one's words.
    assert find_place(REGISTRY, "I'm English but I live in Munich, caring for my dad").name == "Munich"
    assert region_entity(REGISTRY, "i'm in quebec", "risk_suicide")["value"] == "CA-QC"
    assert region_entity(REGISTRY, "je suis au Québec", None)["value"] == "CA-QC"
    assert region_entity(REGISTRY, "/share_location", "share_location") is None


def test_each_region_has_a_poison_line_or_the_emergency_number():
    assert poison_help(REGISTRY, "CA", "ON") == "Ontario Poison Centre (call 1-844-764-7669)"
    assert "Centre antipoison" in poison_help(REGISTRY, "CA", "QC")
    assert poison_help(REGISTRY, "US", None) == "Poison Help (call 1-800-222-1222)"
    assert poison_help(REGISTRY, "CA", "NB") == "Emergency services (9-1-1)"


def test_someone_who_cannot_call_is_offered_only_ways_to_text_or_chat():
    options = text_options(REGISTRY, "CA", "ON")
    assert "text 9-8-8" in options and "text CONNECT to 686868" in options
    assert "call" not in options
    us = text_options(REGISTRY, "US", None)
    assert "text HOME to 741741" in us and "text START to 88788" in us


def test_crisis_variables_name_the_first_line_for_abuse_and_for_a_child():
    variables = crisis_template_variables(REGISTRY, "CA-ON")
    assert variables["crisis_line_abuse"].startswith("Assaulted Women's Helpline (call ")
    assert variables["crisis_line_child_abuse"].startswith("Kids Help Phone (call ")


def test_the_international_directory_must_be_a_checked_https_address(tmp_path):
    assert REGISTRY.international is not None and REGISTRY.international.url.startswith("https://")
    text = (REGISTRY.source_path.read_text(encoding="utf-8")
            .replace("url: https://findahelpline.com", "url: http://findahelpline.com"))
    path = tmp_path / "crisis_resources.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError, match="international.url"):
        load_registry(path)


def test_an_unsure_classifier_reads_a_message_placing_the_visitor_as_saying_where_they_are():
    from rasa.shared.nlu.training_data.message import Message

    from attune.nlu.region_component import RegionExtractor

    extractor = RegionExtractor(REGISTRY)
    unsure = Message({"text": "i'm in montreal, does that change anything",
                      "intent": {"name": "ask_counselling", "confidence": 0.31},
                      "intent_ranking": [{"name": "ask_counselling", "confidence": 0.31}]})
    sure = Message({"text": "i'm in montreal, how much is a session",
                    "intent": {"name": "ask_fees", "confidence": 0.9},
                    "intent_ranking": [{"name": "ask_fees", "confidence": 0.9}]})
    extractor.process([unsure, sure])
    assert unsure.get("intent")["name"] == "share_location"
    assert sure.get("intent")["name"] == "ask_fees"
    assert [e["value"] for e in sure.get("entities")] == ["CA-QC"]


@pytest.mark.parametrize("text,name", [
    ("I am back in Pune for my sister's wedding", "Pune"),
    ("hi po, I'm in Cebu now", "Cebu"),
    ("tonight it's bad. I'm in Joburg, found your site on google", "Joburg"),
])
def test_a_city_outside_the_registry_is_named_as_unknown(text, name):
    place = find_place(REGISTRY, text)
    assert place is not None and not place.covered and place.name == name


@pytest.mark.parametrize("text,code", [("we're in dublin, 911 wont work here sure it wont", "IE"),
                                       ("kia ora. we're in auckland", "NZ"), ("i live in ireland", "IE"),
                                       ("im in northern ireland", "GB-NIR")])
def test_ireland_and_new_zealand_have_their_own_lines(text, code):
    place = find_place(REGISTRY, text)
    assert place is not None and place.code == code and place.covered


@pytest.mark.parametrize("text, code", [
    ("me and my mum live in cork", "IE"),
    ("im out in gander, dont know if that matters", "CA-NL"),
    ("were on the rez near prince albert, sask", "CA-SK"),
])
def test_more_ways_of_saying_where_one_lives(text, code):
    place = find_place(REGISTRY, text)
    assert place is not None and place.code == code


def test_a_place_far_after_im_is_not_the_visitors():
    # Scotland's river is not in the registry; "a counselling place in canada" is the practice's.
    assert find_place(REGISTRY, "been stood on the bridge over the clyde. no really sure why im messaging "
                                "a counselling place in canada") is None


@pytest.mark.parametrize("text,code", [
    ("im in sydney not canada", "AU-NSW"),
    ("im in toronto not vancouver", "CA-ON"),
    ("not in ontario anymore, im in calgary now", "CA-AB"),
])
def test_a_place_named_after_not_is_where_the_visitor_is_not(text, code):
    # "im in sydney not canada" was answered with Ontario's lines ("canada" is the longer name).
    assert find_place(REGISTRY, text).code == code


def test_a_place_without_lines_before_not_is_still_the_visitors():
    place = find_place(REGISTRY, "im in delhi for holidays not canada")
    assert (place.code, place.name) == (UNKNOWN, "Delhi")


@pytest.mark.parametrize("text", ["im in sydney not canada", "im in texas btw", "we're in alberta if that matters",
                                  "i live in ohio", "im in delhi for holidays not canada"])
def test_a_message_that_only_says_where_the_visitor_is_is_a_place_statement(text):
    assert is_place_statement(REGISTRY, text)


@pytest.mark.parametrize("text", ["im on the roof in sydney", "im at the harbour bridge in sydney",
                                  "im in sydney and i want to die", "im in the car in ohio", "im in a dark place"])
def test_a_place_beside_anything_else_is_not_only_a_place(text):
    # The risk model's reading is set aside only for a bare place; a roof, a bridge or a wish
    # to die beside it is read as ever.
    assert not is_place_statement(REGISTRY, text)



def test_a_long_unsure_message_with_a_place_still_gets_that_places_lines():
    # "Im out in west texas. lost the job, trucks gettin repo'd friday. figure fridays as good
    # a day as any to be done": the risk model reads it just under its check-in, and an unsure
    # classifier took it for a greeting. The place's lines are what reach this visitor.
    from rasa.shared.nlu.training_data.message import Message

    from attune.nlu.region_component import RegionExtractor

    text = "Im out in west texas. lost the job, trucks gettin repo'd friday. figure fridays as good a day as any"
    unsure = Message({"text": text, "intent": {"name": "greet", "confidence": 0.3},
                      "intent_ranking": [{"name": "greet", "confidence": 0.3}]})
    RegionExtractor(REGISTRY).process([unsure])
    assert unsure.get("intent")["name"] == "share_location"


@pytest.mark.parametrize("text,code,name", [
    # A fisherman's first sentence; Toronto is where the practice is.
    ("newfoundland. you crowd are in toronto", "CA-NL", "Newfoundland and Labrador"),
    # Where she grew up is not where she is.
    ("I should mention I'm not in Toronto. I grew up in Ontario but I've been doing my PhD in Berlin "
     "for three years, so I'm not sure the numbers you gave apply here.", UNKNOWN, "Berlin"),
])
def test_the_place_the_visitor_is_in_not_the_practices_or_where_they_grew_up(text, code, name):
    place = find_place(load_registry(), text)
    assert place is not None and (place.code, place.name) == (code, name)


def test_where_the_practice_is_said_first_is_not_the_visitors_place():
    assert find_place(load_registry(), "y'all are in canada? so you cant do nothin for me anyway") is None


def _longest_known_by_every_name(stretch, registry):
    """The finder's first way: every known name's pattern tried on the stretch."""
    import re

    from attune.safety.regions import _unabbreviated, names

    lowered = " " + re.sub(r"\s+", " ", stretch.lower()) + " "
    best, best_length = None, 0
    for name, found in names(registry).items():
        name = _unabbreviated(name)
        if len(name) > best_length and re.search(r"(?<![\w.])" + re.escape(name) + r"(?![\w])", lowered):
            best, best_length = found, len(name)
    return best


@pytest.mark.parametrize("stretch", [
    "quebec", "quebec city", "st johns", "st john's", "new york city now", "la", "los angeles",
    "york", "washington dc", "victoria bc", "victoria", "  Fort   McMurray ", "b.c.", "bc.", "the uk",
    "northern ireland", "ireland", "hamilton nz", "hamilton", "london ontario", "london", "ontarioo",
    "a bad place", "", "québec", "montréal", "kelowna if that matters", "the states", "nyc or la",
])
def test_a_known_name_is_found_as_when_every_names_pattern_was_tried(stretch):
    from attune.safety.regions import _longest_known, _tables

    assert _longest_known(stretch, _tables(REGISTRY).known) == _longest_known_by_every_name(stretch, REGISTRY)


def test_a_registrys_names_are_gathered_once_and_another_registry_gets_its_own(monkeypatch):
    from attune.safety import regions

    gathered = []
    names = regions.names

    def counted(registry):
        gathered.append(registry)
        return names(registry)

    monkeypatch.setattr(regions, "names", counted)
    monkeypatch.setattr(regions, "_TABLES", {})
    for text in ("im in quebec", "vancouver", "i live in texas", "hello there"):
        find_place(REGISTRY, text)
    assert gathered == [REGISTRY]
    other = load_registry()
    assert find_place(other, "im in quebec").code == "CA-QC" and gathered == [REGISTRY, other]
    assert is_place_statement(other, "im in sydney not canada") and len(gathered) == 2


@pytest.mark.parametrize("text", ["Ya se durmió. Los niños también. Estoy sentada en la cocina.",
                                  "Hoy estoy un poco mejor, pero en la noche se pone peor."])
def test_spanish_en_la_is_not_los_angeles(text):
    # Writer AA (2026-12-05): a woman in Mississauga writing in Spanish was given the lines
    # for California, twice.
    assert find_place(REGISTRY, text) is None


@pytest.mark.parametrize("text, name", [
    ("im in a small town in kyrgyzstan for work, dont speak the language, dont think i can keep going", "Kyrgyzstan"),
    ("vuelvo a Monterrey el domingo. allá hay algo?", "Monterrey"),
])
def test_a_country_or_city_the_registry_has_no_lines_for_is_still_a_place(text, name):
    # Writer AG: both got Ontario's lines with no word of where to find local ones.
    place = find_place(REGISTRY, text)
    assert place is not None and place.code == UNKNOWN and place.name == name


@pytest.mark.parametrize("text", ["im going back to work tomorrow", "im with chad tonight"])
def test_going_back_to_work_or_a_first_name_is_no_place(text):
    assert find_place(REGISTRY, text) is None


def test_someone_elses_place_said_a_few_words_after_them_is_theirs():
    from attune.safety.regions import find_their_place

    said = ("bonjour, sorry my english. my mother is 84 and lives in montreal. a man who call himself "
            "her friend took all her savings")
    assert find_their_place(REGISTRY, said).code == "CA-QC"
    assert find_their_place(REGISTRY, "my sister and her kids live in the house") is None


@pytest.mark.parametrize("text, code", [
    ("im from kingston originally but living in leeds now. been hearing voices telling me to hurt myself", "GB-ENG"),
    ("I'm from Halifax but I live in Glasgow now", "GB-SCT"),
    ("im from cork", "IE"),
])
def test_where_the_visitor_lives_now_comes_before_where_they_are_from(text, code):
    # Writer AG: a visitor in Leeds "from kingston originally" got Ontario's lines.
    assert find_place(REGISTRY, text).code == code


@pytest.mark.parametrize("text, code", [
    ("Evening. I'm writing from Inverness. My partner is a retained firefighter", "GB-SCT"),
    ("I'm 88, widowed since Easter, living in a wee village in Fife.", "GB-SCT"),
    ("im 76 my son lives with me in Winnipeg he takes my pension cheque", "CA-MB"),
])
def test_places_said_the_way_older_visitors_say_them(text, code):
    # Writer AH: each got Ontario's lines.
    assert find_place(REGISTRY, text).code == code


@pytest.mark.parametrize("text", ["im writing from my phone", "im in north york"])
def test_writing_from_a_phone_is_no_place_and_north_york_is_toronto(text):
    place = find_place(REGISTRY, text)
    assert place is None or place.code == "CA-ON"


@pytest.mark.parametrize("text, code", [
    ("moved to detroit for my husband's job in the summer, don't know a single person", "US-MI"),
    ("lost my job, moved to calgary in may", "CA-AB"),
    ("Hello again. I wrote the other night from the Algarve. I've retired here", "unknown"),
    ("on vacation in puerto vallarta with my wife", "unknown"),
    ("long haul, parked at a rest area on the thruway near albany. wife texted shes filing", "US-NY"),
])
def test_places_said_the_way_people_type_them(text, code):
    # Writer AJ: the subject left out, a message written before, a rest area, a holiday town.
    assert find_place(REGISTRY, text).code == code


@pytest.mark.parametrize("text", ["my ex moved to alberta last year", "my sister just moved to calgary",
                                  "i just moved here from toronto", "llevar a cabo el plan es difícil",
                                  "parked in the driveway and cant go in"])
def test_someone_elses_move_or_a_place_left_is_not_where_the_visitor_is(text):
    place = find_place(REGISTRY, text)
    assert place is None or place.code == "CA-ON"


@pytest.mark.parametrize("text", ["im devon, 17", "im paisley and i live with my mom", "i'm in the highlands"])
def test_a_first_name_or_a_canadian_highland_is_not_a_uk_place(text):
    place = find_place(REGISTRY, text)
    assert place is None or not place.code.startswith("GB")


@pytest.mark.parametrize("text, code", [
    ("does 988 work in new york or is that only canada", "US-NY"),
    ("whats a crisis number in mexico anyway, my spanish is terrible", "unknown"),
    ("do those numbers work in BC too", "CA-BC"),
    ("are the numbers the same in the US?", "US"),
    ("whats the number there, 911 doesnt work in australia does it", "AU"),
    ("do they work in the states", "US"),
])
def test_a_place_named_in_a_question_about_the_lines(text, code):
    # Writer AJ: asked from Albany, Detroit and Puerto Vallarta, answered with Ontario's lines.
    # (A whole country after a state or province of it: the state stays, tests/unit/test_nlg.py.)
    from attune.safety.regions import find_asked_place

    assert find_asked_place(load_registry(), text).code == code


@pytest.mark.parametrize("text", ["do the lines work in the evening?", "is the number the same for the kids line",
                                  "my sister works in sales", "do your therapists work in the US?",
                                  "does insurance work in the states", "is it the same in BC for therapy fees"])
def test_no_place_in_other_questions_about_the_lines(text):
    from attune.safety.regions import find_asked_place

    assert find_asked_place(load_registry(), text) is None


@pytest.mark.parametrize("text", ["home in galway for my nan's funeral. everyone's in the pub and i'm down at the prom",
                                  "i'm back home in cork for the summer"])
def test_home_for_a_while_is_where_the_visitor_is(text):
    # Writer AK: a Toronto woman at the water in Galway got Ontario's lines.
    assert find_place(REGISTRY, text).code == "IE"


@pytest.mark.parametrize("text", ["my home in toronto is so quiet now", "i feel at home in my body again"])
def test_a_home_spoken_of_is_not_where_the_visitor_is(text):
    assert find_place(REGISTRY, text) is None


@pytest.mark.parametrize("text, code", [
    ("Wife found this website. Farm's near Rosetown, Saskatchewan. Crop's gone two years running", "CA-SK"),
    ("fisherman out of bay roberts newfoundland. season's shut", "CA-NL"),
    ("im 19, at school in austin texas. came out to my parents", "US-TX"),
])
def test_where_one_works_studies_or_farms_is_where_one_is(text, code):
    # Writer AL: said before any risk, these places were not read, and the crisis reply a turn
    # later gave Ontario's lines.
    assert find_place(REGISTRY, text).code == code


@pytest.mark.parametrize("text", ["im at school in the morning", "i work out of my car", "my house is near the lake"])
def test_no_place_where_none_is_named(text):
    assert find_place(REGISTRY, text) is None

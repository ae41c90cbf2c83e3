"""Risk written in French or Spanish gets the crisis reply; a message Attune cannot read gets
the lines; everyday French, Spanish and English are left alone."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from attune.nlu.risk_component import RiskDetectorComponent
from attune.safety.detector import RiskAssessment
from attune.safety.languages import FRENCH, SPANISH, UNREADABLE, language_of, risk_in


@pytest.mark.parametrize("text,category", [
    ("je veux mourir", "suicide"),
    ("Je ne veux plus vivre, je suis fatiguée de tout", "suicide"),
    ("je vais me suicider ce soir", "suicide"),
    ("j'ai envie d'en finir", "suicide"),
    ("je suis en train de me couper", "self_harm"),
    ("mon mari me frappe quand il boit", "abuse"),
    ("me quiero morir", "suicide"),
    ("ya no quiero vivir, estoy cansada", "suicide"),
    ("quiero quitarme la vida", "suicide"),
    ("mi esposo me pega", "abuse"),
    ("lo voy a matar cuando llegue", "harm_others"),
    ("je suis tannée de vivre honnêtement", "suicide"),
    ("j'en peux plus de vivre", "suicide"),
    ("estoy cansada de vivir", "suicide"),
    ("me tomé todas las pastillas de mi mamá", "suicide"),
    # Someone else at risk: the helper's reply, not the visitor's own crisis.
    ("mi hermana me escribió que se va a tomar todas sus pastillas", "third_party"),
    ("mi hijo dice que no quiere vivir", "third_party"),
    ("me corté otra vez y no sé qué hacer", "self_harm"),
    ("je me suis encore coupée hier soir", "self_harm"),
    ("ma fille m'a dit qu'elle veut mourir", "third_party"),
    ("mon chum dit qu'il va se tuer ce soir", "third_party"),
    ("mon gars de 15 ans m'a dit à soir qu'il voulait mourir", "third_party"),
    ("ya no aguanto, anoche pensé en colgarme en la bodega", "suicide"),
    ("des fois je pense à me pendre", "suicide"),
    ("j'ai passé la nuit assise sur le bord du bain avec les lames de mon rasoir", "self_harm"),
    # Something swallowed and the body in trouble: the emergency reply with the Poison Centre.
    ("j'ai pris des bonbons au cannabis sans le savoir, mon coeur bat trop vite, j'ai peur de mourir", "emergency"),
    ("me comí unas gomitas de mi hermano y el corazón me late muy rápido, tengo miedo de morir", "emergency"),
    # Mixed with English, as bilingual visitors write, and in slang or passive words.
    ("je me fais du mal again depuis qu'on a rompu", "self_harm"),
    ("j'ai envie de crever ce soir", "suicide"),
    ("je voudrais plus me réveiller", "suicide"),
    ("j'veux pu exister honnêtement", "suicide"),
    ("me quiero ir de este mundo", "suicide"),
    ("ojalá no despertar mañana", "suicide"),
    ("me hago daño cuando peleamos", "self_harm"),
    ("mi padrastro entra a mi cuarto en la noche and i dont know who to tell", "abuse"),
    ("mon beau-père vient dans ma chambre la nuit", "abuse"),
    ("mi ex me sigue a todas partes", "abuse"),
    ("he is outside, il a un couteau", "emergency"),
    ("mi papá tomó muchas pastillas y no despierta, what do i do", "emergency"),
    ("ma mère ne respire plus", "emergency"),
    ("le voy a hacer daño cuando lo vea", "harm_others"),
    ("Mi nieto de 5 años se comió unas gomitas de mi hijo, creo que tenían marihuana", "emergency"),
    ("Mon petit-fils de 3 ans a avalé des pilules de mon pilulier", "emergency"),
    ("Estoy pensando tomarlas todas esta noche", "suicide"),
    ("J'ai perdu le bébé il y a deux semaines. Je veux juste aller la rejoindre.", "suicide"),
    ("Mi esposo me empujó contra la pared otra vez esta noche", "abuse"),
    ("Mon père boit et quand il est saoul il frappe ma mère pis moi aussi. J'ai 12 ans.", "abuse"),
])
def test_core_risk_phrases_of_french_and_spanish_are_read(text, category):
    found = risk_in(text, None)
    assert found is not None and found[1] == category


@pytest.mark.parametrize("text", [
    "bonjour, je voudrais prendre un rendez-vous",
    "quiero hacer una cita con un terapeuta",
    "je suis mort de rire",
    "suicide prevention month at work",
    "i could kill him lol",
    "j'ai mangé trop de chocolat, mon coeur bat vite quand je cours",
    "j'ai pris le bus ce matin, j'avais peur d'être en retard",
    # Dying of heat, a dog that follows, sleeping late, a blocked nose.
    "je vais crever de chaud dans ce bureau",
    "mon chat me suit partout dans la maison",
    "mi perro me sigue a todas partes",
    "mi hijo no se despierta temprano nunca",
    "no respira bien por la nariz con el resfriado",
    # Meeting someone in town, a child who ate the pizza, "I don't want to die".
    "je vais la rejoindre à Laval demain",
    "mi hijo se comió toda la pizza",
    "no, no quiero morirme, tranquila",
])
def test_everyday_french_spanish_and_english_hold_no_such_phrase(text):
    assert risk_in(text, None) is None


@pytest.mark.parametrize("text,language", [
    ("bonjour, je voudrais prendre un rendez-vous avec vous", FRENCH),
    ("hola, quiero hacer una cita para la semana que viene", SPANISH),
    ("أريد أن أموت", UNREADABLE),
    ("我想死", UNREADABLE),
    ("i love him but he pulls away when i get close", None),
    ("ok", None),
    ("🙂🙂🙂", None),
])
def test_the_language_is_told_by_its_common_words_or_its_script(text, language):
    assert language_of(text) == language


class NoRisk:
    def assess(self, text: str) -> RiskAssessment:
        return RiskAssessment(None, None, "self", "current", ())

    assess_remembered = assess


def process(text: str) -> Message:
    config = {**RiskDetectorComponent.get_default_config(), "use_model": False}
    [message] = RiskDetectorComponent(config, None, None, detector=NoRisk()).process(
        [Message({"text": text, "intent": {"name": "greet", "confidence": 0.5},
                  "intent_ranking": [{"name": "greet", "confidence": 0.5}]})])
    return message


def languages(message: Message) -> list:
    return [e["value"] for e in message.get("entities") or [] if e["entity"] == "language"]


def test_a_french_risk_message_gets_the_crisis_reply_and_is_marked_french():
    message = process("je veux mourir, je n'en peux plus")
    assert message.get("intent")["name"] == "risk_suicide" and languages(message) == ["fr"]
    assert message.get("risk")["source"] == "language"


def test_a_message_attune_cannot_read_gets_the_lines():
    message = process("أريد أن أموت")
    assert message.get("intent")["name"] == "unreadable_language" and languages(message) == ["other"]


def test_everyday_spanish_is_marked_but_not_alarmed():
    message = process("hola, quiero hacer una cita para la semana que viene")
    assert message.get("intent")["name"] == "greet" and languages(message) == ["es"]


@pytest.mark.parametrize("text,expected", [
    ("on est à Gatineau", True), ("Abrió la puerta. Está hablando conmigo.", True),
    ("et si ça revient à soir?", True), ("on my way", False), ("i live in montréal", False),
    ("café with my ex", False), ("merci", False),
])
def test_short_french_and_spanish_messages_are_told_from_english(text, expected):
    from attune.safety.languages import maybe_french_or_spanish

    assert maybe_french_or_spanish(text) is expected


@pytest.mark.parametrize("text,language", [
    ("Honnêtement des fois je pense que ça serait mieux si on partait les deux.", "fr"),
    ("ils seraient mieux sans moi", "fr"),
    ("a veces pienso que mi familia estaría mejor sin mí.", "es"),
    ("sería mejor si me fuera para siempre", "es"),
])
def test_better_off_gone_in_french_and_spanish_is_suicide_risk(text, language):
    # A son caring alone for his father with Alzheimer's, a worker sending money home: read
    # as nothing, they got the practice's contact (during opening hours, without a line).
    assert risk_in(text) == (language, "suicide")


@pytest.mark.parametrize("text", ["ce serait mieux si on partait en vacances", "estaría mejor sin mi ex lol"])
def test_better_off_with_a_holiday_or_without_an_ex_is_not(text):
    assert risk_in(text) is None


@pytest.mark.parametrize("text,language", [
    ("encontré a mi hija de 15 en el baño con cortes en los brazos. ya no sangran mucho pero no sé qué hacer", "es"),
    ("mi hijo se corta desde hace meses", "es"),
    ("j'ai trouvé ma fille avec des coupures sur les bras", "fr"),
    ("elle se scarifie depuis un an", "fr"),
])
def test_a_parent_who_found_their_child_cutting_in_french_or_spanish_is_someone_elses_risk(text, language):
    # A mother in Spanish got "I'm not sure I understood" for finding her daughter's cuts.
    assert risk_in(text) == (language, "third_party")


@pytest.mark.parametrize("text", ["me corté el pelo ayer", "il se coupe les cheveux tout seul",
                                  "se cortó el dedo cocinando", "elle se coupe une frange"])
def test_a_haircut_or_a_kitchen_cut_is_not(text):
    assert risk_in(text) is None


def test_a_core_phrase_wins_over_the_models_own_reading_but_not_over_danger_now_or_the_word_lists():
    from attune.nlu.risk_component import _other_language

    text = "hola my english no good. mi hermana dice que se va a cortar, she have the knife now in the kitchen"
    # The model read the visitor's own harm to others: the sister's risk, said in Spanish.
    assert _other_language(Message({"text": text}), text, "risk_harm_others", {"source": "model"}) == "risk_third_party"
    assert _other_language(Message({"text": text}), text, "risk_emergency", {"source": "model"}) == "risk_emergency"
    assert _other_language(Message({"text": text}), text, "risk_harm_others", {}) == "risk_harm_others"


def test_danger_now_from_a_husband_in_spanish_keeps_her_abuse_for_the_replies_after():
    # Writer X's x29 (2026-12-05 reading): the emergency reply came, but every turn after
    # ("llegó la policía", "hay un lugar para mí y mi hija esta noche?") lost the abuse line.
    from attune.nlu.risk_component import _facts

    text = "mi esposo tiene un cuchillo y dice que me va a matar. estoy encerrada en el baño"
    assert ("abuse_seen", "adult") in _facts(text, "risk_emergency", None, [])
    assert ("abuse_seen", "adult") not in _facts("mi perro me sigue a todas partes y tengo miedo", "risk_emergency",
                                                  None, [])

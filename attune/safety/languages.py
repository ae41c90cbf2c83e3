"""Risk written in French or Spanish, and messages Attune cannot read. Pure Python.

Attune's readers (the word lists and the risk model) read English. In Canada 9-8-8 also
answers in French, and in the US 988 in Spanish, so a visitor who writes "je veux mourir" or
"me quiero morir" must get the crisis lines at once, with a short note in their language.
`language_of` tells French and Spanish (and text that is neither English nor either of them,
such as another script) from English by their most common words; `risk_in` knows the core
risk phrases of both languages, reviewed like the English word lists: plain statements of a
wish to die or to end one's life, self-harm, being hit, threatened or raped, and threats to
kill. They are deliberately few and plain; anything subtler in these languages is beyond
Attune, and the README says so.

A message in a language Attune cannot read at all gets the lines with a note in English
(`UNREADABLE`): it cannot be checked for risk, so help is shown rather than guessed at.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Dict, List, Optional, Tuple

FRENCH, SPANISH, UNREADABLE = "fr", "es", "other"

_FRENCH_WORDS = frozenset("""
je j tu il elle nous vous ils elles suis es est sommes êtes sont ai as avons avez ont pas ne
n plus me m te t se s mon ma mes ton ta tes son sa ses le la les l des du un une et ou mais
donc car que qu qui quoi pour dans avec sans sur chez ce c cet cette ça cela très trop veux
veut peux peut dois fait faire été être avoir mourir vie jour jours nuit encore toujours
jamais rien personne aussi comme quand parce aujourd hui ici voilà oui non merci bonjour
soir maintenant parti partie arrivé arrivée maison fille fils enfants bébé dit où lieu
""".split())
_SPANISH_WORDS = frozenset("""
yo tú tu él ella nosotros ustedes ellos ellas soy eres es somos son estoy estás está estamos
están he has ha hemos han no ya me te se mi mis tu tus su sus el la los las lo un una unos
unas y o pero que qué quien para por con sin sobre muy más quiero quiere puedo puede tengo
tiene hacer vida día días noche todavía siempre nunca nada nadie también como cuando porque
aquí hoy sí gracias hola del al
fue ido llegó llegaron llevaron policía ahora esta este esto eso otra otro vez mañana voy vamos
hija hijo hijos niños casa lugar dijo donde dónde cuchillo llorando tengo
""".split())
_ENGLISH_WORDS = frozenset("""
i i'm im me my mine you your he she it we they them his her their is am are was were be been
have has had do does did not no don't can't the a an and or but so if to of in on at for with
from about this that what why how when where who just want feel like know think really
""".split())
# Words both languages share with each other or with English; they tell nothing.
_SHARED = frozenset({"me", "no", "a", "se", "te", "la", "tu", "es", "un", "de", "en", "y", "o",
                     "si", "he", "has", "ha", "son", "ne", "ma", "lo", "mi", "al", "con", "on"})

# Not a cut to oneself: hair, a finger in the kitchen, shaving ("me corte el pelo", "il se
# coupe les cheveux", "se corto el dedo cocinando").
_NOT_A_WOUND = (r"(?!\s+(?:(?:el|la|los|las|les|le|un|une|una|mon|ma|mes|mi|mis|sa|ses|su|sus|au|al) )?"
                r"(?:pelo|cabello|flequillo|barba|unas|dedo|dedos|cheveux|frange|barbe|ongles|doigt|doigts|"
                r"cuisinant|cocinando|afeitandome|afeitandose|cocina|cuisine|rasant))")

# Core risk phrases, on accent-free lower-case text. Each: (pattern, category).
_FR: List[Tuple[str, str]] = [
    # Someone else at risk (il/elle veut, va se...), before the first-person phrases.
    (r"\b(?:il|elle|qu'il|qu'elle) (?:veut|va|voudrait|pense a|parle de) (?:se (?:tuer|suicider)|mourir|en finir|mettre fin a ses jours)\b", "third_party"),
    (r"\b(?:il|elle) (?:ne )?veut (?:plus|pas) vivre\b", "third_party"),
    (r"\b(?:il|elle|qu'il|qu'elle) (?:veut|va) se (?:couper|blesser|faire du mal|scarifier)\b", "third_party"),
    # "j'ai trouve ma fille avec des coupures sur les bras", "mon fils se scarifie".
    (r"\b(?:avec|a|avait|vu) (?:des|plein de|plusieurs) (?:coupures|entailles|cicatrices fraiches) "
     r"(?:sur|aux) (?:les|ses|le|son) ?(?:bras|poignets?|cuisses?|jambes?|ventre)\b"
     r"|\b(?:il|elle) se (?:coupe|scarifie|mutile|fait du mal expres|est coupee? expres|est scarifiee?)\b" + _NOT_A_WOUND,
     "third_party"),
    # Reported speech: "mon gars m'a dit qu'il voulait mourir".
    (r"\b(?:qu'il|qu'elle|il|elle) (?:voulait|voudrait|veut|allait) (?:se (?:tuer|suicider)|mourir|en finir)\b", "third_party"),
    (r"\b(?:il|elle) (?:a pris|va prendre) (?:toutes? ses|tous ses) (?:pilules|comprimes|medicaments)\b", "third_party"),
    (r"\b(?:me suicider|suicidaire)\b", "suicide"),
    (r"\b(?:veux|vais|envie de|pense a|pense a me|voudrais|aimerais) (?:me )?(?:tuer|mourir|disparaitre pour toujours)\b", "suicide"),
    (r"\bme tuer\b", "suicide"),
    # Methods: "me pendre", "me jeter d'un pont", "sauter du pont".
    (r"\b(?:me pendre|me jeter (?:d'un|du|de la|sous|devant)|sauter (?:d'un|du|de la) (?:pont|toit|balcon|falaise|edifice))\b", "suicide"),
    (r"\ben finir\b", "suicide"),
    (r"\bmettre fin a (?:mes jours|ma vie)\b", "suicide"),
    (r"\b(?:plus envie de vivre|veux plus vivre|veux pas vivre|ne veux plus etre la|marre de vivre)\b", "suicide"),
    (r"\b(?:tanne|tannee|fatigue|fatiguee|ecoeure|ecoeuree|epuise|epuisee) de vivre\b", "suicide"),
    # Better off gone: "des fois je pense que ca serait mieux si on partait les deux" (a son
    # caring alone for his father), "ils seraient mieux sans moi".
    (r"\b(?:serait|seraient|serais|serions) (?:bien )?mieux (?:pour (?:tout le monde|eux|lui|elle|ma famille) )?si "
     r"(?:je|on|j'|nous) ?(?:(?:partais|partait|partions)(?=\s*(?:$|[.!?,;]|les deux|tous les deux|toutes les deux|"
     r"pour de bon|pour toujours|ensemble))|mourais|mourait|mourions|disparaissais|disparaissait|"
     r"n'etais plus la|etais plus la|n'etait plus la|etais mort|etait morts?)\b", "suicide"),
    (r"\b(?:serait|seraient|serais|seront|sera) (?:bien )?mieux sans moi(?=\s*(?:$|[.!?,;]|et\b))", "suicide"),
    (r"\b(?:en peux plus de vivre|peux plus vivre)\b", "suicide"),
    (r"\b(?:me faire du mal|me mutiler|me scarifier|me couper|je me coupe|je me scarifie|je me brule)\b", "self_harm"),
    (r"\bje me (?:fais|refais) (?:encore |souvent |toujours |parfois )?(?:du mal|mal expres)\b", "self_harm"),
    # Joining someone who died: "je veux juste aller la rejoindre" (not "la rejoindre a Laval").
    (r"\b(?:veux|vais|voudrais|aimerais|pense a|envie d'|envie de) (?:juste )?(?:aller )?(?:la|le|les) rejoindre\b"
     r"(?!\s+(?:a|au|aux|en|chez|dans|pour|ce soir a|demain a)\b)", "suicide"),
    (r"\b(?:les|toutes? les|toute la boite de|tous mes|toutes mes) (?:prendre|avaler) (?:toutes|tous|d'un coup)\b"
     r"|\bprendre (?:toute la boite|toutes mes pilules|tous mes comprimes)\b", "suicide"),
    # A child who swallowed something: "mon petit-fils de 3 ans a avale des pilules".
    (r"\b(?:bebe|enfant|fils|fille|petit-fils|petite-fille|garcon|petit|petite)\b.{0,40}?\b(?:a avale|a mange|a bu)\b"
     r".{0,40}?\b(?:pilules?|comprimes?|medicaments?|cachets?|javel|pods?|capsules?|produit|pile|bouton)\b", "emergency"),
    # Slang and passive wishes: "j'ai envie de crever" (not "crever de faim"), "me foutre en
    # l'air", "je voudrais plus me reveiller", "je veux pu exister".
    (r"\b(?:envie de|je veux|j'veux|je vais) crever\b(?!\s+(?:de|d'|la|le|les|l'))"
     r"|\bme (?:foutre en l'air|flinguer|tirer une balle)\b"
     r"|\b(?:voudrais|veux|aimerais) (?:ne )?(?:plus|pu|jamais) me reveiller\b"
     r"|\b(?:je|j') ?(?:ne )?veux (?:plus|pu|pus) (?:exister|etre la|etre ici)\b", "suicide"),
    (r"\b(?:mon (?:beau-?pere|oncle|grand-?pere|cousin|entraineur|coach|prof)|le (?:chum|copain) de ma mere) "
     r"(?:me touche|m'a touchee?|vient dans ma chambre (?:la nuit|le soir))\b"
     r"|\bme force a (?:coucher|avoir des relations|faire des choses)\b"
     r"|\b(?:il|elle) (?:m'etrangle|m'a etranglee?)\b"
     r"|\b(?:mon ex|il|elle|un homme|un gars|quelqu'un) me suit partout\b", "abuse"),
    (r"\b(?:il|elle|mon \w+|ma \w+) (?:ne )?(?:respire|se reveille) (?:plus|pas)\b(?!\s+(?:par le nez|bien|tot|avant))"
     r"|\b(?:il|elle) (?:a|tient|a sorti) (?:un couteau|une arme|un fusil|un pistolet)\b", "emergency"),
    (r"\bje me suis (?:encore )?(?:coupee?|scarifiee?|fait du mal|brulee? expres)\b", "self_harm"),
    # The means at hand: "assise sur le bord du bain avec les lames de mon rasoir".
    (r"\b(?:avec|prendre|pris|sorti|sortie) (?:les|la|une|des|mes|ma) lames? (?:de (?:mon |ma )?rasoir)?\b|\blames? de rasoir\b", "self_harm"),
    # Hit just now: "il vient de me frapper" (writer AE): danger now, and her abuse.
    (r"\b(?:il|elle|mon mari|ma femme|mon copain|ma copine|mon conjoint|ma conjointe|mon pere|ma mere|mon ex|mon chum) "
     r"vient de me (?:frapper|battre|pousser|gifler|violer|etrangler)\b", "emergency"),
    (r"\b(?:il|elle|mon mari|ma femme|mon copain|ma copine|mon conjoint|ma conjointe|mon pere|ma mere|mon ex) (?:me frappe|me bat|m'a frappee?|m'a battue?|me menace|me viole|m'a violee?|vient de me (?:frapper|battre|pousser|gifler|violer|etrangler))\b", "abuse"),
    (r"\b(?:me frappe|me bat|m'a violee?|j'ai ete violee?|agression sexuelle|violence conjugale|me menace de (?:me )?tuer)\b", "abuse"),
    # "il frappe ma mere pis moi aussi", "il nous frappe", "il m'a poussee contre le mur".
    (r"\b(?:il|elle) (?:frappe|bat) (?:ma mere|maman|mon pere|papa|ma soeur|mon frere)\b.{0,30}?\bmoi\b"
     r"|\b(?:il|elle) nous (?:frappe|bat)\b|\bm'a poussee? (?:contre|dans|par terre)\b", "abuse"),
    (r"\b(?:je vais|je veux|envie de) (?:le|la|les) tuer\b", "harm_others"),
    # A parent at the edge: "mon bebe pleure depuis 4 heures et j'ai envie de le secouer".
    (r"\b(?:envie de|peur de|vais|veux|pourrais|je vais finir par) (?:le|la|les) secouer\b"
     r"|\bsecouer (?:le|mon|ma|notre) (?:bebe|enfant|fils|fille|petit|petite)\b", "harm_others"),
    # The body in trouble after something swallowed: "j'ai mange plusieurs jujubes au cannabis
    # [...] mon coeur bat trop vite, j'ai peur de mourir".
    (r"\b(?:j'ai (?:mange|pris|avale|bu))\b.{0,120}?\b(?:coeur bat trop (?:vite|fort)|peur de mourir|"
     r"(?:je )?(?:respire|arrive pas a respirer) (?:mal|plus)|vais mourir|je me sens partir)\b", "emergency"),
]
_ES: List[Tuple[str, str]] = [
    # Someone else at risk (se quiere matar, se va a tomar...), before the first-person phrases.
    (r"\b(?:se quiere|se va a) (?:matar|suicidar|morir|quitar la vida|cortar|lastimar|hacer dano)\b", "third_party"),
    # Someone else who cuts: "encontre a mi hija de 15 en el bano con cortes en los brazos",
    # "mi hijo se corta".
    (r"\b(?:con|tiene|tenia|tenian|vi|le vi) (?:unos |varios |muchos )?cortes en (?:los|sus|el|su) "
     r"(?:brazos?|munecas?|piernas?|muslos?|panza|estomago)\b"
     r"|\bse (?:corta|corto|esta cortando|ha cortado|lastima a proposito|hace dano a proposito)\b" + _NOT_A_WOUND,
     "third_party"),
    # Better off without me: "a veces pienso que mi familia estaria mejor sin mi".
    (r"\b(?:estaria|estarian|estarias|seria|serian|quedaria|quedarian) (?:mucho )?mejor sin mi(?=\s*(?:$|[.!?,;]|y\b))", "suicide"),
    (r"\bseria (?:mucho )?mejor si (?:yo )?(?:me muriera|me fuera para siempre|no estuviera|desapareciera)\b", "suicide"),
    (r"\b(?:quiere|va a) (?:matarse|suicidarse|morirse|quitarse la vida)\b", "third_party"),
    (r"\bno quiere (?:vivir|seguir viviendo)\b", "third_party"),
    (r"\b(?:se va a tomar|se tomo|va a tomarse|se quiere tomar) (?:todas (?:sus|las)|todo el frasco|un monton de|muchas) (?:\w+ )?(?:pastillas|pildoras|tabletas)\b", "third_party"),
    (r"\b(?:suicidarme|suicidio|suicida)\b", "suicide"),
    # Not "no, no quiero morirme, tranquila".
    (r"(?<!\bno )(?<!\bnunca )\b(?:me quiero morir|quiero morir(?:me)?|quiero matarme|voy a matarme|me voy a matar)\b"
     r"|(?<!\bno )(?<!\bno quiero )(?<!\bno voy a )\bmatarme\b", "suicide"),
    (r"\b(?:quitarme la vida|acabar con mi vida|terminar con mi vida|no quiero vivir|ya no quiero vivir|no quiero seguir viviendo)\b", "suicide"),
    (r"\b(?:cansad[oa]|harta|harto) de vivir\b", "suicide"),
    # Methods: "anoche pense en colgarme", "tirarme del puente", "ahorcarme".
    (r"\b(?:colgarme|ahorcarme|me voy a colgar|me quiero colgar|me voy a ahorcar|"
     r"(?:tirarme|aventarme|lanzarme) (?:de un|del|desde el|desde un|de la|al|a las|bajo (?:un|el)) ?"
     r"(?:puente|edificio|balcon|azotea|techo|tren|metro|vias|camion|carro|piso \d+))\b", "suicide"),
    (r"\bme tome (?:todas (?:las|mis)|todo el frasco de|un monton de|muchas|varias|\d+) (?:\w+ )?(?:pastillas|pildoras|tabletas)\b", "suicide"),
    (r"\b(?:hacerme dano|me corto|cortarme|me lastimo|lastimarme|me quemo a proposito)\b", "self_harm"),
    (r"\b(?:me hago dano|me estoy cortando|me sigo cortando|me volvi a lastimar)\b"
     # "estoy cortandome otra vez" (writer Z6): the pronoun after the verb.
     r"|\b(?:estoy|sigo|volvi a|empece a) (?:cortandome|lastimandome|quemandome|haciendome dano)\b", "self_harm"),
    (r"\b(?:tomarmelas|tomarlas|tomarme|tragarmelas|tragarme) todas\b|\bpensando (?:en )?tomar(?:me|las|melas)? todas\b"
     r"|\btomarme (?:todo el frasco|toda la caja)\b", "suicide"),
    # A child who swallowed something: "mi nieto de 5 anos se comio unas gomitas".
    (r"\b(?:bebe|nino|nina|hijo|hija|nieto|nieta|nene|nena)\b.{0,40}?\b(?:se comio|se tomo|se trago|se bebio|comio|trago|bebio)\b"
     r".{0,40}?\b(?:pastillas|pildoras|gomitas|medicinas?|cloro|detergente|veneno|capsulas|pilas?|tabletas)\b", "emergency"),
    # Passive wishes and slang: "me quiero ir de este mundo", "ojala no despertar".
    (r"\b(?:irme de este mundo|(?:me quiero|me voy a) ir de este mundo|desaparecer para siempre|dejar de existir|no quiero existir|mejor me muero|"
     r"ya no quiero estar aqui|me quiero aventar|no quiero despertar(?:me)?|ojala no despertar(?:a)?)\b", "suicide"),
    (r"\b(?:padrastro|tio|abuelo|primo|entrenador|profesor|maestro|novio de mi (?:mama|madre)) "
     r"(?:me toca|me toco|me manosea|entra (?:a|en) mi (?:cuarto|recamara|habitacion) (?:en|por) la noche|se mete (?:a|en) mi cama)\b"
     r"|\bme obliga a (?:tener relaciones|hacer cosas|acostarme)\b|\bme (?:ahorca|estrangula|estrangulo)\b"
     r"|\b(?:mi ex|el|ella|un hombre|un tipo|alguien) me sigue a todas partes\b", "abuse"),
    (r"\b(?:le voy a hacer dano|quiero hacerle dano|voy a lastimarl[oa]|la voy a lastimar|lo voy a lastimar)\b", "harm_others"),
    # A fall and no answer: "mi mama se cayo y no responde" (writer AE).
    (r"\bse (?:cayo|desmayo|desplomo)\b.{0,30}?\bno (?:responde|reacciona|contesta|despierta|habla)\b", "emergency"),
    (r"\bno (?:se )?(?:despierta|respira|reacciona)\b(?!\s+(?:temprano|a tiempo|antes|hasta|bien|por la nariz))"
     r"|\b(?:tiene|saco) (?:un cuchillo|una pistola|un arma|un machete)\b", "emergency"),
    (r"\b(?:me corte|me he cortado|me volvi a cortar|me hice dano|me queme a proposito)\b" + _NOT_A_WOUND, "self_harm"),
    (r"\b(?:me pega|me golpea|me golpeo|me pego|me viola|me violo|me violaron|me amenaza con matarme|me va a matar|violencia domestica|abuso sexual)\b", "abuse"),
    # An elder's money taken and her door locked: "Mi hijo me quita el dinero y me encierra en
    # mi cuarto" (writer Z6).
    (r"\b(?:me quita|me quito|me quitan|me quitaron|me roba|me robo|se queda con) (?:el|mi|todo mi|todo el) (?:dinero|pension|sueldo)\b"
     r"|\bme (?:encierra|encierran|encerro|encerraron) en (?:mi|el|la|su) (?:cuarto|habitacion|recamara|casa|sotano)\b", "abuse"),
    (r"\b(?:me empujo|me empuja|me aventó|me avento|me jalo del pelo|me jala del pelo|me tiro al piso|me pateo|me patea)\b", "abuse"),
    (r"\b(?:lo voy a matar|la voy a matar|voy a matarlo|voy a matarla|quiero matarlo|quiero matarla)\b", "harm_others"),
    (r"\b(?:ganas de|miedo de|voy a|quiero) (?:sacudirl[oa]|zarandearl[oa])\b"
     r"|\b(?:sacudir|zarandear) (?:al|a mi|a la) (?:bebe|nino|nina|hijo|hija|nena|nene)\b", "harm_others"),
    (r"\b(?:me tome|comi|tome|trague)\b.{0,120}?\b(?:corazon (?:late|va) demasiado (?:rapido|fuerte)|miedo de morir|"
     r"me voy a morir|no puedo respirar)\b", "emergency"),
]
_PATTERNS: Dict[str, List[Tuple["re.Pattern[str]", str]]] = {
    FRENCH: [(re.compile(p), c) for p, c in _FR],
    SPANISH: [(re.compile(p), c) for p, c in _ES],
}
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
MAX_CHARS = 4000


def plain(text: str) -> str:
    """Lower case, accents removed, apostrophes straightened."""
    text = text[:MAX_CHARS].replace("’", "'").lower()
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _latin_share(text: str) -> float:
    letters = [c for c in text[:MAX_CHARS] if c.isalpha()]
    if not letters:
        return 1.0
    latin = sum(1 for c in letters if "LATIN" in unicodedata.name(c, ""))
    return latin / len(letters)


def language_of(text: str) -> Optional[str]:
    """FRENCH, SPANISH, UNREADABLE, or None for English (or too little to tell)."""
    letters = sum(1 for c in text[:MAX_CHARS] if c.isalpha())
    if letters >= 2 and _latin_share(text) < 0.5:
        return UNREADABLE
    words = [w.split("'")[0] for w in _WORD.findall(text[:MAX_CHARS].lower())]
    if len(words) < 3:
        return None
    english = sum(1 for w in words if w in _ENGLISH_WORDS and w not in _SHARED)
    french = sum(1 for w in words if w in _FRENCH_WORDS and w not in _SHARED)
    spanish = sum(1 for w in words if w in _SPANISH_WORDS and w not in _SHARED)
    best, count = max(((FRENCH, french), (SPANISH, spanish)), key=lambda pair: pair[1])
    if count >= 2 and count >= 0.4 * len(words) and count > english and count > min(french, spanish):
        return best
    return None


_ACCENTED = re.compile(r"[áéíóúñàèùçâêîôûëïü¿¡]", re.IGNORECASE)


def maybe_french_or_spanish(text: str) -> bool:
    """A looser `language_of` for short messages: French or Spanish words and no English
    ones, with an accent or two such words ("on est à Gatineau", "Abrió la puerta")."""
    if language_of(text) in (FRENCH, SPANISH):
        return True
    words = [w.split("'")[0] for w in _WORD.findall(text[:MAX_CHARS].lower())]
    if len(words) < 2 or any(w in _ENGLISH_WORDS and w not in _SHARED for w in words):
        return False
    foreign = sum(1 for w in words if (w in _FRENCH_WORDS or w in _SPANISH_WORDS) and w not in _SHARED)
    return foreign >= 2 or (foreign >= 1 and bool(_ACCENTED.search(text[:MAX_CHARS])))


def risk_in(text: str, language: Optional[str] = None) -> Optional[Tuple[str, str]]:
    """(language, risk category) of the first core risk phrase of French or Spanish found in
    a message (both are tried when `language` is None: a short "me quiero morir" is too short
    to tell by its words), or None."""
    languages = [language] if language in _PATTERNS else list(_PATTERNS)
    flat = plain(text)
    for name in languages:
        for pattern, category in _PATTERNS[name]:
            if pattern.search(flat):
                return name, category
    return None


def abuse_in(text: str) -> bool:
    """Whether any core French or Spanish phrase of abuse of the writer is in a message, even
    where another reading came first ("mi esposo tiene un cuchillo y dice que me va a matar"
    is danger now, and her abuse: the replies after it keep the abuse line)."""
    flat = plain(text)
    return any(category == "abuse" and pattern.search(flat)
               for patterns in _PATTERNS.values() for pattern, category in patterns)

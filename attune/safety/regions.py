"""Where a visitor says they are, so that the crisis lines shown are theirs. Pure Python.

A visitor to a Toronto practice may be in Quebec, in Texas or in Ireland. When they say so
("i'm in quebec", "i live in texas", "we're in the uk", or just "vancouver"), `find_place`
names the region in the crisis registry's codes ("CA-QC", "US-TX", "GB"); the Rasa side
(attune/nlu/region_component.py) turns that into the `visitor_region` slot, and every later
reply lists that region's lines (attune/nlg.py).

It reads a place only where the visitor places themselves: after "I'm in", "I live in",
"we're in", "I'm from", "based in", "here in", or as a short message that is only a place.
"My ex moved to Alberta" leaves the region alone.
A place the registry does not cover is reported as `UNKNOWN` when the visitor clearly named
one ("i'm in germany"): the reply then says plainly that there are no lines for it and
offers the international directory.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, FrozenSet, Iterator, List, Optional, Sequence, Tuple

from attune.safety.resources import Registry

UNKNOWN = "unknown"

# Other names people use for the registry's countries and regions. Codes are the registry's.
COUNTRY_ALIASES: Dict[str, str] = {
    "canada": "CA", "usa": "US", "u.s.": "US", "u.s.a.": "US", "united states": "US",
    "the states": "US", "america": "US", "the us": "US", "uk": "GB", "the uk": "GB",
    "u.k.": "GB", "united kingdom": "GB", "britain": "GB", "great britain": "GB",
    "australia": "AU", "oz": "AU", "republic of ireland": "IE", "roi": "IE", "éire": "IE", "eire": "IE",
    "nz": "NZ", "aotearoa": "NZ",
}
SUBDIVISION_ALIASES: Dict[str, str] = {
    # Canada
    "bc": "CA-BC", "b.c.": "CA-BC", "sask": "CA-SK", "nfld": "CA-NL", "newfoundland": "CA-NL",
    "labrador": "CA-NL", "pei": "CA-PE", "p.e.i.": "CA-PE", "nwt": "CA-NT", "quebec city": "CA-QC",
    "québec": "CA-QC", "toronto": "CA-ON", "ottawa": "CA-ON", "hamilton": "CA-ON",
    "mississauga": "CA-ON", "london ontario": "CA-ON", "montreal": "CA-QC", "montréal": "CA-QC",
    "gatineau": "CA-QC", "vancouver": "CA-BC", "victoria bc": "CA-BC", "calgary": "CA-AB",
    "edmonton": "CA-AB", "winnipeg": "CA-MB", "regina": "CA-SK", "saskatoon": "CA-SK",
    "halifax": "CA-NS", "fredericton": "CA-NB", "moncton": "CA-NB", "st. john's": "CA-NL",
    "charlottetown": "CA-PE", "whitehorse": "CA-YT", "yellowknife": "CA-NT", "iqaluit": "CA-NU",
    "kelowna": "CA-BC", "kamloops": "CA-BC", "nanaimo": "CA-BC", "prince george": "CA-BC",
    "surrey": "CA-BC", "burnaby": "CA-BC", "abbotsford": "CA-BC", "fort st. john": "CA-BC",
    "fort mcmurray": "CA-AB", "fort mac": "CA-AB", "fort mcmoney": "CA-AB", "red deer": "CA-AB",
    "lethbridge": "CA-AB", "medicine hat": "CA-AB", "grande prairie": "CA-AB", "lloydminster": "CA-AB",
    "moose jaw": "CA-SK", "prince albert": "CA-SK", "swift current": "CA-SK", "yorkton": "CA-SK",
    "north battleford": "CA-SK", "estevan": "CA-SK", "kindersley": "CA-SK", "weyburn": "CA-SK",
    "brandon": "CA-MB", "thompson manitoba": "CA-MB", "steinbach": "CA-MB", "the pas": "CA-MB",
    "thunder bay": "CA-ON", "sudbury": "CA-ON", "sault ste. marie": "CA-ON", "the soo": "CA-ON",
    "kingston": "CA-ON", "windsor": "CA-ON", "kitchener": "CA-ON", "waterloo": "CA-ON",
    "guelph": "CA-ON", "barrie": "CA-ON", "oshawa": "CA-ON", "brampton": "CA-ON", "markham": "CA-ON",
    "north bay": "CA-ON", "timmins": "CA-ON", "kenora": "CA-ON", "peterborough": "CA-ON",
    "sherbrooke": "CA-QC", "trois-rivières": "CA-QC", "trois-rivieres": "CA-QC", "saguenay": "CA-QC",
    "rimouski": "CA-QC", "laval": "CA-QC", "longueuil": "CA-QC", "rouyn-noranda": "CA-QC",
    "saint john": "CA-NB", "dartmouth": "CA-NS", "cape breton": "CA-NS", "truro": "CA-NS",
    "corner brook": "CA-NL", "gander": "CA-NL", "inuvik": "CA-NT", "hay river": "CA-NT",
    "rankin inlet": "CA-NU", "dawson city": "CA-YT", "st. johns": "CA-NL", "grand falls": "CA-NL",
    "clarenville": "CA-NL", "pictou": "CA-NS",
    "new glasgow": "CA-NS", "antigonish": "CA-NS", "yarmouth": "CA-NS", "summerside": "CA-PE",
    # United States
    "nyc": "US-NY", "new york city": "US-NY", "los angeles": "US-CA", "l.a.": "US-CA",
    "san francisco": "US-CA", "chicago": "US-IL", "houston": "US-TX", "dallas": "US-TX",
    "austin": "US-TX", "miami": "US-FL", "seattle": "US-WA", "boston": "US-MA",
    "philadelphia": "US-PA", "atlanta": "US-GA", "phoenix": "US-AZ", "denver": "US-CO",
    # Where Canadians spend the winter ("We're down in Fort Myers for the winter").
    "fort myers": "US-FL", "naples florida": "US-FL", "sarasota": "US-FL", "fort lauderdale": "US-FL",
    "west palm beach": "US-FL", "daytona": "US-FL", "daytona beach": "US-FL", "clearwater": "US-FL",
    "st petersburg florida": "US-FL", "scottsdale": "US-AZ", "mesa arizona": "US-AZ", "yuma": "US-AZ",
    "palm springs": "US-CA", "myrtle beach": "US-SC", "toledo": "US-OH",
    "detroit": "US-MI", "albany": "US-NY", "washington dc": "US-DC", "washington d.c.": "US-DC", "dc": "US-DC",
    "buffalo": "US-NY", "brooklyn": "US-NY", "manhattan": "US-NY", "san antonio": "US-TX",
    "san diego": "US-CA", "portland oregon": "US-OR", "minneapolis": "US-MN", "las vegas": "US-NV",
    "nashville": "US-TN", "new orleans": "US-LA", "orlando": "US-FL", "tampa": "US-FL",
    "el paso": "US-TX", "fort worth": "US-TX", "minot": "US-ND", "fargo": "US-ND", "bismarck": "US-ND",
    "sioux falls": "US-SD", "billings": "US-MT", "boise": "US-ID", "spokane": "US-WA",
    "albuquerque": "US-NM", "tucson": "US-AZ", "salt lake city": "US-UT", "omaha": "US-NE",
    "st. louis": "US-MO", "milwaukee": "US-WI", "cleveland": "US-OH", "columbus ohio": "US-OH",
    "cincinnati": "US-OH", "pittsburgh": "US-PA", "indianapolis": "US-IN", "louisville": "US-KY",
    "memphis": "US-TN", "charlotte": "US-NC", "raleigh": "US-NC", "baltimore": "US-MD",
    "anchorage": "US-AK", "honolulu": "US-HI", "sacramento": "US-CA", "oklahoma city": "US-OK",
    "tulsa": "US-OK", "des moines": "US-IA", "kansas city": "US-MO", "rochester ny": "US-NY",
    # United Kingdom
    "england": "GB-ENG", "scotland": "GB-SCT", "wales": "GB-WLS", "northern ireland": "GB-NIR",
    "london": "GB-ENG", "manchester": "GB-ENG", "birmingham": "GB-ENG", "glasgow": "GB-SCT",
    "edinburgh": "GB-SCT", "cardiff": "GB-WLS", "belfast": "GB-NIR", "leeds": "GB-ENG",
    "liverpool": "GB-ENG", "sheffield": "GB-ENG", "bristol": "GB-ENG", "newcastle": "GB-ENG",
    "nottingham": "GB-ENG", "leicester": "GB-ENG", "brighton": "GB-ENG", "aberdeen": "GB-SCT",
    "dundee": "GB-SCT", "swansea": "GB-WLS", "derry": "GB-NIR",
    # Scottish places people name (writer AH: "a wee village in Fife", "writing from Inverness").
    # Not names a visitor may be called or Canadian places: no "devon", "paisley", "highlands",
    # "st andrews", "york", "kent".
    "inverness": "GB-SCT", "fife": "GB-SCT", "perth scotland": "GB-SCT", "ayrshire": "GB-SCT",
    "kirkcaldy": "GB-SCT", "dunfermline": "GB-SCT", "lanarkshire": "GB-SCT",
    "cornwall uk": "GB-ENG", "yorkshire": "GB-ENG",
    # Australia
    "sydney": "AU-NSW", "melbourne": "AU-VIC", "brisbane": "AU-QLD", "perth": "AU-WA",
    "adelaide": "AU-SA", "hobart": "AU-TAS", "canberra": "AU-ACT", "darwin": "AU-NT",
}
# Cities that stand for a country without subdivisions in the registry.
CITY_COUNTRIES: Dict[str, str] = {
    "dublin": "IE", "cork": "IE", "galway": "IE", "limerick": "IE", "waterford": "IE",
    "auckland": "NZ", "wellington": "NZ", "christchurch": "NZ", "hamilton nz": "NZ", "dunedin": "NZ",
}
# Places people name that the registry has no lines for: reported as UNKNOWN.
UNCOVERED_PLACES = frozenset({
    "india", "mexico", "france", "germany", "spain", "italy",
    "portugal", "netherlands", "belgium", "sweden", "norway", "denmark", "finland", "poland",
    "brazil", "argentina", "chile", "colombia", "peru", "philippines", "china", "japan",
    "korea", "south korea", "south africa", "nigeria", "kenya", "ghana", "egypt", "pakistan",
    "bangladesh", "sri lanka", "nepal", "vietnam", "thailand", "malaysia", "singapore",
    "indonesia", "turkey", "israel", "iran", "iraq", "lebanon", "jamaica", "trinidad",
    "dubai", "uae", "saudi arabia", "qatar", "ukraine", "russia", "greece", "switzerland",
    "austria", "hong kong", "taiwan", "europe", "asia", "africa", "paris",
    "berlin", "madrid", "rome", "mumbai", "delhi", "manila", "lagos",
    "méxico", "españa", "perú", "colombie", "mexique", "espagne", "allemagne", "belgique", "suisse",
    # Cities people name instead of their country.
    "pune", "bangalore", "bengaluru", "chennai", "hyderabad", "kolkata", "karachi", "lahore",
    "islamabad", "dhaka", "kathmandu", "colombo", "cebu", "davao", "quezon city", "tokyo",
    "osaka", "seoul", "beijing", "shanghai", "bangkok", "jakarta", "kuala lumpur", "hanoi",
    "ho chi minh city", "bogotá", "bogota", "medellín", "medellin", "lima", "buenos aires",
    "santiago", "são paulo", "sao paulo", "rio de janeiro", "mexico city", "guadalajara",
    "monterrey", "havana", "santo domingo", "port of spain", "tehran", "kabul", "baghdad",
    "beirut", "tel aviv", "jerusalem", "riyadh", "doha", "abu dhabi", "istanbul", "cairo",
    "nairobi", "accra", "addis ababa", "johannesburg", "cape town", "amsterdam", "brussels",
    "stockholm", "oslo", "copenhagen", "helsinki", "lisbon", "barcelona", "milan", "vienna",
    "zurich", "geneva", "warsaw", "prague", "budapest", "kyiv", "kiev", "moscow", "athens",
    "munich", "frankfurt", "hamburg", "lyon", "marseille",
    "joburg", "jozi", "durban", "pretoria", "soweto", "tijuana", "cancún", "cancun",
    "seville", "sevilla", "valencia spain",
    # Where Canadians retire or go on holiday (writer AJ: "I wrote the other night from the
    # Algarve", "on vacation in puerto vallarta").
    "algarve", "the algarve", "madeira", "costa del sol", "málaga", "malaga", "benidorm",
    "tenerife", "lanzarote", "gran canaria", "mallorca", "majorca", "ibiza", "puerto vallarta",
    "cabo san lucas", "los cabos", "playa del carmen", "tulum", "mazatlán", "mazatlan", "riviera maya",
    "varadero", "cayo coco", "punta cana", "montego bay", "negril", "bali", "phuket", "goa",
    # Every other country, as people name them (writer AG: "a small town in kyrgyzstan"). Not
    # the ones that are also first names or states ("chad", "jordan", "georgia").
    "afghanistan", "albania", "algeria", "andorra", "angola", "antigua", "armenia", "azerbaijan", "bahamas",
    "bahrain", "barbados", "belarus", "belize", "benin", "bhutan", "bolivia", "bosnia", "botswana", "brunei",
    "bulgaria", "burkina faso", "burundi", "cambodia", "cameroon", "cape verde", "costa rica", "croatia", "cuba",
    "cyprus", "czechia", "czech republic", "congo", "djibouti", "dominican republic", "ecuador", "el salvador",
    "eritrea", "estonia", "eswatini", "ethiopia", "fiji", "gabon", "gambia", "grenada", "guatemala", "guyana",
    "haiti", "honduras", "hungary", "iceland", "ivory coast", "côte d'ivoire", "kazakhstan", "kosovo", "kuwait",
    "kyrgyzstan", "laos", "latvia", "lesotho", "liberia", "libya", "liechtenstein", "lithuania", "luxembourg",
    "madagascar", "malawi", "maldives", "mali", "malta", "mauritania", "mauritius", "moldova", "monaco",
    "mongolia", "montenegro", "morocco", "mozambique", "myanmar", "namibia", "nicaragua", "north macedonia",
    "oman", "panama", "papua new guinea", "paraguay", "romania", "rwanda", "samoa", "senegal", "serbia",
    "seychelles", "sierra leone", "slovakia", "slovenia", "somalia", "sudan", "south sudan", "suriname", "syria",
    "tajikistan", "tanzania", "togo", "tonga", "tunisia", "turkmenistan", "uganda", "uruguay", "uzbekistan",
    "venezuela", "yemen", "zambia", "zimbabwe", "bermuda", "barbade", "marruecos", "marocco", "maroc",
    "algérie", "tunisie", "sénégal", "haïti", "bishkek", "almaty", "tashkent",
})
# Where a visitor places themselves: the place follows one of these.
_SELF_PLACED = re.compile(
    r"\b(?:i'?m|i am|im|we'?re|we are|i live|we live|i'?m living|living|i'?m based|based|"
    r"i'?m from|i am from|i reside|we reside|here|currently|staying|i'?m staying|"
    r"i (?:just )?moved|we (?:just )?moved|studying|working|travell?ing|visiting|on exchange|"
    # "I've been doing my PhD in Berlin for three years".
    r"(?:doing|finishing|starting|working\s+on)\s+(?:my|a|an)\s+(?:phd|masters?|master's|degree|postdoc|residency|"
    r"internship|exchange|semester|gap\s+year)(?:\s+abroad)?|"
    r"on (?:vacation|holiday|holidays|a trip|a work trip)|away|stuck|"
    r"(?:i'?m|im|i am)\s+\d{1,2}(?:\s*(?:yo|years old))?\s+and|"
    r"vivo|vivimos|estoy|estamos|j'?habite|je (?:suis|vis|reste)|chu|j'?suis|on (?:est|vit|habite)|"
    # Going back there soon: "vuelvo a Monterrey el domingo" (writer AG).
    r"(?:going|heading|flying|moving)\s+back|vuelvo|regreso|je\s+rentre|"
    # "I'm writing from Inverness" (writer AH); "my son lives with me in Winnipeg".
    r"(?:writing|messaging|texting|typing)(?=\s+from\b)|lives\s+with\s+(?:me|us)|"
    # "I wrote the other night from the Algarve" (writer AJ).
    r"(?:wrote|messaged|texted)(?:\s+(?:to\s+)?(?:you|u))?(?:\s+(?:the\s+)?(?:other|last)\s+(?:night|day|week|time))?"
    r"(?=\s+from\b)|"
    # The subject left out, as people type: "moved to detroit for my husband's job" (writer
    # AJ), not "my ex moved to alberta" (a word before it).
    r"(?<!\w\s)(?<!\w)(?:just\s+)?moved(?=\s+to\b)|"
    r"nous (?:sommes|vivons)|\w+\s+and\s+i\s+live|me\s+and\s+(?:my\s+)?\w+\s+live)"
    r"\s+(?P<not>not\s+|no\s+|pas\s+)?(?:(?P<prep>in|at|from|to|en|au|à|a)\b)?\s*"
    r"(?:the\s+)?(?P<place>[^\d.,!?;:()\n]{2,40})",
    re.IGNORECASE,
)
# A message that is only a place: at most this many words.
PLACE_ONLY_MAX_WORDS = 4
# Upper-case codes that are also common words or ambiguous: never read as a place.
_AMBIGUOUS_CODES = frozenset({"ON", "IN", "OR", "ME", "OK", "HI", "DE", "LA", "MA", "PA", "AL",
                              "CO", "ID", "MI", "MO", "NE", "OH", "CA", "SA", "WA", "NT", "US"})


@dataclass(frozen=True)
class Place:
    """A place the visitor named: its region code ("CA-QC", "GB") or UNKNOWN, and its name."""

    code: str
    name: str

    @property
    def covered(self) -> bool:
        return self.code != UNKNOWN

    @property
    def country(self) -> str:
        return self.code.split("-")[0]

    @property
    def subdivision(self) -> Optional[str]:
        return self.code.split("-", 1)[1] if "-" in self.code else None


def names(registry: Registry) -> Dict[str, Tuple[str, str]]:
    """Every name (lower case) the finder knows: name -> (region code, display name)."""
    known: Dict[str, Tuple[str, str]] = {}
    for code, country in registry.countries.items():
        known[country.name.lower()] = (code, country.name)
        for sub_code, sub in country.subdivisions.items():
            known[sub.name.lower()] = (f"{code}-{sub_code}", sub.name)
    for alias, code in {**COUNTRY_ALIASES, **CITY_COUNTRIES}.items():
        if code in registry.countries:
            known.setdefault(alias, (code, registry.countries[code].name))
    for alias, code in SUBDIVISION_ALIASES.items():
        country_code, sub_code = code.split("-", 1)
        found = registry.countries.get(country_code)
        if found and sub_code in found.subdivisions:
            known.setdefault(alias, (code, found.subdivisions[sub_code].name))
    return known


def _codes(registry: Registry) -> Dict[str, Tuple[str, str]]:
    """Upper-case subdivision codes ("BC", "NY", "QLD") that are safe to read as places."""
    out: Dict[str, Tuple[str, str]] = {}
    for code, country in registry.countries.items():
        for sub_code, sub in country.subdivisions.items():
            if len(sub_code) >= 2 and sub_code not in _AMBIGUOUS_CODES:
                out.setdefault(sub_code, (f"{code}-{sub_code}", sub.name))
    return out


def _all_codes(registry: Registry) -> Dict[str, Tuple[str, str]]:
    """Every subdivision code, the ambiguous ones too: read only when the visitor wrote
    nothing but the code, in capitals, right after placing themselves ("i'm in ON")."""
    return {sub_code: (f"{code}-{sub_code}", sub.name)
            for code, country in registry.countries.items()
            for sub_code, sub in country.subdivisions.items()}


# Placing words without "I'm": "out here near Kindersley", "ranch outside Minot ND", "camp job
# north of fort mac", "ex-PPCLI, in whitehorse now", "way out past pictou", "haulin thru
# tennessee". Only a name the finder knows counts.
_PLACED_NEAR = re.compile(
    # Not where one grew up: "I grew up in Ontario but I've been doing my PhD in Berlin".
    r"(?:^|[,;:]\s*|\b(?<!grew\s)(?<!grow\s)(?<!growing\s)(?:out|up|down|over|back)\s+(?:here\s+|there\s+)?"
    # "im 19, at school in austin texas", "farm's near rosetown, saskatchewan" (writer AL).
    r"|(?:^|[,;:]\s*)(?:at\s+)?(?:school|uni|university|college|work)\s+"
    r"|\b(?:farm|ranch|cabin|house|place|home|trailer|camp)(?:'s|\s+is)\s+)"
    r"(?:in|near|past)\s+(?P<place>[^\d.,!?;:()\n]{2,40})"
    # Working out of a place: "fisherman out of bay roberts newfoundland" (writer AL).
    r"|\b(?:fisherman|fishing|trucker|driver|driving|working|work|based|operating|flying)\s+out\s+of\s+"
    r"(?P<outof>[^\d.,!?;:()\n]{2,40})"
    # On the road: "haulin thru tennessee", "driving through ohio tonight".
    r"|\b(?:driving|drivin|hauling|haulin|trucking|passing|riding|heading|going|travell?ing)\s+(?:thru|through)\s+"
    r"(?P<thru>[^\d.,!?;:()\n]{2,40})"
    r"|\b(?:outside(?:\s+of)?|(?:north|south|east|west)\s+of|just\s+outside|close\s+to)\s+(?P<near>[^\d.,!?;:()\n]{2,40})"
    # Parked on the way: "parked at a rest area on the thruway near albany" (writer AJ).
    r"|\b(?:parked|pulled\s+over|stopped)\b[^.!?\n]{0,40}?\b(?:in|near)\s+(?P<parked>[^\d.,!?;:()\n]{2,40})"
    # Home for a while: "home in galway for my nan's funeral" (writer AK), "i'm back home in
    # cork for the summer". At the start, or after "i'm": not "my home in toronto".
    r"|(?:^\W*|\b(?:i'?m|im|i\s+am)\s+)(?:back\s+)?home\s+in\s+(?P<home>[^\d.,!?;:()\n]{2,40})",
    re.IGNORECASE,
)
# "texas here", "ontario here btw": the place first, at the start of the message.
_PLACE_HERE = re.compile(r"^\s*(?P<place>[^\d.,!?;:()\n]{2,30}?)\s+here\b", re.IGNORECASE)


# "y'all are in canada?": where the practice is, not the visitor.
_ADDRESSED = re.compile(r"\b(?:you|y'?all|ya|your|u|ur|you're|youre|they|them|their|it)\b", re.IGNORECASE)


# The clause before a placing word says where the visitor's family is: "i dont have anywhere
# to go. all my family is back in newfoundland" (the person at risk's own place, "hes out near
# regina", stays a place: a helper needs that place's lines).
_SOMEONE_ELSE_THERE = re.compile(
    r"\b(?:my|our)\s+(?:whole\s+|entire\s+)?(?:family|folks|people|relatives|parents|kin)\s+"
    r"(?:is|are|'s|'re|lives?|living|stays?|all\s+live)\s+(?:still\s+|all\s+|now\s+)?$",
    re.IGNORECASE,
)


def _self_placings(text: str) -> Iterator["re.Match[str]"]:
    """Every match of `_SELF_PLACED`, also those that begin inside another's place ("I'm
    English but I live in Munich": "I'm" takes the words up to "Munich" as its place, and
    "I live in Munich" is a match of its own)."""
    start = 0
    while True:
        match = _SELF_PLACED.search(text, start)
        if match is None:
            return
        yield match
        start = match.start("place") if match.start("place") > match.start() else match.end()


# Where someone is from, not where they are: "from kingston originally", "from cork but I
# live in london now".
_FROM_BEFORE = re.compile(r"\b(?:originally|born\s+there|by\s+birth)\b|\bbut\s+(?:i'?m\s+|im\s+|i\s+am\s+|i\s+|we\s+)?"
                          r"(?:now\s+)?(?:living|live|based|staying|moved|studying|working)\b", re.IGNORECASE)


def _candidates(text: str) -> Iterator[Tuple[str, bool]]:
    """The stretches of a message that may be the visitor's own place, best first, and
    whether the visitor placed themselves there in words ("i'm in ...")."""
    later: List[str] = []
    for match in _self_placings(text):
        if match.group("not"):  # "i'm not in canada"
            continue
        if (match.group("prep") or "").lower() == "from" and _FROM_BEFORE.search(
                text[match.start("place"):match.start("place") + 80]):
            # "im from kingston originally but living in leeds now" (writer AG): where they
            # live now comes first; where they are from only if nothing else is named.
            later.append(match.group("place"))
            continue
        if match.group("prep"):
            yield match.group("place"), True
        else:
            # No "in", "from": the place comes first ("currently halifax") or soon after "in"
            # ("visiting family in buffalo", "were on the rez near prince albert"), not
            # anywhere after ("im messaging a counselling place in canada").
            words = match.group("place").split()
            yield " ".join(words[:3]), True
            inside = next((i for i, w in enumerate(words[:4]) if w.lower() in ("in", "at", "near")), None)
            if inside is not None:
                yield " ".join(words[inside + 1:]), True
    for match in _PLACED_NEAR.finditer(text):
        clause = re.split(r"[.!?;\n]", text[max(0, match.start() - 60):match.start()])[-1]
        if _SOMEONE_ELSE_THERE.search(clause):
            # "all my family is back in newfoundland": where they are, not the visitor.
            continue
        yield (match.group("place") or match.group("near") or match.group("thru") or match.group("parked")
               or match.group("home") or match.group("outof")), True
    here = _PLACE_HERE.match(text)
    if here and len(here.group("place").split()) <= 3:
        yield here.group("place"), True
    for place in later:
        yield place, True
    if len(text.split()) <= PLACE_ONLY_MAX_WORDS:
        yield text, False
    else:
        # "newfoundland. you crowd are in toronto": a first sentence that is only a place.
        first = re.split(r"[.!?;\n]", text, maxsplit=1)[0]
        if (first.strip() and len(first.split()) <= PLACE_ONLY_MAX_WORDS and first != text
                and not _ADDRESSED.search(first)):
            yield first, False


_ABBREVIATED = re.compile(r"\b(st|ste|mt|ft)\.", re.IGNORECASE)
# "im in sydney not canada", "in delhi for holidays, not canada": a place named after "not"
# is where the visitor is not.
_NOT_THERE = re.compile(r"\b(?:not|no\s+longer|pas|isn'?t|instead\s+of|rather\s+than)\b", re.IGNORECASE)


def _unabbreviated(text: str) -> str:
    """"st. john's" as "st john's": the full stop of an abbreviation does not end the place."""
    return _ABBREVIATED.sub(r"\1", text)


@dataclass(frozen=True)
class _Tables:
    """What `find_place` reads a message against, built once per registry: every known name as
    `_longest_known` compares it (abbreviations' full stops dropped), in `names` order; the
    subdivision codes; and the one pattern of every place name (`is_place_statement`)."""

    known: Tuple[Tuple[str, Tuple[str, str]], ...]
    codes: Dict[str, Tuple[str, str]]
    all_codes: Dict[str, Tuple[str, str]]
    places: "re.Pattern[str]"


# Tables by registry, held with the registry itself so its id cannot be reused while cached.
_TABLES: Dict[int, Tuple[Registry, _Tables]] = {}
_TABLES_LOCK = threading.Lock()
_TABLES_KEPT = 8


def _tables(registry: Registry) -> _Tables:
    """The registry's tables (a registry is frozen: built on its first message, then reused)."""
    entry = _TABLES.get(id(registry))
    if entry is not None and entry[0] is registry:
        return entry[1]
    known = names(registry)
    tables = _Tables(known=tuple((_unabbreviated(name), found) for name, found in known.items()),
                     codes=_codes(registry), all_codes=_all_codes(registry),
                     places=_names_pattern(frozenset(known) | UNCOVERED_PLACES))
    with _TABLES_LOCK:
        if len(_TABLES) >= _TABLES_KEPT:
            _TABLES.clear()
        _TABLES[id(registry)] = (registry, tables)
    return tables


@lru_cache(maxsize=1)
def _uncovered_longest_first() -> Tuple[str, ...]:
    return tuple(sorted(UNCOVERED_PLACES, key=len, reverse=True))


def _longest_known(stretch: str, known: Sequence[Tuple[str, Tuple[str, str]]]) -> Optional[Tuple[str, str]]:
    """The longest known name in `stretch` as a whole word (the first of that length in
    `known`'s order). A name that is not even a substring cannot match: its pattern is only
    tried on the few that are."""
    lowered = " " + re.sub(r"\s+", " ", stretch.lower()) + " "
    best: Optional[Tuple[str, str]] = None
    best_length = 0
    for name, found in known:
        if (len(name) > best_length and name in lowered
                and re.search(r"(?<![\w.])" + re.escape(name) + r"(?![\w])", lowered)):
            best, best_length = found, len(name)
    return best


_LOS_ANGELES = re.compile(r"(?<![\w.])LA(?![\w])")
_QUALIFIER = re.compile(r"\s*,\s*(?P<region>[A-Za-z][A-Za-z'.]*(?:\s+[A-Za-z'.]+){0,2})")


def _qualified(text: str, stretch: str, tables: _Tables) -> Optional[Tuple[str, str]]:
    """The region a town is qualified with, right after it: "Sydney, Cape Breton" is Nova
    Scotia, not New South Wales; "Souris, PEI", "Fort Myers, FL". Not "toronto, not ottawa"."""
    start = text.find(stretch.strip())
    after = _QUALIFIER.match(text, start + len(stretch.strip())) if start >= 0 else None
    if not after or _NOT_THERE.match(after.group("region")):
        return None
    words = after.group("region").split()
    for n in range(len(words), 0, -1):
        found = _longest_known(" ".join(words[:n]), tables.known)
        if found is not None:
            return found
    return tables.codes.get(words[0]) if words[0].isupper() else None


def find_place(registry: Registry, text: str) -> Optional[Place]:
    """The place the visitor says they are in, or None when they name none."""
    text = _unabbreviated((text or "")[:300])
    tables = _tables(registry)
    known, codes = tables.known, tables.codes
    for stretch, placed in _candidates(text):
        stretch = _NOT_THERE.split(stretch, maxsplit=1)[0]
        if not stretch.strip():
            continue
        found = _qualified(text, stretch, tables) or _longest_known(stretch, known)
        if found is None and _LOS_ANGELES.search(stretch):
            # "im in LA", in capitals: not Spanish "en la noche", not Louisiana's code.
            found = _longest_known("los angeles", known)
        if found is None:
            found = next((codes[w] for w in re.findall(r"\b[A-Z]{2,3}\b", stretch) if w in codes), None)
        if found is None and placed:
            # "i'm in ny": right after "in", a code in any case is a place.
            first = stretch.split()[0].upper() if stretch.split() else ""
            found = codes.get(first) or (tables.all_codes.get(first)
                                         if stretch.strip() == first.strip() and first.isupper() else None)
        if found is not None:
            return Place(code=found[0], name=found[1])
        lowered = stretch.lower()
        uncovered = next((p for p in _uncovered_longest_first()
                          if p in lowered and re.search(r"\b" + re.escape(p) + r"\b", lowered)), None)
        if uncovered is not None:
            return Place(code=UNKNOWN, name=uncovered.title())
    return None


# Where the person a helper worries about is: "i think shes in ohio?", "he lives in ireland",
# "He lives in Leeds, I'm in Toronto", "my friend is back in manila". A third person, a verb of
# being or living, then the place; read only in a helper's conversation (attune/safety/context.py).
_THEIR_PLACE = re.compile(
    r"\b(?:he|she|they|hes|he'?s|shes|she'?s|theyre|they'?re|my\s+(?:\w+\s+)?(?:friend|mate|buddy|bf|gf|boyfriend|"
    r"girlfriend|partner|husband|wife|dad|father|mum|mom|mother|brother|sister|son|daughter|cousin|uncle|aunt|"
    r"grandma|grandpa|grandmother|grandfather|nan|roommate|flatmate|ex|colleague|coworker))\s+"
    r"(?:(?:still|now|currently|actually|probably|i\s+think|apparently|just)\s+)?"
    r"(?:is\s+|are\s+|was\s+|'s\s+|'re\s+)?(?:lives?|living|stays?|staying|moved|went\s+back|is\s+back|back|based|"
    r"studying|working|works)?\s*(?:out\s+|over\s+|down\s+|up\s+|back\s+)?(?:in|near|to)\s+"
    r"(?P<place>[^\d.,!?;:()\n]{2,40})"
    # A few words between: "my mother is 84 and lives in montreal" (writer AF).
    r"|\bmy\s+(?:\w+\s+)?(?:friend|mate|buddy|bf|gf|boyfriend|girlfriend|partner|husband|wife|dad|father|mum|mom|"
    r"mother|brother|sister|son|daughter|cousin|uncle|aunt|grandma|grandpa|grandmother|grandfather|nan|roommate|"
    r"flatmate|ex|colleague|coworker)\s+(?:[\w']+\s+){1,4}?(?:lives|living|stays|staying|is\s+based|works)\s+"
    r"(?:in|near)\s+(?P<place2>[^\d.,!?;:()\n]{2,40})",
    re.IGNORECASE,
)


def find_their_place(registry: Registry, text: str) -> Optional[Place]:
    """The place a message says someone else is in ("i think shes in ohio?"), or None. Only a
    place the finder knows counts, read as `find_place` reads "in <place>"."""
    for match in _THEIR_PLACE.finditer((text or "")[:300]):
        stretch = _NOT_THERE.split(match.group("place") or match.group("place2"), maxsplit=1)[0]
        found = find_place(registry, "in " + stretch.strip()) if stretch.strip() else None
        if found is not None:
            return found
    return None


# A place named in a question about the lines: "does 988 work in new york or is that only
# canada", "are the numbers the same in the US?", "whats a crisis number in mexico anyway"
# (writer AJ: asked from Albany, Detroit and Puerto Vallarta, answered with Ontario's lines).
_LINES_IN_PLACE = re.compile(
    # The lines named, or "they" for them: not "do your therapists work in the US", "does
    # insurance work in the states" (a whole country now counts, so only the lines' words do).
    r"\b(?:numbers?|lines?|hotlines?|helplines?|988|9-?8-?8|911|9-?1-?1|(?:it|they|those|these|that|this)\s+"
    r"(?:still\s+|even\s+)?(?:work|works|working)|crisis\s+(?:number|line)s?)\b[^.?!\n]{0,30}?\b(?:in|for)\s+"
    r"(?P<place>[^\d.,!?;:()\n]{2,40})",
    re.IGNORECASE,
)


def find_asked_place(registry: Registry, text: str) -> Optional[Place]:
    """The place a question about the lines names ("does 988 work in new york"), read as
    `find_place` reads "in <place>"; None when the message asks no such thing or names none."""
    for match in _LINES_IN_PLACE.finditer((text or "")[:300]):
        stretch = _NOT_THERE.split(match.group("place"), maxsplit=1)[0]
        found = find_place(registry, "in " + stretch.strip()) if stretch.strip() else None
        # A whole country ("are the numbers the same in the US?") is read too; where the
        # visitor named a province or state of it before, that stays (attune/nlg.py).
        if found is not None:
            return found
    return None


# A message that only says where the visitor is: "im in sydney not canada", "we're in alberta
# if that matters", "im in texas btw". The risk model, taught by many short messages that say
# where someone is standing ("im on the bridge", "at the station now"), reads some of these as
# risk; nothing in them is (`is_place_statement`).
_PLACE_STATEMENT = re.compile(
    r"^\W*(?:(?:btw|fyi|oh|and|also|actually|but|ok|okay|sorry|so|well|no|yeah|ya)\W+)*"
    r"(?:i'?m|im|i am|we'?re|were|we are|i live|we live|i'?m living|living|i'?m based|based|currently|"
    r"i'?m staying|staying|i'?m visiting|visiting|i'?m from|from)\s+(?P<rest>[^.!?\n]{2,80}?)\W*$",
    re.IGNORECASE,
)
_PLACE_FILLER = frozenset("""
    not no in at from near the for on a an holiday holidays vacation trip work now right currently atm rn
    btw fyi if that matters helps anymore actually just visiting family my our with staying studying
    living live lives moved here there but and so lol too though tho city province state country area side of
    exchange school uni university rural outside north south east west this week month year summer
    winter moment it does change anything which means means""".split())


def is_place_statement(registry: Registry, text: str) -> bool:
    """Whether a message says where the visitor is and nothing else: every word is a place's
    name the finder knows or a filler ("not", "btw", "for holidays", "if that matters")."""
    match = _PLACE_STATEMENT.match((text or "")[:200])
    if match is None:
        return False
    rest, found = _known_places(registry).subn(" ", " " + match.group("rest").lower() + " ")
    return found > 0 and all(word in _PLACE_FILLER for word in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", rest))


def _known_places(registry: Registry) -> "re.Pattern[str]":
    """One pattern for every place name the finder knows, longest first: a message is read in
    one pass, however many names there are."""
    return _tables(registry).places


@lru_cache(maxsize=8)
def _names_pattern(every: FrozenSet[str]) -> "re.Pattern[str]":
    ordered = sorted(every, key=len, reverse=True)
    return re.compile(r"(?<![\w'])(?:" + "|".join(re.escape(name) for name in ordered) + r")(?![\w'])")


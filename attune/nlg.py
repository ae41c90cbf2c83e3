"""Fills the domain's responses with the practice's details and the right crisis lines.

Configured in endpoints.yml (`nlg: type: attune.nlg.PracticeNLG`), so it runs inside the Rasa
server: crisis replies and the way to a therapist need no action server. It reads
`practice.yml` and the crisis registry once, at start-up, and a broken practice file stops
the server with a message that names the field.

After any risk message in a conversation it adds a "Get help now" button to every later reply
that has none, so help stays one tap away even after "I'm fine". Once the visitor has said
where they are (slot `visitor_region`), every reply lists that region's lines instead of the
practice's.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Text, Tuple

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from attune import patches
from attune.facts import FACT_RESPONSES, fact_response, fact_variables
from attune.handoff.hours import open_status
from attune.practice import Practice, load_practice
from attune.practice_words import template_variables
from attune.safety.crisis_state import (ABUSER_GONE, ASKS_TO_TEXT, CANNOT_REACH, CHECK_ON_ME_LATER, CO_SYMPTOMS,
                                         DRINKING, ENGINE_OFF, ENGINE_ON, ENGINE_SAID, FEARS_POLICE, KEYS_AWAY,
                                         LINES_FOR_WOMEN, NO_MORE_NUMBERS, NO_ONE_CAN_HELP, WILL_NOT_CALL,
                                         crisis_state, read_by_model_alone,
                                         someone_elses_emergency, someone_near, TREAT_AT_HOME)
from attune.safety.regions import UNKNOWN, find_place
from attune.safety.visitor_facts import KNOWN_MEANS, means_moved_away, means_partly_away, says_someone_young
from attune.safety.lines import (
    crisis_template_variables,
    format_lines,
    region_resources,
    resources_for,
    resources_named_in,
)
from attune.safety.resources import Registry, Resource, load_registry
from attune.safety.taxonomy import HELP_BUTTON as GET_HELP_BUTTON
from attune.safety.taxonomy import (
    AUDIT_METADATA,
    CRISIS_RESPONSES,
    GENERAL_CRISIS_RESPONSE,
    INTENT_CATEGORIES,
    RISK_INTENT_PREFIX,
)



def visitor_region(tracker: Optional[DialogueStateTracker]) -> Optional[Text]:
    """Where the visitor said they are (slot `visitor_region`). A whole country said after a
    province or state of it ("are the numbers the same in the US?" from someone who said
    Detroit; "I'm in Canada" after Vancouver) says less than what was said before: that stays."""
    region = tracker.get_slot("visitor_region") if tracker is not None else None
    if tracker is None or not region or "-" in region or region == UNKNOWN:
        return region
    return _set_before(tracker, "visitor_region", lambda value: value.startswith(region + "-")) or region


def _set_before(tracker: DialogueStateTracker, slot: Text, wanted: Callable[[Text], bool]) -> Optional[Text]:
    """The latest value of `slot` this conversation set that `wanted` accepts, or None."""
    for event in reversed(tracker.events):
        if isinstance(event, SlotSet) and event.key == slot and isinstance(event.value, str) and wanted(event.value):
            return event.value
    return None

class PracticeNLG(TemplatedNaturalLanguageGenerator):
    """Domain responses, filled from the practice configuration and crisis registry."""

    def __init__(
        self,
        endpoint_config: Optional[EndpointConfig] = None,
        domain: Optional[Domain] = None,
        practice: Optional[Practice] = None,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        """Loads and validates the practice file and the registry."""
        patches.install()  # every Rasa patch, from one place (attune/patches.py)
        super().__init__((domain or Domain.empty()).responses)
        self.practice = practice or load_practice()
        registry = load_registry()
        self._registry = registry
        self._clock = clock
        home = self.practice.region
        self._home = home.country + (f"-{home.subdivision}" if home.subdivision else "")
        directory = registry.international
        self._fixed_variables: Dict[Text, Text] = {
            **template_variables(self.practice),
            **fact_variables(self.practice.facts),
            **crisis_template_variables(registry, self.practice),
            **region_variables(registry, self._home),
            "max_message_chars": str(self.practice.limits.max_message_chars),
            "international_directory": f"{directory.name} ({directory.url})" if directory else "findahelpline.com",
            # Filled from the message when it names a means ("the pills"); this otherwise.
            "means": "anything you could use to hurt yourself",
        }
        self._regions: Dict[Text, Dict[Text, Text]] = {}
        self._shown_candidates: Dict[Text, List[Resource]] = {}

    def for_crisis_kind(self, utter_action: Text, tracker: DialogueStateTracker) -> Text:
        """After a crisis reply, `<response>__<crisis kind>` when the domain has one: "I'm
        safe" or "forget it" about a friend at risk, or after an abuse disclosure, needs other
        words than the same message about oneself."""
        if not tracker.get_slot("crisis_shown"):
            return utter_action
        # Someone else being abused has words of its own where the domain has them, else
        # the helper's.
        kinds: List[Optional[Text]] = ["abuse_of_other"] if tracker.get_slot("abuse_of_other") else []
        kind = follow_up_kind(tracker)
        if kind == "emergency" and tracker.get_slot("abuse_disclosed") == "adult":
            # Danger now from the person hurting them ("she's blocking the door, she smashed my
            # phone"): the abuse words where the domain has them ("a room with a way out",
            # "I'm glad you're safe... the abuse line can help you plan"), else the emergency's.
            kinds.append("abuse")
        if not (utter_action == "utter_feeling_calmer" and kind == "emergency"
                and tracker.get_slot("swallowed") != "yes" and not _engine_named(tracker)):
            # Easing after danger now with nothing swallowed ("i stepped back. sitting on the
            # bench by the crossing", writer AG): the general words and line, not the poison
            # centre's.
            kinds.append(kind)
        for kind in kinds:
            specific = f"{utter_action}__{kind}"
            if kind and specific in self.responses:
                return specific
        return utter_action

    def variables(self, tracker: Optional[DialogueStateTracker] = None) -> Dict[Text, Text]:
        """Every placeholder a response may use, as of now: the crisis lines of the region
        the visitor said they are in (slot `visitor_region`), else the practice's."""
        variables = dict(self._fixed_variables)
        region = visitor_region(tracker)
        if region and "-" in self._home and region == self._home.split("-")[0]:
            # "I'm in Canada" to a practice in Ontario says no more than where the practice
            # is: its own lines stay, with its region's abuse and youth lines that the
            # country's list has none of.
            region = None
        if region and region != self._home and region != UNKNOWN:
            variables.update(self._region(region))
        elif region == self._home:
            # The visitor named the practice's own region: the lists say so.
            for key in [k for k in variables if k.startswith("crisis_lines_") or k == "crisis_text_options"]:
                variables[key] = where_you_are(variables["region_name"], variables[key])
        elif region == UNKNOWN:
            # Somewhere the registry has no lines for: the practice's lines stay (the visitor
            # may be travelling, or calling for someone here), with the way to local ones.
            elsewhere = ("\n• In another country: your local emergency number, and "
                         f"{variables['international_directory']} lists free lines in most countries.")
            for key in [k for k in variables if k.startswith("crisis_lines_") or k == "crisis_text_options"]:
                variables[key] += elsewhere
            # And the emergency number a sentence names is not the practice's as if it were
            # theirs ("estoy en Madrid" was told "llame al 9-1-1"): 112 where it is the number
            # everywhere (the European Union, Norway, Switzerland), else the local one, with
            # the practice's said as its own.
            variables["emergency_number"] = emergency_number_abroad(
                self._registry, tracker, variables["emergency_number"], variables["region_name"])
        kind = (follow_up_kind(tracker) if tracker is not None else None) or "general"
        variables["crisis_lines_here"] = variables.get(f"lines_here_{kind}", variables["lines_here_general"])
        # The same, saying whose lines they are when the visitor named where they are ("whats
        # the samaritans one again" from someone in Leeds: "Where you are (United Kingdom)").
        variables["crisis_lines_here_placed"] = (
            where_you_are(variables["region_name"], variables["crisis_lines_here"])
            if region and region != UNKNOWN else variables["crisis_lines_here"])
        # The emergency number as a number, even after "no more numbers": for the replies
        # where calling it is the step itself (a wellness check for someone out of reach).
        variables["emergency_number_digits"] = variables["emergency_number"]
        # And the Poison Centre: medical advice, kept after "no more numbers" once something
        # was swallowed.
        variables["poison_help_digits"] = variables["poison_help"]
        if tracker is not None and crisis_state(user_turns(tracker)).declined:
            # "No more numbers": every sentence that names a line names the button instead
            # ("If you're in danger, call emergency services"; "a crisis line is there any
            # time: tap "Get help now""), whatever the reply. Lists stay for the replies the
            # visitor asked for (the lines of a place, the text lines).
            variables.update(WITHOUT_NUMBERS)
        # After a crisis reply the practice's hours keep a line named, open or closed ("hay
        # alguien que hable español para platicar?" read as asking for a therapist got the
        # practice's contact with no line while it was open).
        variables["open_status"] = open_status(
            self.practice, self._clock(), variables["crisis_line_primary"],
            after_crisis=tracker is not None and crisis_seen(tracker),
        )
        # What a visitor put out of reach, when the reply is not told (generate() names it).
        variables["means_named"] = "anything that could be used to hurt someone"
        return variables

    def _region(self, code: Text) -> Dict[Text, Text]:
        """The crisis variables of a region, once per region; none for a code the registry
        does not know (a slot value from before a registry change)."""
        if code not in self._regions:
            try:
                found = {**crisis_template_variables(self._registry, code),
                         **region_variables(self._registry, code)}
            except ValueError:
                found = {}
            # The lists say whose lines they are: the visitor named another place.
            for key in [k for k in found if k.startswith("crisis_lines_") or k == "crisis_text_options"]:
                found[key] = where_you_are(found["region_name"], found[key])
            # So does the one line a short reply names ("Lifeline in Australia is there any
            # time: call 13 11 14").
            if found.get("crisis_line_primary_name") and found.get("region_name"):
                found["crisis_line_primary_name"] += f" in {in_the(found['region_name'])}"
            # And the emergency number and the poison centre that one-line follow-ups name
            # ("Please call 112 now"): a visitor abroad may not know them, and learns they are
            # the place's own ("112, the emergency number in Ireland").
            place = in_the(found["region_name"]) if found.get("region_name") else ""
            if place and found.get("emergency_number"):
                found["emergency_number"] += f" (the emergency number in {place})"
            poison = found.get("poison_help") or ""
            if place and poison and found["region_name"] not in poison and " (" in poison:
                name, rest = poison.split(" (", 1)
                found["poison_help"] = f"{name} in {place} ({rest}"
            self._regions[code] = found
        return self._regions[code]

    async def generate(
        self,
        utter_action: Text,
        tracker: DialogueStateTracker,
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        """Renders a response; after a crisis turn, keeps help one tap away."""
        state = crisis_state(user_turns(tracker))
        seen = crisis_seen(tracker)
        if utter_action in _KIND_CRISIS_REPLIES and state.repeat:
            utter_action = QUIET_CRISIS_REPLY if state.declined else REPEAT_CRISIS_REPLY
        elif utter_action == "utter_default" and seen:
            # Nothing fits after a crisis reply ("no", "k"): this kind's next step, not a shrug.
            utter_action = "utter_unsure_after_crisis"
        elif utter_action == WELCOME and seen:
            # "hi. came back like i said. didnt call. still here tho" (writer AJ), the day after
            # a crisis reply: welcomed back, with the line, not the whole introduction.
            utter_action = WELCOME_BACK_AFTER_CRISIS
        elif utter_action == WELCOME and welcomed(tracker):
            # "hi" again: a short hello, not the whole introduction once more.
            utter_action = WELCOME_AGAIN
        if (seen and utter_action in _POLICE_FEAR_FOLLOW_UPS and tracker.get_slot("crisis_kind") == "emergency"
                and not tracker.get_slot("abuse_disclosed")
                and (tracker.get_slot("swallowed") == "yes" or about_someone_else(tracker))
                and FEARS_POLICE.search((tracker.latest_message.text or "")[:500])):
            # "if we call will we get arrested theres stuff everywhere here", in a medical
            # emergency (something swallowed, or someone else's): the ambulance can be asked
            # for. Not when someone is hurting the visitor: there the police may be the help.
            utter_action = POLICE_FEAR_REPLY
        if (seen and utter_action in _CANT_REACH_FOLLOW_UPS and not tracker.get_slot("abuse_of_other")
                and tracker.get_slot("crisis_kind") in ("third_party", "emergency") and about_someone_else(tracker)
                and CANNOT_REACH.search((tracker.latest_message.text or "")[:500])):
            # "she lives alone. shes not answering my texts now and its been 3 hours": a
            # wellness check by the emergency number, whether numbers were declined or not.
            utter_action = CANT_REACH_REPLY
        if (seen and utter_action in _GO_TO_ARMED_FOLLOW_UPS and follow_up_kind(tracker) == "third_party"
                and GOING_TO_THEM.search((tracker.latest_message.text or "")[:500]) and _gun_named(tracker)):
            # "my husband has been out in the shop 3 hours with his shotgun", then "should i go
            # out there": their own safety first; the emergency number goes in.
            utter_action = GO_TO_ARMED_REPLY
        if (seen and utter_action == "utter_refuse_hospital" and follow_up_kind(tracker) == "third_party"
                and _someone_elses_medical_emergency(tracker)):
            # "he doesnt want an ambulance he says its embarrassing", his face drooping: not
            # "that's your call to make"; the signs cannot wait.
            utter_action = MEDICAL_REFUSAL_REPLY
        if (utter_action == "utter_region_lines" and state.declined
                and NO_MORE_NUMBERS.search((tracker.latest_message.text or "")[:2000])):
            # "I'm in Sydney, Cape Breton. But I don't want numbers, dear.": the place is
            # remembered for later, and no list now.
            utter_action = "utter_stop_hotlines"
        if (seen and (tracker.get_slot("swallowed") == "yes" or _poisoning_answered(tracker))
                and utter_action not in _CRISIS_REPLIES
                and TREAT_AT_HOME.search((tracker.latest_message.text or "")[:500])):
            # "should i make myself vomit it out", "my manager say drink milk": not unless the
            # poison centre says so, and its number, whatever it was read as.
            utter_action = TREAT_AT_HOME_REPLY
        if (seen and utter_action in _SOMEONE_NEAR_REPLIES and not about_someone_else(tracker)
                and follow_up_kind(tracker) in _NEAR_KINDS
                and someone_near(tracker.latest_message.text or "", bool(tracker.get_slot("abuse_disclosed")))):
            # "my roommate is home" after one's own crisis: go to them, or ask them to come,
            # not "is there someone who could be with you tonight?".
            utter_action = _SOMEONE_NEAR_REPLIES[utter_action]
        if (seen and utter_action in _HOPELESS_FOLLOW_UPS and not about_someone_else(tracker)
                and tracker.get_slot("crisis_kind") in ("suicide", "self_harm", "emergency", "abuse", "harm_others")
                and NO_ONE_CAN_HELP.search((tracker.latest_message.text or "")[:500])):
            # "you cant help me. no one can. this isnt a thing that gets fixed": the
            # hopelessness answered as what it is, with a line (or the button, numbers declined).
            utter_action = HOPELESS_REPLY
        if utter_action == "utter_check_in_gently" and _swallowed_recently(tracker):
            # "I took my evening pills twice" (a pharmacist's question, with the poison
            # centre), then "I don't like to bother anyone at this hour" read as the check-in:
            # not "if those feelings ever come back", but the poison centre, at any hour.
            utter_action = POISON_ANY_HOUR_REPLY
        if (seen and utter_action in _CHECK_LATER_FOLLOW_UPS
                and CHECK_ON_ME_LATER.search((tracker.latest_message.text or "")[:500])):
            # "can u just text me tmrw to check": it cannot reach out later; say so, and offer
            # the people who can (a therapist's call-back, a line any time).
            utter_action = CHECK_LATER_REPLY
        if (seen and utter_action in _MEANS_AWAY_FOLLOW_UPS and tracker.get_slot("swallowed") != "yes"
                and IT_PUT_AWAY.search((tracker.latest_message.text or "")[:300]) and _means_named_before(tracker)):
            # "ok. put it in the cabinet and came out" after "im in the bathroom with my razor"
            # (writer AG): the means just named, put away; said back, not danger again.
            utter_action = MEANS_AWAY_REPLY
            named = _means_named_before(tracker)
            kwargs = {**kwargs, "means_named": MEANS_NAMED.get(named, f"the {named}")}
        elif (seen and utter_action in _MEANS_AWAY_FOLLOW_UPS and tracker.get_slot("crisis_kind") != "emergency"
                and tracker.get_slot("swallowed") != "yes"):
            # Not after something swallowed or danger now: there the reply it replaces carries
            # the poison centre or the emergency number.
            partly = means_partly_away(tracker.latest_message.text or "")
            moved = "" if partly else means_moved_away(tracker.latest_message.text or "")
            if partly:
                # "im safe. guns are locked up. mostly": the step, and the part still at hand.
                utter_action = MEANS_PARTLY_AWAY_REPLY
                kwargs = {**kwargs, "means_named": MEANS_NAMED.get(partly, f"the {partly}")}
            elif moved:
                # "maybe i leave the rifles with him for a bit": the step taken, said back.
                utter_action = MEANS_AWAY_REPLY
                kwargs = {**kwargs, "means_named": MEANS_NAMED.get(moved, f"the {moved}")}
        if (seen and utter_action in _LINES_FOR_MEN_FOLLOW_UPS and tracker.get_slot("abuse_disclosed") == "adult"
                and LINES_FOR_WOMEN.search((tracker.latest_message.text or "")[:500])):
            # "those lines are for women tho", after his wife's violence: the lines that serve
            # anyone, and that what happens to him is real.
            utter_action = LINES_FOR_MEN_REPLY
        if (seen and utter_action == "utter_feeling_calmer" and tracker.get_slot("swallowed") != "yes"
                and KEYS_AWAY.search((tracker.latest_message.text or "")[:300]) and _engine_named(tracker)):
            # "I'm in the kitchen. I'll leave the keys on the hook", after the car running in
            # the garage: the step taken, said back, not the emergency again.
            utter_action = ENGINE_AWAY_REPLY
        elif (seen and utter_action in _ENGINE_OFF_FOLLOW_UPS and _engine_named(tracker)
                and ENGINE_OFF.search((tracker.latest_message.text or "")[:300])
                and not KEYS_AWAY.search((tracker.latest_message.text or "")[:300])):
            # "turned it off. still sitting here", in the closed garage (writer AK): the step
            # said back, and the next one, out into fresh air, not "glad you feel better".
            utter_action = ENGINE_OFF_REPLY
        # A practice fact: as written, "we don't offer that", or "I don't have that detail".
        if utter_action == "utter_respect_denial" and seen and _swallowed_by_the_visitor(tracker):
            # "lol chill im fine" after vodka on top of meds: no argument, and the Poison
            # Centre, since some things harm hours later (writer AE).
            utter_action = "utter_respect_denial_swallowed"
        if utter_action == "utter_feeling_calmer" and seen and _swallowed_by_the_visitor(tracker):
            # "its slowing down a bit i think. maybe its fine" after caffeine pills read as
            # suicide risk: some things harm hours later, so the poison centre's words, whatever
            # the kind remembered.
            utter_action = "utter_feeling_calmer__emergency"
        if utter_action == "utter_lgbtq_lines" and not self.variables(tracker).get("lgbtq_lines"):
            utter_action = "utter_lgbtq_lines_none"
        fact_question = utter_action in FACT_RESPONSES
        utter_action = fact_response(utter_action, self.practice.facts)
        base, utter_action = utter_action, self.for_crisis_kind(utter_action, tracker)
        if (seen and base == "utter_cant_call" and utter_action == base
                and tracker.get_slot("abuse_disclosed") == "adult"
                and WATCHED_BY_THEM.search((tracker.latest_message.text or "")[:300])):
            # "I cannot call, he check my phone", after "he push me on the wall ... easier to
            # die" (writer AI): the abuse answer, a room with a way out with the text lines.
            utter_action = "utter_cant_call__abuse"
        # Whether numbers are declined is read from the whole conversation (crisis_state),
        # for every response that has a variant without them.
        filled_slots = {**tracker.current_slot_values(), "hotlines_declined": state.declined}
        if base not in _CRISIS_REPLIES:
            filled_slots["crisis_kind"] = follow_up_kind(tracker)
            if (filled_slots["crisis_kind"] == "emergency" and tracker.get_slot("abuse_disclosed") == "adult"
                    and tracker.get_slot("swallowed") != "yes"):
                # Danger now from the person hurting them ("hes banging on the bedroom door"),
                # then "i dont have anywhere to go": the abuse answer (a safe place, the abuse
                # line), as `for_crisis_kind` chooses, not "if pills were swallowed".
                filled_slots["crisis_kind"] = "abuse"
            if (base == "utter_next_step" and tracker.get_slot("abuse_disclosed") == "adult"
                    and ABUSER_GONE.search((tracker.latest_message.text or "")[:300])):
                # "he's in the barn right now. I have maybe 10 minutes", after his threats and
                # her thoughts of ending it (writer AJ): a window to get away, the abuse answer
                # (the emergency number, a safe place), not the step for her own thoughts.
                filled_slots["crisis_kind"] = "abuse"
        if base in _SOMEONE_NEAR_REPLIES.values() and tracker.get_slot("swallowed") == "yes":
            # Pills taken, then "my roommate is home": go to them and have them call for help,
            # whatever the crisis kind ("i took some of my sleeping pills" is suicide risk too).
            filled_slots["crisis_kind"] = "emergency"
        if state.declined and (base in _DANGER_NOW_REPLIES
                               or (base == "utter_next_step" and filled_slots.get("crisis_kind") == "emergency")):
            # "No more numbers", then "he knows where she lives and hes coming": the emergency
            # number itself, not "emergency services" (the opt-out was from lists of lines).
            kwargs = {**kwargs, "emergency_number": self.variables(tracker)["emergency_number_digits"]}
        response = self.generate_from_slots(
            utter_action, filled_slots, output_channel, **{**self.variables(tracker), **kwargs}
        )
        if response is not None and base in _CRISIS_REPLIES:
            response = await self._with_language_note(response, tracker, output_channel, kwargs)
        if response is not None and (base in _NOTED_REPLIES or (seen and base in _NOTED_AFTER_CRISIS)) \
                and not state.declined:
            # The Poison Centre after easing or "I'm safe" is decided below, by what was swallowed
            # and by whom, not by the slot alone (a son's overdose in March is not tonight's).
            response = await self._with_notes(response, tracker, output_channel, kwargs,
                                              skip=("swallowed",) if base in _NOTED_AFTER_CRISIS else ())
        if (response is not None and seen and base == "utter_therapist_contact" and tracker.get_slot("young")
                and not state.declined):
            # "can i talk to someone too", "im 17": the practice's contact, and the line for
            # young people, which answers now and without a parent (writer AB's teenagers).
            variables = {**self.variables(tracker), **kwargs}
            if variables.get("crisis_line_youth") and variables["crisis_line_youth"].split(" (")[0] not in (
                    response.get("text") or ""):
                response = await self._append_note(response, "utter_note_youth_line", tracker, output_channel,
                                                   variables)
        if (response is not None and seen and state.declined
                and (_swallowed_in_an_emergency(tracker) or _swallowed_by_the_visitor(tracker))
                and base in _NOTED_REPLIES | {"utter_stop_hotlines", QUIET_CRISIS_REPLY, "utter_default",
                                              "utter_glad_safe", "utter_feeling_calmer"}):
            # Something swallowed, then "no more numbers": the Poison Centre is medical advice,
            # not a hotline; it stays, as the emergency number does in danger. Also when the
            # pills were read as suicide ("took some of his sleeping tablets, maybe five. Not
            # trying to die, just wanted to switch off").
            response = await self._with_poison_centre(response, tracker, output_channel, kwargs)
        if (response is not None and seen and base == "utter_goodbye" and _danger_just_said(tracker)):
            # "he's home early. he's at the door", then "i have to go" (writer AL): the
            # emergency number goes with her.
            response = await self._append_note(response, "utter_note_goodbye_in_danger", tracker, output_channel,
                                               {**self.variables(tracker), **kwargs})
        if (response is not None and base == "utter_stop_hotlines" and not about_someone_else(tracker)
                and follow_up_kind(tracker) in ("suicide", "self_harm") and tracker.get_slot("swallowed") != "yes"
                and not _means_put_away_since_crisis(tracker)):
            # "please don't give me 988 [...] i know the numbers", after "i have stuff from work in
            # my bag that would do it" (writers AJ and AK): no numbers, and still the one step
            # that is not a number.
            at_hand = _means_still_at_hand(tracker)
            means = MEANS_NAMED.get(at_hand, f"the {at_hand}") if at_hand else "anything you could use to hurt yourself"
            response = await self._append_note(response, "utter_note_means_without_numbers", tracker, output_channel,
                                               {**self.variables(tracker), **kwargs, "means_named": means})
        if (response is not None and base in _CANT_REACH_CRISIS_REPLIES and not tracker.get_slot("abuse_of_other")
                and about_someone_else(tracker) and CANNOT_REACH.search((tracker.latest_message.text or "")[:500])):
            # "my boyfriend just texted me that hes going to end it tonight and now hes not
            # answering": the lines, and the wellness check.
            response = await self._append_note(response, "utter_note_wellness_check", tracker, output_channel,
                                               {**self.variables(tracker), **kwargs})
        if (response is not None and seen and base == GENERAL_CRISIS_RESPONSE
                and follow_up_kind(tracker) == "third_party" and not tracker.get_slot("abuse_of_other")):
            # "it's 3am here. can I call a crisis line for her from Korea?" (writer AJ, a daughter
            # abroad): the lines, and that they help the one who worries, with the helper's steps.
            response = await self._append_note(response, "utter_note_helper_steps", tracker, output_channel,
                                               {**self.variables(tracker), **kwargs})
        if (response is not None and base == "utter_crisis_third_party" and not tracker.get_slot("abuse_of_other")
                and _threat_to_someone_else(tracker)):
            # "he said he's driving to her place and 'she's gonna pay'" (writer AK, a friend):
            # someone else may hurt a third person: the police now, and the helper's own safety.
            response = await self._append_note(response, "utter_note_threat_to_someone", tracker, output_channel,
                                               {**self.variables(tracker), **kwargs})
        if (response is not None and base in ("utter_crisis_abuse", "utter_crisis_suicide", "utter_crisis_third_party")
                and THREAT_IF_LEAVING.search((tracker.latest_message.text or "")[:1000])):
            # A partner's threat of suicide if the visitor leaves: the abuse reply, and what to
            # do about the threat itself.
            response = await self._append_note(response, "utter_note_threat_if_leaving", tracker, output_channel,
                                               {**self.variables(tracker), **kwargs})
        repeated = base in (REPEAT_CRISIS_REPLY, QUIET_CRISIS_REPLY)
        if (response is not None and (base in _CRISIS_REPLIES or repeated or base == "utter_region_lines")
                and ASKS_TO_BOOK.search((tracker.latest_message.text or "")[:1000])):
            # "hi can i book a first session. also my husband said...": the lines first, and the
            # booking they asked for. The same for a place named with it ("can i still book with
            # you guys online even though i'm in BC now?", writer AE).
            response = await self._append_note(response, "utter_note_booking", tracker, output_channel,
                                               {**self.variables(tracker), **kwargs})
        if response is not None and base in _STEP_REPLIES:
            response = await self._with_safety_step(response, tracker, output_channel, kwargs, base)
        if (response is not None and seen and _engine_named(tracker)
                and CO_SYMPTOMS.search((tracker.latest_message.text or "")[:500])):
            # "ok it's off. I'm in the kitchen. my head hurts a bit" (writer AJ): a headache
            # after a running engine in a garage can be carbon monoxide, which gets worse after.
            response = await self._append_note(response, "utter_note_co_symptoms", tracker, output_channel,
                                               {**self.variables(tracker), **kwargs})
        if (response is not None and seen and base == "utter_next_step"
                and DRINKING.search((tracker.latest_message.text or "")[:300])):
            # "ive had a few drinks" after thoughts of hurting someone: the next step, and why
            # tonight is the night to go easy on it.
            response = await self._append_note(response, "utter_note_alcohol", tracker, output_channel,
                                               {**self.variables(tracker), **kwargs})
        if response is not None and seen and base in _TEXT_NOTE_REPLIES:
            response = await self._with_text_lines(response, tracker, output_channel, kwargs, state.declined)
        if response is not None and base in _FOLLOW_UP_ANSWERS and read_as_risk(tracker):
            response = await self._with_one_line(response, tracker, output_channel, kwargs)
        if response is not None and fact_question and seen and not state.declined:
            # After a crisis reply, "do they speak Spanish?" or "is it free?" may be about the
            # lines: the practice's answer, then this crisis kind's lines.
            variables = {**self.variables(tracker), **kwargs}
            language = _line_language_asked(tracker) if utter_action == "utter_languages" else None
            in_language = variables.get(f"lines_in_{language.lower()}") if language else None
            if language and in_language:
                # "is there someone who speaks spanish?": the lines that answer in it, as the
                # lists give them (how to call or text each).
                names = {line.lstrip("• ").split(":")[0].strip() for line in in_language.splitlines()}
                listed: List[Text] = []
                for key in [k for k in variables if k.startswith(("crisis_lines_", "lines_here_"))]:
                    for line in str(variables[key]).splitlines():
                        name = line.lstrip("• ").split(":")[0].strip()
                        seen_name = any(x.startswith(f"• {name}:") for x in listed)
                        if line.startswith("•") and name in names and not seen_name:
                            listed.append(line)
                in_language = "\n".join(listed) or in_language
                if variables["crisis_lines_here_placed"] != variables["crisis_lines_here"]:
                    in_language = where_you_are(variables["region_name"], in_language)
                variables = {**variables, "asked_language": language, "lines_in_asked_language": in_language}
                note = "utter_note_lines_in_language"
            else:
                note = "utter_note_lines_after_fact"
            response = await self._append_note(response, note, tracker, output_channel, variables)
            if tracker.get_slot("visitor_region") == UNKNOWN:
                # Somewhere the registry has no lines for: how to find local ones, as every
                # reply that shows lines says.
                response = await self._append_note(response, "utter_note_elsewhere", tracker, output_channel,
                                                   variables)
        if response is not None and (fact_question or base == "utter_therapist_hours"):
            response = await self._with_second_fact(response, base, tracker, output_channel, kwargs)
        if response is not None and seen and not state.declined:
            response = await self._with_place_named(response, tracker, output_channel, kwargs)
        if response is not None and state.declined and response.get("text"):
            # "No more numbers", then "do your therapists do evening sessions online": the
            # practice's answer with its email and booking page, not its phone number (any
            # reply that names it, in the phrasings of domain.yml).
            values = self.variables(tracker)
            response = {**response, "text": without_practice_phone(
                response["text"], str(values.get("contact_phone") or ""), str(values.get("contact_email") or ""))}
        if response is not None and (seen or state.declined):
            response = with_help_button(response)
        if response is not None and state.declined and response.get("text"):
            response = {**response, "text": capitalised_sentences(response["text"])}
        if response is not None:
            response = self._with_audit_record(response, tracker, output_channel)
        return response

    def _with_audit_record(self, response: Dict[Text, Any], tracker: DialogueStateTracker,
                           output_channel: Text) -> Dict[Text, Any]:
        """The first reply of a risk message's turn that names crisis lines carries what the
        safety event log records (`attune.brokers`): the risk intent, its kind, the channel,
        and the lines this reply actually named, found in its final text. Kept with the bot's
        message in the conversation's metadata; no channel sends it to the visitor."""
        parse_data = getattr(tracker.latest_message, "parse_data", None) or {}
        risk = parse_data.get("risk") or {}
        intent = (parse_data.get("intent") or {}).get("name")
        read = (risk.get("within_crisis") or {}).get("read")
        if read in INTENT_CATEGORIES:
            intent = read  # a risk reading answered as a crisis follow-up
        if intent not in INTENT_CATEGORIES or _audited_this_turn(tracker):
            return response
        channel = tracker.get_latest_input_channel() or output_channel
        record = self.audit_record(response.get("text") or "", intent, channel, risk.get("subcategory"),
                                   visitor_region(tracker))
        if record is None:
            return response
        return {**response, AUDIT_METADATA: record}

    def audit_record(self, text: Text, intent: Text, channel: Text, subcategory: Optional[Text] = None,
                     region: Optional[Text] = None) -> Optional[Dict[Text, Any]]:
        """What the safety event log records of a reply to risk: the intent, its kind, the
        channel and the lines the reply's text names (of the practice's region and the one the
        visitor named); None when it names no line."""
        codes = [self._home] + ([region] if region and region not in (self._home, UNKNOWN) else [])
        shown = resources_named_in(text, self._candidates(codes))
        if not shown:
            return None
        return {"intent": intent, "subcategory": subcategory, "channel": channel, "resources": shown}

    def _candidates(self, codes: List[Text]) -> List[Resource]:
        """The resources a reply in these regions can name, once per set of regions."""
        key = "|".join(codes)
        if key not in self._shown_candidates:
            self._shown_candidates[key] = [r for code in codes for r in region_resources(self._registry, code)]
        return self._shown_candidates[key]

    async def _with_text_lines(self, response: Dict[Text, Any], tracker: DialogueStateTracker,
                               output_channel: Text, kwargs: Dict[Text, Any], declined: bool) -> Dict[Text, Any]:
        """After a crisis reply, a visitor who asks to text ("can i text instead", "maybe
        i'll text them") or says they will not or cannot call gets the lines that take texts,
        whatever the reply was chosen for; once numbers are declined, only when they ask."""
        text = (getattr(tracker.latest_message, "text", None) or "")[:2000]
        asks = bool(ASKS_TO_TEXT.search(text))
        if not (asks or (not declined and WILL_NOT_CALL.search(text))):
            return response
        variables = {**self.variables(tracker), **kwargs}
        options = variables.get("crisis_text_options") or ""
        first = options.split("\n")[0].lstrip("• ").split(":")[0]
        current = response.get("text") or ""
        if not options or (first and first in current and "text" in current.lower()):
            return response
        return await self._append_note(response, "utter_note_text_lines", tracker, output_channel, variables)

    async def _with_place_named(self, response: Dict[Text, Any], tracker: DialogueStateTracker,
                                output_channel: Text, kwargs: Dict[Text, Any]) -> Dict[Text, Any]:
        """After a crisis reply, a message that names where the visitor is ("can someone from
        your place call me tomorrow? im out in gander") gets that place's lines after whatever
        answers it, unless the reply already names the place; a place without lines in the
        registry, the way to local ones."""
        named = any(e.get("entity") == "region" for e in tracker.latest_message.entities or [])
        region = visitor_region(tracker)
        if not named or not region or region in (self._home, self._home.split("-")[0]):
            return response
        variables = {**self.variables(tracker), **kwargs}
        text = response.get("text") or ""
        if region == UNKNOWN:
            directory = variables["international_directory"].split(" (")[0]
            if directory in text or _said_this_turn(tracker, directory):
                return response
            return await self._append_note(response, "utter_note_elsewhere", tracker, output_channel, variables)
        if variables["region_name"] in text or _said_this_turn(tracker, variables["region_name"]):
            return response
        return await self._append_note(response, "utter_note_region_lines", tracker, output_channel, variables)

    async def _with_poison_centre(self, response: Dict[Text, Any], tracker: DialogueStateTracker,
                                  output_channel: Text, kwargs: Dict[Text, Any]) -> Dict[Text, Any]:
        """The Poison Centre's line, added once to a reply that lacks it."""
        variables = {**self.variables(tracker), **kwargs}
        name = str(variables.get("poison_help_digits") or "").split(" (")[0]
        if not name or name in (response.get("text") or ""):
            return response
        return await self._append_note(response, "utter_note_poison_kept", tracker, output_channel, variables)

    async def _with_one_line(self, response: Dict[Text, Any], tracker: DialogueStateTracker,
                             output_channel: Text, kwargs: Dict[Text, Any]) -> Dict[Text, Any]:
        """A follow-up the risk model read as risk again (attune/safety/context.py) is
        answered as that follow-up; when the answer names no number, one line is added, so
        every risk message is answered with a crisis resource."""
        text = response.get("text") or ""
        if any(ch.isdigit() for ch in text):
            return response
        return await self._append_note(response, "utter_note_one_line", tracker, output_channel,
                                       {**self.variables(tracker), **kwargs})

    async def _with_second_fact(self, response: Dict[Text, Any], base: Text, tracker: DialogueStateTracker,
                                output_channel: Text, kwargs: Dict[Text, Any]) -> Dict[Text, Any]:
        """A question about two of the practice's facts ("do you do couples counselling on the
        weekend", "is there a student price") gets both answers: the one the classifier chose,
        then the other its words name. `also_answers` in the message's metadata says which."""
        second = second_fact(tracker.latest_message.text or "", base)
        if second is None:
            return response
        name = fact_response(second, self.practice.facts)
        response = await self._append_note(response, name, tracker, output_channel,
                                           {**self.variables(tracker), **kwargs})
        return {**response, "also_answers": [second]}

    async def _append_note(self, response: Dict[Text, Any], note_name: Text, tracker: DialogueStateTracker,
                           output_channel: Text, variables: Dict[Text, Any]) -> Dict[Text, Any]:
        """The response with the note `note_name` as a paragraph after its text."""
        note = await super().generate(note_name, tracker, output_channel, **variables)
        if not note or not note.get("text"):
            return response
        response = copy.deepcopy(response)
        response["text"] = "\n\n".join(part for part in (response.get("text") or "", note["text"]) if part)
        return response

    async def _with_safety_step(self, response: Dict[Text, Any], tracker: DialogueStateTracker,
                                output_channel: Text, kwargs: Dict[Text, Any], base: Text = "") -> Dict[Text, Any]:
        """A reply to a message that names a means at hand or a place to step back from adds
        one concrete step: put it out of reach, or step back (numbers declined or not). The
        first crisis reply to suicide or self-harm risk that names neither adds the general
        step (anything one could hurt oneself with, out of reach), as crisis lines do."""
        found = {e.get("entity"): e.get("value") for e in tracker.latest_message.entities or []}
        variables = {**self.variables(tracker), **kwargs}
        notes = []
        means = found.get("means")
        if means not in KNOWN_MEANS and base == "utter_bot_challenge" and tracker.get_slot("crisis_kind") in (
                "emergency", "suicide", "self_harm"):
            # "are you a real person or a script", asked from the car in the closed garage:
            # the answer keeps the step for the means named earlier.
            means = _means_named_earlier(tracker)
        if (means not in KNOWN_MEANS and base == "utter_glad_safe" and not about_someone_else(tracker)
                and tracker.get_slot("crisis_kind") in ("suicide", "self_harm", "harm_others")):
            # "bank called again... rifles in the hall closet", then "safe enough. wife took the
            # kids to her mothers. just me and the dog": glad, and the step for the rifles,
            # unless they were put away since. The same for a knife carried up to a neighbour's
            # door ("yes I'm safe. he's safe. I'm sitting on my kitchen floor", writer AJ).
            means = _means_still_at_hand(tracker)
        if (base in ("utter_glad_safe", "utter_respect_denial") and means != "engine"
                and not about_someone_else(tracker)):
            if _engine_still_on(tracker):
                # "it's fine, the garage door is open a crack", the engine running for the heat
                # (writer AJ): not safe yet; the engine off, fresh air, and when to call.
                notes.append(await super().generate("utter_note_engine_still_on", tracker, output_channel,
                                                    **variables))
            elif _still_in_the_garage(tracker):
                # "You're overreacting. I only said I'm sitting here." from the car in a closed
                # garage, the engine not on yet (writer AJ): out of the car and the garage.
                notes.append(await super().generate("utter_note_garage", tracker, output_channel, **variables))
        # "tylenol. the whole bottle pretty much": what was swallowed is not put out of reach;
        # the Poison Centre's note says what to do instead.
        swallowed_now = found.get("swallowed") == "yes" and not _NOT_YET.search(
            (tracker.latest_message.text or "")[:500])
        if means == "engine":
            notes.append(await super().generate("utter_note_engine", tracker, output_channel, **variables))
        elif means in KNOWN_MEANS and not swallowed_now:
            note = await super().generate("utter_note_means", tracker, output_channel,
                                          **{**variables, "means": f"the {means}"})
            notes.append(note)
        if found.get("risky_place") or (base in _PLACE_FOLLOW_UPS and _place_just_named(tracker)):
            # Also "dinnae want to phone anybody" right after "stood on the bridge": still there.
            notes.append(await super().generate("utter_note_place", tracker, output_channel, **variables))
        # "ok. maybe i thought about it. once or twice" after a denial: the thoughts admitted,
        # the same step as a first reply to them.
        taken_back = (base == GENERAL_CRISIS_RESPONSE and tracker.latest_message.intent.get("name") == "retract_denial"
                      and tracker.get_slot("crisis_kind") in ("suicide", "self_harm"))
        # "i think i can call tomorrow maybe not tonight", read as asking for the lines again,
        # from someone with a plan for the weekend: the lines, and the step for tonight.
        earlier = [intent for intent, *_ in user_turns(tracker)[:-1] if intent and intent.startswith("risk_")
                   and intent != "risk_check_in"]
        asked_again = (base == GENERAL_CRISIS_RESPONSE
                       and tracker.latest_message.intent.get("name") == "request_crisis_help"
                       and bool(earlier) and earlier[-1] in ("risk_suicide", "risk_self_harm"))
        if not notes and not swallowed_now and (base in _SELF_RISK_REPLIES or taken_back or asked_again):
            notes.append(await super().generate("utter_note_means", tracker, output_channel, **variables))
        texts = [note["text"] for note in notes if note and note.get("text")]
        if not texts:
            return response
        response = copy.deepcopy(response)
        response["text"] = "\n\n".join([response.get("text") or ""] + texts).strip()
        return response

    async def _with_language_note(self, response: Dict[Text, Any], tracker: DialogueStateTracker,
                                  output_channel: Text, kwargs: Dict[Text, Any]) -> Dict[Text, Any]:
        """A crisis reply to a visitor writing in French or Spanish opens with a short note in
        their language: the emergency number and the lines that answer in it."""
        language = tracker.get_slot("visitor_language")
        if language not in ("fr", "es"):
            return response
        variables = {**self.variables(tracker), **kwargs}
        if str(variables.get("emergency_number") or "").startswith("your local"):
            # Somewhere the registry has no lines for ("estoy en Guadalajara", writer AI): the
            # local number in the note's own words, not "llame al your local emergency number".
            variables["emergency_number"] = _LOCAL_EMERGENCY_NUMBER[language]
        name = f"utter_language_note_{language}"
        if not variables.get("lines_in_french" if language == "fr" else "lines_in_spanish"):
            name += "_none"
        note = await super().generate(name, tracker, output_channel, **variables)
        if not note or not note.get("text"):
            return response
        response = copy.deepcopy(response)
        response["text"] = note["text"] + "\n\n" + (response.get("text") or "")
        return response


    async def _with_notes(self, response: Dict[Text, Any], tracker: DialogueStateTracker,
                          output_channel: Text, kwargs: Dict[Text, Any],
                          skip: Sequence[Text] = ()) -> Dict[Text, Any]:
        """A reply that shows lines adds the line for what the visitor told us and the reply
        lacks: the abuse line (abuse read beside another kind of risk), the Poison Centre
        (something swallowed), the youth line (a visitor under 18), and the way to local lines
        for a visitor somewhere the registry does not cover."""
        variables = {**self.variables(tracker), **kwargs}
        text = response.get("text") or ""
        notes = []
        for slot, name, line in _NOTES:
            if slot in skip:
                continue
            value = tracker.get_slot(slot)
            if not value and slot == "young" and about_someone_else(tracker) and _someone_young_named(tracker):
                # "my son of 15 has locked himself in the bathroom": the line for young people
                # is for him (the visitor's own words stay a parent's).
                value = "yes"
            if not value:
                continue
            contact = variables.get(line if not (slot == "abuse_disclosed" and value == "child")
                                    else "crisis_line_child_abuse") or ""
            if not contact or contact.split(" (")[0] in text:
                continue
            note = await super().generate(name, tracker, output_channel, **variables)
            if note and note.get("text"):
                notes.append(note["text"])
        if (tracker.get_slot("visitor_region") == UNKNOWN
                and variables["international_directory"].split(" (")[0] not in text):
            # Somewhere the registry has no lines for: every reply that shows lines says how
            # to find local ones.
            note = await super().generate("utter_note_elsewhere", tracker, output_channel, **variables)
            if note and note.get("text"):
                notes.append(note["text"])
        if not notes:
            return response
        response = copy.deepcopy(response)
        response["text"] = "\n\n".join([text] + notes) if text else "\n\n".join(notes)
        return response


# Places where 112 is the emergency number (every member state of the European Union, and
# Norway and Switzerland), as people name them: countries and their largest cities.
_PLACES_OF_112 = frozenset({
    "france", "germany", "spain", "italy", "portugal", "netherlands", "belgium", "sweden", "denmark", "finland",
    "poland", "greece", "austria", "norway", "switzerland", "paris", "berlin", "madrid", "rome", "amsterdam",
    "brussels", "stockholm", "copenhagen", "helsinki", "lisbon", "barcelona", "milan", "vienna", "warsaw", "prague",
    "budapest", "athens", "munich", "frankfurt", "hamburg", "lyon", "marseille", "seville", "sevilla",
    "valencia spain", "españa", "espagne", "allemagne", "belgique", "suisse", "oslo", "zurich", "geneva",
    # Where people retire or go on holiday in Portugal and Spain.
    "algarve", "the algarve", "madeira", "costa del sol", "málaga", "malaga", "benidorm", "tenerife", "lanzarote",
    "gran canaria", "mallorca", "majorca", "ibiza",
})


def emergency_number_abroad(registry: Registry, tracker: Optional[DialogueStateTracker], home_number: Text,
                            home_name: Text) -> Text:
    """The emergency number to name to a visitor in a place the registry has no lines for:
    112 in a place of `_PLACES_OF_112` the visitor said they are in, else their local
    emergency number, with the practice's named as the practice's region's."""
    texts = [event.text or "" for event in reversed(getattr(tracker, "events", None) or [])
             if isinstance(event, UserUttered)][:20]
    for text in texts:
        place = find_place(registry, text)
        if place is None or place.code != UNKNOWN:
            continue
        name = place.name.lower()
        said_in = re.search(r"\b(?:in|en|à|a|at|near|dans)\s+(?:the\s+)?" + re.escape(name) + r"\b", text.lower())
        if name in _PLACES_OF_112 and said_in:
            return f"112 (the emergency number in {place.name})"
        break
    number = home_number.split(" (")[0]
    return f"your local emergency number ({number} in {in_the(home_name)})" if home_name else \
        "your local emergency number"


# The practice's facts by the words that ask for them, for a question about two at once. Only
# words that ask for that fact and little else ("couples counselling", not "my partner").
_FACT_WORDS = (
    ("utter_sliding_scale", re.compile(r"\b(?:sliding\s+scale|student\s+(?:price|rate|discount|fee)s?|discounts?|"
                                       r"reduced\s+(?:fee|rate|price)s?|low(?:er)?\s+income)\b", re.IGNORECASE)),
    ("utter_cancellation", re.compile(r"\b(?:cancel\w*|reschedul\w*|how\s+much\s+notice|no[-\s]shows?|late\s+fees?)\b",
                                      re.IGNORECASE)),
    ("utter_insurance", re.compile(r"\b(?:insurance|direct(?:ly)?\s+bill\w*|covered\s+by|benefits\s+plan)\b",
                                   re.IGNORECASE)),
    ("utter_session_formats", re.compile(r"\b(?:in\s+person|online|by\s+video|video\s+(?:call|session)s?|zoom|"
                                         r"virtual(?:ly)?|by\s+phone|over\s+the\s+phone|face\s+to\s+face)\b",
                                         re.IGNORECASE)),
    ("utter_therapist_hours", re.compile(r"\b(?:on\s+(?:the\s+)?weekends?|on\s+(?:saturdays?|sundays?)|"
                                         r"(?:in\s+the\s+)?evenings?|after\s+work|opening\s+hours|office\s+hours)\b",
                                         re.IGNORECASE)),
    ("utter_fees", re.compile(r"\b(?:how\s+much\s+(?:is|does|do|for)|what\s+(?:does|do)\s+"
                              r"(?:it|a\s+session|sessions)\s+cost|price\s+of|cost\s+of)\b", re.IGNORECASE)),
    ("utter_clients", re.compile(r"\b(?:couples?\s+(?:counsell?ing|therapy|sessions?)|(?:see|work\s+with)\s+"
                                 r"(?:teens|teenagers|kids|children|couples|families))\b", re.IGNORECASE)),
    ("utter_free_consultation", re.compile(r"\bfree\s+(?:first\s+)?(?:consult\w*|intro\w*|call)\b", re.IGNORECASE)),
)


def second_fact(text: Text, base: Text) -> Optional[Text]:
    """The other practice fact a question about `base` names in so many words, if one."""
    text = text[:500]
    return next((name for name, words in _FACT_WORDS if name != base and words.search(text)), None)


# After "no more numbers": what a sentence that would name a line says instead. The "Get help
# now" button is on every reply then, one tap from every line.
_BUTTON = 'tap "Get help now"'
WITHOUT_NUMBERS: Dict[Text, Text] = {
    "emergency_number": "emergency services",
    "crisis_line_primary": _BUTTON,
    "crisis_line_primary_name": "a crisis line",
    "crisis_line_abuse": f"an abuse line ({_BUTTON})",
    "crisis_line_child_abuse": f"a line for young people ({_BUTTON})",
    "crisis_line_youth": f"a line for young people ({_BUTTON})",
    "poison_help": f"a poison centre ({_BUTTON})",
}
_SENTENCE_START = re.compile(r"(^|[.!?]\s+|\n)([a-z])")


def without_practice_phone(text: Text, phone: Text, email: Text) -> Text:
    """The text with the practice's phone number replaced by its email, in the phrasings of its
    answers (domain.yml): for a visitor who asked for no more numbers. Unchanged without a
    phone or an email to use instead."""
    if not phone or not email or phone not in text:
        return text
    p, e = re.escape(phone), re.escape(email)

    def email_as(capital: Text, rest: Text = "") -> Text:
        return f"{'E' if capital == 'C' else 'e'}mail {email}{rest}"

    for pattern, replacement in (
        (rf",\s*call {p},\s*or email {e}", f" or email {email}"),
        (rf"\b([Cc])all {p},\s*email {e},\s*or see", lambda m: email_as(m.group(1), ", or see")),
        (rf"\b([Cc])all {p} or email {e}", lambda m: email_as(m.group(1))),
        (rf"\bcall {p} and (talk it over|ask)", rf"email {email} and \1"),
        (rf"\bor by calling {p}", f"or by email to {email}"),
        (rf"\bask at {p} or {e}", f"ask at {email}"),
        (rf"\bat {p} or {e}", f"at {email}"),
        (rf"\bor call [^.]{{0,80}}? at {p}", f"or email {email}"),
        (rf"\bor call {p}", f"or email {email}"),
    ):
        text = re.sub(pattern, replacement, text)
    return text


def capitalised_sentences(text: Text) -> Text:
    """The text with every sentence starting with a capital: a line named by a phrase ("a
    crisis line is there any time") may now open one."""
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text)


# Slot, note, and the line it names: added to a reply that shows lines but not that one.
_NOTES = (
    ("abuse_disclosed", "utter_note_abuse_line", "crisis_line_abuse"),
    ("swallowed", "utter_note_poison", "poison_help"),
    ("young", "utter_note_youth_line", "crisis_line_youth"),
    ("lgbtq", "utter_note_lgbtq_lines", "lgbtq_lines"),
)

# The replies a language note is put before: every crisis reply.
_CRISIS_REPLIES = frozenset(set(CRISIS_RESPONSES.values()) - {"utter_check_in_gently"}) | {GENERAL_CRISIS_RESPONSE}
# The crisis reply of each kind (not the help button's, not the check-in).
_KIND_CRISIS_REPLIES = frozenset(_CRISIS_REPLIES - {GENERAL_CRISIS_RESPONSE})
# Risk already answered, with nothing new (attune.safety.crisis_state): a short reply that
# keeps one line in view, or none once the visitor declined numbers.
REPEAT_CRISIS_REPLY = "utter_crisis_again"
QUIET_CRISIS_REPLY = "utter_crisis_quiet"
# After a crisis reply, a message that puts the means out of reach ("my sister can keep my
# pills for a while") is answered with that step, whatever the follow-up it was read as.
MEANS_AWAY_REPLY = "utter_means_away"
MEANS_PARTLY_AWAY_REPLY = "utter_means_partly_away"
# A partner's threat of suicide should the visitor leave: "if I leave him he'll kill himself",
# "she says she'll end it if i go", "threatens to kill himself whenever i talk about leaving".
# Bounded: fixed words, at most 40 characters between.
THREAT_IF_LEAVING = re.compile(
    r"\bif\s+i\s+(?:leave|left|go|went|end\s+it\s+with|break\s+up\s+with|walk\s+out\s+on)\b[^.!?\n]{0,40}?"
    r"\b(?:he|she|they)\s*(?:'?ll|will|would|'?d|is\s+going\s+to|'?s\s+going\s+to|is\s+gonna|'?s\s+gonna)\s+"
    r"(?:kill|hurt|harm|end)\s+(?:himself|herself|themselves|themself|it\s+all|his\s+life|her\s+life)\b"
    # One optional run of spaces between any two words (adjacent optional runs would be tried
    # in every split: quadratic time on a long run of spaces).
    r"|\b(?:threaten(?:s|ed|ing)?|says?|said)\s+(?:to\s+|that\s+)?(?:(?:he|she|they)\s*)?(?:(?:'ll|ll|will|would|'d)\s+)?"
    r"(?:to\s+)?(?:kill|hurt|harm)\s+(?:himself|herself|themselves|themself)\s+(?:if|when|whenever|every\s+time)\s+i\s+"
    r"(?:leave|go|try\s+to\s+leave|talk\s+about\s+leaving|mention\s+leaving|break\s+up)\b",
    re.IGNORECASE,
)
# A risk message that also asks to book: "can i book a first session", "i need that appointment".
ASKS_TO_BOOK = re.compile(
    r"\b(?:book|booking|schedule|make|get|need|want)\s+(?:a\s+|an\s+|that\s+|my\s+|the\s+)?(?:first\s+)?"
    r"(?:session|appointment|consultation|consult)\b|\bbook\s+(?:in\s+)?(?:with|a\s+therapist|therapy)\b",
    re.IGNORECASE,
)
# Replies to danger now that name the emergency number as a number even after "no more numbers".
# "wait i'm bleeding. like a lot" after "no numbers please" (writer AK): feeling worse after a
# crisis reply is urgent, and calling is the step itself.
_DANGER_NOW_REPLIES = frozenset({"utter_not_safe", "utter_feeling_worse"})
# The check-in just after something swallowed: the poison centre, at any hour.
POISON_ANY_HOUR_REPLY = "utter_poison_centre_any_hour"
# Taking is still ahead: "going to take all my insulin tonight" (the step to put it away
# stands).
# ("took them all. will i be ok" is taken: only an intention to take counts.)
_NOT_YET = re.compile(r"\b(?:going\s+to|gonna|gunna|i'?ll|i\s+will|want\s+to|wanna|thinking\s+(?:about|of)|about\s+to|"
                      r"plan(?:ning)?\s+to|might|should\s+i)\s+(?:just\s+)?(?:take|taking|swallow|swallowing|"
                      r"down|od|overdose|drink|use|do)\b", re.IGNORECASE)
# After a crisis reply, "no one can help me", whatever it was read as.
HOPELESS_REPLY = "utter_hopeless_after_crisis"
_HOPELESS_FOLLOW_UPS = frozenset({"utter_unsure_after_crisis", "utter_default", "utter_next_step",
                                  "utter_glad_safe", "utter_feeling_calmer", "utter_respect_denial"})
# A helper who cannot reach the person at risk, whatever it was read as.
CANT_REACH_REPLY = "utter_cant_reach_them"
# A man hurt by a partner, told the lines are for women: the lines for anyone.
LINES_FOR_MEN_REPLY = "utter_lines_for_men"
_LINES_FOR_MEN_FOLLOW_UPS = frozenset({"utter_about_the_lines", "utter_unsure_after_crisis", "utter_default",
                                       "utter_stop_hotlines", "utter_next_step"})
# Out of the garage, the keys put away.
ENGINE_AWAY_REPLY = "utter_engine_away"
# The engine turned off, the visitor still in the car or the garage.
ENGINE_OFF_REPLY = "utter_engine_off"
_ENGINE_OFF_FOLLOW_UPS = frozenset({"utter_feeling_calmer", "utter_glad_safe", "utter_respect_denial",
                                    "utter_unsure_after_crisis", "utter_default", "utter_next_step",
                                    "utter_next_step_check"})
# Someone else's medical emergency, and they refuse the ambulance.
MEDICAL_REFUSAL_REPLY = "utter_refuse_help_medical_other"
_MEDICAL_SUBCATEGORIES = frozenset({"medical", "medical_now", "unresponsive", "not_breathing"})
# Something swallowed, and a question about treating it at home.
TREAT_AT_HOME_REPLY = "utter_poison_first_aid"
# The next step, when the visitor has just named someone they trust close by.
_SOMEONE_NEAR_REPLIES = {"utter_next_step": "utter_someone_near", "utter_next_step_check": "utter_someone_near_check"}
_NEAR_KINDS = frozenset({"suicide", "self_harm", "emergency", "abuse", "child_abuse", "general"})
# A helper asking whether to go to someone at risk who has a gun, whatever it was read as.
GO_TO_ARMED_REPLY = "utter_go_to_them_armed"
_GO_TO_ARMED_FOLLOW_UPS = frozenset({"utter_unsure_after_crisis", "utter_default", "utter_next_step", "utter_not_safe",
                                     "utter_feeling_worse", "utter_crisis_again", "utter_crisis_quiet"})
GOING_TO_THEM = re.compile(
    r"\b(?:should|do|can|could|shall)\s+i\s+(?:just\s+)?(?:go|walk|head|run)\s+(?:out|in|over|down|up)?\s*"
    r"(?:there|to\s+(?:him|her|them|the\s+(?:shop|barn|garage|shed|room|truck|car)))\b"
    r"|\b(?:going|gonna|about\s+to)\s+(?:go\s+)?(?:out|in|over)\s+(?:there|to\s+(?:him|her|them))\b",
    re.IGNORECASE,
)
_GUN_NAMED = re.compile(r"\b(?:guns?|rifles?|shotguns?|pistols?|handguns?|revolvers?|firearms?)\b", re.IGNORECASE)
_CANT_REACH_FOLLOW_UPS = frozenset({"utter_unsure_after_crisis", "utter_default", "utter_next_step",
                                    "utter_not_safe", "utter_feeling_worse", "utter_stop_hotlines", "utter_glad_safe",
                                    # The helper's crisis again ("she lives alone. shes not answering
                                    # my texts now and its been 3 hours"): the wellness check.
                                    "utter_crisis_again", "utter_crisis_quiet"})
# Crisis replies to a helper that add the wellness check when the person cannot be reached.
_CANT_REACH_CRISIS_REPLIES = frozenset({"utter_crisis_third_party", "utter_crisis_emergency"})
# After a crisis reply, asking the assistant to check in later, whatever it was read as.
CHECK_LATER_REPLY = "utter_cant_check_in_later"
_CHECK_LATER_FOLLOW_UPS = frozenset({"utter_unsure_after_crisis", "utter_cant_call", "utter_default",
                                     "utter_next_step", "utter_glad_safe", "utter_feeling_calmer",
                                     "utter_stop_hotlines", "utter_thank", "utter_goodbye"})
# In an emergency, the fear that calling brings the police, whatever follow-up it was read as.
POLICE_FEAR_REPLY = "utter_ambulance_not_police"
_POLICE_FEAR_FOLLOW_UPS = frozenset({"utter_refuse_hospital", "utter_cant_call", "utter_stop_hotlines",
                                     "utter_unsure_after_crisis", "utter_default", "utter_next_step"})
_MEANS_AWAY_FOLLOW_UPS = frozenset({"utter_unsure_after_crisis", "utter_glad_safe", "utter_feeling_calmer",
                                    "utter_next_step", "utter_default", "utter_respect_denial", "utter_cant_call",
                                    "utter_refuse_hospital", "utter_stop_hotlines"})
# The means just named, put away, said with "it": "put it in the cabinet and came out",
# "locked it in the safe", "gave it to my wife". Bounded: fixed words.
IT_PUT_AWAY = re.compile(
    r"\b(?:put|placed|locked|hid|left|gave|handed|threw|tossed|flushed|unloaded|squirted|poured|dumped|emptied)\s+"
    r"(?:it|them)\s+(?:(?:back\s+)?(?:in|into|away|up|out|to|down\s+the)\b|back\s*(?:$|[.!,]))"
    # Not into one's mouth, hand or drink: "i put them in my mouth", "put it to my head".
    r"(?!\s*(?:my|his|her|a|the)\s+(?:mouth|hands?|throat|arms?|wrists?|neck|head|pocket|bag|veins?|drink|coffee|tea|"
    r"water|glass|juice|beer|wine|food)\b)",
    re.IGNORECASE,
)


def _means_named_before(tracker: DialogueStateTracker) -> Text:
    """The means the visitor's message before this one named (entity `means`), or ""."""
    said = [event for event in tracker.applied_events() if isinstance(event, UserUttered)]
    if len(said) < 2:
        return ""
    return next((str(e.get("value")) for e in said[-2].entities or [] if e.get("entity") == "means"), "")


# "Your local emergency number", in the language notes' words.
_LOCAL_EMERGENCY_NUMBER = {"es": "número de emergencias de su país", "fr": "numéro d'urgence de votre pays"}
# The person hurting them watches the phone or is in earshot: "he check my phone", "she'll hear".
WATCHED_BY_THEM = re.compile(
    r"\b(?:he|she|they)\s*(?:'ll|will|would|always|might)?\s*(?:check|checks|checking|read|reads|reading|"
    r"look\s+at|looks\s+at|goes\s+through|go\s+through|hear|hears|listen|listens)\b",
    re.IGNORECASE,
)
MEANS_NAMED = {"gun": "the guns", "pills": "the pills", "knife": "the knives", "blade": "the blades",
               "razor": "the razors", "weapon": "the weapons"}
# The replies that show lines, so may add the ones the visitor's situation calls for.
_NOTED_REPLIES = _CRISIS_REPLIES | {"utter_unsure_after_crisis", "utter_next_step", "utter_not_safe", HOPELESS_REPLY,
                                    "utter_refuse_hospital", "utter_feeling_worse", "utter_cant_call",
                                    "utter_region_lines", "utter_lines_did_not_help", "utter_help_on_the_way",
                                    REPEAT_CRISIS_REPLY, "utter_thank", "utter_goodbye", "utter_respect_denial"}
# Replies that add those lines once a crisis reply was given: "shes asleep now. i locked my door"
# from a 15-year-old (the youth line with "glad it has eased"), a call-back asked for in a
# crisis from somewhere the registry has no lines for (writer AI).
_NOTED_AFTER_CRISIS = frozenset({"utter_feeling_calmer", "utter_glad_safe", "utter_safe_but_struggling",
                                 "utter_out_of_scope", "utter_callback_intro"})
# The first answer of each follow-up a risk reading may be answered with (attune/safety/context.py).
# "No more numbers" is not among them: it is answered as asked, with the help button.
_FOLLOW_UP_ANSWERS = frozenset({"utter_refuse_hospital", "utter_cant_call", "utter_not_safe", "utter_feeling_worse",
                                "utter_next_step", "utter_lines_did_not_help", "utter_help_on_the_way"})
# The replies a visitor's wish to write instead of call adds the text lines to.
_TEXT_NOTE_REPLIES = frozenset(_NOTED_REPLIES | {"utter_refuse_hospital", "utter_stop_hotlines", QUIET_CRISIS_REPLY})
# The first crisis replies to the visitor's own suicide or self-harm risk: a step to be safer
# now even when the message names no means.
_SELF_RISK_REPLIES = frozenset({"utter_crisis_suicide", "utter_crisis_self_harm"})
# The replies that add a step to be safer now when the message names a means or a place.
_STEP_REPLIES = _NOTED_REPLIES | {QUIET_CRISIS_REPLY, "utter_bot_challenge", "utter_glad_safe"}


def region_variables(registry: Registry, code: Text) -> Dict[Text, Text]:
    """`region_name` and `lines_here_<kind>` (the lines for each crisis kind) of a region."""
    country, _, subdivision = code.partition("-")
    found, sub = registry.locate(country, subdivision or None)
    variables = {"region_name": sub.name if sub else found.name}
    for kind in ("suicide", "self_harm", "abuse", "child_abuse", "harm_others", "emergency",
                 "third_party", "general"):
        variables[f"lines_here_{kind}"] = format_lines(resources_for(registry, country, subdivision or None, kind))
    return variables


def _someone_young_named(tracker: DialogueStateTracker) -> bool:
    """Whether a message of this conversation named someone else under 18."""
    return any(isinstance(event, UserUttered) and says_someone_young(event.text or "") for event in tracker.events)


def _gun_named(tracker: DialogueStateTracker) -> bool:
    """Whether a message of this conversation named a gun (its first 500 characters each)."""
    return any(isinstance(event, UserUttered) and _GUN_NAMED.search((event.text or "")[:500])
               for event in tracker.events)


_DIED_OF = re.compile(r"\b(?:died|dead|passed\s+away|lost\s+(?:him|her|them))\s+(?:of|from|to|after)\b", re.IGNORECASE)


def _swallowed_by_the_visitor(tracker: DialogueStateTracker) -> bool:
    """Whether a risk message of this conversation said the visitor (or the person they help;
    a misread "im done with this company" may have made it look like a helper's) swallowed
    something: not "going to take them all" (still ahead), not a son who died of an overdose
    in March."""
    return tracker.get_slot("swallowed") == "yes" and any(
        isinstance(event, UserUttered) and (event.intent_name or "").startswith("risk_")
        and any(e.get("entity") == "swallowed" for e in event.entities or [])
        and not _NOT_YET.search((event.text or "")[:500]) and not _DIED_OF.search((event.text or "")[:500])
        for event in tracker.applied_events())


def _poisoning_answered(tracker: DialogueStateTracker) -> bool:
    """Whether a poisoning or an overdose was answered as an emergency in this conversation
    ("my 2 yr old drank some of the dishwasher stuff", then "should i make her throw up")."""
    return any(isinstance(event, UserUttered) and event.intent_name == "risk_emergency"
               and ((event.parse_data or {}).get("risk") or {}).get("subcategory") in ("poisoning", "overdose")
               for event in tracker.applied_events())


def _swallowed_in_an_emergency(tracker: DialogueStateTracker) -> bool:
    """Whether something swallowed was answered as an emergency in this conversation (not
    "thinking I'll stop taking my meds", not a son who died of an overdose in March)."""
    return tracker.get_slot("swallowed") == "yes" and any(
        isinstance(event, UserUttered) and event.intent_name == "risk_emergency"
        for event in tracker.applied_events())


def _swallowed_recently(tracker: DialogueStateTracker) -> bool:
    """Whether one of the visitor's two messages before this one said something was swallowed
    and was answered as a medication question or an emergency (not "i took my meds, feeling
    low lately", whose check-in keeps its own words)."""
    said = [event for event in tracker.applied_events() if isinstance(event, UserUttered)][-3:-1]
    return any(event.intent_name in ("ask_medication", "risk_emergency")
               and any(e.get("entity") == "swallowed" for e in event.entities or []) for event in said)


def _means_named_earlier(tracker: DialogueStateTracker) -> Optional[Text]:
    """The means the visitor's latest message naming one named ("engine", "pills"), or None."""
    for event in reversed(list(tracker.applied_events())):
        if isinstance(event, UserUttered):
            for entity in event.entities or []:
                if entity.get("entity") == "means" and entity.get("value") in KNOWN_MEANS:
                    return str(entity["value"])
    return None


def _means_still_at_hand(tracker: DialogueStateTracker) -> Optional[Text]:
    """The means an earlier message named, unless a message since put it (or them) away."""
    for event in reversed(list(tracker.applied_events())):
        if not isinstance(event, UserUttered):
            continue
        if means_moved_away(event.text or ""):
            return None
        for entity in event.entities or []:
            if entity.get("entity") == "means" and entity.get("value") in KNOWN_MEANS:
                return str(entity["value"])
    return None


def _danger_just_said(tracker: DialogueStateTracker) -> bool:
    """Whether the visitor's message before this one was read as danger now."""
    said = [event for event in tracker.applied_events() if isinstance(event, UserUttered)]
    return len(said) >= 2 and said[-2].intent_name in ("not_safe", "risk_emergency")


def _means_put_away_since_crisis(tracker: DialogueStateTracker) -> bool:
    """Whether a message since the conversation's first crisis reply said a means was put
    away ("i put the bag in the trunk", "gave my pills to my sister")."""
    seen = False
    for event in tracker.applied_events():
        if not isinstance(event, UserUttered):
            continue
        seen = seen or (event.intent_name or "").startswith(RISK_INTENT_PREFIX)
        if seen and (means_moved_away(event.text or "") or IT_PUT_AWAY.search((event.text or "")[:300])):
            return True
    return False


def _threat_to_someone_else(tracker: DialogueStateTracker) -> bool:
    """Whether the latest message's risk is someone else's threat to hurt another person (the
    word lists' harm to others, said of someone else)."""
    risk = (getattr(tracker.latest_message, "parse_data", None) or {}).get("risk") or {}
    return risk.get("category") == "harm_others" and risk.get("about") == "other"


def user_turns(tracker: DialogueStateTracker) -> List[Tuple[Optional[Text], Set[Text], bool, Text]]:
    """The visitor's messages that count (not ones Rasa reverted), as (intent, entity names,
    read by the risk model alone, text)."""
    return [
        (event.intent_name, {str(e.get("entity")) for e in event.entities or []}, model_only(event),
         event.text or "")
        for event in tracker.applied_events()
        if isinstance(event, UserUttered)
    ]


def model_only(event: UserUttered) -> bool:
    """Whether the message's risk reading is the risk model's alone (no word list read it)."""
    return read_by_model_alone(getattr(event, "parse_data", None))


WELCOME = "utter_welcome"
WELCOME_AGAIN = "utter_welcome_again"
WELCOME_BACK_AFTER_CRISIS = "utter_welcome_back_after_crisis"


def welcomed(tracker: DialogueStateTracker) -> bool:
    """Whether this session already gave the whole welcome."""
    from rasa.shared.core.events import ActionExecuted, SessionStarted

    seen = False
    for event in tracker.events:
        if isinstance(event, SessionStarted):
            seen = False
        elif isinstance(event, ActionExecuted) and event.action_name == WELCOME:
            seen = True
    return seen


def read_as_risk(tracker: DialogueStateTracker) -> bool:
    """Whether the latest message was read as risk and answered as a crisis follow-up."""
    parse_data = getattr(tracker.latest_message, "parse_data", None) or {}
    return bool((parse_data.get("risk") or {}).get("within_crisis"))


_LANGUAGE_ASKED = re.compile(r"\b(?:spanish|espa[ñn]ol|french|fran[çc]ais)\b", re.IGNORECASE)


def _line_language_asked(tracker: DialogueStateTracker) -> Optional[Text]:
    """"Spanish" or "French" when the visitor's latest message names it, else None."""
    found = _LANGUAGE_ASKED.search((tracker.latest_message.text or "")[:500])
    if not found:
        return None
    return "French" if found.group(0).lower().startswith("fr") else "Spanish"


def where_you_are(place: Text, lines: Text) -> Text:
    """A list of lines under the name of the place the visitor said they are in."""
    return f"Where you are ({place}):\n{lines}"


def in_the(place: Text) -> Text:
    """A place's name after "in": "the United Kingdom", "Quebec"."""
    return f"the {place}" if place.split()[0] in ("United", "Northern") and not place.startswith("Northern Ireland") \
        else place


def follow_up_kind(tracker: DialogueStateTracker) -> Optional[Text]:
    """The crisis kind the replies after a crisis reply are written for: the slot
    `crisis_kind`, except that an emergency in a conversation about someone else at risk
    ("my mate took something and isn't waking up") is still the helper's: "stay with them",
    not "stay where someone can see you". The crisis reply itself keeps the emergency's words."""
    kind = tracker.get_slot("crisis_kind")
    if kind == "general":
        # "Get help now", or the lines asked for ("can I call a crisis line for her from
        # Korea?", writer AJ), after a crisis of a kind: still that kind's conversation.
        kind = _set_before(tracker, "crisis_kind", lambda value: value != "general") or kind
    if kind == "emergency" and about_someone_else(tracker):
        return "third_party"
    return kind


# Follow-ups that keep the step back from an edge named in the message just before.
_PLACE_FOLLOW_UPS = frozenset({"utter_cant_call", "utter_unsure_after_crisis", "utter_next_step"})


def _place_just_named(tracker: DialogueStateTracker) -> bool:
    """Whether the visitor's message before this one named a place to step back from, in
    their own crisis (not a helper's)."""
    said = [event for event in tracker.applied_events() if isinstance(event, UserUttered)]
    if len(said) < 2 or about_someone_else(tracker):
        return False
    return any(e.get("entity") == "risky_place" for e in said[-2].entities or [])


def _engine_still_on(tracker: DialogueStateTracker) -> bool:
    """Whether the visitor's latest message about the engine said it is running ("engine's
    running for the heat"), and none since said it is off or they are out of the garage."""
    for event in reversed(list(tracker.applied_events())):
        if not isinstance(event, UserUttered):
            continue
        text = (event.text or "")[:300]
        if ENGINE_OFF.search(text) or KEYS_AWAY.search(text):
            return False
        if ENGINE_ON.search(text):
            return True
    return False


# Out of the car or the garage: "I opened the big door. I'm on the back step now".
_OUT_OF_THE_GARAGE = re.compile(
    r"\b(?:opened|open)\s+(?:the\s+)?(?:big\s+|garage\s+)?door\b|\bout\s+of\s+the\s+(?:car|truck)\b"
    r"|\b(?:on|at)\s+the\s+(?:back|front)\s+(?:step|steps|porch)\b|\b(?:went|go|going|came|back)\s+(?:back\s+)?inside\b",
    re.IGNORECASE,
)


def _still_in_the_garage(tracker: DialogueStateTracker) -> bool:
    """Whether the visitor's latest message about where they are put them in a garage ("sitting
    in the car in the garage"), and none since said they left it or put the keys away."""
    for event in reversed(list(tracker.applied_events())):
        if not isinstance(event, UserUttered):
            continue
        text = (event.text or "")[:300]
        if KEYS_AWAY.search(text) or _OUT_OF_THE_GARAGE.search(text) or ENGINE_OFF.search(text):
            return False
        if re.search(r"\bgarage\b", text, re.IGNORECASE):
            return True
    return False


def _engine_named(tracker: DialogueStateTracker) -> bool:
    """Whether the visitor's messages named a car running in a garage (or a garage at all)."""
    return any(isinstance(event, UserUttered) and ENGINE_SAID.search((event.text or "")[:300])
               for event in tracker.applied_events())


def _someone_elses_medical_emergency(tracker: DialogueStateTracker) -> bool:
    """Whether the latest emergency of this conversation was a medical one (signs of a stroke
    or a heart attack, not breathing), not an overdose, a place or violence."""
    for event in reversed(tracker.applied_events()):
        if isinstance(event, UserUttered) and event.intent_name in ("risk_emergency", "risk_third_party"):
            risk = (event.parse_data or {}).get("risk") or {}
            return risk.get("category") == "emergency" and risk.get("subcategory") in _MEDICAL_SUBCATEGORIES
    return False


def about_someone_else(tracker: DialogueStateTracker) -> bool:
    """Whether this conversation's risk was read as someone else's: `risk_third_party`, or a
    medical emergency or an attempt under way the word lists read as another person's ("she
    took a bunch of tylenol an hour ago", "hes sitting on the edge of the roof"). Not their
    reading of violence: there "another person" is whom the visitor fears hurting ("i'm
    scared i'm going to hit her"), who must never be told to stay close. Someone else being
    abused (slot `abuse_of_other`) is always someone else's."""
    if tracker.get_slot("abuse_of_other"):
        return True
    for event in tracker.applied_events():
        if not isinstance(event, UserUttered):
            continue
        if event.intent_name == "risk_third_party":
            return True
        if someone_elses_emergency(event.intent_name, (event.parse_data or {}).get("risk") or {}):
            return True
    return False


def crisis_seen(tracker: DialogueStateTracker) -> bool:
    """Whether any message of this conversation carried risk."""
    return any(
        isinstance(event, UserUttered)
        and (event.intent_name or "").startswith(RISK_INTENT_PREFIX)
        for event in tracker.events
    )


def _said_this_turn(tracker: DialogueStateTracker, phrase: Text) -> bool:
    """Whether a reply since the visitor's latest message already says `phrase`."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and phrase in (event.text or ""):
            return True
    return False


def _audited_this_turn(tracker: DialogueStateTracker) -> bool:
    """Whether a reply since the visitor's latest message already carries the audit record."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and AUDIT_METADATA in (event.metadata or {}):
            return True
    return False


def with_help_button(response: Dict[Text, Any]) -> Dict[Text, Any]:
    """The response with a "Get help now" button, unless it already offers one."""
    buttons: List[Dict[Text, Any]] = list(response.get("buttons") or [])
    if any(button.get("payload") == GET_HELP_BUTTON["payload"] for button in buttons):
        return response
    response = copy.deepcopy(response)
    response["buttons"] = buttons + [dict(GET_HELP_BUTTON)]
    return response

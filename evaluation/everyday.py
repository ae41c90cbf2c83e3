"""What a visitor gets on everyday messages and conversations nobody on the project wrote: the
whole assistant, through the REST channel.

    python -m evaluation.everyday [--sets tests/everyday/sealed/*.jsonl] [--out PATH] [--show]

Two kinds of JSON Lines set, told apart by their lines:
- single messages `{"id", "text", "expect": <tag>}`, each sent as a new visitor;
- conversations `{"id", "situation", "turns": [{"visitor", "expect": <tag>}]}`, each sent as a
  new visitor, turn after turn; a conversation passes when every turn does.
A message passes when the reply answers its topic, or is a clarifying question that offers it
(a button for it). What was answered is read from the tracker store: the actions the assistant
ran for that message and the responses it sent (their names, never their text), mapped to tags
below (`ANSWERS`, `OFFERS`). Conversations also count judging words (attune.style) and the
median reading grade of the replies. The program prints aggregate figures only, each with a
Wilson 95 % interval; `--show` prints the failures with their messages, for development sets
(tests/everyday/dev/) only, and is refused for the sealed sets.

Topic tags (the writers' list, /tmp/briefs/everyday_tags.md):
Practical questions about the practice:
- fees (what a session costs), sliding_scale (reduced fees, can't afford it), insurance
  (coverage, direct billing, receipts), session_formats (online / in person / phone), clients (do
  they see couples, teens, families, individuals), languages (sessions in another language),
  accessibility (wheelchair access, ASL, quiet room), free_consultation (a free first call),
  cancellation (cancelling, late fees, no-shows), hours (when they are open), booking (how to book
  / talk to a therapist / contact details), callback (asking to be called back), privacy (who
  reads this chat, what is stored), delete_conversation (delete what I wrote).
About the assistant:
- bot_identity (are you a real person / a bot / AI), bot_as_therapist (can you be my therapist /
  can I just talk to you instead of therapy), greeting (hi), thanks, goodbye.
Learning about attachment:
- attachment_basics (what are attachment styles/patterns, how it works), anxious_attachment,
  avoidant_attachment, disorganised_attachment (fearful-avoidant, hot and cold in oneself),
  secure_attachment (what secure looks like), push_pull (I move toward then pull away,
  fluctuating), pushing_love_away (why do I push people away when they get close / sabotage),
  reassurance (needing reassurance, asking again and again), self_compassion (being kinder to
  myself, inner critic), changing_patterns (can this change, earned security), causes (where
  patterns come from, childhood), how_counselling_helps (what therapy would do for this),
  therapy_approaches (EFT, CBT, what kind of therapy), not_a_diagnosis (is attachment style a
  diagnosis / labels feel bad), diagnosis_request (tell me what is wrong with me / diagnose me),
  medication (questions about medication), judge_partner (is my partner avoidant / narcissist /
  should I leave him: the assistant cannot judge someone it has not met).
The practice's reflective exercise:
- exercise (wants to do the reflection/exercise/quiz about how they act when someone gets
  close).
Feelings said before any question (the visitor wants to be heard):
- shame (ashamed of how I act, self-critical "I'm pathetic", "what is wrong with me" as a
  feeling), jealousy (jealous, checking their phone), loneliness, fear_of_abandonment (scared
  they'll leave, panic when they don't text back: no danger), too_much (I'm too much, too needy,
  clingy), not_enough (not good enough, unlovable).
Anything else:
- out_of_scope (weather, homework, recipes, unrelated).

A follow-up on the topic just discussed ("give me an example") is answered by a response named
`utter_follow_up_<kind>__<tag>` (actions/follow_up.py), which answers that tag, or by one named
`utter_follow_up_<kind>` (one answer across patterns and feelings), which answers the topic the
assistant held at that turn (the slot `last_topic`, read from the tracker store).
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple, Union

from attune.paths import REPO_ROOT
from attune.style import judging_phrases, reading_grade
from evaluation.sealed import Rate, evaluation_stack, send
from tools.stack import DEFAULT_MODEL

SEALED_DIR = REPO_ROOT / "tests" / "everyday" / "sealed"
DEV_DIR = REPO_ROOT / "tests" / "everyday" / "dev"

_EXERCISE = frozenset({
    "utter_reflection_intro", "utter_reflection_ground_rules", "utter_reflection_not_now",
    "utter_reflection_offer_resume", "reflection_form", "action_reset_reflection",
    "action_start_reflection_with_answer", "action_pause_reflection", "action_resume_reflection",
    "action_reflection_summary", "utter_reflection_paused", "utter_reflection_resuming",
    "utter_reflection_stopped", "utter_reflection_continue", "utter_reflection_help_in_form",
    "utter_reflection_first_answer_taken", "utter_reflection_ack_quote", "utter_reflection_ack_long",
    "utter_reflection_ack_skipped", "utter_ask_reflection_closeness", "utter_ask_reflection_feelings",
    "utter_ask_reflection_protection", "utter_ask_reflection_curiosity",
    "utter_reflection_invite_therapist",
})

# What answers each tag: action or response names, as the tracker store records them.
ANSWERS: Dict[str, FrozenSet[str]] = {
    "fees": frozenset({"utter_fees"}),
    "sliding_scale": frozenset({"utter_sliding_scale"}),
    "insurance": frozenset({"utter_insurance"}),
    "session_formats": frozenset({"utter_session_formats"}),
    "clients": frozenset({"utter_clients"}),
    "languages": frozenset({"utter_languages"}),
    "accessibility": frozenset({"utter_accessibility"}),
    "free_consultation": frozenset({"utter_free_consultation"}),
    "cancellation": frozenset({"utter_cancellation"}),
    "hours": frozenset({"utter_therapist_hours"}),
    "booking": frozenset({"utter_therapist_contact"}),
    "callback": frozenset({"utter_callback_intro", "callback_form"}),
    "privacy": frozenset({"utter_privacy", "utter_messaging_privacy_note"}),
    "delete_conversation": frozenset({"utter_ask_delete_conversation", "utter_conversation_deleted"}),
    "bot_identity": frozenset({"utter_bot_challenge"}),
    "bot_as_therapist": frozenset({"utter_decline_be_therapist"}),
    "greeting": frozenset({"utter_welcome", "utter_welcome_again"}),
    "thanks": frozenset({"utter_thank"}),
    "goodbye": frozenset({"utter_goodbye"}),
    "attachment_basics": frozenset({"utter_learn_attachment", "utter_attachment_systems"}),
    "anxious_attachment": frozenset({"utter_anxious_attachment"}),
    "avoidant_attachment": frozenset({"utter_avoidant_attachment"}),
    "disorganised_attachment": frozenset({"utter_disorganised_attachment"}),
    "secure_attachment": frozenset({"utter_secure_attachment"}),
    "push_pull": frozenset({"utter_push_pull"}),
    "pushing_love_away": frozenset({"utter_pushing_love_away"}),
    "reassurance": frozenset({"utter_reassurance_ok"}),
    "self_compassion": frozenset({"utter_self_compassion"}),
    "changing_patterns": frozenset({"utter_change_patterns"}),
    "causes": frozenset({"utter_attachment_causes"}),
    "how_counselling_helps": frozenset({"utter_counselling"}),
    "therapy_approaches": frozenset({"utter_therapy_approaches"}),
    "not_a_diagnosis": frozenset({"utter_patterns_not_diagnosis", "utter_labels_criticism"}),
    "diagnosis_request": frozenset({"utter_decline_diagnosis"}),
    "medication": frozenset({"utter_decline_medication"}),
    "judge_partner": frozenset({"utter_decline_judge_partner"}),
    "exercise": _EXERCISE,
    "shame": frozenset({"utter_feeling_shame"}),
    "jealousy": frozenset({"utter_feeling_jealousy"}),
    "loneliness": frozenset({"utter_feeling_lonely"}),
    "fear_of_abandonment": frozenset({"utter_feeling_fear_of_leaving"}),
    "too_much": frozenset({"utter_feeling_too_much"}),
    "not_enough": frozenset({"utter_feeling_not_enough"}),
    "out_of_scope": frozenset({"utter_out_of_scope"}),
}
TAGS = tuple(ANSWERS)

# The intents whose button offers each tag (payload "/<intent>").
OFFERS: Dict[str, FrozenSet[str]] = {
    "fees": frozenset({"ask_fees"}), "sliding_scale": frozenset({"ask_sliding_scale"}),
    "insurance": frozenset({"ask_insurance"}), "session_formats": frozenset({"ask_session_formats"}),
    "clients": frozenset({"ask_clients"}), "languages": frozenset({"ask_languages"}),
    "accessibility": frozenset({"ask_accessibility"}),
    "free_consultation": frozenset({"ask_free_consultation"}),
    "cancellation": frozenset({"ask_cancellation"}), "hours": frozenset({"ask_hours"}),
    "booking": frozenset({"request_human"}), "callback": frozenset({"request_callback"}),
    "privacy": frozenset({"ask_privacy"}), "delete_conversation": frozenset({"delete_conversation"}),
    "bot_identity": frozenset({"bot_challenge"}), "bot_as_therapist": frozenset({"request_bot_therapist"}),
    "attachment_basics": frozenset({"learn_attachment", "ask_attachment_systems"}),
    "anxious_attachment": frozenset({"ask_anxious_attachment"}),
    "avoidant_attachment": frozenset({"ask_avoidant_attachment"}),
    "disorganised_attachment": frozenset({"ask_disorganised_attachment"}),
    "secure_attachment": frozenset({"ask_secure_attachment"}), "push_pull": frozenset({"ask_push_pull"}),
    "pushing_love_away": frozenset({"ask_pushing_love_away"}), "reassurance": frozenset({"ask_reassurance"}),
    "self_compassion": frozenset({"ask_self_compassion"}),
    "changing_patterns": frozenset({"ask_change_patterns"}), "causes": frozenset({"ask_causes"}),
    "how_counselling_helps": frozenset({"ask_counselling"}),
    "therapy_approaches": frozenset({"ask_therapy_approaches"}),
    "not_a_diagnosis": frozenset({"ask_patterns_not_diagnosis", "ask_labels_criticism"}),
    "diagnosis_request": frozenset({"request_diagnosis"}), "medication": frozenset({"ask_medication"}),
    "judge_partner": frozenset({"judge_partner"}), "exercise": frozenset({"start_reflection"}),
    "shame": frozenset({"feel_shame"}), "jealousy": frozenset({"feel_jealous"}),
    "loneliness": frozenset({"feel_lonely"}), "fear_of_abandonment": frozenset({"feel_fear_of_leaving"}),
    "too_much": frozenset({"feel_too_much"}), "not_enough": frozenset({"feel_not_enough"}),
}
# Replies that ask what the visitor meant, offering topics as buttons.
CLARIFYING = frozenset({"action_suggest_topics", "utter_ask_rephrase"})
_FOLLOW_UP = re.compile(r"^utter_follow_up_\w+?__(\w+)$")
_GENERAL_FOLLOW_UP = re.compile(r"^utter_follow_up_[a-z_]+$")


def said_by_assistant(reply: str, visitor: Union[str, Sequence[str]]) -> str:
    """A reply without the visitor's own words quoted back in it (the reflection says "You
    wrote: “i get clingy...”", and its summary quotes every answer given so far): judging
    words are counted in what the assistant says. `visitor`: this message, or every message
    of the conversation so far."""
    for said in ([visitor] if isinstance(visitor, str) else list(visitor)):
        if said.strip():
            reply = reply.replace(said.strip(), " ")
    return reply

@dataclass
class Observed:
    """What the assistant did for one message: actions and responses by name, buttons."""

    names: List[str] = field(default_factory=list)
    payloads: List[str] = field(default_factory=list)
    topic: Optional[str] = None  # the slot `last_topic` after this message


def answered_tags(names: Iterable[str], topic: Optional[str] = None) -> List[str]:
    """The tags that these actions and responses answer; `topic` is the one held at the time
    (a general follow-up answers it)."""
    found = []
    for name in names:
        follow_up = _FOLLOW_UP.match(name)
        if follow_up and follow_up.group(1) in ANSWERS:
            found.append(follow_up.group(1))
        elif topic in ANSWERS and "__" not in name and _GENERAL_FOLLOW_UP.match(name):
            found.append(str(topic))
        found += [tag for tag, answers in ANSWERS.items() if name in answers]
    return sorted(set(found))


def offered_tags(names: Iterable[str], payloads: Iterable[str]) -> List[str]:
    """The tags a clarifying question offers as buttons (none when no clarifying reply)."""
    if not CLARIFYING & set(names):
        return []
    intents = {p.lstrip("/").split("{")[0] for p in payloads if p.startswith("/")}
    return sorted(tag for tag, offer in OFFERS.items() if offer & intents)


def passes(tag: str, observed: Observed) -> bool:
    """Whether the reply answers `tag`, or is a clarifying question that offers it."""
    return (tag in answered_tags(observed.names, observed.topic)
            or tag in offered_tags(observed.names, observed.payloads))


@dataclass
class Message:
    id: str
    text: str
    expect: str


@dataclass
class Conversation:
    id: str
    situation: str
    turns: List[Message]


Item = Union[Message, Conversation]


def read_set(path: Path) -> List[Item]:
    """A set of single messages or of conversations (or both), checked against TAGS."""
    items: List[Item] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        raw = json.loads(line)
        ident = str(raw.get("id") or number)
        item: Item
        if "turns" in raw:
            turns = [Message(f"{ident}.{n}", str(t["visitor"]), str(t["expect"]))
                     for n, t in enumerate(raw["turns"], 1)]
            item = Conversation(ident, str(raw.get("situation") or ""), turns)
            tags = [t.expect for t in turns]
        else:
            item = Message(ident, str(raw["text"]), str(raw["expect"]))
            tags = [item.expect]
        unknown = set(tags) - set(TAGS)
        if unknown or not tags:
            raise ValueError(f"{path.name}:{number}: unknown tags {sorted(unknown)} or no turns")
        items.append(item)
    return items


def observe(database: Path, sender: str) -> Observed:
    """The actions and responses since the sender's latest message, read from the tracker store."""
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT type_name, action_name, data FROM events WHERE sender_id = ? ORDER BY id",
                          (sender,)).fetchall()
    last_user = max((i for i, row in enumerate(rows) if row[0] == "user"), default=-1)
    observed = Observed()
    for type_name, _, data in rows:
        if type_name == "slot":
            event = json.loads(data)
            if event.get("name") == "last_topic":
                observed.topic = event.get("value")
    for type_name, action_name, data in rows[last_user + 1:]:
        if type_name == "action" and action_name and action_name != "action_listen":
            observed.names.append(action_name)
        elif type_name == "bot":
            event = json.loads(data)
            name = (event.get("metadata") or {}).get("utter_action")
            if name:
                observed.names.append(name)
            # A reply that answers a second fact in its text too ("couples counselling on the
            # weekend": who the practice sees, then its hours) says so in its metadata.
            observed.names += [str(n) for n in (event.get("metadata") or {}).get("also_answers") or []]
            observed.payloads += [str(b.get("payload")) for b in (event.get("data") or {}).get("buttons") or []]
    return observed


@dataclass
class Report:
    name: str
    messages: Rate = field(default_factory=Rate)
    conversations: Rate = field(default_factory=Rate)
    no_judging: Rate = field(default_factory=Rate)
    judging_words: int = 0
    grades: List[float] = field(default_factory=list)
    by_tag: Dict[str, Rate] = field(default_factory=dict)

    def as_dict(self) -> Dict[str, object]:
        found: Dict[str, object] = {"messages_passed": self.messages.as_dict()}
        if self.conversations.total:
            found.update({"conversations_passed": self.conversations.as_dict(),
                          "replies_without_judging_words": self.no_judging.as_dict(),
                          "judging_words": self.judging_words,
                          "median_reading_grade": self.median_grade()})
        found["by_tag"] = {tag: rate.as_dict() for tag, rate in sorted(self.by_tag.items())}
        return found

    def median_grade(self) -> Optional[float]:
        return round(statistics.median(self.grades), 1) if self.grades else None


def run_set(name: str, items: Sequence[Item], url: str, database: Path, show: bool = False) -> Report:
    """Sends every item as a new visitor; `show` prints each failed message (development only)."""
    report = Report(name)
    for n, item in enumerate(items):
        sender = uuid.uuid4().hex
        turns = item.turns if isinstance(item, Conversation) else [item]
        passed = True
        written: List[str] = []
        for turn in turns:
            written.append(turn.text)
            replies = send(url, sender, turn.text, f"198.51.100.{n % 250}")
            observed = observe(database, sender)
            observed.payloads += [str(b.get("payload")) for r in replies for b in r.get("buttons") or []]
            ok = passes(turn.expect, observed)
            report.messages.add(ok)
            report.by_tag.setdefault(turn.expect, Rate()).add(ok)
            if isinstance(item, Conversation):
                text = "\n".join(str(r.get("text") or "") for r in replies)
                judged = judging_phrases(said_by_assistant(text, written))
                report.no_judging.add(not judged)
                report.judging_words += len(judged)
                report.grades += [reading_grade(str(r["text"])) for r in replies if r.get("text")]
            passed &= ok
            if show and not ok:
                text = " / ".join(str(r.get("text") or "").replace("\n", " ") for r in replies)
                print(f"--- {turn.id} expect {turn.expect}: {turn.text!r}\n    got {observed.names} "
                      f"answering {answered_tags(observed.names, observed.topic)}\n    {text[:300]}")
        if isinstance(item, Conversation):
            report.conversations.add(passed)
    return report


def is_sealed(path: Path) -> bool:
    return SEALED_DIR.resolve() in path.resolve().parents


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.everyday", description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", type=Path, default=None,
                        help="JSON Lines sets (default: tests/everyday/sealed/*.jsonl)")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "var" / "reports" / "everyday.json")
    parser.add_argument("--show", action="store_true",
                        help="print every failed message with the reply (development sets only)")
    parser.add_argument("--min-messages", type=float, default=0.0,
                        help="fail below this share of single messages passed (sets without conversations)")
    parser.add_argument("--min-conversations", type=float, default=0.0,
                        help="fail below this share of conversations passed")
    args = parser.parse_args(argv)
    paths: List[Path] = args.sets if args.sets is not None else sorted(SEALED_DIR.glob("*.jsonl"))
    if args.show and any(is_sealed(path) or DEV_DIR.resolve() not in path.resolve().parents for path in paths):
        print("--show is for the development sets under tests/everyday/dev/: a sealed set is read by "
              "this program alone.", file=sys.stderr)
        return 2
    if not paths:
        print("No everyday sets found.", file=sys.stderr)
        return 2
    if not args.model.is_file():
        print(f"No trained model at {args.model}: run `make train` first.", file=sys.stderr)
        return 2
    sets: List[Tuple[str, List[Item]]] = [(path.stem, read_set(path)) for path in paths]
    with tempfile.TemporaryDirectory() as scratch:
        stack = evaluation_stack(args.model, Path(scratch), "everyday")
        stack.start()
        try:
            started = time.time()
            url = f"{stack.rasa_url}/webhooks/rest/webhook"
            reports = [run_set(name, items, url, stack.tracker_db, args.show) for name, items in sets]
        finally:
            stack.stop()
    for report in reports:
        print(f"== {report.name}")
        print(f"  messages passed:             {report.messages}")
        if report.conversations.total:
            print(f"  conversations passed:        {report.conversations}")
            print(f"  replies without judging:     {report.no_judging} ({report.judging_words} judging words)")
            print(f"  median reading grade:        {report.median_grade()}")
        for tag, rate in sorted(report.by_tag.items()):
            print(f"  {tag:<28} {rate}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({r.name: r.as_dict() for r in reports}, indent=2) + "\n")
    print(f"({sum(len(items) for _, items in sets)} items in {time.time() - started:.0f} s; figures in {args.out})")
    return 1 if below_floors(reports, args.min_messages, args.min_conversations) else 0


def share(rate: Rate) -> float:
    return rate.hits / rate.total if rate.total else 0.0


def below_floors(reports: Sequence[Report], min_messages: float, min_conversations: float) -> bool:
    """Prints and returns whether any set falls below its floor or uses a judging word."""
    failed = False
    for report in reports:
        if report.conversations.total:
            if share(report.conversations) < min_conversations:
                print(f"FAILED {report.name}: {share(report.conversations):.3f} of conversations passed "
                      f"< {min_conversations}")
                failed = True
            if report.judging_words:
                print(f"FAILED {report.name}: {report.judging_words} judging words")
                failed = True
        elif share(report.messages) < min_messages:
            print(f"FAILED {report.name}: {share(report.messages):.3f} of messages passed < {min_messages}")
            failed = True
    return failed


if __name__ == "__main__":
    raise SystemExit(main())

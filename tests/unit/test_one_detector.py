"""One risk detector per process: the NLU component and the channels' guard read with the same
object, built once from the model's word lists (issue 18, item 6)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, List

from attune.channels import guard as guard_module
from attune.nlu.risk_component import LEXICON_FILE, RiskDetectorComponent
from attune.safety import detector as detector_module
from attune.safety.detector import DEFAULT_LEXICON_PATH, RiskDetector, shared_detector


class ModelStorage:
    """What RiskDetectorComponent.load reads of a trained model: its copy of the word lists."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @contextmanager
    def read_from(self, resource: Any) -> Iterator[Path]:
        yield self.directory


def test_the_guard_reads_with_the_detector_the_nlu_component_loaded_and_none_other_is_built(
    tmp_path, monkeypatch
):
    # The model's lists differ from the file beside the code (one key no rule reads): before,
    # the guard built a second detector from that file (seconds, 180 MB).
    (tmp_path / LEXICON_FILE).write_text(
        DEFAULT_LEXICON_PATH.read_text(encoding="utf-8") + "\nnote_for_this_test: differs\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(detector_module, "_LOADED", {})
    monkeypatch.setattr(detector_module, "_SHARED", None)
    monkeypatch.setattr(guard_module, "_shared", None)
    built: List[RiskDetector] = []
    build = RiskDetector.__init__

    def counted(self: RiskDetector, *args: Any, **kwargs: Any) -> None:
        built.append(self)
        build(self, *args, **kwargs)

    monkeypatch.setattr(RiskDetector, "__init__", counted)

    guard = guard_module.shared_guard()  # a channel may be set up before the model loads
    config = {**RiskDetectorComponent.get_default_config(), "use_model": False}
    component = RiskDetectorComponent.load(config, ModelStorage(tmp_path), None, None)
    read_by_the_model = component.detector
    checks: List[str] = []
    assess = read_by_the_model.assess

    def spied(text: str) -> Any:
        checks.append("checked")
        return assess(text)

    monkeypatch.setattr(read_by_the_model, "assess", spied)

    assert guard.screen("i want to kill myself") == "risk_suicide"
    assert checks  # the guard's reads went to the model's detector
    checks.clear()
    assert guard.screen("what is anxious attachment?") is None
    assert checks
    assert shared_detector() is read_by_the_model
    assert guard_module.shared_guard() is guard
    assert built == [read_by_the_model]  # one detector in the process, built once


def test_without_a_model_the_shipped_lists_are_built_once_and_shared(monkeypatch):
    monkeypatch.setattr(detector_module, "_SHARED", None)

    first = shared_detector()

    assert shared_detector() is first is RiskDetector.load()
    assert first.fingerprint() == RiskDetector.load(DEFAULT_LEXICON_PATH).fingerprint()


def test_the_crisis_lanes_check_and_the_nlu_component_read_a_message_once(monkeypatch):
    from rasa.shared.nlu.training_data.message import Message

    from attune.crisis_lane import is_urgent

    read_once = shared_detector()
    monkeypatch.setattr(read_once, "_recent", {})
    readings: List[str] = []
    assess = read_once.assess
    monkeypatch.setattr(read_once, "assess", lambda text: readings.append("read") or assess(text))
    config = {**RiskDetectorComponent.get_default_config(), "use_model": False}
    component = RiskDetectorComponent(config, None, None, detector=read_once)
    for text, urgent, intent in (("i want to kill myself", True, "risk_suicide"),
                                 ("what is anxious attachment?", False, "greet")):
        readings.clear()
        assert is_urgent(text) is urgent  # on the event loop, before the model reads the message
        [message] = component.process([Message({"text": text, "intent": {"name": "greet", "confidence": 0.9},
                                                "intent_ranking": [{"name": "greet", "confidence": 0.9}]})])
        assert message.get("intent")["name"] == intent
        assert readings == ["read"]

"""The pure logic knows nothing of Rasa: risk detection, the crisis registry, the practice file,
the words, the hand-off's storage and mail. Only the plug-ins, channels and actions import it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Set

import pytest

from attune.paths import REPO_ROOT

from .test_import_graph import MODULES

RASA = ("rasa", "rasa_sdk")
# The safety package's Rasa glue: the processor wrapper that reads two turns together.
SAFETY_PLUGINS = {"attune.safety.context"}
PURE = sorted(
    {name for name in MODULES if name.startswith("attune.safety.") and name not in SAFETY_PLUGINS}
    | {
        "attune.practice",
        "attune.practice_words",
        "attune.style",
        "attune.facts",
        "attune.topics",
        "attune.reflection",
        "attune.validation",
        "attune.paths",
        "attune.database",
        "attune.check",
        "attune.log_privacy",
        "attune.crisis_lane",
        "attune.channels.formatting",
        "attune.channels.guard",
        "attune.handoff.cli",
        "attune.handoff.contacts",
        "attune.handoff.hours",
        "attune.handoff.mailer",
        "attune.handoff.outbox",
        "attune.handoff.sealed",
        "attune.handoff.store",
        "attune.privacy.redact",
        "attune.privacy.sqlite",
        "attune.nlu.sentence_encoder",
        "attune.nlu.encoder_graph",
        "attune.web.server",
    }
)


def imported_packages(path: Path) -> Set[str]:
    """The top-level packages a file imports, at import time or inside functions."""
    found: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("module", PURE)
def test_a_pure_module_imports_nothing_from_rasa(module):
    assert imported_packages(MODULES[module]) & set(RASA) == set()


def test_importing_every_pure_module_loads_no_rasa():
    code = (
        "import importlib, sys\n"
        f"for name in {PURE!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {RASA!r}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "[]"

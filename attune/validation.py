"""Reading and checking the YAML files people edit: ``practice.yml`` and the crisis registry.

Generic and pure (no Rasa, no safety knowledge): strict YAML 1.2 loading that names the line
of a mistake, a typo suggestion, and the one rule for a valid https:// address.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Dict, Optional, Sequence, Tuple
from urllib.parse import urlsplit

import yaml


# libyaml's parser when installed (several times faster); same behaviour either way.
_BaseSafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictYamlLoader(_BaseSafeLoader):  # type: ignore[misc, valid-type]
    """Safe YAML loader that refuses duplicate keys and reads YAML 1.2 scalars.

    PyYAML follows YAML 1.1, where a bare ``ON`` (Ontario) or ``NO`` (Norway)
    becomes a boolean and ``9:30`` becomes the number 570. Here only
    true/false are booleans and only plain digit strings are integers.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Dict[Any, Any]:
        """Build a mapping, failing on a key written twice (the last would silently win)."""
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:
                continue  # unhashable key: SafeLoader reports it below
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"the key {key!r} appears twice",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


StrictYamlLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int")
    ]
    for first, resolvers in _BaseSafeLoader.yaml_implicit_resolvers.items()
}
StrictYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
StrictYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789")
)


def read_yaml(path: Path) -> Tuple[Any, Optional[str]]:
    """Read a YAML file with :class:`StrictYamlLoader`.

    Returns:
        ``(data, None)`` on success, or ``(None, problem)`` where ``problem`` is a
        plain-language sentence to follow the file's name ("is not valid YAML near
        line 3: ..."), with the line number when known.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, f"was not found at {path}"
    except (OSError, UnicodeDecodeError) as exc:
        return None, f"could not be opened ({exc})"
    try:
        return yaml.load(text, Loader=StrictYamlLoader), None  # noqa: S506 - safe loader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" near line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        advice = (
            ""
            if isinstance(exc, yaml.constructor.ConstructorError)
            else ". Check the indentation, and put text containing ':' or '#' in quotes"
        )
        return None, f"is not valid YAML{where}: {problem}{advice}"


def closest(word: str, choices: Sequence[str]) -> Optional[str]:
    """The choice most like ``word`` (to suggest a fix for a typo), if any is close."""
    matches = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def is_https_url(value: Any) -> bool:
    """Whether a value is an https:// address with a dotted host name and no spaces."""
    if not isinstance(value, str) or any(ch.isspace() for ch in value):
        return False
    parts = urlsplit(value)
    host = parts.hostname or ""
    return parts.scheme == "https" and "." in host and not host.startswith(".") and not host.endswith(".")

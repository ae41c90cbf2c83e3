"""Structured logs never carry what the visitor wrote."""

from __future__ import annotations

import structlog

from attune.log_privacy import REDACTED, install, redact_content


def test_content_fields_are_replaced():
    event = redact_content(None, "warning", {"event": "message.parsing.failed", "user_text": "/i want to die"})
    assert event == {"event": "message.parsing.failed", "user_text": REDACTED}


def test_installed_processor_runs_before_rendering(capsys):
    structlog.configure(processors=[structlog.processors.KeyValueRenderer()],
                        logger_factory=structlog.PrintLoggerFactory())
    install()
    install()  # idempotent
    structlog.get_logger().warning("message.parsing.failed", user_text="my secret words")
    printed = capsys.readouterr().out
    assert "my secret words" not in printed
    assert REDACTED in printed
    assert structlog.get_config()["processors"].count(redact_content) == 1


def test_the_tracker_store_installs_the_patches_so_rasa_shell_redacts_too(tmp_path):
    """`rasa shell` uses Rasa's own command-line channel; the tracker store installs the patches."""
    from rasa.shared.core.domain import Domain

    from attune.tracker_store import PrivateSQLTrackerStore

    structlog.configure(processors=[structlog.processors.KeyValueRenderer()])
    PrivateSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(tmp_path / "tracker.db"))
    assert structlog.get_config()["processors"][0] is redact_content


def test_every_channel_installs_the_patches_when_rasa_creates_it():
    from attune.channels.messenger import VerifiedMessengerInput
    from attune.channels.rest import GuardedRestInput
    from attune.channels.socketio import WebChatInput
    from attune.channels.telegram import VerifiedTelegramInput
    from attune.channels.twilio import VerifiedTwilioInput

    for channel in (GuardedRestInput, WebChatInput, VerifiedTelegramInput, VerifiedTwilioInput,
                    VerifiedMessengerInput):
        structlog.configure(processors=[structlog.processors.KeyValueRenderer()])
        assert isinstance(channel.from_credentials(None), channel)
        assert structlog.get_config()["processors"][0] is redact_content, channel

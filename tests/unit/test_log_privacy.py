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

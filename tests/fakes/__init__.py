"""Fake third-party APIs on loopback, for tests that must not touch the internet."""

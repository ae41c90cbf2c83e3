"""Rasa dialogue policies."""

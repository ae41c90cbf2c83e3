"""Rasa NLU graph components."""

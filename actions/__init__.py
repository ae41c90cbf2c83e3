"""Attune's custom actions, served by the Rasa action server.

Actions stay thin: the logic lives in the `attune` package, the words in domain.yml.
"""

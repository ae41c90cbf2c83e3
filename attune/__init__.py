"""Attune: a safety-first assistant for counselling practices (pure-logic package)."""

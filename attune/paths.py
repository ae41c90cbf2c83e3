"""Where the repository is: the one place that computes it."""

from __future__ import annotations

from pathlib import Path

# The checkout (or the image's /app): practice.yml, endpoints.yml, web/, var/ and models/ live here.
REPO_ROOT = Path(__file__).resolve().parent.parent

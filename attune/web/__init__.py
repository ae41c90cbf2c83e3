"""The website chat: a static server for the first-party widget in ``web/``."""

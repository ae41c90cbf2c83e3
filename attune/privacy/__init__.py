"""What Attune keeps about a conversation, for how long, and how it is erased."""

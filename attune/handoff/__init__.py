"""The way to the practice's human therapists: contact, hours, call-back requests."""

"""Tools that produce the assistant's trained artefacts; never imported by the running assistant."""

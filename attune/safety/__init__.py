"""Safety layer: risk detection, the crisis resource registry and safety evaluation."""

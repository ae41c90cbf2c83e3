"""The risk model's training: data, the PyTorch encoder, cross-validation and export.

Run with `make risk-model` (its own Python 3.11 venv with PyTorch; see README, "Safety").
"""

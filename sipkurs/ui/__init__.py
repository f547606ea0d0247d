"""Widgets of the participant app and the trainer page (no domain logic)."""

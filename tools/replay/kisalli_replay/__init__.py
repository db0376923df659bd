"""Replay event streams for analysts; rebuild read models; the event catalogue."""

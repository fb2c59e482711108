"""Kurul: a Telegram assistant for Turkey's Migration Coordination Councils."""

__version__ = "0.1.0"

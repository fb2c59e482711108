"""Notifications: the outbox sender, its limits, broadcast progress and reminders (issue #4)."""

"""Reminders: when they come, and the member's and community's choice of times."""

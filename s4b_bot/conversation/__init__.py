"""Between sessions: summaries, ideas and votes, moderation, and the audit log."""

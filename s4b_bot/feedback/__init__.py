"""Follow-up after each session: feedback from those who came, news for those who missed it."""

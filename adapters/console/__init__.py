"""The console adapter: the bot in a terminal, for trying commands without a chat platform."""

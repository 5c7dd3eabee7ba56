"""The outbox: what the bot sends later, planned, rendered, paced and dispatched."""

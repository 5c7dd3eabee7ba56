"""The web adapter: HTTP endpoints for calendar feeds, health checks and metrics."""

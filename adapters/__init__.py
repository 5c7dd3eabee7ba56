"""The platform adapters: each turns one platform's events into core requests and the core's
neutral output into that platform's messages (Slack, Discord, the console, the web server)."""

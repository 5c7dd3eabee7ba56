"""Routes: every command, button and form, declared once, and how requests find them."""

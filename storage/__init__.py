"""Storage: the database models, their queries and migrations, and backups."""

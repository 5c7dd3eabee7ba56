"""Storage: the database models, their queries and migrations, and backups."""

from storage import thread_models as thread_models  # registers its table on the metadata

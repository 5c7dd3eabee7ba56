"""Storage: the database models, their queries and migrations, and backups."""

# Every model on the one metadata, whichever module a caller imports first.
from storage import models_offers as models_offers

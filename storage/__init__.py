"""Storage: the database models, their queries and migrations, and backups."""

# Every model on the one metadata, whichever module a caller imports first.
from storage import models_offers as models_offers
from storage import thread_models as thread_models  # registers its table on the metadata

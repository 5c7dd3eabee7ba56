"""Storage: the database models, their queries and migrations, and backups."""

# Every model on the one metadata, whichever module a caller imports first.
from storage import models_offers as models_offers
from storage import review_pages as review_pages  # the year in review's page (issue 15)
from storage import thread_models as thread_models  # registers its table on the metadata

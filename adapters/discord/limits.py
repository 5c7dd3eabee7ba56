"""Discord's size limits, each declared once, for the renderer, the modals, the command tree
and the platform calls; text is fitted to them with `s4b_bot.limits`.

Messages (https://discord.com/developers/docs/resources/message#create-message and
#embed-object-embed-limits): content 2,000 characters; per embed a title of 256, a
description of 4,096, 25 fields (name 256, value 1,024); 6,000 characters over all embeds of
a message; 10 embeds, 5 rows of 5 buttons (label 80) and 10 files a message.
Modals (https://discord.com/developers/docs/components/reference): 5 top-level components,
a title of 45; a label's text 45 and description 100; 25 select options (label 100), 2 to
10 radio options; a text input holds 4,000. Commands: descriptions 100; autocomplete 25
choices (name and value 100).
Scheduled events: name 100, description 1,000, location 100; a thread name 100.
"""

from __future__ import annotations

# messages
CONTENT = 2_000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4_096
EMBED_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1_024
EMBED_TOTAL = 6_000
EMBEDS = 10
ROWS = 5
BUTTONS_PER_ROW = 5
BUTTON_LABEL = 80
FILES = 10
FILE_DESCRIPTION = 1_024

# modals
MAX_MODAL_COMPONENTS = 5
MODAL_TITLE = 45
LABEL_TEXT = 45
LABEL_DESCRIPTION = 100
SELECT_OPTIONS = 25
RADIO_OPTIONS = (2, 10)
"""A radio group holds 2 to 10 options (OpenAPI: RadioGroupComponentForModalRequest)."""
OPTION_TEXT = 100
TEXT_INPUT_MAX = 4_000

# application commands
DESCRIPTION = 100
CHOICES = 25
CHOICE_TEXT = 100

# scheduled events and threads
EVENT_NAME = 100
EVENT_DESCRIPTION = 1_000
EVENT_LOCATION = 100
THREAD_NAME = 100

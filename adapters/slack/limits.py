"""Slack's size limits, each declared once, for the Block Kit renderer and the modals; text is
fitted to them with `s4b_bot.limits` and `mrkdwn.shorten`.

Blocks (https://api.slack.com/reference/block-kit/blocks): 50 blocks a message, 100 a view;
3,000 characters a section text, 2,000 a section field and 10 fields a section; 150 a
header; 75 a button label and 25 elements an actions block. A message's text at most 40,000
(https://api.slack.com/methods/chat.postMessage#truncating).
Modals (https://api.slack.com/reference/surfaces/views and .../block-kit/block-elements):
a title (and the submit and close labels) 24; an input's label and hint 2,000; a text input
holds 3,000; a select 100 options (text 75, value 150), its placeholder 150.
A response_url takes 5 posts (https://api.slack.com/interactivity/handling#message_responses).
"""

from __future__ import annotations

# messages
MESSAGE_CHARS = 40_000
BLOCKS_PER_MESSAGE = 50
SECTION_CHARS = 3_000
FIELD_CHARS = 2_000
FIELDS_PER_SECTION = 10
HEADER_CHARS = 150
BUTTON_CHARS = 75
BUTTONS_PER_ACTIONS = 25

# views: the App Home tab and modals
VIEW_BLOCKS = 100
MODAL_TITLE_CHARS = 24
LABEL_CHARS = 2_000
TEXT_INPUT_MAX = 3_000
MAX_OPTIONS = 100
RADIO_OPTIONS = 10
"""Radio buttons hold at most 10 options; more choices become a static select."""
OPTION_CHARS = 75
OPTION_VALUE_CHARS = 150
PLACEHOLDER_CHARS = 150

# replies
RESPONSE_URL_POSTS = 5

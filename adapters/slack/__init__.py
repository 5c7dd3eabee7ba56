"""The Slack adapter: the S4B core in a Slack workspace, with slack-bolt (async) and slack_sdk.

`build_slack(core, config)` gives the bolt app and the dispatcher's `SlackPlatform`;
`serve(bot, stop)` runs it in Socket Mode or HTTP mode. See the README, "Run it on Slack".
"""

from adapters.slack.app import SlackBot, build_slack
from adapters.slack.config import SlackConfig
from adapters.slack.platform import SlackPlatform
from adapters.slack.serve import run_slack, serve

__all__ = ["SlackBot", "SlackConfig", "SlackPlatform", "build_slack", "run_slack", "serve"]

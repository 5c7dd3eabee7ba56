"""Every feature's routes in one table, in the order help lists them."""

from __future__ import annotations

from s4b_bot.calendar import routes as calendar
from s4b_bot.conversation import routes as conversation
from s4b_bot.feedback import routes as feedback
from s4b_bot.people import routes as people
from s4b_bot.programme import routes as programme
from s4b_bot.registration import routes as registration
from s4b_bot.reminders import routes as reminders
from s4b_bot.routing.table import RouteTable

ROUTES = RouteTable(
    (
        *programme.ROUTES,
        *registration.ROUTES,
        *reminders.ROUTES,
        *calendar.ROUTES,
        *conversation.ROUTES,
        *feedback.ROUTES,
        *people.ROUTES,
    )
)

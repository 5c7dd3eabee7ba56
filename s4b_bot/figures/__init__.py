"""Charts of a programme's figures (registrations, attendance, ideas and votes, feedback
ratings) as PNG or SVG bytes with alt texts: for `/s4b-admin stats`, and for any page
that embeds them. Counts only, never names; matplotlib is imported on the first chart.
"""

from s4b_bot.figures.alt import attendance_alt, ideas_alt, ratings_alt
from s4b_bot.figures.attach import chart_attachments
from s4b_bot.figures.charts import attendance_chart, data_uri, ideas_chart, ratings_chart
from s4b_bot.figures.data import DayFigures, Figures, SessionFigures
from s4b_bot.figures.read import attendance_or_none, ideas_of, read_figures

__all__ = [
    "DayFigures",
    "Figures",
    "SessionFigures",
    "attendance_alt",
    "attendance_chart",
    "attendance_or_none",
    "chart_attachments",
    "data_uri",
    "ideas_alt",
    "ideas_chart",
    "ideas_of",
    "ratings_alt",
    "ratings_chart",
    "read_figures",
]

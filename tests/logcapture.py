"""Logging configured exactly as `bot.py` does at S4B_LOG_LEVEL=DEBUG, into a buffer."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from s4b_bot import logs


@contextmanager
def debug_logging() -> Iterator[io.StringIO]:
    """Everything the bot would write to its log at DEBUG; the logging set-up is restored
    afterwards (other tests rely on pytest's own capture and the libraries' levels)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    loggers = [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    levels = {logger.name: logger.level for logger in loggers}
    stream = io.StringIO()
    stderr, sys.stderr = sys.stderr, stream  # the handler writes to sys.stderr
    try:
        logs.configure(level="DEBUG")
        logging.getLogger("s4b_bot.test").debug("debug lines are written")
        yield stream
    finally:
        sys.stderr = stderr
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)
        for logger in logging.root.manager.loggerDict.values():  # made while capturing
            if isinstance(logger, logging.Logger) and logger.name not in levels:
                logger.setLevel(logging.NOTSET)

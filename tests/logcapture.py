"""Logging configured exactly as `bot.py` does (S4B_LOG_LEVEL=DEBUG by default), into a buffer."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from s4b_bot import logs


@contextmanager
def debug_logging(level: str = "DEBUG") -> Iterator[io.StringIO]:
    """Everything the bot would write to its log at `level`; the logging set-up is restored
    afterwards (other tests rely on pytest's own capture and the libraries' levels)."""
    root = logging.getLogger()
    handlers, root_level = root.handlers[:], root.level
    loggers = [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    levels = {logger.name: logger.level for logger in loggers}
    stream = io.StringIO()
    stderr, sys.stderr = sys.stderr, stream  # the handler writes to sys.stderr
    try:
        logs.configure(level=level)
        logging.getLogger("s4b_bot.test").debug("debug lines are written")
        yield stream
    finally:
        sys.stderr = stderr
        root.handlers[:] = handlers
        root.setLevel(root_level)
        for name, old in levels.items():
            logging.getLogger(name).setLevel(old)
        for logger in logging.root.manager.loggerDict.values():  # made while capturing
            if isinstance(logger, logging.Logger) and logger.name not in levels:
                logger.setLevel(logging.NOTSET)

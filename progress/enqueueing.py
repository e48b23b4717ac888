"""Enqueue a Celery task once the current transaction has committed, written once for every caller (the
status recomputation after an entry, the sending of an outbox message).

Tasks are named, not imported: the services that enqueue them are what the tasks call, so an import of
progress.tasks here would be a cycle. ProgressConfig.ready() imports progress.tasks, which registers them.
"""

import logging
from functools import partial

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_after_commit(task_name: str, *args: object, failure: str) -> None:
    """After the commit, `task_name.delay(*args)`; when the broker cannot take it, log `failure` (a
    %-format for `args`) and go on: what was committed carries its own mark for the periodic jobs."""
    transaction.on_commit(partial(_enqueue, task_name, args, failure), robust=True)


def _enqueue(task_name: str, args: tuple, failure: str) -> None:
    try:
        current_app.tasks[task_name].delay(*args)
    except Exception:  # kombu raises several unrelated types for "broker unreachable"
        logger.warning(failure, *args, exc_info=True)

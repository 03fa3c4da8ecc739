"""Whether a task still goes where its destination points now (for "Retry with current settings")."""

from __future__ import annotations

import functools

from core import Destination
from core.configuration import URL_CREDENTIALS
from core.redaction import is_secret_header, redact_url

from ..destinations import describe_url

__all__ = ["same_target", "url_label"]


def same_target(task: Destination, current: Destination) -> bool:
    """Whether a task's destination is still the destination's current one: same URL (its
    credentials included, where the task still has them), protocol, method, form, headers."""
    if redact_url(task.url) != redact_url(current.url) or task.options != current.options:
        return False
    if task.url != current.url and URL_CREDENTIALS not in task.unstored_secrets:
        return False
    plain = {k: v for k, v in task.headers.items() if not is_secret_header(k)}
    if plain != {k: v for k, v in current.headers.items() if not is_secret_header(k)}:
        return False
    if _secret_names(task) != _secret_names(current):
        return False
    given = {k.lower(): v for k, v in current.headers.items()}
    return all(given.get(k.lower()) == v for k, v in task.headers.items() if is_secret_header(k))


def _secret_names(destination: Destination) -> set[str]:
    names = {k.lower() for k in destination.headers if is_secret_header(k)}
    return names | {n.lower() for n in destination.unstored_secrets if n != URL_CREDENTIALS}


@functools.lru_cache(maxsize=256)
def url_label(url: str) -> str:
    """A destination's name for the list when it has no saved one: its host and path, safely."""
    return describe_url(url)

"""Named destinations: where uploads go, how they are sent, and where their secrets are kept.

- ``model``: ``SavedDestination`` (URL, the protocol's options, headers, session settings, the kind
  of authentication) and how it is written to the settings file, secrets taken out;
  ``option_values``: the protocol option values it keeps, by name.
- ``secrets``: ``DestinationSecrets`` (the token or password, the full URL with its credentials,
  secret header values) and ``SecretChange``, an edit to them.
- ``keyring_access``: the operating system's keyring, one entry per destination, only ever called
  from a worker thread (``asyncio.to_thread``).
- ``store``: ``DestinationStore``, the saved destinations (settings file) and their secrets (keyring,
  or this run's memory), with async methods to read and write the secrets.
- ``dialog``: ``DestinationsDialog``, the list of destinations, OK and the no-keyring question;
  ``editor``: the form of one destination (its common fields); ``forms``: one form per protocol,
  registered by protocol name; ``fields``: what they share (``FieldProblem``, parsing typed lines).
"""

from __future__ import annotations

from core.identity import KEYRING_SERVICE

from .dialog import DestinationsDialog
from .fields import FieldProblem, parse_form, parse_headers
from .keyring_access import SecretStoreUnavailable
from .model import (
    ADHOC_ID,
    SESSION_PREFIX,
    AuthKind,
    SavedDestination,
    describe_url,
    is_gui_session,
    new_destination_id,
)
from .secrets import DestinationSecrets, SecretChange
from .store import DestinationStore

__all__ = [
    "ADHOC_ID",
    "KEYRING_SERVICE",
    "SESSION_PREFIX",
    "AuthKind",
    "DestinationSecrets",
    "DestinationStore",
    "DestinationsDialog",
    "FieldProblem",
    "SavedDestination",
    "SecretChange",
    "SecretStoreUnavailable",
    "describe_url",
    "is_gui_session",
    "new_destination_id",
    "parse_form",
    "parse_headers",
]

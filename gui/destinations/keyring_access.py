"""The keyring, always from a worker thread (``asyncio.to_thread``): a keyring service can take its
time (a D-Bus round trip, an unlock prompt), and the window must not freeze meanwhile. Reads and
writes alike."""

from __future__ import annotations

import asyncio
import contextlib

from PySide6.QtCore import QCoreApplication

from core.identity import KEYRING_SERVICE

from .secrets import DestinationSecrets

__all__ = ["SecretStoreUnavailable", "read_secrets", "write_secrets"]


class SecretStoreUnavailable(Exception):
    """The keyring cannot be used (no backend, locked, refused); ``str()`` says what to do."""


def _problem(error: BaseException) -> SecretStoreUnavailable:
    text = QCoreApplication.translate(
        "DestinationsDialog",
        "The system keyring cannot be used, so the destination's token or password cannot be stored or "
        "read ({problem}). Start or unlock a keyring service (GNOME Keyring, KWallet, macOS Keychain or "
        "Windows Credential Manager) and try again.",
    )
    return SecretStoreUnavailable(text.format(problem=f"{type(error).__name__}: {error}"))


def _account(destination_id: str) -> str:
    return f"destination:{destination_id}"


def _read(destination_id: str) -> str | None:
    import keyring

    return keyring.get_password(KEYRING_SERVICE, _account(destination_id))


def _write(destination_id: str, secrets: DestinationSecrets) -> None:
    import keyring
    import keyring.errors

    if secrets.is_empty:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):  # nothing stored
            keyring.delete_password(KEYRING_SERVICE, _account(destination_id))
    else:
        keyring.set_password(KEYRING_SERVICE, _account(destination_id), secrets.to_keyring())


async def read_secrets(destination_id: str) -> DestinationSecrets:
    """What the keyring holds for the destination. Raises ``SecretStoreUnavailable``."""
    try:
        text = await asyncio.to_thread(_read, destination_id)
    except Exception as error:
        raise _problem(error) from None
    return DestinationSecrets.from_keyring(text)


async def write_secrets(destination_id: str, secrets: DestinationSecrets) -> None:
    """Store (or, when empty, delete) the destination's entry. Raises ``SecretStoreUnavailable``."""
    try:
        await asyncio.to_thread(_write, destination_id, secrets)
    except Exception as error:
        raise _problem(error) from None

"""Who Skylift is, in one place: its name, its desktop id, its version, and the names it uses in
the keyring and in HTTP requests."""

from __future__ import annotations

from importlib import metadata

__all__ = ["APP_ID", "APP_NAME", "KEYRING_SERVICE", "USER_AGENT", "VERSION"]

APP_NAME = "Skylift"
# The reverse-DNS id of the desktop entry, the AppStream metadata and the single-instance server.
APP_ID = "io.github.skylift.Skylift"
KEYRING_SERVICE = APP_NAME

try:
    VERSION = metadata.version("skylift")
except metadata.PackageNotFoundError:  # a checkout that was never installed, or the bundle
    VERSION = "0.1.0"

USER_AGENT = f"{APP_NAME}/{VERSION}"

"""``TokenStore``: credentials in a private JSON file that survives restarts."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

import platformdirs

from .credentials import Credentials
from .errors import TokenStoreError

__all__ = ["TOKEN_FILE_ENV", "TokenStore"]

TOKEN_FILE_ENV = "INEXOGY_TOKEN_FILE"  # noqa: S105 (the name of a variable, not a secret)
_LOGIN_AGAIN = "run `inexogy login` again"
_PRIVATE_DIR = 0o700


class TokenStore:
    """Keep ``Credentials`` (never a password) in a JSON file readable by its owner only.

    The path is the one given, else ``$INEXOGY_TOKEN_FILE``, else ``token.json`` in the user's
    config directory (platformdirs). Saving writes a temporary file with mode 0600 in the same
    directory and renames it over the old one, so a reader sees the old file or the new one,
    never a part. A corrupt file, one that group or others may read, or one owned by another
    user gives a ``TokenStoreError`` that says what to do.

    The token file is only ever a regular file: a directory, FIFO, device or socket at the path
    gives a ``TokenStoreError`` at once (nothing is opened that could block, nothing replaced).
    A symbolic link is followed: the file it names is read, and replaced when saving, while the
    link stays.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        if path is None:
            path = os.environ.get(TOKEN_FILE_ENV) or Path(
                platformdirs.user_config_dir("inexogy"), "token.json"
            )
        self.path = Path(path).expanduser()

    def __repr__(self) -> str:
        return f"TokenStore({str(self.path)!r})"

    def load(self) -> Credentials | None:
        """Return the saved credentials, or None when there is no token file."""
        try:
            self._check_kind(os.stat(self.path))
            # O_NONBLOCK: should a FIFO take the file's place after the check, opening it
            # must not wait for a writer (the fstat below then refuses it).
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TokenStoreError(
                f"cannot open the token file {self.path} ({exc.strerror}): fix its permissions "
                f"or delete it and {_LOGIN_AGAIN}"
            ) from None
        try:
            self._check_private(os.fstat(fd))
        except TokenStoreError:
            os.close(fd)
            raise
        with os.fdopen(fd, "rb") as file:
            try:
                data = json.loads(file.read())
                return Credentials.from_dict(data)
            except (ValueError, TypeError, AttributeError, OSError):
                raise TokenStoreError(
                    f"the token file {self.path} is corrupt or incomplete: delete it and "
                    f"{_LOGIN_AGAIN}"
                ) from None

    def save(self, credentials: Credentials) -> None:
        """Write the credentials atomically (mode 0600, parent directory created 0700).

        When the path is a symbolic link, the file it names is replaced and the link stays.
        """
        payload = json.dumps(credentials.to_dict(), indent=2).encode("utf-8") + b"\n"
        target = self._target()
        directory = target.parent
        try:
            directory.mkdir(mode=_PRIVATE_DIR, parents=True, exist_ok=True)
            # mkstemp opens with O_CREAT | O_EXCL and mode 0600: private from the first byte.
            fd, temporary = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".tmp", dir=directory
            )
        except OSError as exc:
            raise TokenStoreError(
                f"cannot write the token file in {directory} ({exc.strerror}): choose another "
                f"path with {TOKEN_FILE_ENV}, or make the directory writable"
            ) from None
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(payload)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except OSError as exc:
            Path(temporary).unlink(missing_ok=True)
            raise TokenStoreError(
                f"cannot write the token file {self.path} ({exc.strerror}); the previous one "
                "is unchanged: free some disk space or fix the permissions, then try again"
            ) from None

    def check(self) -> None:
        """Raise ``TokenStoreError`` now when the path holds something no token can be saved to.

        A directory, FIFO, device or socket (or a link to one) is refused; a missing file or a
        regular one is fine. Call it before a login, so that the dance is not run in vain.
        """
        self._target()

    def delete(self) -> bool:
        """Remove the token file (the file a symbolic link names); return whether there was one."""
        try:
            target = self._target()
            target.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise TokenStoreError(
                f"cannot delete the token file {self.path} ({exc.strerror}): remove it by hand"
            ) from None
        return True

    def _target(self) -> Path:
        """Return the file to write: the path, or the file its symbolic link(s) name.

        Raises ``TokenStoreError`` when something other than a regular file is there.
        """
        target = Path(os.path.realpath(self.path)) if self.path.is_symlink() else self.path
        try:
            self._check_kind(os.stat(target))
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise TokenStoreError(
                f"cannot reach the token file {self.path} ({exc.strerror}): fix its "
                f"permissions, or choose another path with {TOKEN_FILE_ENV}"
            ) from None
        return target

    def _check_kind(self, status: os.stat_result) -> None:
        """Refuse anything but a regular file, naming what is there instead."""
        mode = status.st_mode
        if stat.S_ISREG(mode):
            return
        kinds = (
            (stat.S_ISDIR, "a directory"),
            (stat.S_ISFIFO, "a FIFO (named pipe)"),
            (stat.S_ISCHR, "a character device"),
            (stat.S_ISBLK, "a block device"),
            (stat.S_ISSOCK, "a socket"),
        )
        kind = next((name for test, name in kinds if test(mode)), "not a regular file")
        raise TokenStoreError(
            f"the token file {self.path} is {kind}, not a regular file, so it is neither read "
            f"nor replaced: remove what is there and {_LOGIN_AGAIN}, or choose another path "
            f"(--token-file, {TOKEN_FILE_ENV})"
        )

    def _check_private(self, status: os.stat_result) -> None:
        self._check_kind(status)
        getuid = getattr(os, "getuid", None)
        if getuid is not None and status.st_uid != getuid():
            raise TokenStoreError(
                f"the token file {self.path} belongs to another user: delete it and {_LOGIN_AGAIN}"
            )
        if os.name == "posix" and stat.S_IMODE(status.st_mode) & 0o077:
            raise TokenStoreError(
                f"the token file {self.path} may be read by other users "
                f"(mode {stat.S_IMODE(status.st_mode):04o}): run `chmod 600 {self.path}`, or "
                f"delete it and {_LOGIN_AGAIN}"
            )

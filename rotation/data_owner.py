"""A command a technician runs as root (``sudo rotation backup``) acts on the hub's data as the service that owns
it: every file it makes in the data folder is that user's, so the nightly backup, the display's Report and the
services can still use them. Files the technician names (``--out``, cards.pdf here) are written as root.

The process takes on the folder owner's ids as its real and effective ids (the kernel checks the effective ones;
a program it starts, rsync and ssh, is that user wholly, with that user's home and keys), keeping root as its saved
id: ``as_the_technician()`` takes root back for a moment for the technician's own files.
"""
from __future__ import annotations

import os
import pwd
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


class CannotActAsOwner(RuntimeError):
    """Root could not take on the data owner's ids (a container without the right to, say)."""


@dataclass(frozen=True)
class Identity:
    uid: int
    gid: int
    groups: tuple[int, ...]
    name: str


_acting: tuple[Identity, Identity] | None = None  # (the owner acted as, root as it was)
_folder: Path | None = None


def owner_of(folder: Path) -> Identity | None:
    """Who owns ``folder``, with their groups; None if root does, or there is no such folder yet."""
    try:
        info = folder.stat()
    except OSError:
        return None
    if info.st_uid == 0:
        return None
    try:
        entry = pwd.getpwuid(info.st_uid)
    except KeyError:  # a uid with no name: its folder's group, and no other
        return Identity(info.st_uid, info.st_gid, (info.st_gid,), str(info.st_uid))
    return Identity(entry.pw_uid, entry.pw_gid, tuple(os.getgrouplist(entry.pw_name, entry.pw_gid)), entry.pw_name)


def act_as_owner_of(folder: Path) -> Identity | None:
    """Run as root, go on as the owner of ``folder`` (the hub's data folder); as anyone else, or where root owns
    it, change nothing. Returns whom it acts as. CannotActAsOwner if the system refuses."""
    global _acting, _folder
    if os.geteuid() != 0 or _acting is not None:
        return None
    owner = owner_of(folder)
    if owner is None:
        return None
    root = Identity(0, os.getegid(), tuple(os.getgroups()), "root")
    try:
        _become(owner)
    except OSError as error:
        _become(root)
        raise CannotActAsOwner(f"running as root, this command acts as {owner.name}, the owner of {folder} (as "
                               f"the hub's services do), but could not: {error.strerror}. Run it as that user: "
                               f"sudo -u {owner.name} rotation ...") from None
    _acting, _folder = (owner, root), folder
    home = Path(pwd.getpwuid(owner.uid).pw_dir) if owner.name != str(owner.uid) else folder
    os.environ["HOME"] = str(home if home.is_dir() else folder)  # what a program started here writes to
    return owner


def acting_as() -> tuple[Identity, Path] | None:
    """Whom this process acts as, and whose folder made it so; None when it acts as itself."""
    return None if _acting is None or _folder is None else (_acting[0], _folder)


@contextmanager
def as_the_technician() -> Iterator[None]:
    """Root again, for a file the technician named: it is made where and as they asked."""
    if _acting is None:
        yield
        return
    owner, root = _acting
    _become(root)
    try:
        yield
    finally:
        _become(owner)


def _become(who: Identity) -> None:
    if os.geteuid() != 0:
        os.setresuid(0, 0, -1)  # root first (the saved id): only root may set the groups and the gid
    os.setgroups(list(who.groups))
    os.setresgid(who.gid, who.gid, -1)
    os.setresuid(who.uid, who.uid, -1)

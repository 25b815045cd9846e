"""The trust roots a policy pins for signed letters: certificate files kept with the policy (in ``.sop/``),
each named with its SHA-256 in ``settings.trust_roots``. A file that is missing or does not match its hash
leaves the gate unable to decide (fail closed), with the file named and the fix."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from toolkit.errors import EXIT_USAGE, UserError
from toolkit.i18n import _
from toolkit.sop.model import TrustRoot


def pinned_roots(
    roots: tuple[TrustRoot, ...], found: Mapping[str, bytes | None], where: str
) -> tuple[bytes, ...]:
    """The content of each pinned root, checked against its hash. ``found``: each root's path -> its
    content (``None``: no such regular file); ``where``: the commit or folder they were read from."""
    contents = []
    for root in roots:
        data = found.get(root.path)
        if data is None:
            raise UserError(
                _(
                    "cannot decide: the trust root {path} that sop.yaml pins is not a file in {where}; add "
                    "the certificate there, or remove it from settings.trust_roots (a policy change)"
                ).format(path=root.path, where=where),
                EXIT_USAGE,
            )
        actual = hashlib.sha256(data).hexdigest()
        if actual != root.sha256:
            raise UserError(
                _(
                    "cannot decide: the trust root {path} in {where} has SHA-256 {actual}, but sop.yaml pins "
                    "{pinned}; restore the pinned certificate, or pin the new one in settings.trust_roots "
                    "(a policy change the policy owners sign off)"
                ).format(path=root.path, where=where, actual=actual, pinned=root.sha256),
                EXIT_USAGE,
            )
        contents.append(data)
    return tuple(contents)


def roots_digest(roots: tuple[bytes, ...]) -> str:
    """One digest of the pinned roots' content, for cache keys."""
    digest = hashlib.sha256()
    for data in roots:
        digest.update(hashlib.sha256(data).digest())
    return digest.hexdigest()

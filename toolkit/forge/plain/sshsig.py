"""SSH signatures on commits (git's ``gpg.format=ssh``), checked with ``ssh-keygen -Y``.

Only the cryptography is delegated: which member's key made the signature, and whether it signs exactly
this commit. Whether that member held the role at the time is the roster's business.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from toolkit.cache import NO_CACHE, Cache
from toolkit.errors import UserError
from toolkit.evidence.roster import Roster
from toolkit.i18n import _

NAMESPACE = "git"


def _keygen(args: list[str], stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["ssh-keygen", *args], input=stdin, capture_output=True, check=False)
    except FileNotFoundError as exc:
        raise UserError(
            _("ssh-keygen (OpenSSH) is not installed; it is needed to check signed sign-offs")
        ) from exc


def signer(signature: bytes, payload: bytes, roster: Roster, cache: Cache = NO_CACHE) -> str | None:
    """The id of the roster member whose key made ``signature`` over ``payload``, or ``None``.

    The answer depends only on those bytes and the roster's keys, so a signature that verified is
    remembered under a digest of all three: a repository's old sign-offs are verified once. A signature
    that did not verify is checked again next time: the run may have failed for reasons of its own.
    """
    lines = [f"{m.id} {key}" for m in roster.members for key in m.keys]
    if not lines:
        return None
    key = Cache.key(NAMESPACE_CACHE, signature, payload, "\n".join(lines).encode())
    found = cache.lookup(NAMESPACE_CACHE, key)
    if isinstance(found, str) and roster.member(found) is not None:
        return found
    found = _verify(signature, payload, lines)
    if found is not None:
        cache.store(NAMESPACE_CACHE, key, found)
    return found


NAMESPACE_CACHE = "signatures"


def _verify(signature: bytes, payload: bytes, lines: list[str]) -> str | None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="sopkit-sig-") as tmp:
        signers, sig = Path(tmp) / "allowed_signers", Path(tmp) / "commit.sig"
        signers.write_text("\n".join(lines) + "\n")
        sig.write_bytes(signature)
        found = _keygen(["-Y", "find-principals", "-s", str(sig), "-f", str(signers)])
        for principal in found.stdout.decode().split():
            checked = _keygen(
                ["-Y", "verify", "-f", str(signers), "-I", principal, "-n", NAMESPACE, "-s", str(sig)],
                payload,
            )
            if checked.returncode == 0:
                return principal
    return None

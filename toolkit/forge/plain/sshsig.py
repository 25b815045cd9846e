"""SSH signatures on commits (git's ``gpg.format=ssh``), checked with ``ssh-keygen -Y``.

Only the cryptography is delegated: which member's key made the signature, and whether it signs exactly
this commit. Whether that member held the role at the time is the roster's business.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

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


def signer(signature: bytes, payload: bytes, roster: Roster) -> str | None:
    """The id of the roster member whose key made ``signature`` over ``payload``, or ``None``.

    The answer depends only on those bytes and the roster's keys, so it is remembered (in the process and
    in the cache) under a digest of all three: a repository's old sign-offs are verified once.
    """
    from toolkit import cache

    lines = [f"{m.id} {key}" for m in roster.members for key in m.keys]
    if not lines:
        return None
    digest = cache.key(signature, payload, "\n".join(lines).encode())
    if digest not in _KNOWN:
        found = cache.lookup("signatures", digest)
        if found is None:
            found = _verify(signature, payload, lines) or ""
            cache.store("signatures", digest, found)
        _KNOWN[digest] = found or None
    return _KNOWN[digest]


_KNOWN: dict[str, str | None] = {}


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

"""Sign-offs on a plain git server: empty commits signed with an SSH key, whose trailers say what they
approve (:mod:`toolkit.evidence.signoffs`), timed by when the server first accepted them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from toolkit.cache import NO_CACHE, Cache
from toolkit.evidence.model import CommitInfo, Signoff
from toolkit.evidence.roster import Roster
from toolkit.evidence.signoffs import claims, parse_commit
from toolkit.forge.plain import sshsig
from toolkit.repo.gather import SignoffSource
from toolkit.repo.gitread import read_objects


class Clock(NamedTuple):
    """When the server first saw each sign-off commit.

    ``arrivals`` is the server's record (``None`` where there is none, as in a clone: the signers' own
    commit dates stand in, and reports say so); ``new`` are the commits of the push being judged, which
    arrive ``now`` unless they were seen before (pushed to another branch, say).
    """

    arrivals: Mapping[str, int] | None = None
    new: frozenset[str] = frozenset()
    now: int = 0

    def time_of(self, commit: CommitInfo) -> tuple[int, bool]:
        """The time of a sign-off made by ``commit``, and whether the server vouches for it."""
        if self.arrivals is None:
            return commit.time, False
        if commit.sha in self.arrivals:
            return self.arrivals[commit.sha], True
        if commit.sha in self.new:
            return self.now, True
        return commit.time, False  # on the branch, but never logged (it came around the hook)


def candidates(commits: tuple[CommitInfo, ...] | list[CommitInfo]) -> list[CommitInfo]:
    """The commits shaped like a sign-off: empty (the tree is the parent's), one parent."""
    return [c for c in commits if c.empty and len(c.parents) == 1]


def ssh_signoffs(repo: Path, roster: Roster, clock: Clock, cache: Cache = NO_CACHE) -> SignoffSource:
    """The source of a view's sign-offs on a plain git server."""

    def find(commits: tuple[CommitInfo, ...]) -> tuple[Signoff, ...]:
        shaped = candidates(commits)
        raw = read_objects(repo, [c.sha for c in shaped])
        found = []
        for commit in shaped:
            parsed = parse_commit(raw[commit.sha])
            claim = claims(parsed.message)
            if claim is None:
                continue
            when, trusted = clock.time_of(commit)
            signoff = Signoff(
                commit.sha, claim.step, claim.role, claim.digest, None, when, claim.app, (), trusted
            )
            if parsed.signature is None:
                found.append(signoff._replace(problems=("signoff.unsigned",)))
            else:
                found.append(
                    signoff._replace(signer=sshsig.signer(parsed.signature, parsed.payload, roster, cache))
                )
        return tuple(found)

    return find

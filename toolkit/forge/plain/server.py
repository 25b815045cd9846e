"""A plain git server that enforces the SOP: a bare repository whose pre-receive hook runs the gate.

``sopkit server init BARE`` keeps the office's policy and roster inside the bare repository, in
``sopkit/`` (not reachable by a push), and installs two hooks that call the installed sop-toolkit:

* ``pre-receive`` judges every push to a protected branch and rejects it with the reasons: deleting the
  branch, rewriting its history (force push), or a change the gate blocks. The rules come from the
  branch's current tip (``.sop/`` there), or from the server's own copy while the branch is new: the push
  being judged can never change them. It refuses every ref outside the namespaces the office allows
  (``refs/replace/*``, ``refs/notes/*``, ... unless configured) and every tag whose commit is not on a
  protected branch. Any failure to decide rejects the push.
* ``post-receive`` records each accepted push in ``sopkit/pushes.log``; ``sopkit audit`` uses it to find
  commits that reached the branch without passing the hook.

Both hooks run in the environment git sets for a hook, not in the pusher's: whoever pushes over a local
path runs the hooks with their own environment variables (see :func:`hook_environment`).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from toolkit.cache import Cache
from toolkit.errors import UserError
from toolkit.gate.model import Report, Rules
from toolkit.i18n import _
from toolkit.paths import POLICY_FILE, ROSTER_FILE
from toolkit.repo.gather import policy_from_files, root_file
from toolkit.repo.git import git
from toolkit.repo.gitread import ZERO, is_ancestor

CONFIG_DIR = "sopkit"
CACHE_DIR = "cache"
# The refs a push may create, update or delete besides the protected branches; `*` matches any characters,
# `/` included. Everything else (refs/replace/*, refs/notes/*, refs/pull/*, ...) is refused.
DEFAULT_ALLOWED_REFS = ("refs/heads/*", "refs/tags/*")
TAGS = "refs/tags/"
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


@dataclass(frozen=True)
class ServerConfig:
    root: Path  # the bare repository, as an absolute path (git runs there with paths below it)
    protected: tuple[str, ...]  # full ref names
    lang: str
    allowed: tuple[str, ...] = DEFAULT_ALLOWED_REFS  # patterns of the other refs a push may change
    app: str | None = None  # the application this repository holds; sign-offs must name it
    registry: bool = False  # a request registry: pushes are judged as transitions (toolkit.intake)

    def allows(self, ref: str) -> bool:
        return ref in self.protected or any(fnmatchcase(ref, pattern) for pattern in self.allowed)

    @property
    def policy_path(self) -> Path:
        return self.root / CONFIG_DIR / "sop.yaml"

    @property
    def roster_path(self) -> Path:
        return self.root / CONFIG_DIR / "roster.yaml"


def init(
    bare: Path,
    policy: Path,
    roster: Path,
    branches: tuple[str, ...],
    lang: str,
    allowed_refs: tuple[str, ...] | None = None,
    app: str | None = None,
    registry: bool = False,
) -> ServerConfig:
    """Create or reconfigure the server ``bare``; ``allowed_refs``: the patterns of the refs a push may
    change besides the protected branches (``None``: :data:`DEFAULT_ALLOWED_REFS`); ``app``: the
    application's id, which then judges every push whatever the repository's scaffold answers say
    (``None``: the answers of the first push, and of each base after it); ``registry``: the repository is
    a request registry (``sopkit request``), whose pushes are judged as transitions, and a push may change
    only the protected branches unless ``allowed_refs`` says otherwise."""
    rules = policy_from_files(policy, roster)  # refuse an invalid policy, roster or root before anything
    if allowed_refs is None:
        allowed_refs = () if registry else DEFAULT_ALLOWED_REFS
    for pattern in allowed_refs:
        if not _valid_pattern(pattern):
            raise UserError(
                _(
                    "--allow-ref {pattern}: a pattern of ref names starts with refs/ and holds no spaces "
                    "(for example refs/heads/* or refs/tags/v*)"
                ).format(pattern=pattern)
            )
    if app is not None and not _SLUG.fullmatch(app):
        raise UserError(
            _("--app {app}: an application id is lower-case letters, digits and '-' (its app_slug)").format(
                app=app
            )
        )
    if bare.exists() and any(bare.iterdir()) and not (bare / "HEAD").is_file():
        raise UserError(_("{path} exists and is not a bare git repository").format(path=bare))
    if registry:  # a registry with history keeps its own rules: they change by a signed transition
        from toolkit.intake.registry import check_reconfigure

        check_reconfigure(bare, branches, policy, roster)
    bare.mkdir(parents=True, exist_ok=True)
    git(["init", "-q", "--bare", "-b", branches[0]], bare)
    # git's own checks of every object pushed: a hand-made tree naming a path twice reads as one file to
    # git and as another to a reader that keeps the last entry
    git(["config", "receive.fsckObjects", "true"], bare)
    config_dir = bare / CONFIG_DIR
    config_dir.mkdir(exist_ok=True)
    shutil.copyfile(policy, config_dir / "sop.yaml")
    shutil.copyfile(roster, config_dir / "roster.yaml")
    for root in rules.sop.settings.trust_roots:  # the pinned roots, beside the policy as in .sop/
        copy = root_file(config_dir / "sop.yaml", root.path)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root_file(policy, root.path), copy)
    protected = tuple(b if b.startswith("refs/") else f"refs/heads/{b}" for b in branches)
    settings = {
        "protected": protected,
        "lang": lang,
        "allowed_refs": list(dict.fromkeys(allowed_refs)),
        "path": os.environ.get("PATH") or SAFE_PATH,  # where the hooks find git and ssh-keygen
        **({"app": app} if app else {}),
        **({"kind": "registry"} if registry else {}),
    }
    (config_dir / "config.json").write_text(json.dumps(settings, indent=2) + "\n")
    for hook in ("pre-receive", "post-receive"):
        path = bare / "hooks" / hook
        # -I: Python ignores PYTHONPATH and the like, which a pusher over a local path would choose
        command = " ".join(
            shlex.quote(part) for part in (sys.executable, "-I", "-m", "toolkit", "hook", hook)
        )
        path.write_text(f"#!/bin/sh\n# Installed by sopkit server init: the SOP gate.\nexec {command}\n")
        path.chmod(0o755)
    return load_config(bare)


def _valid_pattern(pattern: str) -> bool:
    return pattern.startswith("refs/") and pattern.isprintable() and not any(c.isspace() for c in pattern)


def load_config(bare: Path) -> ServerConfig:
    """The server's settings; a configuration written before ``allowed_refs`` existed gets the defaults."""
    try:
        raw = json.loads((bare / CONFIG_DIR / "config.json").read_text())
        protected = tuple(str(r) for r in raw["protected"])
        allowed = raw.get("allowed_refs", list(DEFAULT_ALLOWED_REFS))
        if not isinstance(allowed, list) or not all(
            isinstance(p, str) and _valid_pattern(p) for p in allowed
        ):
            raise TypeError("allowed_refs: " + json.dumps(allowed))
        app = raw.get("app")
        if app is not None and not (isinstance(app, str) and _SLUG.fullmatch(app)):
            raise TypeError("app: " + json.dumps(app))
        registry = raw.get("kind") == "registry"
        return ServerConfig(
            bare.absolute(), protected, str(raw.get("lang", "id")), tuple(allowed), app, registry
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(
            _(
                "cannot decide: the server's sopkit configuration is missing or broken ({reason}); "
                "every push to a protected branch is rejected"
            ).format(reason=exc)
        ) from exc


def server_policy(config: ServerConfig) -> tuple[Rules, dict[str, str]]:
    """The server's own policy and roster, and the blob ids a new repository's copies must have."""
    policy = policy_from_files(config.policy_path, config.roster_path, config.app)
    shas = {}
    roots = [(r.path, root_file(config.policy_path, r.path)) for r in policy.sop.settings.trust_roots]
    for name, path in ((POLICY_FILE, config.policy_path), (ROSTER_FILE, config.roster_path), *roots):
        shas[name] = git(["hash-object", "--", str(path)], config.root).strip()
    return policy, shas


def pre_receive(bare: Path, updates: list[tuple[str, str, str]], out: list[str]) -> bool:
    """Judge a push; ``out`` receives the messages for the pusher. ``True`` when it may land."""
    from toolkit.forge.plain import gate as plaingit
    from toolkit.gate.render import as_text

    config = load_config(bare)
    accepted = True
    for old, new, ref in updates:
        if not config.allows(ref):
            out.append(
                _(
                    "{ref}: refused: this server accepts only the protected branches ({branches}) and "
                    "refs matching {patterns}"
                ).format(
                    ref=ref,
                    branches=", ".join(config.protected),
                    patterns=", ".join(config.allowed) or "-",
                )
            )
            accepted = False
            continue
        if ref not in config.protected:
            if ref.startswith(TAGS) and new != ZERO:  # deleting a tag is fine
                reason = _tag_problem(bare, config, updates, ref, new)
                if reason:
                    out.append(reason)
                    accepted = False
            continue
        if new == ZERO:
            out.append(_("{ref}: a protected branch cannot be deleted").format(ref=ref))
            accepted = False
            continue
        if old != ZERO and not is_ancestor(bare, old, new):
            out.append(
                _(
                    "{ref}: rejected: the push rewrites history (force push); the SOP record of a "
                    "protected branch cannot be changed"
                ).format(ref=ref)
            )
            accepted = False
            continue
        cache = Cache(hook_cache_dir(bare))
        if config.registry:
            from toolkit.intake.hook import judge_registry_push

            passed, text = judge_registry_push(bare, old, new, cache)
            out.append(f"{ref}:\n{text}")
            accepted &= passed
            continue
        fallback, configured = server_policy(config)
        report = plaingit.check_change(
            bare, None if old == ZERO else old, new, fallback, configured, cache=cache
        )
        out.append(f"{ref}:\n{as_text(report) if not report.passed else _passed(report)}")
        accepted &= report.passed
    return accepted


def _tag_problem(
    bare: Path, config: ServerConfig, updates: list[tuple[str, str, str]], ref: str, new: str
) -> str | None:
    """Why the tag ``ref`` may not point at ``new`` (``None``: it may): a tag names a commit of a protected
    branch, as the branches will be once this push lands; an annotated tag is followed to what it tags."""
    found = git(["cat-file", "--batch-check"], bare, input_bytes=f"{new}^{{}}\n".encode()).split()
    if len(found) != 3:
        return _("{ref}: refused: the tag points at an object the server does not have").format(ref=ref)
    target, kind = found[0], found[1]
    if kind != "commit":
        return _("{ref}: refused: a tag must point at a commit, not at a {kind}").format(ref=ref, kind=kind)
    tips = _protected_tips_after(bare, config, updates)
    if any(is_ancestor(bare, target, tip) for tip in tips):
        return None
    return _(
        "{ref}: refused: the tagged commit {commit} is not on a protected branch ({branches}); push it "
        "to the branch through the gate first"
    ).format(ref=ref, commit=target[:12], branches=", ".join(config.protected))


def _protected_tips_after(bare: Path, config: ServerConfig, updates: list[tuple[str, str, str]]) -> list[str]:
    """The tips of the protected branches once the push lands (a rejected push lands nothing at all)."""
    tips = {}
    listed = git(["for-each-ref", "--format=%(objectname) %(refname)", *config.protected], bare)
    for line in listed.splitlines():
        sha, _sep, ref = line.partition(" ")
        if ref in config.protected:
            tips[ref] = sha
    for _old, new, ref in updates:
        if ref in config.protected:
            if new == ZERO:
                tips.pop(ref, None)
            else:
                tips[ref] = new
    return list(tips.values())


def _passed(report: Report) -> str:
    """A short answer for an accepted push: the verdict and how far the SOP has come."""
    from toolkit.gate.model import Status
    from toolkit.gate.render import headline

    done = [str(s.no) for s in report.steps if s.status is Status.COMPLETE]
    return headline(report) + "\n" + _("complete steps: {steps}").format(steps=", ".join(done) or "-") + "\n"


def post_receive(bare: Path, updates: list[tuple[str, str, str]]) -> None:
    """Record the accepted push: the protected branches' moves, and when its sign-offs arrived."""
    from toolkit.forge.plain import pushlog

    pushlog.record(bare, updates, load_config(bare).protected, int(time.time()))


def read_updates(text: str) -> list[tuple[str, str, str]]:
    updates = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3:
            updates.append((parts[0], parts[1], parts[2]))
    return updates


def _server_path(bare: Path) -> str:
    """The ``PATH`` the server was set up with (``sopkit server init`` keeps the administrator's)."""
    try:
        path = json.loads((bare / CONFIG_DIR / "config.json").read_text()).get("path")
    except (OSError, ValueError, AttributeError):
        return SAFE_PATH
    return path if isinstance(path, str) and path else SAFE_PATH


def hook_cache_dir(bare: Path) -> Path:
    """The cache of the hooks: in the server's own folder, out of reach of pushes and of the pusher's
    environment (``SOPKIT_CACHE_DIR`` is the pusher's to choose when they push over a local path)."""
    return bare / CONFIG_DIR / CACHE_DIR


# Variables that steer the clock's time zone: the office's dates are not the pusher's to shift.
SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"  # where a server set up before the path was kept finds its tools


def hook_environment(bare: Path, inherited: Mapping[str, str], path: str = SAFE_PATH) -> dict[str, str]:
    """The environment the hooks run in. Over a local path git runs the hooks with the pusher's
    environment, so it is made anew rather than cleaned: the pusher's ``PATH`` would choose which
    ``ssh-keygen`` checks signatures, ``PYTHONTZPATH`` what ``Asia/Jakarta`` means, ``TMPDIR`` where the
    allowed-signers file is written, ``GIT_*`` what git reads. Kept, and checked, is only what git sets
    for a hook: ``GIT_DIR`` names the repository and the incoming objects of the push
    (``GIT_QUARANTINE_PATH``, a folder git makes in the repository's ``objects``) are readable as git made
    them readable. ``path`` is the one the server was set up with; git reads no global configuration;
    temporary files and the cache (:func:`hook_cache_dir`) are the server's own."""
    own = bare / CONFIG_DIR
    env = {
        "PATH": path,
        "HOME": str(own),
        "TMPDIR": str(own / "tmp"),
        "GIT_DIR": str(bare),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "SOPKIT_CACHE_DIR": str(hook_cache_dir(bare)),
    }
    objects = bare / "objects"
    quarantine = inherited.get("GIT_QUARANTINE_PATH", "")
    if quarantine and _incoming_objects(Path(quarantine), objects):
        env["GIT_QUARANTINE_PATH"] = env["GIT_OBJECT_DIRECTORY"] = quarantine
        env["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = _alternate(str(objects))
    return env


def _incoming_objects(folder: Path, objects: Path) -> bool:
    """Whether ``folder`` is where receive-pack keeps a push's objects until the hook accepts them."""
    try:
        return (
            folder.name.startswith("tmp_objdir-")
            and folder.is_dir()
            and folder.resolve().parent == objects.resolve()
        )
    except OSError:
        return False


def _alternate(path: str) -> str:
    """``path`` as one entry of ``GIT_ALTERNATE_OBJECT_DIRECTORIES`` (C-quoted when it must be)."""
    if os.pathsep not in path and not path.startswith('"'):
        return path
    return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _record(bare: Path, updates: list[tuple[str, str, str]]) -> int:
    """Write the push log after a push landed; a failure cannot undo the push, so it says so plainly."""
    try:
        post_receive(bare, updates)
    except Exception as error:
        sys.stderr.write(
            _(
                "the push landed, but the server could not record it ({error}); sopkit audit will list "
                "its commits as having come around the hook"
            ).format(error=repr(error))
            + "\n"
        )
        return 1
    return 0


def run_hook(name: str, stdin: str) -> int:
    """Entry point of the installed hooks. Git runs the hooks of a push in the repository's folder."""
    from toolkit.errors import ProblemsError
    from toolkit.i18n import DEFAULT_LANGUAGE, set_language

    set_language(DEFAULT_LANGUAGE)  # not the pusher's SOPKIT_LANG: the server's configuration decides
    updates = read_updates(stdin)
    try:
        bare = Path.cwd()
        environment = hook_environment(bare, os.environ, _server_path(bare))
        os.environ.clear()  # before anything reads git, the cache or a time zone
        os.environ.update(environment)
        Path(environment["TMPDIR"]).mkdir(exist_ok=True)
        set_language(load_config(bare).lang)
        if name == "post-receive":
            return _record(bare, updates)
        out: list[str] = []
        accepted = pre_receive(bare, updates, out)
        for message in out:
            sys.stderr.write(message if message.endswith("\n") else message + "\n")
        return 0 if accepted else 1
    except ProblemsError as error:
        sys.stderr.write(error.message + "\n" + _("the gate cannot decide, so the push is rejected") + "\n")
        return 1
    except UserError as error:
        sys.stderr.write(error.message + "\n")
        return 1
    except Exception as error:  # fail closed: a bug in the gate must not let a push through
        sys.stderr.write(
            _("the gate failed ({error}); the push is rejected").format(error=repr(error)) + "\n"
        )
        return 1

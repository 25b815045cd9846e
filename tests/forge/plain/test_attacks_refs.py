"""Attacks through git's refs and the hook's environment: replace objects, grafts, ref namespaces, tags,
and environment variables set by whoever pushes. Every one on real git, through the real hook."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import git
from tests.forge.plain.test_adversarial import fill_letter, rejected
from tests.office import Office
from toolkit.cache import Cache
from toolkit.evidence import roster as roster_lib
from toolkit.evidence.signoffs import parse_commit

ALLOWED = "refs/heads/*, refs/tags/*"


def refs(repo: Path, prefix: str = "refs/") -> list[str]:
    return git(repo, "for-each-ref", "--format=%(refname)", prefix).split()


def code_change(office: Office) -> str:
    """A change the gate blocks: application code before the design steps are complete."""
    (office.app / "index.php").write_text("<?php echo 'halo';\n")
    return office.commit("Kode awal")


def decoy_for(office: Office, commit: str) -> str:
    """A harmless commit standing in for ``commit``: same parent, the parent's files, nothing changed."""
    parent = git(office.app, "rev-parse", f"{commit}^").strip()
    tree = git(office.app, "rev-parse", f"{parent}^{{tree}}").strip()
    return git(office.app, "commit-tree", tree, "-p", parent, "-m", "Rapikan").strip()


def copy_to_server(office: Office, *commits: str) -> None:
    """Put commits into the server's object store without touching its branches (an admin's fetch)."""
    for number, commit in enumerate(commits):
        git(office.bare, "fetch", "-q", str(office.app), f"{commit}:refs/admin/{number}")
    for number in range(len(commits)):
        git(office.bare, "update-ref", "-d", f"refs/admin/{number}")


def land_around_the_hook(office: Office, old: str, new: str) -> None:
    """``new`` on main as if an earlier, fooled hook had accepted the push: the branch moved and the push
    logged, the way post-receive logs it."""
    copy_to_server(office, new)
    git(office.bare, "update-ref", "refs/heads/main", new, old)
    with (office.bare / "sopkit" / "pushes.log").open("a") as log:
        log.write(f"{old} {new} refs/heads/main 1700000000\n")


def main_of(office: Office) -> str:
    return git(office.bare, "rev-parse", "refs/heads/main").strip()


def push(office: Office, *refspecs: str) -> subprocess.CompletedProcess[str]:
    """One push of several refs (a pre-receive hook that refuses any of them lands none)."""
    return subprocess.run(
        ["git", "push", "-q", str(office.bare), *refspecs],
        cwd=office.app,
        capture_output=True,
        text=True,
        check=False,
    )


def has_object(repo: Path, name: str) -> bool:
    return subprocess.run(["git", "cat-file", "-e", name], cwd=repo, check=False).returncode == 0


# -- refs/replace/* -----------------------------------------------------------------------------------


def test_a_pushed_replace_ref_is_refused(office: Office) -> None:
    blocked = code_change(office)
    decoy = decoy_for(office, blocked)
    git(office.app, "replace", blocked, decoy)
    stderr = rejected(office, f"refs/replace/{blocked}", ALLOWED, ref=f"refs/replace/{blocked}")
    assert "refused" in stderr
    assert refs(office.bare, "refs/replace/") == []


def test_a_replace_ref_pushed_with_the_branch_is_refused_and_nothing_lands(office: Office) -> None:
    """The attack: push the blocked commit to main and, in the same push, a replace ref that shows every
    git read the harmless decoy instead."""
    before = main_of(office)
    blocked = code_change(office)
    git(office.app, "replace", blocked, decoy_for(office, blocked))
    pushed = push(office, "HEAD:main", f"refs/replace/{blocked}:refs/replace/{blocked}")
    assert pushed.returncode != 0
    assert f"refs/replace/{blocked}: refused" in pushed.stderr and ALLOWED in pushed.stderr
    assert "[code]" in pushed.stderr  # the branch is judged as it really is, too
    assert main_of(office) == before and refs(office.bare, "refs/replace/") == []
    assert not has_object(office.bare, blocked)  # the push's objects were thrown away with it


def test_a_replace_ref_pushed_with_a_passing_change_is_refused(office: Office) -> None:
    before = main_of(office)
    fill_letter(office)
    assert office.signoff(1, "tu").exit_code == 0
    head = git(office.app, "rev-parse", "HEAD").strip()
    git(office.app, "replace", f"{head}~1", decoy_for(office, f"{head}~1"))
    pushed = push(office, "HEAD:main", "refs/replace/*:refs/replace/*")
    assert pushed.returncode != 0 and "refs/replace/" in pushed.stderr
    assert main_of(office) == before and refs(office.bare, "refs/replace/") == []


@pytest.mark.parametrize("pusher_config", [False, True])
def test_a_replace_object_planted_on_the_server_hides_nothing_from_the_hook(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pusher_config: bool
) -> None:
    """A replace ref already in the server's repository (an admin's ``git replace``, or one pushed before
    the server refused them) must not make the hook judge the decoy instead of the commit that lands, not
    even when the pusher's environment asks git to honour replace refs."""
    before = main_of(office)
    blocked = code_change(office)
    decoy = decoy_for(office, blocked)
    copy_to_server(office, decoy)
    git(office.bare, "update-ref", f"refs/replace/{blocked}", decoy)
    assert (
        git(office.bare, "rev-parse", f"{blocked}^{{tree}}").strip()
        == git(office.bare, "rev-parse", f"{before}^{{tree}}").strip()
    )  # plain git reads the decoy: without the fix the hook judged an empty change
    if pusher_config:
        config = tmp_path / "pusher.gitconfig"
        config.write_text("[core]\n\tuseReplaceRefs = true\n")
        monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
        monkeypatch.setenv("GIT_CONFIG_KEY_0", "core.useReplaceRefs")
        monkeypatch.setenv("GIT_CONFIG_VALUE_0", "true")
    rejected(office, "[code]", "index.php")


def test_a_replace_object_planted_on_the_server_hides_nothing_from_the_audit(office: Office) -> None:
    before = main_of(office)
    blocked = code_change(office)
    decoy = decoy_for(office, blocked)
    copy_to_server(office, decoy)
    git(office.bare, "update-ref", f"refs/replace/{blocked}", decoy)
    land_around_the_hook(office, before, blocked)
    result = office.cli("audit", "--repo", str(office.bare))
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "[blocked]" in result.stdout and "index.php" in result.stdout


# -- grafts -------------------------------------------------------------------------------------------


def graft_over_signoff(office: Office) -> tuple[str, str]:
    """Step 1 done and signed off on main; then a commit with main's files whose history leaves the
    sign-off out: pushing it rewrites main's history. Returns (main, the rewritten commit)."""
    office.complete(1)
    tip = main_of(office)
    letter = git(office.app, "rev-parse", f"{tip}~1").strip()  # the filled letter, before the sign-off
    rewritten = git(office.app, "commit-tree", f"{tip}^{{tree}}", "-p", letter, "-m", "Rapikan").strip()
    git(office.app, "reset", "-q", "--hard", rewritten)
    # the graft that makes the rewrite look like a fast-forward on top of the sign-off
    (office.bare / "info").mkdir(exist_ok=True)
    (office.bare / "info" / "grafts").write_text(f"{rewritten} {tip}\n")
    return tip, rewritten


def test_grafts_on_the_server_do_not_turn_a_force_push_into_a_fast_forward(office: Office) -> None:
    tip, rewritten = graft_over_signoff(office)
    copy_to_server(office, rewritten)
    grafted = subprocess.run(
        ["git", "merge-base", "--is-ancestor", tip, rewritten],
        cwd=office.bare,
        capture_output=True,
        check=False,
    )
    assert grafted.returncode == 0  # plain git believes the graft: without the fix the hook did too
    rejected(office, "rewrites history", flags=("--force",))


def test_grafts_on_the_server_hide_nothing_from_the_audit(office: Office) -> None:
    tip, rewritten = graft_over_signoff(office)
    land_around_the_hook(office, tip, rewritten)
    result = office.cli("audit", "--repo", str(office.bare))
    assert result.exit_code == 1, result.stdout + result.stderr
    assert "[blocked]" in result.stdout and "rewrites history" in result.stdout


# -- tags and other namespaces ------------------------------------------------------------------------


def test_a_tag_on_a_commit_that_is_not_on_main_is_refused(office: Office) -> None:
    blocked = code_change(office)
    git(office.app, "tag", "v1.0", blocked)
    git(office.app, "tag", "-a", "-m", "Rilis", "v1.1", blocked)
    for tag in ("v1.0", "v1.1"):
        rejected(
            office, f"refs/tags/{tag}", "not on a protected branch", blocked[:12], ref=f"refs/tags/{tag}"
        )
    assert refs(office.bare, "refs/tags/") == []


def test_a_tag_on_a_tree_or_a_blob_is_refused(office: Office) -> None:
    git(office.app, "tag", "pohon", "HEAD^{tree}")
    git(office.app, "tag", "-a", "-m", "berkas", "berkas", "HEAD:README.md")
    rejected(office, "refs/tags/pohon", "not at a tree", ref="refs/tags/pohon")
    rejected(office, "refs/tags/berkas", "not at a blob", ref="refs/tags/berkas")
    assert refs(office.bare, "refs/tags/") == []


def test_tags_on_commits_of_main_are_accepted_and_may_be_deleted(office: Office) -> None:
    git(office.app, "tag", "v0.1")
    git(office.app, "tag", "-a", "-m", "Rilis", "v0.2")
    assert office.push("refs/tags/*:refs/tags/*").returncode == 0
    assert refs(office.bare, "refs/tags/") == ["refs/tags/v0.1", "refs/tags/v0.2"]
    # a tag on a commit that becomes part of main in the same push
    fill_letter(office)
    assert office.signoff(1, "tu").exit_code == 0
    git(office.app, "tag", "-a", "-m", "Langkah 1", "v0.3")
    pushed = push(office, "HEAD:main", "refs/tags/v0.3:refs/tags/v0.3")
    assert pushed.returncode == 0, pushed.stderr
    deleted = office.push(":refs/tags/v0.1")
    assert deleted.returncode == 0, deleted.stderr
    assert refs(office.bare, "refs/tags/") == ["refs/tags/v0.2", "refs/tags/v0.3"]


def test_a_tag_pushed_with_a_blocked_branch_update_lands_with_nothing(office: Office) -> None:
    blocked = code_change(office)
    git(office.app, "tag", "v1.0", blocked)
    pushed = push(office, "HEAD:main", "refs/tags/v1.0:refs/tags/v1.0")
    assert pushed.returncode != 0 and "[code]" in pushed.stderr
    assert refs(office.bare, "refs/tags/") == []


@pytest.mark.parametrize("ref", ["refs/notes/commits", "refs/pull/1/head", "refs/sopkit/anything"])
def test_refs_outside_the_allowed_namespaces_are_refused(office: Office, ref: str) -> None:
    if ref.startswith("refs/notes/"):
        git(office.app, "notes", "add", "-m", "disetujui", "HEAD")
        source = ref
    else:
        source = "HEAD"
    rejected(office, ref, ALLOWED, ref=f"{source}:{ref}")
    assert refs(office.bare) == ["refs/heads/main"]


def test_the_office_chooses_the_allowed_refs(office: Office) -> None:
    again = office.cli(
        "server",
        "init",
        str(office.bare),
        *office.rules,
        "--hook-lang",
        "en",
        "--allow-ref",
        "refs/heads/fitur/*",
        "--allow-ref",
        "refs/notes/*",
    )
    assert again.exit_code == 0, again.stderr
    assert "refs/heads/fitur/*, refs/notes/*" in again.stdout
    config = json.loads((office.bare / "sopkit" / "config.json").read_text())
    assert config["allowed_refs"] == ["refs/heads/fitur/*", "refs/notes/*"]
    git(office.app, "notes", "add", "-m", "disetujui", "HEAD")
    assert office.push("refs/notes/commits").returncode == 0
    assert office.push("HEAD:refs/heads/fitur/login").returncode == 0
    git(office.app, "tag", "v0.1")
    rejected(office, "refs/tags/v0.1", "refs/heads/fitur/*, refs/notes/*", ref="refs/tags/v0.1")
    rejected(office, "refs/heads/lain", ref="HEAD:refs/heads/lain")
    assert office.push().returncode == 0  # the protected branch stays allowed, judged by the gate
    bad = office.cli("server", "init", str(office.bare), *office.rules, "--allow-ref", "heads/*")
    assert bad.exit_code == 2 and "refs/" in bad.stderr


def test_a_configuration_from_before_allowed_refs_gets_the_defaults(office: Office) -> None:
    path = office.bare / "sopkit" / "config.json"
    config = json.loads(path.read_text())
    del config["allowed_refs"]
    path.write_text(json.dumps(config))
    git(office.app, "tag", "v0.1")
    assert office.push("refs/tags/v0.1").returncode == 0
    git(office.app, "notes", "add", "-m", "disetujui", "HEAD")
    rejected(office, "refs/notes/commits", ALLOWED, ref="refs/notes/commits")


def test_the_protected_branch_still_cannot_be_deleted(office: Office) -> None:
    rejected(office, "cannot be deleted", ref=":refs/heads/main")


# -- the pusher's environment -------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_pushers_cache_folder_is_ignored(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache prepared by the pusher, in which the signature of a key outside the roster is remembered
    as ani's: read, it would let the outsider sign for the TU."""
    from toolkit.forge.plain import sshsig

    fill_letter(office)
    office.signoff(1, "tu", member="outsider", key=office.keys["outsider"])
    prepared = tmp_path / "prepared-cache"
    monkeypatch.setenv("SOPKIT_CACHE_DIR", str(prepared))
    base = main_of(office)
    check = ("gate", "check", "--repo", str(office.app), "--base", base, *office.rules)
    assert office.cli(*check).exit_code == 1
    # the entry a verified signature would leave, forged: the outsider's signature "made by ani"
    raw = subprocess.run(
        ["git", "cat-file", "commit", "HEAD"], cwd=office.app, capture_output=True, check=True
    ).stdout
    signed = parse_commit(raw)
    assert signed.signature is not None
    roster = roster_lib.load(office.root / "roster.yaml", set(office.policy.roles))
    lines = "\n".join(f"{m.id} {key}" for m in roster.members for key in m.keys).encode()
    key = Cache.key(sshsig.NAMESPACE_CACHE, signed.signature, signed.payload, lines)
    Cache(prepared).store(sshsig.NAMESPACE_CACHE, key, "ani")
    fooled = office.cli(*check)
    assert fooled.exit_code == 0, fooled.stdout  # the forged entry works where it is read
    before = snapshot(prepared)

    server_cache = office.bare / "sopkit" / "cache"
    shutil.rmtree(server_cache, ignore_errors=True)
    monkeypatch.setenv("SOPKIT_LANG", "id")  # the language is the server's too (en)
    monkeypatch.setenv("SOPKIT_TEMPLATE_DIR", str(tmp_path / "nowhere"))
    rejected(office, "[signoff]", "not made by a key in the roster")
    assert snapshot(prepared) == before  # nothing written there
    remembered = [p for p in server_cache.rglob("*") if p.is_file()]
    assert any(p.parent.name == "valid-policy-data" for p in remembered), remembered


def test_the_pushers_python_path_is_ignored(
    office: Office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over a local path the hook's Python would import the pusher's own 'toolkit', one that accepts all."""
    fake = tmp_path / "fake" / "toolkit"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "__main__.py").write_text("raise SystemExit(0)\n")
    monkeypatch.setenv("PYTHONPATH", str(fake.parent))
    code_change(office)
    rejected(office, "[code]", "index.php")


def test_the_hooks_environment_keeps_only_what_git_set(tmp_path: Path) -> None:
    from toolkit.forge.plain.server import hook_environment

    bare = tmp_path / "server.git"
    incoming = bare / "objects" / "tmp_objdir-incoming-abc123"
    incoming.mkdir(parents=True)
    inherited = {
        "PATH": "/usr/bin",
        "HOME": "/home/pusher",
        "GIT_DIR": ".",
        "GIT_QUARANTINE_PATH": str(incoming),
        "GIT_OBJECT_DIRECTORY": "/tmp/elsewhere",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES": f"/tmp/theirs:{bare}/./objects",
        "GIT_CONFIG_PARAMETERS": "'core.usereplacerefs=true'",
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "core.useReplaceRefs",
        "GIT_CONFIG_VALUE_0": "true",
        "GIT_CONFIG_GLOBAL": "/home/pusher/.gitconfig",
        "GIT_REPLACE_REF_BASE": "refs/decoys/",
        "GIT_EXEC_PATH": "/home/pusher/bin",
        "GIT_GRAFT_FILE": "/home/pusher/grafts",
        "SOPKIT_CACHE_DIR": "/home/pusher/cache",
        "SOPKIT_LANG": "en",
        "SOPKIT_TEMPLATE_DIR": "/home/pusher/template",
        "TZ": "Pacific/Kiritimati",
        "PYTHONTZPATH": "/home/pusher/zoneinfo",
        "TMPDIR": "/home/pusher/tmp",
        "LD_LIBRARY_PATH": "/home/pusher/lib",
    }
    env = hook_environment(bare, inherited, "/opt/server/bin:/usr/bin")
    assert env == {
        "PATH": "/opt/server/bin:/usr/bin",  # the server's, not the pusher's
        "HOME": str(bare / "sopkit"),
        "TMPDIR": str(bare / "sopkit" / "tmp"),
        "GIT_DIR": str(bare),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_QUARANTINE_PATH": str(incoming),
        "GIT_OBJECT_DIRECTORY": str(incoming),
        "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(bare / "objects"),
        "SOPKIT_CACHE_DIR": str(bare / "sopkit" / "cache"),
    }
    elsewhere = tmp_path / "tmp_objdir-incoming-xyz"  # not inside the repository's objects
    elsewhere.mkdir()
    env = hook_environment(bare, {"GIT_QUARANTINE_PATH": str(elsewhere), "GIT_OBJECT_DIRECTORY": "/x"})
    assert not {"GIT_QUARANTINE_PATH", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES"} & set(env)


def test_audit_of_a_relative_path_from_another_folder(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    office.complete(1)
    monkeypatch.chdir(office.root.parent)
    relative = str(Path(office.root.name) / "server.git")
    result = office.cli("audit", "--repo", relative)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "0 findings" in result.stdout

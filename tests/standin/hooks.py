"""git over the stand-in: each bare repository gets a pre-receive hook (branch protection refuses a push as
GitHub does) and a post-receive hook (pull requests follow their head branch). Both ask the running
stand-in over HTTP. Who pushes is said with a push option, ``git push -o user=LOGIN``; a push without it
is the repository owner's (a test setting things up, as an admin would)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.standin.state import Repo
    from tests.standin.world import World

_HOOK = """#!{python}
import json, os, sys, urllib.request
updates = [line.split() for line in sys.stdin.read().splitlines() if line.strip()]
count = int(os.environ.get("GIT_PUSH_OPTION_COUNT", "0") or 0)
options = [os.environ.get(f"GIT_PUSH_OPTION_{{i}}", "") for i in range(count)]
# the pushed objects wait in a quarantine until pre-receive accepts them: let the stand-in's git see them
keys = ("GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH")
env = {{k: os.environ[k] for k in keys if k in os.environ}}
body = json.dumps({{"repo": {repo!r}, "updates": updates, "options": options, "env": env}}).encode()
request = urllib.request.Request({url!r}, data=body, headers={{"Content-Type": "application/json"}})
opener = urllib.request.build_opener(urllib.request.ProxyHandler({{}}))
with opener.open(request, timeout=30) as answer:
    reply = json.load(answer)
if reply.get("refused"):
    sys.stderr.write(reply["refused"] + "\\n")
    sys.exit(1)
"""


def install(world: World, repo: Repo) -> None:
    hooks = repo.git.path / "hooks"
    hooks.mkdir(exist_ok=True)
    for name in ("pre-receive", "post-receive"):
        script = hooks / name
        script.write_text(
            _HOOK.format(python=sys.executable, repo=repo.full_name, url=f"{world.web_url}/_standin/{name}")
        )
        script.chmod(0o755)


def pusher_of(options: list[str]) -> str | None:
    for option in options:
        if option.startswith("user="):
            return option.removeprefix("user=")
    return None

"""Where the dashboard writes its page: a folder others may write to (a web server's document root)."""

from __future__ import annotations

import os
from pathlib import Path

from toolkit.cli.status_cmd import write_page


def test_the_page_is_never_written_through_a_planted_link(tmp_path: Path) -> None:
    """Whoever can write to --out plants `.index.html.<pid>` (the process id is easy to guess) as a
    link to a file of the Kasi's: the page was written through it, over that file. The temporary file
    is now made new (O_EXCL, a random name) and renamed over index.html."""
    out = tmp_path / "www"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (out / f".index.html.{os.getpid()}").symlink_to(victim)
    (out / "index.html").symlink_to(victim)  # a link named index.html is replaced, not followed
    written = write_page(out, "<html>dashboard</html>")
    assert victim.read_text() == "precious\n"
    assert not written.is_symlink() and written.read_text() == "<html>dashboard</html>"
    assert written.stat().st_mode & 0o777 == 0o644  # the web server reads it
    assert sorted(p.name for p in out.iterdir()) == [f".index.html.{os.getpid()}", "index.html"]

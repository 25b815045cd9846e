"""Real headless Chromium (Debian's ``chromium`` package) driven over the DevTools protocol through
``--remote-debugging-pipe``: commands go in on file descriptor 3, answers and events come out on 4, each
a JSON message ending in a NUL byte. No library between the test and the browser.

Where Chromium is not installed the tests are skipped with that reason, so that the README's test command
passes on a machine with only Python and git; CI sets ``SOPKIT_REQUIRE_BROWSER=1`` (``.ci/run``, which
installs Chromium), and there a missing Chromium fails them instead."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

REQUIRE_VARIABLE = "SOPKIT_REQUIRE_BROWSER"


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get(REQUIRE_VARIABLE) == "1":
        pytest.fail(f"Chromium is not installed, and {REQUIRE_VARIABLE}=1 requires the browser tests")
    pytest.skip(
        "Chromium is not installed (apt-get install -y chromium, as .ci/run does): browser tests skipped"
    )


class Browser:
    """One headless Chromium with one page; :meth:`call` sends a command to the page and returns its
    result, keeping the events that arrive meanwhile in :attr:`events`."""

    def __init__(self) -> None:
        self._profile = tempfile.mkdtemp(prefix="sopkit-chromium-")
        to_browser, self._write = os.pipe()
        self._read, from_browser = os.pipe()

        def descriptors() -> None:  # the child's fd 3 reads our commands, its fd 4 writes its answers
            commands, answers = os.dup(to_browser), os.dup(from_browser)  # neither is lost if one is 3 or 4
            os.dup2(commands, 3)
            os.dup2(answers, 4)

        args = [chromium_path(), "--headless", "--disable-gpu", "--remote-debugging-pipe", "--no-first-run"]
        args += ["--no-default-browser-check", f"--user-data-dir={self._profile}", "--hide-scrollbars"]
        if os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        self._process = subprocess.Popen(
            [*args, "about:blank"],
            preexec_fn=descriptors,  # noqa: PLW1509 - only dup2 between fork and exec
            pass_fds=(3, 4),  # kept open in the child, whatever they are here
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []
        self.session = ""

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            answer = self._message()
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)
        raise TimeoutError(method)

    def _message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed its DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)  # type: ignore[no-any-return]

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        return self.send(method, params, self.session)

    def open(self, url: str, width: int, height: int, mobile: bool) -> None:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.call(f"{domain}.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )
        self.call("Page.navigate", {"url": url})
        deadline = time.monotonic() + 30
        while self.evaluate("document.readyState") != "complete":
            if time.monotonic() > deadline:
                raise TimeoutError(url)
            time.sleep(0.05)

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def screenshot(self, full_page: bool = True) -> bytes:
        shot = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": full_page})
        return base64.b64decode(shot["data"])

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError, TimeoutError):
            self.send("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for fd in (self._read, self._write):
            os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)


def contrast(foreground: str, background: str) -> float:
    """The WCAG 2 contrast ratio of two CSS ``rgb(...)``/``rgba(...)`` colours (opaque)."""

    def luminance(css: str) -> float:
        parts = css[css.index("(") + 1 : css.index(")")].split(",")
        channels = []
        for value in (float(p) / 255 for p in parts[:3]):
            channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
        red, green, blue = channels
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def page_url(path: Path) -> str:
    return path.resolve().as_uri()

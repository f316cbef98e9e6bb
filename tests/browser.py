"""A real headless Chromium driven over the Chrome DevTools Protocol, for page tests.

Importable by any test (pytest puts tests/ on sys.path):

    from browser import Browser

    with Browser() as browser:
        page = browser.open(path_to_html)          # file:// URL, network cut off
        assert page.evaluate("document.title") == "motorsport-kg"
        page.click("#search"); page.type_text("vanthoor"); page.press("Enter")
        page.screenshot(tmp_path / "shot.png")
        assert page.console_errors == []

One Browser per test module (a module-scoped fixture): Chromium starts in
about a second, a new page in milliseconds. Only the standard library and
websocket-client are used; nothing is mocked.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
)

# Input.dispatchKeyEvent parameters for the keys tests press.
KEYS: dict[str, dict[str, Any]] = {
    "Enter": {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "text": "\r"},
    "Escape": {"key": "Escape", "code": "Escape", "windowsVirtualKeyCode": 27},
}


class BrowserError(RuntimeError):
    """Chromium did not start, did not answer, or a script in the page failed."""


class Page:
    """One tab, with its own DevTools connection."""

    def __init__(self, url: str, timeout: float) -> None:
        import websocket

        self.timeout = timeout
        self._ids = itertools.count(1)
        self._socket = websocket.create_connection(url, timeout=timeout, suppress_origin=True)
        self._events: list[dict[str, Any]] = []
        self.console_errors: list[str] = []
        self.console_messages: list[str] = []
        self.requests: list[str] = []

    @property
    def requests_blocked(self) -> list[str]:
        """Requests for anything but the page's own file (and data: URLs): none should happen."""
        return [u for u in self.requests if not u.startswith(("file:", "data:", "about:"))]

    # -- protocol ------------------------------------------------------------------

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a DevTools method and return its result (events seen meanwhile are kept)."""
        message_id = next(self._ids)
        self._socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            message = json.loads(self._socket.recv())
            if message.get("id") == message_id:
                if "error" in message:
                    raise BrowserError(f"{method} failed: {message['error']}")
                return dict(message.get("result", {}))
            self._event(message)
        raise BrowserError(f"{method}: no answer within {self.timeout} s")

    def _event(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        params = message.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(
                str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", [])
            )
            self.console_messages.append(f"{params.get('type')}: {text}")
            if params.get("type") in ("error", "assert"):
                self.console_errors.append(text)
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            exception = details.get("exception", {})
            self.console_errors.append(
                str(exception.get("description") or details.get("text", "exception"))
            )
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            if entry.get("level") == "error":
                self.console_errors.append(f"{entry.get('source')}: {entry.get('text')}")
        elif method == "Network.requestWillBeSent":
            self.requests.append(str(params.get("request", {}).get("url", "")))
        self._events.append(message)

    def wait_event(self, method: str, timeout: float | None = None) -> dict[str, Any]:
        for index, event in enumerate(self._events):
            if event.get("method") == method:
                return self._events.pop(index)
        deadline = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < deadline:
            message = json.loads(self._socket.recv())
            if "id" in message:
                continue
            self._event(message)
            if message.get("method") == method:
                self._events.remove(message)
                return message
        raise BrowserError(f"no {method} within {timeout or self.timeout} s")

    # -- what tests use -----------------------------------------------------------------

    def navigate(self, url: str) -> None:
        self._events.clear()
        self.send("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """Run JavaScript in the page and return its value (as JSON would carry it)."""
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            description = details.get("exception", {}).get("description") or details.get("text")
            raise BrowserError(f"script failed: {description}\n{expression}")
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float | None = None) -> Any:
        """Poll until `expression` is truthy in the page; return its value."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.05)
        raise BrowserError(f"still false after {timeout or self.timeout} s: {expression}")

    def centre_of(self, selector: str) -> tuple[float, float]:
        box = self.evaluate(
            "(() => { const e = document.querySelector(" + json.dumps(selector) + ");"
            " if (!e) return null; const r = e.getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2]; })()"
        )
        if box is None:
            raise BrowserError(f"no element matches {selector!r}")
        return float(box[0]), float(box[1])

    def mouse(self, kind: str, x: float, y: float, **extra: Any) -> None:
        self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, **extra)

    def click(self, selector: str) -> None:
        """A real mouse click (move, press, release) on the centre of the element."""
        x, y = self.centre_of(selector)
        self.mouse("mouseMoved", x, y)
        self.mouse("mousePressed", x, y, button="left", buttons=1, clickCount=1)
        self.mouse("mouseReleased", x, y, button="left", buttons=0, clickCount=1)

    def drag(self, start: tuple[float, float], end: tuple[float, float], steps: int = 8) -> None:
        (x0, y0), (x1, y1) = start, end
        self.mouse("mouseMoved", x0, y0)
        self.mouse("mousePressed", x0, y0, button="left", buttons=1, clickCount=1)
        for step in range(1, steps + 1):
            x = x0 + (x1 - x0) * step / steps
            y = y0 + (y1 - y0) * step / steps
            self.mouse("mouseMoved", x, y, button="left", buttons=1)
        self.mouse("mouseReleased", x1, y1, button="left", buttons=0, clickCount=1)

    def wheel(self, x: float, y: float, delta_y: float) -> None:
        self.mouse("mouseWheel", x, y, deltaX=0, deltaY=delta_y)

    def type_text(self, text: str) -> None:
        """Type into the focused element (fires input events as a keyboard would)."""
        self.send("Input.insertText", text=text)

    def press(self, key: str, modifiers: int = 0) -> None:
        """Press and release `key`; `modifiers` as DevTools counts them (Ctrl 2, Shift 8)."""
        params = {**KEYS[key], "modifiers": modifiers}
        self.send("Input.dispatchKeyEvent", type="keyDown", **params)
        self.send(
            "Input.dispatchKeyEvent",
            type="keyUp",
            **{k: v for k, v in params.items() if k != "text"},
        )

    def screenshot(self, path: Path) -> bytes:
        data = base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"])
        path.write_bytes(data)
        return data

    def close(self) -> None:
        self._socket.close()


class Browser:
    """A headless Chromium with its own throw-away profile; pages open with the network off."""

    def __init__(
        self, executable: str = CHROMIUM, timeout: float = 20.0, size: tuple[int, int] = (1280, 800)
    ) -> None:
        self.executable = executable
        self.timeout = timeout
        self.size = size
        self._profile: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._port = 0
        self._pages: list[Page] = []

    def __enter__(self) -> Browser:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        if shutil.which(self.executable) is None:
            raise BrowserError(
                f"{self.executable} not found: install Chromium (apt-get install chromium)"
            )
        self._profile = Path(tempfile.mkdtemp(prefix="kg-chromium-"))
        self._process = subprocess.Popen(
            [self.executable, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = self._profile / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BrowserError(f"Chromium exited at start with code {self._process.returncode}")
            if port_file.is_file():
                lines = port_file.read_text().split()
                if len(lines) >= 2 and lines[0].isdigit():
                    self._port = int(lines[0])
                    return
            time.sleep(0.05)
        self.close()
        raise BrowserError(f"Chromium did not open its DevTools port within {self.timeout} s")

    def _targets(self) -> list[dict[str, Any]]:
        from urllib.request import urlopen

        with urlopen(f"http://127.0.0.1:{self._port}/json/list", timeout=self.timeout) as answer:
            return list(json.loads(answer.read()))

    def open(self, path: Path) -> Page:
        """A new tab showing `path` (a local file), with the network disabled."""
        page = self._new_page(offline=True)
        page.navigate(path.resolve().as_uri())
        return page

    def open_url(self, url: str) -> Page:
        """A new tab showing `url` (a server the test runs), the network on: every
        request the page makes, to anywhere, is attempted and kept in `page.requests`."""
        page = self._new_page(offline=False)
        page.navigate(url)
        return page

    def _new_page(self, offline: bool) -> Page:
        from urllib.request import Request, urlopen

        request = Request(f"http://127.0.0.1:{self._port}/json/new?about:blank", method="PUT")
        with urlopen(request, timeout=self.timeout) as answer:
            target = json.loads(answer.read())
        page = Page(target["webSocketDebuggerUrl"], self.timeout)
        self._pages.append(page)
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.send(f"{domain}.enable")
        if offline:
            page.send(
                "Network.emulateNetworkConditions",
                offline=True,
                latency=0,
                downloadThroughput=-1,
                uploadThroughput=-1,
            )
        width, height = self.size
        page.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        return page

    def close(self) -> None:
        for page in self._pages:
            with contextlib.suppress(OSError):
                page.close()
        self._pages.clear()
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
            self._process = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

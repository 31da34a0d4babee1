"""A small DevTools-protocol client for a headless Debian Chromium, with the network switched off.

Enough for our browser test and screenshots: open a page, record every request, console message,
exception and dialog, evaluate JavaScript, move the mouse, capture a PNG. Uses websocket-client.
"""
from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--metrics-recording-only",
    "--mute-audio",
    "--hide-scrollbars",
    # Even if something tried, no name resolves: the test would see the request and fail, not leak it.
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserError(RuntimeError):
    """Chromium did not start or did not answer."""


class Chromium:
    """One headless browser process; `page()` opens a fresh tab attached over a flat session."""

    def __init__(self, binary: str, width: int = 1400, height: int = 900, timeout: float = 30.0) -> None:
        import websocket

        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="kg-chromium-")
        cmd = [binary, *FLAGS, f"--window-size={width},{height}", f"--user-data-dir={self.profile}",
               "--remote-debugging-port=0", "about:blank"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        url = self._devtools_url()
        self.ws = websocket.create_connection(url, timeout=timeout, suppress_origin=True, enable_multithread=False)
        self._id = 0
        self.events: list[dict[str, Any]] = []

    def _devtools_url(self) -> str:
        deadline = time.monotonic() + self.timeout
        lines = []
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                if self.proc.poll() is not None:
                    break
                continue
            lines.append(line.rstrip())
            m = re.search(r"DevTools listening on (ws://\S+)", line)
            if m:
                return m.group(1)
        self.close()
        raise BrowserError("chromium did not print its DevTools URL: " + " | ".join(lines[-5:]))

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            data = json.loads(self.ws.recv())
            if data.get("id") == self._id:
                if "error" in data:
                    raise BrowserError(f"{method}: {data['error']}")
                return data.get("result", {})
            self._event(data)
        raise BrowserError(f"{method}: no answer in {self.timeout} s")

    def _event(self, data: dict[str, Any]) -> None:
        if "method" not in data:
            return
        self.events.append(data)
        if data["method"] == "Page.javascriptDialogOpening":
            # A dialog blocks the page: record it (the test fails on it) and dismiss it.
            self._id += 1
            self.ws.send(json.dumps({"id": self._id, "method": "Page.handleJavaScriptDialog",
                                     "params": {"accept": False}, "sessionId": data.get("sessionId")}))

    def pump(self, seconds: float) -> None:
        """Collect events for a while (no command pending)."""
        deadline = time.monotonic() + seconds
        self.ws.settimeout(0.05)
        try:
            while time.monotonic() < deadline:
                try:
                    self._event(json.loads(self.ws.recv()))
                except Exception as exc:  # websocket timeout: nothing arrived yet
                    if type(exc).__name__ != "WebSocketTimeoutException":
                        raise
        finally:
            self.ws.settimeout(self.timeout)

    def page(self) -> "Page":
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        return Page(self, target, session)

    def close(self) -> None:
        try:
            if getattr(self, "ws", None):
                try:
                    self.send("Browser.close")
                except Exception:
                    pass
                self.ws.close()
        finally:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
            if self.proc.stderr:
                self.proc.stderr.close()
            shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> "Chromium":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Page:
    """One tab: what it requested, logged and raised since it was opened."""

    def __init__(self, browser: Chromium, target: str, session: str) -> None:
        self.b, self.target, self.session = browser, target, session
        self.first_event = len(browser.events)
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.send(f"{domain}.enable")

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.b.send(method, params, self.session)

    def events(self, method: str) -> list[dict[str, Any]]:
        return [e["params"] for e in self.b.events[self.first_event:]
                if e["method"] == method and e.get("sessionId") == self.session]

    def goto(self, url: str) -> None:
        res = self.send("Page.navigate", {"url": url})
        if res.get("errorText"):
            raise BrowserError(f"{url}: {res['errorText']}")
        deadline = time.monotonic() + self.b.timeout
        while not self.events("Page.loadEventFired"):
            if time.monotonic() > deadline:
                raise BrowserError(f"{url}: no load event in {self.b.timeout} s")
            self.b.pump(0.05)

    def js(self, expression: str, context: int | None = None) -> Any:
        """Evaluate in the page (or in the execution context `context`, e.g. an iframe's) and return the value."""
        params: dict[str, Any] = {"expression": expression, "returnByValue": True, "awaitPromise": True}
        if context is not None:
            params["contextId"] = context
        res = self.send("Runtime.evaluate", params)
        if "exceptionDetails" in res:
            raise BrowserError(f"{expression}: {res['exceptionDetails'].get('text')} {res.get('result', {}).get('description', '')}")
        return res["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20.0, context: int | None = None) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = self.js(expression, context)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out waiting for {expression}")
            self.b.pump(0.05)

    def attach_frames(self) -> None:
        """Attach to out-of-process iframes (Chromium isolates sandboxed ones), paused until `frame` runs them."""
        self.send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True})

    def frame(self, timeout: float = 20.0) -> "Page":
        """The first iframe attached since `attach_frames`: its domains enabled, then let run."""
        deadline = time.monotonic() + timeout
        while True:
            hits = [e for e in self.events("Target.attachedToTarget") if e["targetInfo"]["type"] == "iframe"]
            if hits:
                child = Page(self.b, hits[0]["targetInfo"]["targetId"], hits[0]["sessionId"])
                child.send("Runtime.runIfWaitingForDebugger")
                return child
            if time.monotonic() > deadline:
                raise BrowserError("no iframe was attached")
            self.b.pump(0.05)

    def hover(self, x: float, y: float) -> None:
        self.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y})

    def requests(self) -> list[str]:
        return [e["request"]["url"] for e in self.events("Network.requestWillBeSent")]

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and browser log errors (CSP violations land there)."""
        out = [" ".join(str(a.get("value", a.get("description", ""))) for a in e.get("args", []))
               for e in self.events("Runtime.consoleAPICalled") if e.get("type") in ("error", "assert")]
        out += [e["exceptionDetails"].get("text", "") + " " + str(e["exceptionDetails"].get("exception", {}).get("description", ""))
                for e in self.events("Runtime.exceptionThrown")]
        out += [e["entry"].get("text", "") for e in self.events("Log.entryAdded") if e["entry"].get("level") == "error"]
        return out

    def dialogs(self) -> list[str]:
        return [e.get("message", "") for e in self.events("Page.javascriptDialogOpening")]

    def screenshot(self, path: str | os.PathLike) -> Path:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        p = Path(path)
        p.write_bytes(base64.b64decode(data))
        return p

    def close(self) -> None:
        """Close the tab (an iframe's Page goes with its tab)."""
        try:
            self.b.send("Target.closeTarget", {"targetId": self.target})
        except BrowserError:
            pass

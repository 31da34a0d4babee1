"""Screenshot a rendered view in headless Chromium: python -m tests.browser.screenshot PAGE.html OUT.png [WxH]."""
from __future__ import annotations

import sys
from pathlib import Path

from .cdp import Chromium, find_chromium


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: python -m tests.browser.screenshot PAGE.html OUT.png [WIDTHxHEIGHT]", file=sys.stderr)
        return 2
    binary = find_chromium()
    if not binary:
        print("Error: chromium is not installed (apt-get install chromium fonts-wqy-microhei)", file=sys.stderr)
        return 2
    w, h = (int(v) for v in (argv[2] if len(argv) > 2 else "1400x900").split("x"))
    with Chromium(binary, width=w, height=h) as browser:
        page = browser.page()
        page.send("Emulation.setDeviceMetricsOverride", {"width": w, "height": h, "deviceScaleFactor": 1, "mobile": False})
        page.goto(Path(argv[0]).resolve().as_uri())
        page.wait_for("window.kgView && window.kgView.drawn")
        browser.pump(0.3)
        page.screenshot(argv[1])
        for err in page.errors():
            print(f"console error: {err}", file=sys.stderr)
        print(f"wrote {argv[1]} ({page.js('kgView.nodes.length')} nodes drawn; requests: {page.requests()})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

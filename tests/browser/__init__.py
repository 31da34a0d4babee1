"""Drive a real headless Chromium over the DevTools protocol (test helpers; see cdp.py)."""

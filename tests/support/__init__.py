"""What tests in any directory share that is no fixture of a single service (tests/support/browser.py: browser
tests)."""

"""micrograd-tui: a keyboard-driven terminal app for exploring micrograd (see tui/app.py)."""

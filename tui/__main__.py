"""`python -m tui` runs the app, like the `micrograd-tui` console script."""

from tui.cli import main

raise SystemExit(main())

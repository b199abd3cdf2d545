"""Open the front desk: ``python main.py`` is the same as ``frontdesk``."""

from ui.launcher import main

if __name__ == "__main__":
    raise SystemExit(main())

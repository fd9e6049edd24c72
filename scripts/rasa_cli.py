"""Rasa's command line with the project's fixes to Rasa applied (patches/).

    .venv/bin/python scripts/rasa_cli.py train ...      # same arguments as `rasa`

Used for training, where the fix to the training cache's fingerprinting
(patches/training_cache.py) cuts the training time, and for `make shell`,
whose console shows buttons as a numbered list and always takes typed text
(patches/console_buttons.py); the servers apply the other fixes when Rasa
imports the channel and lock-store modules.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from patches.console_buttons import apply as apply_console_buttons  # noqa: E402
from patches.training_cache import apply as apply_training_cache  # noqa: E402

if __name__ == "__main__":
    apply_training_cache()
    apply_console_buttons()
    from rasa.__main__ import main

    sys.argv[0] = "rasa"
    main()

"""``python -m pytest_sm_experiments serve``: see :mod:`pytest_sm_experiments.cli`."""

import sys

from .cli import main

sys.exit(main())

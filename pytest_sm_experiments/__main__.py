"""``python -m pytest_sm_experiments serve``: see :mod:`pytest_sm_experiments.server.cli`."""

import sys

from .server.cli import main

sys.exit(main())

"""Lets the examples import the code under test (`tracking.py`) the way a project's tests would."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

"""Makes the standalone witness package (tools/witness/src) importable in tests."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

TOOL_SRC = Path(__file__).resolve().parents[3] / "tools" / "witness" / "src"
if str(TOOL_SRC) not in sys.path:
    sys.path.insert(0, str(TOOL_SRC))


def load(module: str) -> ModuleType:
    """``load("merkle")`` → the standalone package's ``gongzhi_witness.merkle``."""
    return importlib.import_module(f"gongzhi_witness.{module}")

"""micrograd: a scalar autograd engine with a karpathy/micrograd-compatible API.

`micrograd.engine.Value` and `micrograd.nn` are drop-in replacements for karpathy/micrograd's.
This package never imports a UI library (Textual, Rich, plotext) or `tui`; a test guards it.
"""

from micrograd.engine import Value

__all__ = ["Value"]

"""The toolkit's version: the one place it is written.

``pyproject.toml`` reads it from here (``[tool.setuptools.dynamic]``) into the distribution's
metadata, so ``inexogy.__version__``, the User-Agent and ``importlib.metadata.version("inexogy")``
always agree; reading it here costs the command's start nothing (importlib.metadata does).
"""

__version__ = "0.1.0"

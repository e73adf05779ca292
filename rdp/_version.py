"""The version of rdp (``rdp.__version__``), in a module of its own that any module may import."""

__version__ = "0.1.0"

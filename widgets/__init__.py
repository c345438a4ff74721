"""Qt widgets (PySide6): the only package that builds windows."""

"""oms: order management for small merchants, from the shell."""

__version__ = "0.1.0"

#: pixparam's version, recorded in every checkpoint and in every store key.
__version__ = "0.1.0"

"""newsdigest: a static site generator for cleaned news digests."""

__version__ = "0.1.0"

"""Are we attested yet? Crawl registries, classify provenance, render a static site."""

__version__ = "0.1.0"
__all__ = ["__version__"]

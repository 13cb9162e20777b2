"""scriptkit: screenplay + style reference in, an editable NLE project out."""

__version__ = "0.1.0"

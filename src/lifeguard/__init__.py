"""Lifeguard: life-safety operations for online platforms."""

__version__ = "0.1.0"

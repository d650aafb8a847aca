"""Product risk: the catalogue of lethal means and matching order items and queries against it."""

from lifeguard.detection.products.catalogue import (
    Catalogue,
    CatalogueError,
    MeansEntry,
    MeansHit,
    Pair,
    Strength,
    load_catalogue,
)

__all__ = ["Catalogue", "CatalogueError", "MeansEntry", "MeansHit", "Pair", "Strength", "load_catalogue"]

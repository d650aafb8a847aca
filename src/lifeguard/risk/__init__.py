"""A person's fused risk, kept between signals: the storage side of detection.fusion (which is pure)."""

"""The code points of the scripts Lifeguard reads by block, defined once for the rules, the language guess,
the model's features and the fusion of observations.

Han: the CJK Unified Ideographs, Extension A, the compatibility ideographs, and Extensions B to G (rare
characters, but names and dodges use them). BERT's own notion of a CJK character, which the second stages'
tokenizer must match exactly, is kept apart in ``model.minilm``.
"""

from __future__ import annotations

HAN_RANGES: tuple[tuple[int, int], ...] = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))

# The inside of a regular-expression character class: f"[{HAN_CLASS}]".
HAN_CLASS = "".join(f"{chr(first)}-{chr(last)}" for first, last in HAN_RANGES)

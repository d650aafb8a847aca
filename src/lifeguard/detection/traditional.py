"""Traditional Chinese read as simplified: the lexicons and the model learnt simplified text, and Taiwan, Hong Kong,
Macau and many overseas writers use traditional characters ("我想自殺", "活著沒意思"), as do writers who expect a
filter to miss them. Each traditional character has one simplified form (``han/traditional_to_simplified.tsv``, from
OpenCC), so the folding is one character for one and keeps every offset. "著" is itself simplified ("著名", famous)
and the particle of traditional text ("活著", living): after a verb it is read as "着"."""

from __future__ import annotations

import re
from pathlib import Path

_TABLE = Path(__file__).with_name("han") / "traditional_to_simplified.tsv"


def _load() -> dict[str, str]:
    pairs: dict[str, str] = {}
    for line in _TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            traditional, simplified_form = line.split("\t")
            pairs[traditional] = simplified_form
    # a simplified form that is itself folded further (one in OpenCC's table) is followed to its end, so folding twice
    # gives what folding once does
    return {key: pairs.get(value, value) for key, value in pairs.items()}


SIMPLIFIED: dict[str, str] = _load()
_TRANSLATION = str.maketrans(SIMPLIFIED)
_TRADITIONAL = frozenset(SIMPLIFIED) | {"著"}  # a set test: a regex class of 4,000 characters cost 27 µs a message
# 著 after a verb is the particle 着 of traditional text ("活著", "睡著", "撐著"); after 显, 名 or before 名, 作 it
# is the simplified 著 ("显著", "著名", "著作") and stays.
_PARTICLE = re.compile("(?<=[活睡想看跟拿等忍撑撐躺坐站哭笑走过過抱带帶听聽望守陪熬醒憋藏留挺])著")


def particle(text: str) -> str:
    """``text`` with 著 after a verb read as 着 (same length)."""
    return _PARTICLE.sub("着", text) if "著" in text else text


def simplified(text: str) -> str:
    """``text`` with its traditional characters in their simplified forms, one for one (offsets unchanged)."""
    if text.isascii() or _TRADITIONAL.isdisjoint(text):  # most texts
        return text
    return particle(text.translate(_TRANSLATION))

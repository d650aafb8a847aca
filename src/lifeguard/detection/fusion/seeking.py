"""Method seeking and means seeking: the questions people type into a search box or ask a shop's agent.

"吃多少安眠药会死", "how many pills to die", "painless way to go", "百草枯 喝多少" ask how: they are strong
signals (C-SSRS: behavior). "灭鼠药 家用" or "dead sea mud mask" carry death words and ask nothing of the kind.
Asking where to get a lethal product ("安眠药哪里能买到", "sleeping pills without prescription") is seeking
the means: it counts like an order of it. The text detector reads the words; this layer adds the question shapes
that only make sense with a product name, using the catalogue's names in four languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lifeguard.detection.normalize import normalize_pattern

_L = r"(?<![a-z])"
_R = r"(?![a-z])"


def _compile(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{normalize_pattern(p)})" for p in patterns))


# Asking how to die, with or without a product: enough on its own.
_METHOD = _compile([
    r"(?:多少|几)(?:片|粒|颗|瓶|克|毫升|盒|口|ml|mg|g)?.{0,8}(?:会死|能死|才会死|才能死|致死|死得了|死人|没命|送命|毙命)",
    r"致死量|致死剂量|半数致死|致命剂量",
    r"(?:怎么|如何|怎样|哪种|什么方法|啥方法|用什么).{0,6}(?:去死|自杀|自尽|了结自己|结束生命|结束自己|死得快|死的快|死掉)",
    r"(?:无痛|不痛|没有痛苦|不痛苦|最快|最简单|最舒服|安乐).{0,6}(?:死|自杀|死法|离开这个世界)",
    r"自杀(?:方法|方式|的方法|教程|攻略)|死法大全|怎么死最",
    _L + r"how (?:many|much)\s.{0,40}(?:to die|to kill (?:me|myself|yourself|you|a person|someone)|is lethal|is fatal"
    r"|to overdose|would kill|will kill|to od|before you die|to end it)" + _R,
    _L + r"(?:lethal|fatal|deadly|toxic|overdose) (?:dose|amount|quantity|threshold|limit)" + _R,
    _L + r"(?:painless|easiest|quickest|fastest|best|peaceful|surest|quiet|quietest) (?:way|ways|method|methods)"
    r" (?:to )?(?:die|go|end it|end my life|kill myself|commit suicide|suicide|to sleep forever)" + _R,
    _L + r"how (?:to|do i|do you|can i|should i) (?:kill myself|commit suicide|end my life|end it all|hang myself"
    r"|hang yourself|overdose|od|slit my wrists|die painlessly|die quickly)" + _R,
    _L + r"(?:suicide|suicidal) (?:method|methods|how to|ways)" + _R,
    _L + r"(?:can|will|would|does) .{0,30} (?:kill (?:me|you|u|a person)|be fatal|be lethal)" + _R,
    _L + r"can (?:you|i|u|a person) (?:die|overdose) (?:from|on|of|by)" + _R,
    _L + r"how long (?:does it take|until|till|before) .{0,30}(?:die|dead|death|to work)" + _R,
    r"(?:कितनी|कितना|कितने).{0,25}(?:मर|मौत|जान चली)",
    r"(?:मरने|आत्महत्या|खुदकुशी) (?:का|के) (?:तरीका|तरीके|आसान तरीका)|आत्महत्या कैसे|कैसे मरें|बिना दर्द.{0,12}(?:मौत|मरना|मरें)",
    _L + r"(?:kitni|kitna|kitne) .{0,30}"
    r"(?:mar jaunga|mar jaungi|mar jate|mar sakte|maut|marne ke liye|jaan chali)" + _R,
    _L + r"(?:marne|suicide|khudkushi|aatmhatya) (?:ka|ke) (?:tarika|tareeka|tarike|aasan tarika|asan tarika)" + _R,
    _L + r"(?:suicide|khudkushi|aatmhatya) kaise (?:kare|karein|karu|karun)|kaise (?:marein|mare|maru|marun)" + _R,
    _L + r"bina dard .{0,15}(?:maut|marna|mar)" + _R,
])  # fmt: skip

# Lethality questions that only mean method seeking when a product is named ("这个农药喝了会很快吗").
_LETHALITY_WITH_MEANS = _compile([
    r"(?:会不会死|能不能死|会死吗|能死吗|死得快|多久会死|多久死|多久没命|有救吗|没救|能救吗|痛苦吗|疼不疼|难受吗|很快吗|快不快|见效快吗)",
    r"(?:一起吃|一口气吃|全吃了|全部吃|一次吃完|一瓶都)",
    _L + r"(?:how fast|how quickly|is it painful|does it hurt|od on|overdose on|all at once"
    r"|the whole (?:bottle|box|pack))" + _R,
    r"(?:एक साथ|सारी गोलियां)|" + _L + r"(?:ek saath|ek sath|sari goliyan|dard hoga|jaldi asar)" + _R,
])  # fmt: skip
# Drinking or swallowing "how much" of something that is not a medicine has no dose to ask about: "百草枯 喝多少".
_AMOUNT_OF_POISON = _compile([
    r"(?:喝|吃|吞)(?:了)?(?:多少|几口|几瓶|一瓶|几勺)|多少(?:毫升|ml|克)",
    _L + r"how (?:much|many) .{0,20}(?:drink|swallow|to take)" + _R,
    _L + r"(?:kitna|kitni) .{0,15}(?:pi|peena|pina|khana)" + _R,
    r"(?:कितना|कितनी).{0,15}(?:पी|पीना|खाना)",
])  # fmt: skip

# Asking where or how to get a product: seeking the means.
_ACQUIRE = _compile([
    r"(?:哪里|哪儿|在哪|去哪|怎么|如何|怎样|能不能|可以)(?:才能|能|可以)?(?:买|购买|买到|弄到|搞到|拿到)|(?:买|购买).{0,6}(?:不要|无需|免|没有)处方"
    r"|(?:不要|无需|免)处方|还(?:卖|有)吗|有没有卖|卖不卖|不卖了"
    r"|(?<![不别没])(?:想|想要|要|打算|准备)(?:去)?(?:买|购买|囤|多买)",  # "我失眠，想买点安眠药": wanting to buy it
    _L + r"(?:where (?:to|can i|do i|can you) (?:buy|get|order)"
    r"|buy .{0,30}(?:online|without (?:a )?prescription|no prescription|near me)"
    r"|(?:without|no) (?:a )?prescription|how (?:to|can i|do i) (?:buy|get|order)"
    r"|(?:do|does) .{0,20}(?:sell|stock)"
    r"|(?<!don't )(?<!dont )(?<!not )(?<!never )(?:want|need|wanna|going|trying) to (?:buy|get|order)"
    r"|i'?d like to (?:buy|order))" + _R,
    r"कहाँ (?:मिलेगी|मिलेगा|मिलती|से खरीदें)|कैसे खरीदें|" + _L + r"(?:kahan (?:milegi|milega|milti|se (?:le|kharid|milegi))"
    r"|kaise (?:kharide|kharidu|milegi)|bina parchi)" + _R,
])  # fmt: skip


@dataclass(frozen=True, slots=True)
class Seeking:
    method: str | None  # rule id when the text asks how to die: seeking.method or seeking.lethality_of_means
    acquire: bool  # asks where/how to get something (meaningful when a means is named)
    phrase: str


def find_seeking(folded: str, names_means: bool, names_poison: bool = False) -> Seeking:
    """What a normalised text asks. ``names_means``: it names a catalogue product; ``names_poison``: one that is
    not a medicine (a pesticide, nitrite, a chemical), for which any amount question is a lethality question."""
    method = _METHOD.search(folded)
    if method is not None:
        return Seeking("seeking.method", bool(names_means and _ACQUIRE.search(folded)), method.group(0))
    if names_means:
        lethality = _LETHALITY_WITH_MEANS.search(folded) or (names_poison and _AMOUNT_OF_POISON.search(folded)) or None
        if lethality is not None:
            return Seeking("seeking.lethality_of_means", False, lethality.group(0))
        acquire = _ACQUIRE.search(folded)
        if acquire is not None:
            return Seeking(None, True, acquire.group(0))
    return Seeking(None, False, "")

"""Words that fusion reads across messages: when (a time), where (a method place), and look-alike contexts.

The text detector sees a time or place only next to a risk word in the same sentence. People spread a plan over
several messages ("I bought the pills." ... "after my parents fall asleep"), so fusion looks for these cues in
every text of the person and joins them with the risk it already holds. A time is resolved against the local
clock of the statement: "tonight" said at 21:00 starts now, said at 09:00 starts in eleven hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from lifeguard.detection.normalize import normalize_pattern

_DAY = 24 * 60


@dataclass(frozen=True, slots=True)
class TimeCue:
    """A future time window named in a text, in minutes from the moment the text was written."""

    phrase: str
    start_min: int
    end_min: int


@dataclass(frozen=True, slots=True)
class PlaceCue:
    phrase: str
    kind: str  # height, water, rail, closed_room


def _compile(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{normalize_pattern(p)})" for p in patterns))


# -- times --------------------------------------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_L = r"(?<![a-z])"  # Latin word edge (normalised text is lower case)
_R = r"(?![a-z])"

_RELATIVE: list[tuple[str, re.Pattern[str]]] = [
    (
        "now",
        _compile(
            [
                r"就现在|现在(?:我)?就|马上就|马上|立刻|立即|这就去|这就",
                _L + r"(?:right now|rn|right away|this minute|now)" + _R,
                r"अभी|इसी वक्त|" + _L + r"(?:abhi|abi|isi waqt)" + _R,
            ]
        ),
    ),
    (
        "soon",
        _compile(
            [
                r"一会儿|一会|待会|等会|等一下|过一会|过会儿",
                # Not "soon": normalisation folds it to "son", which cannot be told from "my son".
                _L
                + r"(?:in a (?:few|couple) (?:minutes|hours)|in an hour|in a bit|shortly|in \d+ (?:minutes|mins|hours))"
                + _R,
                r"थोड़ी देर में|" + _L + r"(?:thodi der (?:mein|me|baad))" + _R,
            ]
        ),
    ),
    (
        "family_asleep",
        _compile(
            [
                r"等(?:我|到)?(?:爸妈|爸爸妈妈|父母|家里人|家人|他们|她们|大家|所有人|室友)(?:都)?(?:睡|睡着|睡觉|睡下)",
                r"(?:爸妈|父母|家人|家里人|室友)(?:都)?睡(?:着)?(?:了)?(?:以后|之后|后)",
                _L + r"(?:after|when|once) (?:my )?"
                r"(?:parents|mom and dad|mum and dad|family|everyone|everybody|roommates?)"
                r" (?:are asleep|fall asleep|falls asleep|go to sleep|goes to sleep|go to bed|goes to bed|sleep)" + _R,
                r"(?:जब )?(?:सब|घरवाले|मम्मी पापा|माँ बाप)(?: लोग)? सो (?:जाएंगे|जाएँगे|जाएं|जायें|गए)",
                _L
                + r"(?:jab )?(?:sab|gharwale|mummy papa|maa baap)(?: log)? so (?:jayenge|jaenge|jaye|jaayein|gaye)"
                + _R,
            ]
        ),
    ),
    (
        "tonight",
        _compile(
            [
                r"今晚|今天晚上|今夜|今天夜里|半夜|深夜|晚上",
                _L + r"(?:tonight|tonite|this evening|later tonight|at midnight|midnight)" + _R,
                r"आज रात|रात को|आधी रात|" + _L + r"(?:aaj raat|aj raat|raat ko|aadhi raat)" + _R,
            ]
        ),
    ),
    (
        "tomorrow_night",
        _compile(
            [
                r"明晚|明天晚上|明天夜里",
                _L + r"(?:tomorrow night|tomorrow evening)" + _R,
                r"कल रात|" + _L + r"(?:kal raat)" + _R,
            ]
        ),
    ),
    (
        "tomorrow",
        _compile(
            [
                r"明天|明早|明天早上|明日",
                _L + r"(?:tomorrow|tmrw|tmr|tomorrow morning)" + _R,
                r"कल सुबह|" + _L + r"(?:kal subah)" + _R,
            ]
        ),
    ),
    ("weekend", _compile([r"这周末|周末", _L + r"(?:this weekend|on the weekend)" + _R])),
]

_CLOCK = [
    # 凌晨三点 / 晚上11点 / 3点
    re.compile(
        r"(凌晨|早上|上午|中午|下午|晚上|夜里|今晚)?([0-9]{1,2}|[一二两三四五六七八九十]{1,3})[点點](?:钟)?(半)?"
    ),
    re.compile(normalize_pattern(_L + r"(?:at )?([0-9]{1,2})(?::([0-5][0-9]))? ?(am|pm|a\.m\.|p\.m\.)" + _R)),
    re.compile(normalize_pattern(_L + r"at ([0-9]{1,2}):([0-5][0-9])" + _R)),
    re.compile(normalize_pattern(r"(रात|सुबह|शाम)?\s?([0-9]{1,2}) बजे")),
    re.compile(normalize_pattern(_L + r"(raat|subah|shaam)?\s?([0-9]{1,2}) baje" + _R)),
]
_CN_DATE = re.compile(r"([0-9]{1,2})月([0-9]{1,2})[日号號]")
_MONTHS = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
_EN_DATE = re.compile(
    r"(?<![a-z])(?:(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? ([0-9]{1,2})(?:st|nd|rd|th)?"
    r"|([0-9]{1,2})(?:st|nd|rd|th)? (?:of )?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)(?![a-z])"
)
_WEEKDAYS_EN = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY = re.compile(normalize_pattern(r"(?<![a-z])(?:on |this |next )(" + "|".join(_WEEKDAYS_EN) + r")(?![a-z])"))
_WEEKDAYS_FOLDED = [normalize_pattern(day) for day in _WEEKDAYS_EN]
_CN_WEEKDAY = re.compile(r"(?:这|下)?(?:周|星期|礼拜)([一二三四五六日天])")
_CN_WEEKDAY_INDEX = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
# Times that are over: "last night", "昨晚" are not plans.
_PAST_TIME = _compile(
    [
        r"昨天晚上|昨天夜里|前天晚上|那天晚上|昨晚|昨夜|昨天|前天|上周|去年|以前",
        _L + r"(?:last night|yesterday|last week|last year|[a-z0-9]+ (?:days|weeks|hours|years) ago)" + _R,
        r"कल रात को|पिछली रात|" + _L + r"(?:pichli raat)" + _R,
    ]
)
_DAY_WORDS = frozenset({"tomorrow", "tomorrow_night", "weekend"})


def _cn_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS.get(text[1:], 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGITS.get(tens, 0) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return _CN_DIGITS.get(text)


def _minutes_until(local: datetime, hour: int, minute: int = 0) -> int:
    """Minutes from ``local`` to the next time the clock shows hour:minute (now counts, up to 30 minutes late)."""
    now_min = local.hour * 60 + local.minute
    target = hour * 60 + minute
    delta = (target - now_min) % _DAY
    if delta > _DAY - 30:  # "at 3" said at 3:10 means now, not tomorrow
        delta -= _DAY
    return delta


def _window(name: str, local: datetime) -> tuple[int, int]:
    now_min = local.hour * 60 + local.minute
    if name == "now":
        return 0, 60
    if name == "soon":
        return 0, 180
    if name in ("tonight", "family_asleep"):
        # The night runs from 20:00 (22:00 when waiting for the family to sleep) to 05:00.
        opens = 20 * 60 if name == "tonight" else 22 * 60
        if now_min < 5 * 60:
            return 0, 5 * 60 - now_min
        return max(0, opens - now_min), _DAY - now_min + 5 * 60
    if name == "tomorrow_night":
        return _DAY - now_min + 20 * 60, 2 * _DAY - now_min + 5 * 60
    if name == "tomorrow":
        return _DAY - now_min, 2 * _DAY - now_min
    if name == "weekend":
        days = (5 - local.weekday()) % 7
        return max(0, days * _DAY - now_min), (days + 2) * _DAY - now_min
    raise ValueError(name)


def _clock_cue(folded: str, local: datetime) -> TimeCue | None:
    for index, regex in enumerate(_CLOCK):
        match = regex.search(folded)
        if match is None:
            continue
        if index == 0:
            part, number, half = match.group(1), _cn_number(match.group(2)), match.group(3)
            if number is None or number > 24:
                continue
            hour = number % 24
            if part == "下午" and hour < 12 or part in ("晚上", "夜里", "今晚") and 6 <= hour < 12:
                hour += 12  # "今晚三点" is 03:00, "晚上十点" is 22:00
            elif part in ("晚上", "夜里", "今晚", "凌晨") and hour == 12:
                hour = 0
            minute = 30 if half else 0
            if part is None and hour < 12:
                # "3点" alone: whichever of 03:00 and 15:00 comes first
                delta = min(_minutes_until(local, hour, minute), _minutes_until(local, hour + 12, minute))
                return TimeCue(match.group(0), max(0, delta - 30), delta + 60)
        elif index in (1, 2):
            hour = int(match.group(1))
            minute = int(match.group(2) or 0)
            suffix = match.group(3) if index == 1 else None
            if hour > 23 or (suffix and hour > 12):
                continue
            if suffix and suffix.startswith("p") and hour < 12:
                hour += 12
            elif suffix and suffix.startswith("a") and hour == 12:
                hour = 0
        else:
            part, hour_text = match.group(1), match.group(2)
            hour = int(hour_text)
            minute = 0
            if hour > 24:
                continue
            night = part in ("रात", "शाम", normalize_pattern("raat"), normalize_pattern("shaam"))
            if night and 6 <= hour < 12:
                hour += 12
            elif night and hour == 12:
                hour = 0  # "रात 12 बजे" is midnight
            hour %= 24
        delta = _minutes_until(local, hour, minute)
        return TimeCue(match.group(0), max(0, delta - 30), delta + 60)
    return None


def _date_cue(folded: str, local: datetime) -> TimeCue | None:
    month = day = None
    phrase = ""
    match = _CN_DATE.search(folded)
    if match is not None:
        month, day, phrase = int(match.group(1)), int(match.group(2)), match.group(0)
    else:
        en = _EN_DATE.search(folded)
        if en is not None:
            name = en.group(1) or en.group(4)
            number = en.group(2) or en.group(3)
            month, day, phrase = _MONTHS[name], int(number), en.group(0)
    if month is not None and day is not None:
        for year in (local.year, local.year + 1):
            try:
                target = local.replace(year=year, month=month, day=day, hour=0, minute=0, second=0, microsecond=0)
            except ValueError:
                return None
            if target + timedelta(days=1) > local:
                start = int((target - local).total_seconds() // 60)
                return TimeCue(phrase, max(0, start), start + _DAY)
        return None
    weekday_index: int | None = None
    weekday = _WEEKDAY.search(folded)
    if weekday is not None:
        weekday_index, phrase = _WEEKDAYS_FOLDED.index(weekday.group(1)), weekday.group(0)
    else:
        cn = _CN_WEEKDAY.search(folded)
        if cn is not None:
            weekday_index, phrase = _CN_WEEKDAY_INDEX[cn.group(1)], cn.group(0)
    if weekday_index is None:
        return None
    days = (weekday_index - local.weekday()) % 7 or 7
    start = days * _DAY - (local.hour * 60 + local.minute)
    return TimeCue(phrase, start, start + _DAY)


def find_time(folded: str, local: datetime) -> TimeCue | None:
    """The future time a (normalised) text names, resolved at the writer's local time ``local``."""
    if not folded:
        return None
    # Past times ("昨晚", "last night") are blanked first so that their words do not read as a plan; a bare clock
    # time next to one is ambiguous ("昨晚三点") and is dropped.
    cleaned, past = _PAST_TIME.subn(" ", folded)
    clock = None if past else _clock_cue(cleaned, local)
    relative: list[tuple[str, TimeCue]] = []
    for name, regex in _RELATIVE:
        match = regex.search(cleaned)
        if match is not None:
            start, end = _window(name, local)
            relative.append((name, TimeCue(match.group(0), start, end)))
    days = [cue for name, cue in relative if name in _DAY_WORDS]
    if clock is not None and days:
        # "tomorrow at 3am": the clock time on that day.
        day = min(days, key=lambda cue: cue.start_min)
        start = clock.start_min
        while start < day.start_min - 60:
            start += _DAY
        return TimeCue(f"{day.phrase} {clock.phrase}", start, start + (clock.end_min - clock.start_min))
    if clock is not None:
        return clock
    if relative:
        # The most specific of several: the one that closes first ("tonight, right now" is now).
        return min((cue for _, cue in relative), key=lambda cue: (cue.end_min, cue.start_min))
    return _date_cue(cleaned, local)


# -- places -------------------------------------------------------------------------------------------------

_PLACES: list[tuple[str, re.Pattern[str]]] = [
    (
        "closed_room",
        _compile(
            [
                r"关(?:紧|好|上)?门窗|门窗(?:都)?(?:关|封)|封(?:住|死|好)?(?:门窗|门缝|窗户)|密闭|门缝|车里烧|房间里烧|屋里烧|卫生间里烧",
                _L + r"(?:closed room|sealed room|seal (?:the|my) (?:room|door|doors|windows|car)"
                r"|tape (?:the|my) (?:door|doors|windows))"
                r"|(?:in|inside) (?:the|my) car with" + _R,
                r"कमरा बंद|" + _L + r"(?:kamra band|kamre ko band)" + _R,
            ]
        ),
    ),
    (
        "height",
        _compile(
            [
                r"楼顶|天台|顶楼|楼上跳|从楼上|高楼|大桥|桥上|悬崖|阳台上|窗台上|跳楼",
                _L + r"(?:roof|rooftop|the bridge|a bridge|off a building|top floor|cliff|ledge|balcony"
                r"|jump off|jump from)" + _R,
                # "chhat" folds to "chat": only with a postposition, so English "chat" is not a roof.
                r"छत|पुल से|बिल्डिंग से|" + _L + r"(?:chhat (?:pe|par|se)|pul se|building se|terrace (?:pe|par|se))" + _R,
            ]
        ),
    ),
    (
        "water",
        _compile(
            [
                r"河边|江边|跳河|跳江|跳海|湖边|水库|海边",
                _L + r"(?:into the river|in the river|into the lake|into the sea|drown|drowning)" + _R,
                r"नदी|" + _L + r"(?:nadi|nadi mein|river mein)" + _R,
            ]
        ),
    ),
    (
        "rail",
        _compile(
            [
                r"铁轨|卧轨|火车道|轨道上",
                _L + r"(?:train tracks|railway tracks?|rail tracks|the tracks|in front of a train)" + _R,
                r"पटरी|ट्रेन के आगे|" + _L + r"(?:patri|train ke aage|train ke samne)" + _R,
            ]
        ),
    ),
]


def find_place(folded: str) -> PlaceCue | None:
    for kind, regex in _PLACES:
        match = regex.search(folded)
        if match is not None:
            return PlaceCue(match.group(0), kind)
    return None


# -- look-alike contexts ------------------------------------------------------------------------------------

_WRITING = _compile(
    [
        r"小说|剧本|写作|剧情|情节|主角|角色|推理|章节|稿子|码字",
        _L + r"(?:novel|my book|plot|character|characters|screenplay|script|manuscript|chapter|mystery|thriller"
        r"|fiction|story i'm writing|writing a story|writer|crime writer)" + _R,
        r"कहानी|उपन्यास|" + _L + r"(?:kahani|upanyas)" + _R,
    ]
)
# Hyperbole markers around games and jokes: laughing, "lol", emoji. The detector decides what the words mean;
# fusion only refuses to build a plan out of a joke's time word.
_JOKE = _compile([r"哈哈|233|笑死|开玩笑", _L + r"(?:lol|lmao|rofl|jk|haha|hahaha|kidding)" + _R, r"😂|🤣"])


def find_contexts(folded: str) -> frozenset[str]:
    found: set[str] = set()
    if _WRITING.search(folded):
        found.add("writing")
    if _JOKE.search(folded):
        found.add("joke")
    return frozenset(found)

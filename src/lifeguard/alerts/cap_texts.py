"""The words of a missing-person alert in each language we issue: Chinese, English, Hindi.

Kept apart from the XML so that a translator reviews one small file. Police-entered details (name, clothing,
marks, place) go out as entered; only the frame around them is translated.
"""

from __future__ import annotations

from dataclasses import dataclass

from lifeguard.alerts.model import Category, Sex


@dataclass(frozen=True)
class AlertTexts:
    event_child: str
    event_person: str
    female: str
    male: str
    girl: str
    boy: str
    age: str  # {age}
    height: str  # {height}
    clothing: str  # {clothing}
    marks: str  # {marks}
    last_seen: str  # {place} {time}
    may_be_confused: str
    headline: str  # {event} {who} {place}
    instruction: str  # {name} {phone} {unit} {web}
    area: str  # {radius} {place}
    photo: str
    cancel_headline: str  # {event}
    cancel_description: str
    separator: str  # between sentences
    list_separator: str  # between the parts of "who"
    sentence_end: str

    def event(self, category: Category) -> str:
        return self.event_child if category is Category.CHILD else self.event_person

    def sex(self, sex: Sex, category: Category) -> str:
        child = category is Category.CHILD
        if sex is Sex.FEMALE:
            return self.girl if child else self.female
        if sex is Sex.MALE:
            return self.boy if child else self.male
        return ""


TEXTS: dict[str, AlertTexts] = {
    "en": AlertTexts(
        event_child="Missing child",
        event_person="Missing person",
        female="woman",
        male="man",
        girl="girl",
        boy="boy",
        age="{age} years old",
        height="about {height} cm tall",
        clothing="Wearing: {clothing}",
        marks="Distinguishing marks: {marks}",
        last_seen="Last seen at {place} on {time}",
        may_be_confused="May be confused or disoriented and may not answer to their name",
        headline="{event}: {who}, last seen at {place}",
        instruction=(
            "If you see {name}, call {phone} ({unit}) at once. Stay with them if it is safe; "
            "do not try to stop anyone by force. Send what you saw at {web}"
        ),
        area="Within {radius} km of {place}",
        photo="Photo",
        cancel_headline="{event} alert ended",
        cancel_description=(
            "This alert is no longer active. Please remove it and delete any copies of the photos. "
            "Thank you for your help."
        ),
        separator=". ",
        list_separator=", ",
        sentence_end=".",
    ),
    "zh": AlertTexts(
        event_child="儿童失踪",
        event_person="人员走失",
        female="女",
        male="男",
        girl="女孩",
        boy="男孩",
        age="{age}岁",
        height="身高约{height}厘米",
        clothing="衣着：{clothing}",
        marks="体貌特征：{marks}",
        last_seen="最后出现：{time}，{place}",
        may_be_confused="可能意识不清或迷失方向，叫名字可能没有反应",
        headline="{event}：{who}，最后出现在{place}",
        instruction="如发现{name}，请立即拨打{phone}（{unit}）。在安全的情况下陪在其身边，请勿强行拦截他人。线索请提交至：{web}",
        area="{place}周边{radius}公里",
        photo="照片",
        cancel_headline="{event}预警已解除",
        cancel_description="此预警已解除。请删除本预警及照片副本。感谢您的帮助。",
        separator="。",
        list_separator="，",
        sentence_end="。",
    ),
    "hi": AlertTexts(
        event_child="लापता बच्चा",
        event_person="लापता व्यक्ति",
        female="महिला",
        male="पुरुष",
        girl="लड़की",
        boy="लड़का",
        age="{age} वर्ष",
        height="लंबाई लगभग {height} सेमी",
        clothing="कपड़े: {clothing}",
        marks="पहचान के निशान: {marks}",
        last_seen="अंतिम बार {time} को {place} में देखा गया",
        may_be_confused="भ्रमित या दिशाहीन हो सकते हैं और अपना नाम सुनकर जवाब न दें",
        headline="{event}: {who}, अंतिम बार {place} में देखा गया",
        instruction=(
            "यदि आप {name} को देखें तो तुरंत {phone} ({unit}) पर कॉल करें। सुरक्षित हो तो उनके साथ रहें; "
            "किसी को बलपूर्वक रोकने की कोशिश न करें। जो देखा वह यहाँ भेजें: {web}"
        ),
        area="{place} से {radius} किमी के भीतर",
        photo="फ़ोटो",
        cancel_headline="{event} अलर्ट समाप्त",
        cancel_description=("यह अलर्ट अब सक्रिय नहीं है। कृपया इसे और तस्वीरों की प्रतियाँ हटा दें। आपकी सहायता के लिए धन्यवाद।"),
        separator="। ",
        list_separator=", ",
        sentence_end="।",
    ),
}


def texts_for(language: str) -> AlertTexts | None:
    """By primary subtag: ``zh-CN`` and ``zh-TW`` both read ``zh`` (the police text itself is not converted)."""
    return TEXTS.get(language.split("-", 1)[0].lower())

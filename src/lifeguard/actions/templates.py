"""Outreach message templates: per kind, language and channel, rendered safely and checked before sending.

Rendering is deliberately narrow. A template may use only the placeholders its kind allows (checked on load, with
no attribute access, indexing, format specs or conversions), every placeholder must get a value (a missing one is
an error, never an empty hole in a message to a person in crisis), values are inserted once and never re-read as
templates, and ``{hotlines}`` is always filled from the directory for the person's region: a caller cannot
supply a number of its own. Every rendered message carries the safe-messaging report; the sender refuses to send
when it is not ok.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from lifeguard.actions.datafile import DataFileError, Fields, read_yaml
from lifeguard.actions.hotlines import Hotline, HotlineDirectory, hotlines_for
from lifeguard.actions.safe_messaging import SafetyReport, check
from lifeguard.detection.language import canonical_hint
from lifeguard.detection.levels import Level

LANGS: tuple[str, ...] = ("zh", "en", "hi", "hi-Latn")
CHANNELS: tuple[str, ...] = ("in_app", "sms", "email")
FALLBACK_LANG = "en"
FOLLOW_UP_DAYS: tuple[int, ...] = (1, 3, 7, 30, 90)
BASE_PLACEHOLDERS = frozenset({"hotlines", "agent_name", "platform_name"})
# Which placeholders each family of kinds may use; the file cannot widen this.
PLACEHOLDERS_BY_FAMILY: dict[str, frozenset[str]] = {
    "outreach": BASE_PLACEHOLDERS,
    "follow_up": BASE_PLACEHOLDERS,
    "notice": BASE_PLACEHOLDERS | {"recipient", "shared_on"},
}
REQUIRED_KINDS: tuple[str, ...] = (
    "outreach.first_contact",
    *(f"follow_up.day_{day}" for day in FOLLOW_UP_DAYS),
    "notice.data_shared",
)
REPLY_LEVELS: tuple[Level, ...] = (Level.INDICATOR, Level.IDEATION, Level.BEHAVIOR, Level.ATTEMPT)
STATUSES = ("draft", "approved")
MAX_VALUE_LENGTH = 80
_KIND_RE = re.compile(r"^(outreach|follow_up|notice)\.[a-z0-9_]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
# How many hotlines a message lists: SMS must stay short; the others can afford a few lines.
_HOTLINE_LIMIT = {"sms": 2, "in_app": 4, "email": 4}


class TemplateError(ValueError):
    """A template cannot be rendered as asked (unknown kind, missing or bad values)."""


@dataclass(frozen=True, slots=True)
class Template:
    kind: str
    lang: str
    channel: str
    body: str
    subject: str | None  # e-mail only
    require_help: bool
    status: str  # draft or approved
    placeholders: frozenset[str]  # those the text uses

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.lang}/{self.channel}"


@dataclass(frozen=True, slots=True)
class Rendered:
    template_id: str
    lang: str  # the language rendered (the fallback when the person's is not offered)
    channel: str
    region: str | None
    subject: str | None
    body: str
    hotline_ids: tuple[str, ...]
    status: str
    safety: SafetyReport

    @property
    def text(self) -> str:
        """Everything the person will read, as checked."""
        return f"{self.subject}\n\n{self.body}" if self.subject else self.body


# -- placeholders ----------------------------------------------------------------------------------------------


def _pieces(text: str) -> list[tuple[str, str | None]]:
    """(literal, placeholder name or None) pairs; ``{{``/``}}`` come back as single braces."""
    out: list[tuple[str, str | None]] = []
    for literal, name, spec, conversion in string.Formatter().parse(text):
        if name is None:
            out.append((literal, None))
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(
                f"placeholder {{{name}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}}}"
                " must be a plain name such as {agent_name}"
            )
        out.append((literal, name))
    return out


def placeholders_of(text: str) -> frozenset[str]:
    return frozenset(name for _, name in _pieces(text) if name is not None)


def _fill(text: str, values: Mapping[str, str]) -> str:
    # One pass over the parsed text: a value that contains "{...}" stays literal text.
    return "".join(literal + (values[name] if name is not None else "") for literal, name in _pieces(text))


# -- hotlines as text ------------------------------------------------------------------------------------------

_LATIN_PUNCTUATION = {"sep": "; ", "colon": ": ", "open": " (", "close": ")"}
_WORDS: dict[str, dict[str, str]] = {
    "zh": {"always": "24小时", "text": "短信", "call_or_text": "电话或短信", "keyword": "发送“{keyword}”到{number}",
           "chat": "在线", "sep": "；", "colon": "：", "open": "（", "close": "）"},
    "en": {"always": "24/7", "text": "text", "call_or_text": "call or text", "keyword": "text {keyword} to {number}",
           "chat": "chat", **_LATIN_PUNCTUATION},
    "hi": {"always": "24 घंटे", "text": "मैसेज", "call_or_text": "कॉल या मैसेज",
           "keyword": "{number} पर {keyword} लिखकर भेजें", "chat": "चैट", **_LATIN_PUNCTUATION},
    "hi-Latn": {"always": "24 ghante", "text": "text", "call_or_text": "call ya text",
                "keyword": "{number} par {keyword} text karein", "chat": "chat", **_LATIN_PUNCTUATION},
}  # fmt: skip


def format_hotlines(hotlines: list[Hotline], lang: str, channel: str) -> str:
    """The hotlines as the reader sees them: one line each (in-app, e-mail) or one short run (SMS)."""
    words = _WORDS.get(lang, _WORDS[FALLBACK_LANG])
    chosen = hotlines[: _HOTLINE_LIMIT.get(channel, 4)]
    if channel == "sms":
        return words["sep"].join(_sms_entry(h, lang, words) for h in chosen)
    return "\n".join(f"• {h.name_for(lang)}{words['colon']}{_contact_text(h, words)}" for h in chosen)


def _contact_text(hotline: Hotline, words: dict[str, str]) -> str:
    calls = [c.value for c in hotline.contacts if c.channel == "call"]
    texts = [c for c in hotline.contacts if c.channel == "text"]
    parts: list[str] = []
    if calls:
        same_number_texts = any(t.value in calls and t.keyword is None for t in texts)
        parts.append(" / ".join(calls) + (f" ({words['call_or_text']})" if same_number_texts else ""))
    for contact in texts:
        if contact.keyword:
            parts.append(words["keyword"].format(keyword=contact.keyword, number=contact.value))
        elif contact.value not in calls:
            parts.append(f"{words['text']} {contact.value}")
    parts.extend(f"{words['chat']} {c.value}" for c in hotline.contacts if c.channel == "chat")
    hours = words["always"] if hotline.always_open else hotline.hours
    return f"{words['sep'].join(parts)}{words['open']}{hours}{words['close']}"


def _sms_entry(hotline: Hotline, lang: str, words: dict[str, str]) -> str:
    name = hotline.name_for(lang)
    numbers = [c for c in hotline.contacts if c.channel in ("call", "text")]
    if not numbers:
        return f"{name} {hotline.contacts[0].value}"  # international entries: their URL
    if numbers[0].keyword:
        return f"{name}{words['colon']}{words['keyword'].format(keyword=numbers[0].keyword, number=numbers[0].value)}"
    if re.search(rf"(?<!\d){re.escape(numbers[0].digits)}(?!\d)", re.sub(r"[\s-]", "", name)):
        return name  # "988 Suicide & Crisis Lifeline" already says it
    return f"{name} {numbers[0].value}"


# -- the catalogue ---------------------------------------------------------------------------------------------


class TemplateCatalogue:
    """All templates and suggested replies of one validated file. Read-only; threads may share it."""

    def __init__(
        self, templates: dict[tuple[str, str, str], Template], replies: dict[Level, dict[str, tuple[str, ...]]]
    ) -> None:
        self._templates = dict(templates)
        self._replies = replies

    @property
    def templates(self) -> tuple[Template, ...]:
        return tuple(self._templates.values())

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(kind for kind, _, _ in self._templates))

    def get(self, kind: str, lang: str, channel: str) -> Template:
        try:
            return self._templates[(kind, lang, channel)]
        except KeyError:
            raise TemplateError(f"no template {kind}/{lang}/{channel}") from None

    def render(
        self,
        kind: str,
        *,
        lang: str | None,
        channel: str,
        region: str | None,
        values: Mapping[str, str],
        directory: HotlineDirectory | None = None,
    ) -> Rendered:
        """Fill a template for a person in ``region`` and check the result (see ``Rendered.safety``)."""
        if channel not in CHANNELS:
            raise TemplateError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
        language = resolve_lang(lang)
        template = self.get(kind, language, channel)
        allowed = PLACEHOLDERS_BY_FAMILY[kind.split(".", 1)[0]]
        if "hotlines" in values:
            raise TemplateError("'hotlines' is filled from the hotline directory for the region, never by the caller")
        unknown = sorted(set(values) - allowed)
        if unknown:
            raise TemplateError(f"{template.id} takes no value named {', '.join(unknown)}")
        clean = {name: _clean_value(name, value) for name, value in values.items()}
        hotlines = hotlines_for(region, language, directory=directory)
        clean["hotlines"] = format_hotlines(hotlines, language, channel)
        missing = sorted(template.placeholders - set(clean))
        if missing:
            raise TemplateError(f"{template.id} needs a value for {', '.join(missing)}")
        subject = _fill(template.subject, clean) if template.subject else None
        body = _fill(template.body, clean)
        text = f"{subject}\n\n{body}" if subject else body
        report = check(text, lang=language, region=region, require_help=template.require_help, directory=directory)
        used = tuple(h.id for h in hotlines[: _HOTLINE_LIMIT[channel]]) if "hotlines" in template.placeholders else ()
        return Rendered(template.id, language, channel, region, subject, body, used, template.status, report)

    def suggested_replies(self, level: Level | str, lang: str | None) -> list[str]:
        """Replies for a shop agent chatting with a person at this risk level; [] for no risk."""
        parsed = level if isinstance(level, Level) else Level.parse(level)
        by_lang = self._replies.get(parsed, {})
        return list(by_lang.get(resolve_lang(lang), ()))


def resolve_lang(lang: str | None) -> str:
    """The template language for a platform's language tag; English when we have none in that language."""
    language = canonical_hint(lang)
    return language if language in LANGS else FALLBACK_LANG


def follow_up_kind(day: int) -> str:
    if day not in FOLLOW_UP_DAYS:
        raise TemplateError(f"no follow-up on day {day}; follow-ups are on days {FOLLOW_UP_DAYS}")
    return f"follow_up.day_{day}"


def _clean_value(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TemplateError(f"value for {name} must be a string, got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise TemplateError(f"value for {name} is empty")
    if len(text) > MAX_VALUE_LENGTH:
        raise TemplateError(f"value for {name} is {len(text)} characters; at most {MAX_VALUE_LENGTH}")
    if _CONTROL.search(text):
        raise TemplateError(f"value for {name} contains line breaks or control characters")
    return text


# -- loading ---------------------------------------------------------------------------------------------------


def default_path() -> Path:
    return Path(str(resources.files("lifeguard.actions").joinpath("templates.yaml")))


def load_templates(path: Path | str | None = None) -> TemplateCatalogue:
    source = Path(path) if path is not None else default_path()
    return parse_templates(read_yaml(source), file=source.name)


@lru_cache(maxsize=1)
def default_templates() -> TemplateCatalogue:
    return load_templates()


def render(
    kind: str,
    *,
    lang: str | None,
    channel: str,
    region: str | None,
    values: Mapping[str, str],
    directory: HotlineDirectory | None = None,
) -> Rendered:
    """Render a shipped template (see ``TemplateCatalogue.render``)."""
    return default_templates().render(
        kind, lang=lang, channel=channel, region=region, values=values, directory=directory
    )


def suggested_replies(level: Level | str, lang: str | None) -> list[str]:
    """Replies from the shipped file for a shop agent talking to a person at ``level``."""
    return default_templates().suggested_replies(level, lang)


def parse_templates(data: Any, *, file: str = "templates.yaml") -> TemplateCatalogue:
    top = Fields(data, file=file, entry=None)
    top.reject_unknown(("version", "signatures", "templates", "replies"))
    top.integer("version", minimum=1, maximum=1_000_000)
    signatures = top.nested("signatures")
    signatures.reject_unknown(LANGS)
    signature = {lang: signatures.text(lang, max_length=200) for lang in LANGS}
    for lang, text in signature.items():
        _checked_placeholders(text, BASE_PLACEHOLDERS, signatures, lang)

    kinds = top.raw.get("templates")
    if not isinstance(kinds, dict) or not kinds:
        raise top.error("templates", "must be a mapping of kind to languages")
    missing = [kind for kind in REQUIRED_KINDS if kind not in kinds]
    if missing:
        raise top.error("templates", f"missing required kind(s): {', '.join(missing)}")
    templates: dict[tuple[str, str, str], Template] = {}
    for kind, raw in kinds.items():
        templates.update(_parse_kind(str(kind), raw, file, signature))
    return TemplateCatalogue(templates, _parse_replies(top, file))


def _parse_kind(kind: str, raw: Any, file: str, signature: dict[str, str]) -> dict[tuple[str, str, str], Template]:
    fields = Fields(raw, file=file, entry=kind)
    if not _KIND_RE.match(kind):
        raise fields.error(None, "a kind is named family.name, the family one of outreach, follow_up, notice")
    fields.reject_unknown(("purpose", "status", "review_note", "reviewed_by", "require_help", *LANGS))
    fields.text("purpose", max_length=300)
    status = fields.text("status")
    if status not in STATUSES:
        raise fields.error("status", f"{status!r} is not one of {', '.join(STATUSES)}")
    if status == "approved" and not fields.has("reviewed_by"):
        raise fields.error("reviewed_by", "an approved kind names who reviewed it")
    require_help = fields.flag("require_help")
    allowed = PLACEHOLDERS_BY_FAMILY[kind.split(".", 1)[0]]
    out: dict[tuple[str, str, str], Template] = {}
    for lang in LANGS:
        texts = fields.nested(lang)
        texts.reject_unknown(("in_app", "sms", "email_subject"))
        in_app = texts.text("in_app", max_length=4000)
        sms = texts.text("sms", max_length=400)
        subject = texts.text("email_subject", max_length=150)
        email_body = f"{in_app}\n\n{signature[lang]}"
        for channel, body, subj, field in (
            ("in_app", in_app, None, "in_app"),
            ("sms", sms, None, "sms"),
            ("email", email_body, subject, "email_subject"),
        ):
            names = _checked_placeholders(body, allowed, texts, field) | (
                _checked_placeholders(subj, allowed, texts, field) if subj else frozenset()
            )
            if require_help and "hotlines" not in names:
                raise texts.error(field, "this kind requires help: the text must include {hotlines}")
            # The words the reviewers wrote must be safe on their own, whatever is filled in later.
            report = check(_fill(body, {n: "" for n in names}), lang=lang, region=None, require_help=False)
            if not report.ok:
                raise texts.error(field, f"fails the safe-messaging check: {report.reason}")
            out[(kind, lang, channel)] = Template(kind, lang, channel, body, subj, require_help, status, names)
    return out


def _checked_placeholders(text: str, allowed: frozenset[str], fields: Fields, field: str) -> frozenset[str]:
    try:
        names = placeholders_of(text)
    except ValueError as exc:
        raise fields.error(field, str(exc)) from None
    unknown = sorted(names - allowed)
    if unknown:
        raise fields.error(field, f"unknown placeholder {{{unknown[0]}}}; allowed: {', '.join(sorted(allowed))}")
    return names


def _parse_replies(top: Fields, file: str) -> dict[Level, dict[str, tuple[str, ...]]]:
    replies = top.nested("replies")
    replies.reject_unknown(level.value for level in REPLY_LEVELS)
    out: dict[Level, dict[str, tuple[str, ...]]] = {}
    for level in REPLY_LEVELS:
        by_lang = replies.nested(level.value)
        by_lang.reject_unknown(LANGS)
        out[level] = {}
        for lang in LANGS:
            texts = by_lang.texts(lang)
            for index, text in enumerate(texts):
                if "{" in text or "}" in text:
                    raise by_lang.error(f"{lang}[{index}]", "replies are sent as written: no placeholders or braces")
                report = check(text, lang=lang, region=None, require_help=False)
                if not report.ok:
                    raise by_lang.error(f"{lang}[{index}]", f"fails the safe-messaging check: {report.reason}")
            out[level][lang] = texts
    if not any(out.values()):
        raise DataFileError("no replies", file=file, field="replies")
    return out

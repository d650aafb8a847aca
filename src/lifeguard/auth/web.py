"""HTTP edge of auth: who is calling (session cookie or bearer key) and may they do this."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from lifeguard.auth.models import User
from lifeguard.auth.roles import Permission, Scope, allows
from lifeguard.auth.service import KeyPrincipal
from lifeguard.db.engine import unit_of_work
from lifeguard.errors import Forbidden, LifeguardError, Unauthenticated
from lifeguard.runtime import Runtime


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def db(request: Request) -> Iterator[Session]:
    """One unit of work per request: committed when the handler returns, rolled back when it raises."""
    with unit_of_work(runtime(request).sessions) as session:
        yield session


class LoginRequired(LifeguardError):
    """A console page asked for by someone not logged in: the handler redirects to the login page."""

    status_code = 401
    code = "login_required"


def session_epoch(user: User) -> str:
    """Changes when the password does, which ends every session of that user."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def session_user(request: Request, session: Session) -> User | None:
    user_id = request.session.get("user_id")
    if not isinstance(user_id, int):
        return None
    user = session.get(User, user_id)
    if user is None or not user.active or request.session.get("auth_epoch") != session_epoch(user):
        return None
    return user


def console_user(*permissions: Permission) -> Callable[..., User]:
    """A console page dependency: the logged-in user, who must hold one of ``permissions`` (checked on every
    request, so a role changed mid-session takes effect at once)."""

    def dependency(request: Request, session: Session = Depends(db)) -> User:
        user = session_user(request, session)
        if user is None:
            raise LoginRequired("please log in")
        if not any(allows(user.role, permission) for permission in permissions):
            needed = " or ".join(p.value for p in permissions)
            raise Forbidden(f"your role ({user.role.replace('_', ' ')}) may not do this ({needed})")
        request.state.actor = f"user:{user.username}"
        return user

    return dependency


@dataclass(frozen=True)
class Caller:
    actor: str
    partner_id: str | None = None
    user: User | None = None


def bearer_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def api_caller(*, scope: Scope, permission: Permission | None = None) -> Callable[..., Caller]:
    """An API dependency: a partner key holding ``scope``, or (when ``permission`` is given) a console user."""

    def dependency(request: Request, session: Session = Depends(db)) -> Caller:
        token = bearer_key(request)
        if token is not None:
            principal: KeyPrincipal | None = runtime(request).keys.verify(session, token)
            if principal is None:
                raise Unauthenticated("the API key is not valid")
            if scope.value not in principal.scopes:
                raise Forbidden(f"this API key lacks the scope {scope.value}")
            request.state.actor = f"partner:{principal.partner_id}"
            return Caller(actor=request.state.actor, partner_id=principal.partner_id)
        if permission is not None:
            user = session_user(request, session)
            if user is not None:
                if not allows(user.role, permission):
                    raise Forbidden(f"your role ({user.role}) may not do this ({permission.value})")
                request.state.actor = f"user:{user.username}"
                return Caller(actor=request.state.actor, user=user)
        raise Unauthenticated("send an API key as 'Authorization: Bearer <key>'")

    return dependency


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    candidate = submitted or request.headers.get("x-csrf-token") or ""
    if not isinstance(expected, str) or not hmac.compare_digest(expected, candidate):
        raise Forbidden("the form has expired or did not come from this console; reload the page and try again")

"""What every admin handler needs: the services (one `AdminContext` per app) and, per request,
the signed-in staff member and the UI language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from admin_web.audit import AuditLog
from admin_web.csrf import CsrfSigner
from admin_web.i18n import AdminLang, Translator
from admin_web.media import MediaStore
from admin_web.ratelimit import LoginLimiter
from commerce.access.model import StaffUser
from commerce.access.service import AccessService
from commerce.api.principal import Principal, Role
from commerce.services import Commerce

if TYPE_CHECKING:
    from admin_web.console.hub import ConsoleHub
    from admin_web.console.idle import IdleSweeper
    from admin_web.queries import AdminQueries
    from dialogs.engine import DialogEngine
    from dialogs.review import ModelTrainer


@dataclass
class AdminContext:
    commerce: Commerce
    dialogs: DialogEngine | None  # None in a process without the conversation engine
    access: AccessService
    audit: AuditLog
    limiter: LoginLimiter
    csrf: CsrfSigner
    media: MediaStore
    queries: AdminQueries
    secure_cookies: bool
    low_stock_threshold: int = 5
    idle_minutes: int = 10  # an agent's conversation goes back to the queue after this much silence
    hub: ConsoleHub | None = None
    idle_sweeper: IdleSweeper | None = None
    nlu_trainer: ModelTrainer | None = None  # None: not the builtin engine, retraining unavailable


@dataclass(frozen=True)
class CurrentStaff:
    principal: Principal
    user: StaffUser
    session_token: str

    @property
    def id(self) -> str:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.display_name or self.user.username

    @property
    def roles(self) -> frozenset[Role]:
        return self.principal.roles


ADMIN: web.AppKey[AdminContext] = web.AppKey("admin_context", AdminContext)
CURRENT: web.RequestKey[CurrentStaff] = web.RequestKey("admin_current_staff", CurrentStaff)
LANG: web.RequestKey[str] = web.RequestKey("admin_lang", str)


def admin_of(request: web.Request) -> AdminContext:
    return request.config_dict[ADMIN]


def current(request: web.Request) -> CurrentStaff:
    return request[CURRENT]


def lang_of(request: web.Request) -> AdminLang:
    lang = request.get(LANG, "zh")
    return "en" if lang == "en" else "zh"


def translator(request: web.Request) -> Translator:
    return Translator(lang_of(request))

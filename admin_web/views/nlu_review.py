"""Unrecognised messages: label what the bot did not understand, retrain, roll back."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_web import permissions
from admin_web.context import admin_of, current
from admin_web.forms import ReviewLabelForm
from admin_web.views.common import audit
from admin_web.web import PREFIX, form_data, parse_form, redirect, render, requires
from commerce.errors import Conflict, ValidationFailed
from dialogs.review import LABELS, ModelTrainer, Status, UnrecognisedMessages

PAGE = f"{PREFIX}/nlu-review"
TABS: tuple[Status, ...] = ("open", "labelled", "ignored")


def _store(request: web.Request) -> UnrecognisedMessages:
    dialogs = admin_of(request).dialogs
    review = dialogs.review if dialogs is not None else None
    if review is None:
        raise Conflict("the conversation engine is not running in this process", code="no_dialogs")
    return review


def _trainer(request: web.Request) -> ModelTrainer | None:
    return admin_of(request).nlu_trainer


def _tab(request: web.Request) -> Status:
    value = request.query.get("status", "open")
    return next((tab for tab in TABS if tab == value), "open")


@requires(permissions.NLU_REVIEW)
async def review_page(request: web.Request) -> web.StreamResponse:
    status = _tab(request)
    trainer = _trainer(request)
    context: dict[str, Any] = {
        "status": status,
        "tabs": TABS,
        "clusters": await _store(request).similar_groups(status),
        "labels": LABELS,
        "trainer": trainer,
        "can_train": permissions.allowed(current(request).roles, permissions.NLU_TRAIN),
        "local": admin_of(request).queries.local,
    }
    return render(request, "nlu_review.html", context)


@requires(permissions.NLU_REVIEW)
async def label_group(request: web.Request) -> web.StreamResponse:
    form = parse_form(ReviewLabelForm, await form_data(request))
    if form.intent and form.intent not in LABELS:
        raise ValidationFailed("unknown intent", details={"field": "intent"})
    changed = await _store(request).label(form.keys, form.intent, current(request).id)
    await audit(
        request,
        "nlu_review.label" if form.intent else "nlu_review.ignore",
        "nlu_review",
        form.keys[0],
        after={"keys": form.keys, "intent": form.intent or None, "changed": changed},
    )
    return redirect(f"{PAGE}?flash=labelled", request)


@requires(permissions.NLU_REVIEW)
async def reopen_group(request: web.Request) -> web.StreamResponse:
    form = parse_form(ReviewLabelForm, await form_data(request))
    changed = await _store(request).reopen(form.keys)
    await audit(request, "nlu_review.reopen", "nlu_review", form.keys[0], after={"keys": form.keys, "changed": changed})
    return redirect(f"{PAGE}?flash=saved", request)


def _required_trainer(request: web.Request) -> ModelTrainer:
    trainer = _trainer(request)
    if trainer is None:
        raise Conflict("retraining needs the built-in NLU engine", code="no_trainer")
    return trainer


@requires(permissions.NLU_TRAIN)
async def retrain(request: web.Request) -> web.StreamResponse:
    await form_data(request)  # CSRF was checked by the middleware; the form has no fields
    trainer = _required_trainer(request)
    examples = await _store(request).labelled_examples()
    if not trainer.start(examples):
        raise Conflict("a retraining is already running", code="retrain_running")
    count = sum(len(texts) for texts in examples.values())
    await audit(request, "nlu.retrain", "nlu_model", "builtin", after={"reviewed_examples": count})
    return redirect(f"{PAGE}?flash=retrain_started", request)


@requires(permissions.NLU_TRAIN)
async def rollback(request: web.Request) -> web.StreamResponse:
    await form_data(request)
    trainer = _required_trainer(request)
    if not await trainer.rollback():
        raise Conflict("there is no previous model to roll back to (or a retraining is running)", code="no_previous")
    await audit(request, "nlu.rollback", "nlu_model", "builtin")
    return redirect(f"{PAGE}?flash=rolled_back", request)


@requires(permissions.NLU_REVIEW)
async def trainer_status(request: web.Request) -> web.StreamResponse:
    """The model panel alone (the page polls it with htmx while a retraining runs)."""
    return render(
        request,
        "_nlu_model_panel.html",
        {
            "trainer": _trainer(request),
            "can_train": permissions.allowed(current(request).roles, permissions.NLU_TRAIN),
            "local": admin_of(request).queries.local,
        },
    )


def routes(prefix: str) -> list[web.RouteDef]:
    return [
        web.get(f"{prefix}/nlu-review", review_page),
        web.get(f"{prefix}/nlu-review/model", trainer_status),
        web.post(f"{prefix}/nlu-review/label", label_group),
        web.post(f"{prefix}/nlu-review/reopen", reopen_group),
        web.post(f"{prefix}/nlu-review/retrain", retrain),
        web.post(f"{prefix}/nlu-review/rollback", rollback),
    ]

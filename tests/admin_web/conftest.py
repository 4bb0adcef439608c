"""The real app (composition root + admin) on the test database server, with helpers to sign in."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from admin_web.app import ADMIN_APP
from chatcart.bootstrap import Container, running_container
from chatcart.settings import Settings
from chatcart.web import build_app, mount_admin
from commerce.api.principal import Role
from tests.browser import CHROMIUM, launched_chromium

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


def build_admin_app(container: Container, idle_sweep_seconds: float = 0) -> web.Application:
    app = build_app(container)
    if ADMIN_APP not in app:  # a container without the dialog engine: chatcart.web leaves the admin out
        mount_admin(app, container, idle_sweep_seconds=idle_sweep_seconds)
    return app


@pytest.fixture(scope="session")
def nlu_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Train the NLU model once for the whole admin test run."""
    return tmp_path_factory.mktemp("admin_nlu")


@pytest.fixture
async def container(mongo_uri: str, tmp_path: Path, nlu_model_dir: Path) -> AsyncIterator[Any]:
    settings = Settings(
        mongodb_uri=mongo_uri, db_name=f"admin_{uuid.uuid4().hex[:10]}", data_dir=tmp_path, nlu_model_dir=nlu_model_dir
    )
    async with running_container(settings) as built:
        try:
            yield built
        finally:
            await built.database.client.drop_database(settings.db_name)


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """Debian's chromium for the admin browser tests; its absence fails them (never a skip)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run `make browser` (apt-get install chromium)")
    async with launched_chromium() as launched:
        yield launched


@pytest.fixture
async def client(container: Any) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(build_admin_app(container))) as test_client:
        yield test_client


async def make_staff(container: Any, username: str, roles: list[Role]) -> Any:
    return await container.access.create_staff(username, PASSWORD, roles)


async def sign_in(client: TestClient[web.Request, web.Application], username: str, password: str = PASSWORD) -> Any:
    page = await client.get("/admin/login")
    token = CSRF.search(await page.text())
    assert token is not None
    return await client.post(
        "/admin/login",
        data={"_csrf": token.group(1), "username": username, "password": password, "next": "/admin/"},
        allow_redirects=False,
    )


async def csrf_of(client: TestClient[web.Request, web.Application], path: str = "/admin/") -> str:
    page = await client.get(path)
    assert page.status == 200, await page.text()
    found = CSRF.search(await page.text())
    assert found is not None
    return found.group(1)


DEMO_CATALOG = {
    "categories": [{"code": "phones", "name": {"zh": "手机", "en": "Phones"}}],
    "products": [
        {
            "code": "P100",
            "category": "phones",
            "brand": "Acme",
            "title": {"zh": "极光手机", "en": "Aurora Phone"},
            "skus": [
                {"sku": "P100-BLK", "specs": {"color": "black"}, "price": "2999.00", "stock": 3},
                {"sku": "P100-WHT", "specs": {"color": "white"}, "price": "2999.00", "stock": 40},
            ],
        },
    ],
}

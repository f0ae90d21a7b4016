"""Fixtures the content tests share: a small published site loaded by the demo's own loader."""
import json

import pytest

from content import search, services
from content import demo as content_demo
from org import demo

from ..factories.content import SMALL_SITE


@pytest.fixture
def site(db, tmp_path):
    """The demo accounts and a small published site built by the same loader as the demo."""
    demo.seed_units()
    demo.seed_accounts()
    content_demo.seed_site()
    path = tmp_path / "content.json"
    path.write_text(json.dumps(SMALL_SITE, ensure_ascii=False), encoding="utf-8")
    counts = services.demo_content_load(path=path)
    services.content_permissions_setup()
    search.reindex_all()
    return counts

from __future__ import annotations

import json

from kapabel.core import tokens


def token(world, persona, scope="write"):
    _token, raw = tokens.token_create(user=world.user(persona), name="t", scope=scope, days=30, actor="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "en"}


def call(client, method, url, auth, data=None):
    return client.generic(method, url, json.dumps(data or {}), content_type="application/json", **auth)

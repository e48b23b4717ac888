"""schemathesis hooks for the fuzz suite (loaded through SCHEMATHESIS_HOOKS): the project's own check that
every 4xx is in the API's documented error shape, in Chinese (progress/api/exceptions.py)."""

import json
import re

import schemathesis

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@schemathesis.check
def documented_error_shape(ctx, response, case):
    """400: `{field: ["说明", …]}`; any other 4xx: `{"detail": "说明"}`; JSON, with Chinese in the message."""
    if not 400 <= response.status_code < 500:
        return None
    content_type = next(iter(response.headers.get("content-type", [])), "")
    if not content_type.startswith("application/json"):
        raise AssertionError(f"a {response.status_code} answered as {content_type!r}, not JSON")
    body = json.loads(response.content)
    if response.status_code == 400:
        if not (isinstance(body, dict) and body and all(isinstance(v, list) for v in body.values())):
            raise AssertionError(f"a 400 not shaped {{field: [messages]}}: {body!r}")
        messages = [m for v in body.values() for m in v]
        if not all(isinstance(m, str) for m in messages):
            raise AssertionError(f"a 400 with a message that is not a string: {body!r}")
    else:
        if not (isinstance(body, dict) and set(body) == {"detail"} and isinstance(body["detail"], str)):
            raise AssertionError(f'a {response.status_code} not shaped {{"detail": "…"}}: {body!r}')
        messages = [body["detail"]]
    if not any(CHINESE.search(m) for m in messages):
        raise AssertionError(f"a {response.status_code} without a Chinese message: {body!r}")
    return True

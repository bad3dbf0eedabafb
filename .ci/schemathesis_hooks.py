"""Schemathesis hooks for .ci/schemathesis.sh (loaded through SCHEMATHESIS_HOOKS).

A fuzzer draws the same small values again and again ("0", "a"), so an Idempotency-Key
it generates is soon reused with another request, which the server rightly refuses
(422 IDEMPOTENCY_KEY_REUSED). In a case whose headers are meant to be valid, the key is
replaced by a fresh one, so the header still reaches the idempotency middleware on every
write it is drawn for; keys of negative cases are sent as drawn (the server answers 400).
An empty value is how schemathesis leaves an optional header out of a valid case, so it
is left out.
"""

import uuid

import schemathesis
from schemathesis.core.parameters import ParameterLocation


def _headers_meant_valid(case):
    meta = getattr(case, "meta", None)
    if meta is None:
        return True
    component = meta.components.get(ParameterLocation.HEADER)
    mode = component.mode if component is not None else meta.generation.mode
    return mode.value == "positive"


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() != "idempotency-key" or not _headers_meant_valid(case):
            continue
        if headers[name] == "":
            del headers[name]
        else:
            headers[name] = f"fuzz-{uuid.uuid4()}"

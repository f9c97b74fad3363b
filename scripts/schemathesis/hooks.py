"""Schemathesis hooks for scripts/conformance-mock.

Each hook changes only requests generated as valid (positive), so that
they stay valid under rules that OpenAPI cannot express. Requests generated
as invalid (negative) are sent as generated, and the mock must reject them.
"""

import itertools
import re
from datetime import datetime

import schemathesis
from schemathesis.core.parameters import ParameterLocation

# The mock server delivers webhooks to whatever URL an endpoint names, and
# generated URLs name arbitrary hosts. Valid webhook URLs are replaced by
# this loopback address so that no delivery leaves the machine. Port 9 is
# the discard service, which a normal machine does not run, so each
# delivery fails at once with a refused connection and is recorded like any
# other failed attempt. An invalid body keeps its URL, because the mock
# rejects it before it stores the URL.
LOOPBACK_TARGET = "http://127.0.0.1:9/webhooks"

# The longest `Idempotency-Key` the contract allows.
MAX_IDEMPOTENCY_KEY_LENGTH = 255

_idempotency_counter = itertools.count()


def _is_positive(case, location):
    return case.meta is None or not case.meta.is_negative_at(location)


def _unique_idempotency_key(key):
    """Returns `key` with a suffix no other request of this run carries.

    Generated keys repeat (the schema's example is used by every `POST`),
    and the contract rejects a key reused for another request with
    `422 idempotency_key_reused`, so a repeat would turn a valid request
    into a rejected one. The result keeps to 1..=255 visible ASCII
    characters.
    """
    suffix = f".{next(_idempotency_counter)}"
    return key[: MAX_IDEMPOTENCY_KEY_LENGTH - len(suffix)] + suffix


@schemathesis.hook
def before_call(context, case, **kwargs):
    body = case.body
    if (
        case.operation.path.startswith("/v1/webhooks")
        and isinstance(body, dict)
        and isinstance(body.get("url"), str)
        and _is_positive(case, ParameterLocation.BODY)
    ):
        body["url"] = LOOPBACK_TARGET

    headers = case.headers
    if (
        headers
        and isinstance(headers.get("Idempotency-Key"), str)
        and _is_positive(case, ParameterLocation.HEADER)
    ):
        headers["Idempotency-Key"] = _unique_idempotency_key(headers["Idempotency-Key"])

    query = case.query
    if query and _is_positive(case, ParameterLocation.QUERY):
        _keep_query_consistent(query)

    if (
        case.method.upper() == "POST"
        and case.operation.path == "/v1/orders"
        and isinstance(body, dict)
        and isinstance(body.get("items"), list)
        and _is_positive(case, ParameterLocation.BODY)
    ):
        body["items"] = _first_item_per_plant(body["items"])


def _keep_query_consistent(query):
    """Applies the rules between query parameters that OpenAPI cannot state.

    Each broken rule is `400 invalid_parameter`: `page` together with
    `starting_after`, and a lower bound above its upper bound.
    """
    if "page" in query and "starting_after" in query:
        del query["starting_after"]
    for lower, upper, parse in BOUND_PAIRS:
        if lower in query and upper in query:
            try:
                swap = parse(query[lower]) > parse(query[upper])
            except (TypeError, ValueError):
                continue
            if swap:
                query[lower], query[upper] = query[upper], query[lower]


def _parse_timestamp(value):
    return datetime.fromisoformat(str(value).replace("Z", "+00:00").replace("z", "+00:00"))


# Pairs of query parameters where the first must not be above the second.
BOUND_PAIRS = (
    ("min_price", "max_price", int),
    ("created_after", "created_before", _parse_timestamp),
)


def _first_item_per_plant(items):
    """Returns the items without repeats of a plant, at least the first item.

    An order names each plant at most once (`422` at the repeating item's
    `plant_id` otherwise), which JSON Schema cannot state for one field of
    the array's objects.
    """
    seen = set()
    kept = []
    for item in items:
        plant_id = item.get("plant_id") if isinstance(item, dict) else None
        if isinstance(plant_id, str) and plant_id in seen:
            continue
        seen.add(plant_id)
        kept.append(item)
    return kept


# Rejections of valid bodies that depend on the server's data, so no schema
# can rule them out. docs/decisions.md makes each a `422`: an id in a body
# that names nothing, a payment whose amount or currency differs from the
# order's, and a stock delta that would pass the stock maximum of 1 000 000.
# Each operation lists the JSON Pointers such a `422` names.
STATE_DEPENDENT_POINTERS = {
    ("POST", "/v1/orders"): re.compile(r"/customer_id|/items/[0-9]+/plant_id"),
    ("POST", "/v1/payments"): re.compile(r"/order_id|/amount|/currency"),
    ("POST", "/v1/plants/{id}/stock"): re.compile(r"/delta"),
    # An admin event names an existing object of the type's resource.
    ("POST", "/admin/events"): re.compile(r"/object_id"),
    # Not data but the same kind of gap: each field of a new fault belongs
    # to one `kind` (`latency_ms` is required for `latency` and rejected for
    # the others, and so on), which the flat AdminNewFault schema states
    # only in prose.
    ("POST", "/admin/faults"): re.compile(r"/latency_ms|/latency_max_ms|/status|/retry_after|/every"),
}

# Operations whose listed `422`s must also name the rule in their detail,
# because the same pointers can carry errors that no state explains.
REQUIRED_DETAIL = {
    ("POST", "/admin/faults"): re.compile(r".*for kind `.*|.*applies to kind `.*"),
}


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keeps every failure except a valid body's state-dependent `422`.

    The positive-data check (ST202) expects valid input to succeed, but the
    contract rejects the cases of STATE_DEPENDENT_POINTERS with
    `422 validation_failed`. Such a response still goes through every other
    check, and a `422` that names any other field is still a failure.
    """
    if failure.code != "ST202" or response.status_code != 422:
        return True
    operation = (case.operation.method.upper(), case.operation.path)
    pointers = STATE_DEPENDENT_POINTERS.get(operation)
    if pointers is None:
        return True
    detail = REQUIRED_DETAIL.get(operation, re.compile(r".*", re.DOTALL))
    try:
        problem = response.json()
    except ValueError:
        return True
    if not isinstance(problem, dict) or problem.get("code") != "validation_failed":
        return True
    errors = problem.get("errors")
    if not isinstance(errors, list) or not errors:
        return True
    return not all(
        isinstance(error, dict)
        and pointers.fullmatch(str(error.get("pointer", "")))
        and detail.fullmatch(str(error.get("detail", "")))
        for error in errors
    )

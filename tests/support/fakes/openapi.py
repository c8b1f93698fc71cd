"""Check HTTP traffic against an OpenAPI 3.1 document, so a fake cannot drift from the real API.

The WAHA document is generated from NestJS decorators and carries a few OpenAPI 3.0 habits and
generator slips that JSON Schema 2020-12 reads differently from what the server does. They are
normalised in one place (`_normalise`) and every patched location is recorded in `patched`, which
a test pins: a new copy of the document that fixes or adds a slip shows up there.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

BASE_URI = "urn:openapi"

# Errors are not in the document; their bodies follow NestJS as WAHA raises them.
ERROR_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {
            "type": "object",
            "required": ["statusCode", "message"],
            "properties": {"statusCode": {"type": "integer"}, "message": {"type": "string"}},
        },
        {
            # SessionManager.waitUntilStatus: UnprocessableEntityException({error, session, ...})
            "type": "object",
            "required": ["error", "session", "status", "expected"],
            "properties": {
                "error": {"type": "string"},
                "session": {"type": "string"},
                "status": {"type": "string"},
                "expected": {"type": "array", "items": {"type": "string"}},
            },
        },
    ]
}


class SpecViolation(AssertionError):
    """A request or response that the OpenAPI document does not allow."""


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    params: dict[str, str]  # path parameters, decoded
    spec: Mapping[str, Any]
    pointer: str  # JSON pointer of the operation inside the document


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


class OpenApi:
    def __init__(self, path: Path) -> None:
        raw = json.loads(path.read_text(encoding="utf-8"))
        self.patched: list[str] = []
        self.doc = _normalise(copy.deepcopy(raw), self.patched)
        resource = Resource.from_contents(self.doc, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(BASE_URI, resource)
        self._validators: dict[str, Draft202012Validator] = {}
        self._templates = sorted(
            self.doc["paths"], key=lambda t: (-sum(not s.startswith("{") for s in t.split("/")), t)
        )

    # --- matching ------------------------------------------------------------------------------

    def match(self, method: str, raw_path: str) -> Operation | None:
        segments = raw_path.split("/")
        for template in self._templates:
            parts = template.split("/")
            if len(parts) != len(segments):
                continue
            params: dict[str, str] = {}
            for part, seg in zip(parts, segments, strict=True):
                if part.startswith("{") and part.endswith("}"):
                    if not seg:
                        break
                    params[part[1:-1]] = unquote(seg)
                elif part != unquote(seg):
                    break
            else:
                spec = self.doc["paths"][template].get(method.lower())
                if spec is None:
                    continue
                pointer = f"/paths/{_escape(template)}/{method.lower()}"
                return Operation(method.upper(), template, params, spec, pointer)
        return None

    # --- validation ----------------------------------------------------------------------------

    def validator(self, pointer: str) -> Draft202012Validator:
        if pointer not in self._validators:
            self._validators[pointer] = Draft202012Validator(
                {"$ref": f"{BASE_URI}#{pointer}"}, registry=self.registry
            )
        return self._validators[pointer]

    def check(self, pointer: str, instance: Any, what: str) -> None:
        errors = sorted(self.validator(pointer).iter_errors(instance), key=lambda e: e.path)
        if errors:
            raise SpecViolation(f"{what}: {_describe(errors[0])}")

    def check_schema(self, name: str, instance: Any, what: str) -> None:
        self.check(f"/components/schemas/{_escape(name)}", instance, what)

    def check_request(
        self, op: Operation, query: list[tuple[str, str]], body: bytes, content_type: str
    ) -> None:
        what = f"request {op.method} {op.template}"
        declared = {p["name"]: p for p in op.spec.get("parameters", []) if p["in"] == "query"}
        seen: dict[str, list[str]] = {}
        for key, value in query:
            if key not in declared:
                raise SpecViolation(f"{what}: unknown query parameter {key!r}")
            seen.setdefault(key, []).append(value)
        for index, param in enumerate(op.spec.get("parameters", [])):
            if param["in"] != "query":
                continue
            values = seen.get(param["name"])
            if values is None:
                if param.get("required"):
                    raise SpecViolation(f"{what}: missing query parameter {param['name']!r}")
                continue
            value = _coerce(param.get("schema", {}), values, f"{what} {param['name']}")
            self.check(f"{op.pointer}/parameters/{index}/schema", value, f"{what} {param['name']}")
        request_body = op.spec.get("requestBody")
        if request_body is None:
            if body:
                raise SpecViolation(f"{what}: the operation takes no body")
            return
        if not body:
            if request_body.get("required"):
                raise SpecViolation(f"{what}: the body is required")
            return
        if not content_type.startswith("application/json"):
            raise SpecViolation(f"{what}: body sent as {content_type!r}, not JSON")
        instance = json.loads(body)
        pointer = f"{op.pointer}/requestBody/content/application~1json/schema"
        self.check(pointer, instance, what)
        # Strict about names: a misspelt key would otherwise pass as an "additional property".
        allowed = self._property_names(request_body["content"]["application/json"]["schema"])
        if isinstance(instance, dict) and allowed is not None:
            unknown = sorted(set(instance) - allowed)
            if unknown:
                raise SpecViolation(f"{what}: unknown body properties {unknown}")

    def check_response(self, op: Operation, status: int, body: Any) -> None:
        what = f"response {status} to {op.method} {op.template}"
        if status >= 400:
            errors = list(Draft202012Validator(ERROR_SCHEMA).iter_errors(body))
            if errors:
                raise SpecViolation(f"{what}: {_describe(errors[0])}")
            return
        responses = op.spec.get("responses", {})
        if str(status) not in responses:
            raise SpecViolation(f"{what}: the document declares only {sorted(responses)}")
        content = responses[str(status)].get("content", {}).get("application/json")
        if content is None or "schema" not in content:
            return  # declared without a body schema: nothing more to hold it to
        self.check(f"{op.pointer}/responses/{status}/content/application~1json/schema", body, what)

    def _property_names(self, schema: Mapping[str, Any]) -> set[str] | None:
        if "$ref" in schema:
            target = schema["$ref"].removeprefix("#/components/schemas/")
            return self._property_names(self.doc["components"]["schemas"][target])
        if "properties" in schema:
            return set(schema["properties"])
        return None


def _coerce(schema: Mapping[str, Any], values: list[str], what: str) -> Any:
    """Query strings carry text; turn it into what the parameter's schema describes."""
    kind = schema.get("type")
    if kind == "array":
        item = schema.get("items", {})
        return [_coerce(item, [v], what) for v in values]
    if len(values) != 1:
        raise SpecViolation(f"{what}: given {len(values)} times")
    value = values[0]
    if kind in ("number", "integer"):
        try:
            number = float(value)
        except ValueError:
            raise SpecViolation(f"{what}: {value!r} is not a number") from None
        return int(number) if number.is_integer() else number
    if kind == "boolean":
        if value not in ("true", "false"):
            raise SpecViolation(f"{what}: {value!r} is not true/false")
        return value == "true"
    return value


def _describe(error: ValidationError) -> str:
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    return f"at {where}: {error.message[:300]}"


def _normalise(doc: dict[str, Any], patched: list[str]) -> dict[str, Any]:
    """Rewrite schema slips into what the server means; record each location."""

    def fix(node: Any, where: str) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                fix(item, f"{where}/{i}")
            return
        if not isinstance(node, dict):
            return
        # OpenAPI 3.0 `nullable: true` means "or null"; 2020-12 ignores the word.
        if node.pop("nullable", False):
            patched.append(f"nullable {where}")
            if isinstance(node.get("type"), str):
                node["type"] = [node["type"], "null"]
            elif "type" not in node:
                inner = {k: node.pop(k) for k in list(node) if k in ("$ref", "allOf", "oneOf")}
                if inner:
                    node["anyOf"] = [inner, {"type": "null"}]
        # `required: true` inside a property (3.0 parameter habit) is no schema keyword.
        if isinstance(node.get("required"), bool):
            patched.append(f"required-bool {where}")
            del node["required"]
        # Generator slip: string enums and string defaults typed as "object".
        if node.get("type") == "object" and (
            "enum" in node or isinstance(node.get("default"), str)
        ):
            patched.append(f"object-for-string {where}")
            node["type"] = "string"
        for key, value in node.items():
            fix(value, f"{where}/{key}")

    fix(doc.get("components", {}).get("schemas", {}), "/components/schemas")
    for template, item in doc.get("paths", {}).items():
        for method, op in item.items():
            base = f"/paths/{template}/{method}"
            for i, param in enumerate(op.get("parameters", [])):
                fix(param.get("schema"), f"{base}/parameters/{i}/schema")
            for media in op.get("requestBody", {}).get("content", {}).values():
                fix(media.get("schema"), f"{base}/requestBody")
            for code, response in op.get("responses", {}).items():
                for media in response.get("content", {}).values():
                    fix(media.get("schema"), f"{base}/responses/{code}")
    return doc

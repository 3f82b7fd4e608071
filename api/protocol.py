"""Reading SPARQL 1.1 Protocol requests: strict UTF-8 form decoding and media-type parsing."""

from __future__ import annotations

from urllib.parse import parse_qsl

from kg.sparql.errors import ProtocolError, UnsupportedMediaTypeError

Pairs = list[tuple[str, str]]


def decode_pairs(raw: bytes, where: str) -> Pairs:
    """`a=1&b=2` (query string or form body) -> pairs; non-UTF-8 text is a protocol error."""
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict",
                         max_num_fields=1000)
    except UnicodeDecodeError:
        raise ProtocolError(f"the {where} is not valid UTF-8") from None
    except ValueError as exc:
        raise ProtocolError(f"malformed {where}: {exc}") from None


def values(pairs: Pairs, name: str) -> list[str]:
    return [v for k, v in pairs if k == name]


def single(pairs: Pairs, name: str) -> str | None:
    found = values(pairs, name)
    if len(found) > 1:
        raise ProtocolError(f"the request has {len(found)} '{name}' parameters; give exactly one", term=name)
    return found[0] if found else None


def media_type(header: str | None) -> tuple[str, dict[str, str]]:
    if not header:
        return "", {}
    kind, *params = header.split(";")
    parsed: dict[str, str] = {}
    for p in params:
        key, _, value = p.partition("=")
        parsed[key.strip().lower()] = value.strip().strip('"').lower()
    return kind.strip().lower(), parsed


def utf8_body(body: bytes, params: dict[str, str], what: str) -> str:
    charset = params.get("charset")
    if charset and charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaTypeError(f"the {what} must be UTF-8, not {charset}", term=charset)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError(f"the {what} is not valid UTF-8") from None

"""The application protocol of the Real Python sockets tutorial, written
for skt's tests from its description, with Python's json and struct only:
the shared part of app_server.py and app_client.py.

A message is a 2-byte big-endian header length, a UTF-8 JSON header with
"byteorder", "content-type", "content-encoding" and "content-length", then
content-length bytes of content. JSON is written with ensure_ascii=False.
"""
import json
import struct
import sys

REQUIRED = ("byteorder", "content-type", "content-encoding",
            "content-length")

SEARCH = {
    "morpheus": "Follow the white rabbit. \U0001f430",
    "ring": "In the caves beneath the Misty Mountains. \U0001f48d",
    "\U0001f436": "\U0001f43e Playing ball! \U0001f3d0",
}


class Malformed(ValueError):
    """A message that breaks the protocol."""


def encode(content, content_type, content_encoding):
    """The bytes of one message; the header's byteorder is this machine's."""
    header = {
        "byteorder": sys.byteorder,
        "content-type": content_type,
        "content-encoding": content_encoding,
        "content-length": len(content),
    }
    header_bytes = json.dumps(header, ensure_ascii=False).encode("utf-8")
    return struct.pack(">H", len(header_bytes)) + header_bytes + content


def encode_json(obj):
    content = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    return encode(content, "text/json", "utf-8")


def decode(buffer):
    """Splits one message off the front of buffer: (header, content, rest),
    or None while it is incomplete. Raises Malformed."""
    if len(buffer) < 2:
        return None
    (header_len,) = struct.unpack(">H", buffer[:2])
    if len(buffer) < 2 + header_len:
        return None
    try:
        header = json.loads(buffer[2:2 + header_len].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise Malformed(f"bad JSON header: {err}") from err
    if not isinstance(header, dict):
        raise Malformed("the header is not a JSON object")
    for name in REQUIRED:
        if name not in header:
            raise Malformed(f'missing header field "{name}"')
    length = header["content-length"]
    if not isinstance(length, int) or length < 0:
        raise Malformed('"content-length" is not a non-negative integer')
    end = 2 + header_len + length
    if len(buffer) < end:
        return None
    return header, bytes(buffer[2 + header_len:end]), buffer[end:]


def make_request(action, value):
    """The request the client sends for an action and a value."""
    if action == "search":
        return encode_json({"action": action, "value": value})
    return encode((action + value).encode("utf-8"),
                  "binary/custom-client-binary-type", "binary")


def make_response(header, content):
    """The server's response to a request."""
    if header["content-type"] != "text/json":
        return encode(b"First 10 bytes of request: " + content[:10],
                      "binary/custom-server-binary-type", "binary")
    try:
        request = json.loads(content.decode(header["content-encoding"]))
        action = request["action"]
        if action == "search":
            value = request["value"]
            answer = SEARCH.get(value, f'No match for "{value}".')
        else:
            answer = f'Error: invalid action "{action}".'
    except (LookupError, TypeError, ValueError) as err:
        answer = f"Error: malformed request: {err}"
    return encode_json({"result": answer})


def result_text(header, content):
    """What the client prints for a response, as bytes."""
    if header["content-type"] != "text/json":
        return b"Got response: " + content
    result = json.loads(content.decode(header["content-encoding"]))["result"]
    return ("Got result: " + result).encode("utf-8")

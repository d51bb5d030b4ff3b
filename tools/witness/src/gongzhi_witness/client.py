"""A tiny HTTP client for the ledger API (urllib only) and checkpoint fetching."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from gongzhi_witness.note import Checkpoint, Verifier, parse_checkpoint

TIMEOUT = 30


class ClientError(RuntimeError):
    pass


class LedgerClient:
    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")

    def _open(self, path: str, params: dict[str, Any] | None = None, body: dict[str, Any] | None = None) -> bytes:
        url = f"{self.base}/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        if not url.startswith(("http://", "https://")):
            raise ClientError("the ledger URL must be http(s)")
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if data else {}
        request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 (scheme checked above)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (scheme checked above)
                return response.read()
        except urllib.error.HTTPError as exc:
            raise ClientError(f"{url}: HTTP {exc.code}: {exc.read()[:300].decode(errors='replace')}") from exc

    def get_json(self, path: str, **params: Any) -> Any:
        return json.loads(self._open(path, params))

    def post_json(self, path: str, body: dict[str, Any]) -> Any:
        return json.loads(self._open(path, body=body))

    def checkpoint(self, log_key: Verifier) -> tuple[str, Checkpoint]:
        """The latest checkpoint, after checking the log's signature and origin."""
        text = self._open("checkpoint").decode()
        checkpoint = parse_checkpoint(text)
        checkpoint.verify(log_key)
        if checkpoint.origin != log_key.name:
            raise ClientError(f"checkpoint origin {checkpoint.origin!r} is not the log {log_key.name!r}")
        return text, checkpoint

    def consistency(self, first: int, second: int) -> list[bytes]:
        body = self.get_json("proof/consistency", first=first, second=second)
        return [base64.b64decode(p) for p in body["proof"]]

    def inclusion(self, leaf_hash: bytes, size: int) -> dict[str, Any]:
        body = self.get_json("proof/inclusion", leaf_hash=leaf_hash.hex(), tree_size=size)
        body["proof"] = [base64.b64decode(p) for p in body["proof"]]
        return body

"""The public verification page: is this record in the log?"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from gongzhi.ledger import merkle, queries
from gongzhi.ledger.forms import VerifyForm


def verify_record(request: HttpRequest) -> HttpResponse:
    """No login: the log reveals no personal data. Shows the proof checked against the latest checkpoint."""
    form = VerifyForm(request.POST or None)
    result: dict[str, Any] | None = None
    checkpoint = queries.get_latest_checkpoint()
    if request.method == "POST" and form.is_valid():
        leaf_hash = form.cleaned_data["record"]
        leaf = queries.get_leaf_by_hash(leaf_hash)
        result = {"leaf_hash": leaf_hash.hex(), "included": False}
        if leaf is not None and checkpoint is not None and leaf.index < checkpoint.tree_size:
            proof = queries.get_inclusion_proof(leaf.index, checkpoint.tree_size)
            merkle.verify_inclusion(leaf.index, checkpoint.tree_size, leaf_hash, proof, bytes(checkpoint.root_hash))
            result.update(included=True, leaf=leaf, proof_length=len(proof))
        elif leaf is not None:
            result["pending"] = True
    return render(request, "ledger/verify.html", {"form": form, "result": result, "checkpoint": checkpoint})

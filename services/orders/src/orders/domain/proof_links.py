"""Links from an order's timeline to the proofs of delivery tracking stores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote

from lastmile_common.events.deliveries import stored_proof_id

ProofKind = Literal["photo", "signature"]
# The proof's kind, and the field of the event's `proof` that references it.
KINDS: tuple[tuple[ProofKind, str], ...] = (("photo", "photo_ref"), ("signature", "signature_ref"))


@dataclass(frozen=True, slots=True)
class ProofLink:
    """A stored proof of the delivery: GET `url` with the tenant's API key for its bytes."""

    kind: ProofKind
    proof_id: str
    url: str


def proof_links(detail: Mapping[str, Any], base_url: str) -> tuple[ProofLink, ...]:
    """The proofs a timeline entry's event references as `proof:<id>` (`order.delivered`'s
    `proof.photo_ref` / `proof.signature_ref`), each at `base_url` + its id; references to
    media kept elsewhere are not linked."""
    proof = detail.get("proof")
    if not isinstance(proof, Mapping):
        return ()
    links = []
    for kind, field in KINDS:
        proof_id = stored_proof_id(proof.get(field))
        if proof_id is not None:
            url = base_url.rstrip("/") + "/" + quote(proof_id, safe="")
            links.append(ProofLink(kind, proof_id, url))
    return tuple(links)

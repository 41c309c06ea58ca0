"""The timeline links the proofs tracking stores, and nothing else."""

from __future__ import annotations

from orders.domain.proof_links import ProofLink, proof_links

BASE = "https://track.example.com/v1/proofs/"


def test_stored_photo_and_signature_are_linked_by_kind() -> None:
    detail = {"proof": {"photo_ref": "proof:ab12", "signature_ref": "proof:cd34"}}
    assert proof_links(detail, BASE) == (
        ProofLink("photo", "ab12", BASE + "ab12"),
        ProofLink("signature", "cd34", BASE + "cd34"),
    )


def test_media_kept_elsewhere_and_entries_without_proof_have_no_link() -> None:
    elsewhere = {"proof": {"photo_ref": "s3://shop/p.jpg", "signature_ref": "proof:"}}
    assert proof_links(elsewhere, BASE) == ()
    assert proof_links({"proof": None}, BASE) == ()
    assert proof_links({"reason_code": "nobody_home"}, BASE) == ()


def test_an_id_cannot_leave_the_proofs_path() -> None:
    [link] = proof_links({"proof": {"photo_ref": "proof:../orders/x?y"}}, BASE)
    assert link.url == BASE + "..%2Forders%2Fx%3Fy"


def test_the_base_url_may_be_written_without_its_trailing_slash() -> None:
    [link] = proof_links({"proof": {"photo_ref": "proof:ab12"}}, BASE.rstrip("/"))
    assert link.url == BASE + "ab12"

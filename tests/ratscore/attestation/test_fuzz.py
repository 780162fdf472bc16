"""Fuzz invariant: arbitrary bytes into every decoder raise only DecodeError /
AttestationError subclasses (STYLE.md, "Errors")."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ratscore.attestation import cmw, eat, jose
from ratscore.attestation._codec import json_loads
from ratscore.attestation.ear import Ear
from ratscore.attestation.eat import EatClaims
from ratscore.attestation.errors import AttestationError
from ratscore.attestation.measured import MeasuredComponent
from ratscore.errors import DecodeError

from .test_cmw import CBOR_COLLECTION_AS_SHOWN, JSON_COLLECTION

ALLOWED = (AttestationError, DecodeError)


def _json_claims(data: bytes) -> object:
    return EatClaims.from_json(json_loads(data, "claims"))


def _ear_json(data: bytes) -> object:
    return Ear.from_json(json_loads(data, "claims"))


def _ear_cbor(data: bytes) -> object:
    from ratscore import cbor

    try:
        item = cbor.decode(data, strict=False)
    except DecodeError:
        return None
    return Ear.from_cbor(item)


DECODERS: list[Callable[[bytes], object]] = [
    cmw.decode,
    cmw.decode_cbor,
    cmw.decode_json,
    eat.decode_claims_cbor,
    jose.decode_jws,
    MeasuredComponent.decode,
    _json_claims,
    _ear_json,
    _ear_cbor,
]


@pytest.mark.parametrize("decoder", DECODERS, ids=lambda d: getattr(d, "__qualname__", str(d)))
@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=200))
def test_arbitrary_bytes(decoder: Callable[[bytes], object], data: bytes) -> None:
    with contextlib.suppress(*ALLOWED):
        decoder(data)


@settings(max_examples=150, deadline=None)
@given(position=st.integers(min_value=0), value=st.integers(min_value=0, max_value=255))
def test_mutated_cmw(position: int, value: int) -> None:
    for sample in (CBOR_COLLECTION_AS_SHOWN, JSON_COLLECTION.encode()):
        mutated = bytearray(sample)
        mutated[position % len(mutated)] = value
        with contextlib.suppress(*ALLOWED):
            cmw.decode(bytes(mutated))
        with contextlib.suppress(*ALLOWED):
            cmw.decode(bytes(mutated[: position % len(mutated)]))  # truncated


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=20), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(value=json_values)
def test_arbitrary_json_structures(value: object) -> None:
    text = json.dumps(value).encode()
    for decoder in (cmw.decode_json, _json_claims, _ear_json):
        with contextlib.suppress(*ALLOWED):
            decoder(text)


EAR_FIELDS = ["iat", "exp", "ear_verifier_id", "ear_raw_evidence", "submods", "eat_nonce", "ear_status"]
APPRAISAL_FIELDS = ["ear_status", "ear_trustworthiness_vector", "ear_appraisal_policy_ids", "eat_nonce", "eat_profile"]


@settings(max_examples=300, deadline=None)
@given(value=json_values, top=st.sampled_from(EAR_FIELDS), inner=st.sampled_from(APPRAISAL_FIELDS), where=st.booleans())
def test_ear_claims_with_arbitrary_values(value: object, top: str, inner: str, where: bool) -> None:
    from .test_ear import EAR_JSON_1

    claims = json.loads(EAR_JSON_1)
    if where:
        claims[top] = value
    else:
        claims["submods"]["PSA"][inner] = value
    with contextlib.suppress(*ALLOWED):
        Ear.from_json(claims)


EAT_CLAIMS = [claim.json_name for claim in eat.Claim]


@settings(max_examples=300, deadline=None)
@given(value=json_values, name=st.sampled_from(EAT_CLAIMS))
def test_eat_claims_with_arbitrary_values(value: object, name: str) -> None:
    with contextlib.suppress(*ALLOWED):
        EatClaims.from_json({name: value})


cbor_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=10)
    | st.binary(max_size=40),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.integers(-5, 300) | st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=cbor_values, claim=st.sampled_from(list(eat.Claim)))
def test_eat_cbor_claims_with_arbitrary_values(value: object, claim: eat.Claim) -> None:
    with contextlib.suppress(*ALLOWED):
        EatClaims.from_cbor({int(claim): value})

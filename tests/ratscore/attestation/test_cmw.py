"""CMW (RFC 9999): the document's §5 examples as vectors, plus bad input.

Transcription: §5.2, §5.3 and §5.4 hex come from the RFC's own wire listings
(§5.4 unfolded per RFC 8792).  §5.1 and §5.6 JSON are the RFC text with the page
indentation (3 spaces) removed.  §5.5 and the §3.2.1 tag example exist only in
diagnostic notation; their hex was written by hand, head by head, in the order
shown, and is cross-checked against cbor2 (an independent decoder) below.
"""

from __future__ import annotations

import pytest

from ratscore.attestation import cmw
from ratscore.attestation.cmw import CmwCollection, CmwRecord, CmwSerialization, CmwTag, Indicator
from ratscore.attestation.errors import MalformedEvidence, OversizedObject, UnknownMediaType
from ratscore.attestation.media import TN_MAX, TN_MIN, MediaType, content_format_from_tag, tn
from ratscore.cose import CoseAlgorithm
from ratscore.crypto import CryptoProvider
from ratscore.crypto.types import KeyType
from ratscore.errors import EncodeError

EXAMPLE_TYPE = "application/vnd.example.rats-conceptual-msg"
PAYLOAD = bytes.fromhex("2347da55")

# §5.1
JSON_RECORD = '[\n  "application/vnd.example.rats-conceptual-msg",\n  "I0faVQ"\n]'
# §5.2 wire representation: 82 / 19 fde7 / 44 2347da55
CBOR_RECORD = bytes.fromhex("8219fde7442347da55")
# §5.2 media-type variant, by hand: 82, text(43) = 78 2b + ASCII, bytes(4)
CBOR_RECORD_MEDIA = bytes.fromhex("82782b") + EXAMPLE_TYPE.encode() + bytes.fromhex("442347da55")
# §5.3 wire representation: da 6374ffe6 / 44 2347da55
CBOR_TAG = bytes.fromhex("da6374ffe6442347da55")
# §5.4 wire representation (RFC 8792 unfolded)
CBOR_RECORD_IND = bytes.fromhex("83746170706c69636174696f6e2f72696d2b636f73654ad28440a044d901f5a04003")
# §5.5, by hand, in the order shown
_CMWC_T = bytes.fromhex("68") + b"__cmwc_t" + bytes.fromhex("7827") + b"tag:example.com,2024:composite-attester"
_ENTRY_A = bytes.fromhex("008319fde7442347da5504")
_ENTRY_B = bytes.fromhex("01da6374ffe6442347da55")
_ENTRY_C = bytes.fromhex("028373") + b"application/eat+jwt" + bytes.fromhex("432e2e2e08")
CBOR_COLLECTION_AS_SHOWN = bytes.fromhex("a4") + _CMWC_T + _ENTRY_A + _ENTRY_B + _ENTRY_C
# RFC 8949 §4.2.1 order: keys 0, 1, 2 (heads 00 01 02) sort before the text key (68 ...)
CBOR_COLLECTION_DETERMINISTIC = bytes.fromhex("a4") + _ENTRY_A + _ENTRY_B + _ENTRY_C + _CMWC_T
# §5.6
JSON_COLLECTION = """{
  "__cmwc_t": "tag:example.com,2024:another-composite-attester",
  "attester A": [
    "application/eat-ucs+json",
    "e30K",
    4
  ],
  "attester B": [
    "application/eat-ucs+cbor",
    "oA",
    4
  ]
}"""
# §3.2.1: 1668612069(<< { 10: h'a7c76d8424a96fb4' } >>), by hand: da 6374ffe5, bytes(11), a1 0a 48 ...
CBOR_TAG_CDDL = bytes.fromhex("da6374ffe54ba10a48a7c76d8424a96fb4")


def test_tn_examples() -> None:
    assert tn(64999) == 1668612070  # RFC 9999 §5
    assert tn(273) == 1668547091  # RFC 9999 Table 4, first row
    assert tn(276) == 1668547094  # Table 4, last row
    assert tn(0) == TN_MIN and tn(65024) == TN_MAX  # RFC 9999 §3.2 range
    assert content_format_from_tag(1668612070) == 64999
    assert all(content_format_from_tag(tn(cf)) == cf for cf in range(0, 65025, 97))
    with pytest.raises(UnknownMediaType):
        content_format_from_tag(TN_MIN + 255)  # low byte 0x00: not a TN image
    with pytest.raises(EncodeError):
        tn(65025)


def test_json_record_5_1() -> None:
    record = cmw.decode(JSON_RECORD.encode())
    assert record == CmwRecord(type=EXAMPLE_TYPE, value=PAYLOAD)
    assert cmw.encode_json(record, indent=2) == JSON_RECORD


def test_cbor_record_5_2() -> None:
    record = cmw.decode(CBOR_RECORD)
    assert record == CmwRecord(type=64999, value=PAYLOAD)
    assert cmw.encode_cbor(record) == CBOR_RECORD
    media_record = cmw.decode(CBOR_RECORD_MEDIA)
    assert media_record == CmwRecord(type=EXAMPLE_TYPE, value=PAYLOAD)
    assert cmw.encode_cbor(media_record) == CBOR_RECORD_MEDIA


def test_cbor_tag_5_3() -> None:
    tag = cmw.decode(CBOR_TAG)
    assert tag == CmwTag(tag_number=1668612070, value=PAYLOAD)
    assert isinstance(tag, CmwTag) and tag.content_format == 64999
    assert cmw.encode_cbor(tag) == CBOR_TAG
    cddl_tag = cmw.decode(CBOR_TAG_CDDL)
    assert cddl_tag == CmwTag(tag_number=1668612069, value=bytes.fromhex("a10a48a7c76d8424a96fb4"))
    assert cmw.encode_cbor(cddl_tag) == CBOR_TAG_CDDL


def test_cbor_record_with_indicator_5_4() -> None:
    record = cmw.decode(CBOR_RECORD_IND)
    assert record == CmwRecord(
        type="application/rim+cose",
        value=bytes.fromhex("d28440a044d901f5a040"),
        indicator=Indicator.REFERENCE_VALUES | Indicator.ENDORSEMENTS,
    )
    assert cmw.encode_cbor(record) == CBOR_RECORD_IND


EXPECTED_COLLECTION = CmwCollection(
    collection_type="tag:example.com,2024:composite-attester",
    entries={
        0: CmwRecord(type=64999, value=PAYLOAD, indicator=Indicator.EVIDENCE),
        1: CmwTag(tag_number=1668612070, value=PAYLOAD),
        2: CmwRecord(type="application/eat+jwt", value=b"...", indicator=Indicator.ATTESTATION_RESULTS),
    },
)


def test_cbor_collection_5_5() -> None:
    collection = cmw.decode(CBOR_COLLECTION_AS_SHOWN)
    assert collection == EXPECTED_COLLECTION
    assert cmw.encode_cbor(collection, deterministic=False) == CBOR_COLLECTION_AS_SHOWN
    assert cmw.encode_cbor(collection) == CBOR_COLLECTION_DETERMINISTIC
    assert cmw.decode(CBOR_COLLECTION_DETERMINISTIC) == EXPECTED_COLLECTION


def test_hand_transcriptions_match_cbor2() -> None:
    cbor2 = pytest.importorskip("cbor2")  # independent oracle for the hand-written hex
    assert cbor2.loads(CBOR_COLLECTION_AS_SHOWN) == {
        "__cmwc_t": "tag:example.com,2024:composite-attester",
        0: [64999, PAYLOAD, 4],
        1: cbor2.CBORTag(1668612070, PAYLOAD),
        2: ["application/eat+jwt", b"...", 8],
    }
    assert cbor2.loads(CBOR_TAG_CDDL) == cbor2.CBORTag(1668612069, cbor2.dumps({10: bytes.fromhex("a7c76d8424a96fb4")}))
    assert cbor2.loads(CBOR_RECORD_MEDIA) == [EXAMPLE_TYPE, PAYLOAD]


def test_json_collection_5_6() -> None:
    collection = cmw.decode(JSON_COLLECTION.encode())
    assert collection == CmwCollection(
        collection_type="tag:example.com,2024:another-composite-attester",
        entries={
            "attester A": CmwRecord(type="application/eat-ucs+json", value=b"{}\n", indicator=Indicator.EVIDENCE),
            "attester B": CmwRecord(type="application/eat-ucs+cbor", value=b"\xa0", indicator=Indicator.EVIDENCE),
        },
    )
    assert cmw.encode_json(collection, indent=2) == JSON_COLLECTION


def test_jwt_claim_5_7() -> None:
    claims_text = '{"cmw": ' + JSON_COLLECTION + ', "iss": "evidence collection daemon", "exp": 1300819380}'
    import json

    collection = cmw._from_json_value(json.loads(claims_text)["cmw"], cmw.DEFAULT_MAX_DEPTH)
    assert collection == cmw.decode_json(JSON_COLLECTION)


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (CBOR_RECORD, CmwSerialization.CBOR_RECORD),
        (CBOR_RECORD_IND, CmwSerialization.CBOR_RECORD),
        (b"\x9f", CmwSerialization.CBOR_RECORD),
        (CBOR_TAG, CmwSerialization.CBOR_TAG),
        (CBOR_COLLECTION_AS_SHOWN, CmwSerialization.CBOR_COLLECTION),
        (b"\xbf", CmwSerialization.CBOR_COLLECTION),
        (JSON_RECORD.encode(), CmwSerialization.JSON_RECORD),
        (b" \n" + JSON_COLLECTION.encode(), CmwSerialization.JSON_COLLECTION),
        (b"", CmwSerialization.UNKNOWN),
        (b"\x01", CmwSerialization.UNKNOWN),
    ],
)
def test_sniff(data: bytes, kind: CmwSerialization) -> None:
    assert cmw.sniff(data) is kind


def test_indefinite_length_record_is_accepted() -> None:
    # RFC 9999 §3.4 lists 0x9f: an indefinite-length record decodes like the definite one.
    assert cmw.decode(bytes.fromhex("9f19fde7442347da55ff")) == CmwRecord(type=64999, value=PAYLOAD)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"\x82\x19\xfd", MalformedEvidence),  # truncated
        (CBOR_RECORD + b"\x00", MalformedEvidence),  # trailing data
        (bytes.fromhex("8119fde7"), MalformedEvidence),  # one member
        (bytes.fromhex("8419fde7442347da550400"), MalformedEvidence),  # four members
        (bytes.fromhex("821a00010000442347da55"), MalformedEvidence),  # C-F over 65535
        (bytes.fromhex("8219fde7642347da55"), MalformedEvidence),  # value is text
        (bytes.fromhex("8319fde7442347da5500"), MalformedEvidence),  # ind 0 (RFC 9999 §3.1 MUST be non-zero)
        (bytes.fromhex("8319fde7442347da551820"), MalformedEvidence),  # ind 32: unregistered bit
        (bytes.fromhex("82f5442347da55"), MalformedEvidence),  # type is a bool
        (bytes.fromhex("8263612062442347da55"), MalformedEvidence),  # "a b" is not a media type
        (bytes.fromhex("da63740100442347da55"), UnknownMediaType),  # tag outside TN image
        (bytes.fromhex("d818442347da55"), UnknownMediaType),  # tag 24 (one-byte tag head)
        (bytes.fromhex("da6374ffe6632347da"), MalformedEvidence),  # tag around text
        (bytes.fromhex("a0"), MalformedEvidence),  # empty collection
        (bytes.fromhex("a1685f5f636d77635f746161"), MalformedEvidence),  # only __cmwc_t
        (bytes.fromhex("a1f48219fde7442347da55"), MalformedEvidence),  # label false
        (bytes.fromhex("a1613082fde7"), MalformedEvidence),  # entry is not a CMW
        (bytes.fromhex("01"), MalformedEvidence),  # an integer
        (b'["application/x", "I0faVQ=="]', MalformedEvidence),  # padded base64url
        (b'["application/x", "I0f+VQ"]', MalformedEvidence),  # wrong alphabet
        (b'["application/x", ""]', MalformedEvidence),  # empty base64url-string
        (b'[64999, "I0faVQ"]', MalformedEvidence),  # C-F in JSON
        (b'["application/x", "I0faVQ", 4.0]', MalformedEvidence),  # float ind
        (b'{"__cmwc_t": "relative/path", "a": ["application/x", "I0faVQ"]}', MalformedEvidence),
        (b'{"a": ["application/x", "I0faVQ"], "a": ["application/x", "I0faVQ"]}', MalformedEvidence),
        (b'{"a": ["application/x", "I0faVQ"]', MalformedEvidence),  # truncated JSON
        (b"[NaN, 1]", MalformedEvidence),
    ],
)
def test_bad_input(data: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        cmw.decode(data)


def test_collection_type_oid_and_nesting_limit() -> None:
    record = CmwRecord(type="application/x", value=b"\x01")
    assert CmwCollection(entries={"a": record}, collection_type="1.2.840.113549").collection_type == "1.2.840.113549"
    nested: cmw.Cmw = record
    for _ in range(10):
        nested = CmwCollection(entries={"n": nested})
    data = cmw.encode_cbor(nested)
    assert cmw.decode(data, max_depth=10) == nested
    with pytest.raises(MalformedEvidence):
        cmw.decode(data, max_depth=9)
    with pytest.raises(MalformedEvidence):
        cmw.decode(cmw.encode_json(nested).encode(), max_depth=9)


def test_oversized() -> None:
    with pytest.raises(OversizedObject):
        cmw.decode(CBOR_COLLECTION_AS_SHOWN, max_size=len(CBOR_COLLECTION_AS_SHOWN) - 1)
    with pytest.raises(OversizedObject):
        cmw.decode_json(JSON_COLLECTION, max_size=10)


def test_constructors_refuse_what_the_wire_forbids() -> None:
    with pytest.raises(EncodeError):
        CmwCollection(entries={})
    with pytest.raises(EncodeError):
        CmwTag(tag_number=24, value=b"")
    with pytest.raises(EncodeError):
        cmw.encode_json(CmwRecord(type=64999, value=PAYLOAD))
    with pytest.raises(EncodeError):
        cmw.encode_json(CmwTag(tag_number=1668612070, value=PAYLOAD))


def test_media_type_parsing() -> None:
    media = MediaType.parse('application/eat+cwt; eat_profile="tag:psacertified.org,2023:psa#tfm"')
    assert media.essence == "application/eat+cwt"
    assert media.profile == "tag:psacertified.org,2023:psa#tfm"
    assert MediaType.parse(str(media)) == media


def test_signed_cmw_round_trip(crypto: CryptoProvider) -> None:
    key = crypto.generate_private_key(KeyType.P256)
    signed = cmw.sign_cbor_cmw(EXPECTED_COLLECTION, key, CoseAlgorithm.ES256)
    assert cmw.verify_cbor_cmw(signed, key.public_key(), crypto=crypto) == EXPECTED_COLLECTION
    json_collection = cmw.decode_json(JSON_COLLECTION)
    token = cmw.sign_json_cmw(json_collection, key)
    assert cmw.verify_json_cmw(token, key.public_key(), crypto=crypto) == json_collection
    other = crypto.generate_private_key(KeyType.P256).public_key()
    from ratscore.attestation.errors import BadSignature

    with pytest.raises(BadSignature):
        cmw.verify_cbor_cmw(signed, other, crypto=crypto)
    with pytest.raises(BadSignature):
        cmw.verify_json_cmw(token, other, crypto=crypto)

"""X.501 distinguished names as X.509 carries them (RFC 5280 §4.1.2.4).

Theory of operation: a ``Name`` keeps its exact DER (chaining compares it first)
and a parsed view: a tuple of RDNs, each a tuple of ``NameAttribute`` (type OID,
the string tag and the decoded text).  ``names_match`` implements the RFC 5280
§7.1 comparison in the simplified form the RFC permits: byte-equal DER matches;
otherwise the RDN structure and attribute types must be equal and every string
value must match after the RFC 4518 steps that matter in practice (case folding
and collapsing internal whitespace, trimming the ends).  Values that are not
strings (say a BIT STRING x500UniqueIdentifier) are compared byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ratscore.crypto import der
from ratscore.errors import DecodeError

__all__ = ["Name", "NameAttribute", "names_match", "parse_name"]

# X.690 universal tags of the string types that appear in names (X.680 §8.6).
TAG_UTF8_STRING = 0x0C
TAG_NUMERIC_STRING = 0x12
TAG_PRINTABLE_STRING = 0x13
TAG_TELETEX_STRING = 0x14
TAG_IA5_STRING = 0x16
TAG_VISIBLE_STRING = 0x1A
TAG_UNIVERSAL_STRING = 0x1C
TAG_BMP_STRING = 0x1E

# RFC 4514 §3: the short names a string representation uses.
_SHORT_NAMES = {
    "2.5.4.3": "CN",
    "2.5.4.7": "L",
    "2.5.4.8": "ST",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "2.5.4.6": "C",
    "2.5.4.9": "STREET",
    "0.9.2342.19200300.100.1.25": "DC",
    "0.9.2342.19200300.100.1.1": "UID",
}


def decode_string(tag: int, content: bytes) -> str | None:
    """Text of a directory string, or ``None`` when ``tag`` is not a string type.

    Lenient about the character repertoire of PrintableString and friends (real
    certificates break it); strict about the encoding itself (UTF-8, UCS-2, UCS-4)."""
    try:
        if tag == TAG_UTF8_STRING:
            return content.decode("utf-8")
        if tag in (TAG_PRINTABLE_STRING, TAG_IA5_STRING, TAG_VISIBLE_STRING, TAG_NUMERIC_STRING):
            return content.decode("ascii")
        if tag == TAG_TELETEX_STRING:  # T.61 in theory; Latin-1 in practice
            return content.decode("latin-1")
        if tag == TAG_BMP_STRING:
            if len(content) % 2:
                raise DecodeError("BMPString has an odd number of octets")
            return content.decode("utf-16-be")
        if tag == TAG_UNIVERSAL_STRING:
            if len(content) % 4:
                raise DecodeError("UniversalString length is not a multiple of 4")
            return content.decode("utf-32-be")
    except UnicodeDecodeError:
        raise DecodeError(f"name attribute string (tag 0x{tag:02x}) is not validly encoded") from None
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class NameAttribute:
    """One AttributeTypeAndValue: type OID, the value's tag, its text (``None`` if not a
    string) and the value's whole DER."""

    oid: str
    tag: int
    value: str | None
    value_der: bytes

    def rfc4514_string(self) -> str:
        key = _SHORT_NAMES.get(self.oid, self.oid)
        if self.value is None:  # RFC 4514 §2.4: "#" followed by the hex of the BER encoding
            return f"{key}=#{self.value_der.hex()}"
        return f"{key}={_escape(self.value)}"


def _escape(value: str) -> str:
    """RFC 4514 §2.4 escaping of an attribute value."""
    out: list[str] = []
    for index, char in enumerate(value):
        if char in ',+"\\<>;':
            out.append("\\" + char)
        elif char == "\x00":
            out.append("\\00")
        elif (index == 0 and char in "# ") or (index == len(value) - 1 and char == " "):
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class Name:
    """A distinguished name: its exact DER and its RDNs in encoded (most significant first) order."""

    der: bytes
    rdns: tuple[tuple[NameAttribute, ...], ...]

    def __iter__(self) -> Iterator[NameAttribute]:
        for rdn in self.rdns:
            yield from rdn

    def get(self, oid: str) -> list[str]:
        """The string values of every attribute of type ``oid``, in order."""
        return [attribute.value for attribute in self if attribute.oid == oid and attribute.value is not None]

    def rfc4514_string(self) -> str:
        """RFC 4514 §2.1: RDNs last to first, joined by ",", multi-valued RDNs by "+"."""
        return ",".join("+".join(a.rfc4514_string() for a in rdn) for rdn in reversed(self.rdns))

    def __str__(self) -> str:
        return self.rfc4514_string()


def parse_name(encoded: bytes) -> Name:
    """Parse the DER of one Name (RFC 5280 §4.1.2.4): SEQUENCE OF SET SIZE (1..MAX) OF ATV."""
    reader = der.DerReader(encoded)
    sequence = reader.read_sequence()
    reader.finish()
    rdns: list[tuple[NameAttribute, ...]] = []
    while not sequence.at_end:
        rdn_reader = sequence.read_set()
        attributes: list[NameAttribute] = []
        while not rdn_reader.at_end:
            attribute = rdn_reader.read_sequence()
            oid = attribute.read_oid()
            tag, content, whole = attribute.read_element()
            attribute.finish()
            attributes.append(NameAttribute(oid=oid, tag=tag, value=decode_string(tag, content), value_der=whole))
        if not attributes:  # X.501: RelativeDistinguishedName ::= SET SIZE (1..MAX)
            raise DecodeError("empty RelativeDistinguishedName")
        rdns.append(tuple(attributes))
    return Name(der=bytes(encoded), rdns=tuple(rdns))


def _prepare(value: str) -> str:
    """RFC 5280 §7.1 / RFC 4518 §2, simplified: case fold, collapse and trim whitespace."""
    return " ".join(value.casefold().split())


def _attribute_key(attribute: NameAttribute) -> tuple[str, str | bytes]:
    if attribute.value is None:
        return attribute.oid, attribute.value_der
    return attribute.oid, _prepare(attribute.value)


def names_match(first: Name, second: Name) -> bool:
    """RFC 5280 §7.1 name comparison (see module doc)."""
    if first.der == second.der:
        return True
    if len(first.rdns) != len(second.rdns):
        return False
    for rdn_a, rdn_b in zip(first.rdns, second.rdns, strict=True):
        # An RDN is a set: compare its attributes without regard to order.
        if sorted(map(_attribute_key, rdn_a), key=repr) != sorted(map(_attribute_key, rdn_b), key=repr):
            return False
    return True

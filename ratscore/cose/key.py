"""COSE_Key (RFC 9052 §7, RFC 9053 §7): OKP, EC2 and Symmetric keys.

A ``CoseKey`` is a value: the parameters as decoded, checked for type, size and
curve/key-type consistency (RFC 9053 §7.1: "Applications MUST check that the curve
and the key type are consistent and reject a key if they are not").  Conversion to
our ``PublicKey`` goes through a crypto provider, which checks the point and
decompresses EC2 keys sent with a sign bit.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ratscore import cbor
from ratscore.cbor import CborItem
from ratscore.crypto import CryptoProvider, resolve_provider
from ratscore.crypto.types import KeyType, PrivateKey, PublicKey
from ratscore.errors import DecodeError, EncodeError, InvalidKey, UnsupportedAlgorithm

from .headers import Label

__all__ = ["CoseKey", "Curve", "KeyParam", "Kty"]


class Kty(enum.IntEnum):
    """COSE key types (RFC 9053 §7, RFC 9052 §7)."""

    OKP = 1
    EC2 = 2
    SYMMETRIC = 4


class Curve(enum.IntEnum):
    """COSE elliptic curves (RFC 9053 §7.1, table 18)."""

    P256 = 1
    P384 = 2
    X25519 = 4
    X448 = 5
    ED25519 = 6
    ED448 = 7


class KeyParam:
    """COSE_Key parameter labels (RFC 9052 §7.1, RFC 9053 §7.1-7.2, §6.1)."""

    KTY: Final = 1
    KID: Final = 2
    ALG: Final = 3
    KEY_OPS: Final = 4
    BASE_IV: Final = 5
    CRV: Final = -1  # OKP and EC2
    K: Final = -1  # Symmetric
    X: Final = -2
    Y: Final = -3
    D: Final = -4


# RFC 9053 §7.1 table 18: each curve belongs to exactly one key type.
_CURVES: Final[dict[Curve, tuple[Kty, KeyType]]] = {
    Curve.P256: (Kty.EC2, KeyType.P256),
    Curve.P384: (Kty.EC2, KeyType.P384),
    Curve.X25519: (Kty.OKP, KeyType.X25519),
    Curve.X448: (Kty.OKP, KeyType.X448),
    Curve.ED25519: (Kty.OKP, KeyType.ED25519),
    Curve.ED448: (Kty.OKP, KeyType.ED448),
}
_CURVE_OF_KEY_TYPE: Final = {key_type: curve for curve, (_, key_type) in _CURVES.items()}
_COMMON_LABELS: Final = frozenset({KeyParam.KTY, KeyParam.KID, KeyParam.ALG})


@dataclass(frozen=True, slots=True, kw_only=True)
class CoseKey:
    """A COSE_Key.  ``y`` is the y-coordinate or, for a compressed EC2 key, its sign
    bit (RFC 9053 §7.1.1); ``other`` keeps parameters we do not interpret
    (key_ops, Base IV, ...)."""

    kty: Kty
    kid: bytes | None = None
    alg: int | str | None = None
    crv: Curve | None = None
    x: bytes | None = None
    y: bytes | bool | None = None
    d: bytes | None = None
    k: bytes | None = None
    other: Mapping[Label, CborItem] = field(default_factory=dict)

    def __repr__(self) -> str:  # never print private material
        secret = " private" if self.d is not None or self.k is not None else ""
        curve = f" {self.crv.name}" if self.crv is not None else ""
        return f"CoseKey({self.kty.name}{curve}{secret}, kid={self.kid!r})"

    # -- conversions -------------------------------------------------------------
    @property
    def key_type(self) -> KeyType | None:
        """Our key type for OKP/EC2 keys; None for symmetric keys."""
        return None if self.crv is None else _CURVES[self.crv][1]

    def public_key(self, crypto: CryptoProvider | str | None = None) -> PublicKey:
        """The validated public key (EC2 points decompressed).  Raises ``InvalidKey``
        for a symmetric key or one without public material, ``InvalidPublicKey`` for
        a point the provider rejects."""
        key_type = self.key_type
        if key_type is None or self.x is None:
            raise InvalidKey("this COSE_Key carries no public key")
        if self.kty is Kty.OKP:
            raw = self.x
        elif isinstance(self.y, bytes):
            raw = b"\x04" + self.x + self.y  # SEC1 uncompressed point
        elif isinstance(self.y, bool):
            # RFC 9053 §7.1.1: y as a bool is the sign bit, SEC1 compressed form.
            raw = (b"\x03" if self.y else b"\x02") + self.x
        else:
            raise InvalidKey("EC2 COSE_Key without y")
        return resolve_provider(crypto).load_public_key(key_type, raw)

    def private_key(self, crypto: CryptoProvider | str | None = None) -> PrivateKey:
        """Load ``d`` with the provider.  Raises ``InvalidKey`` if there is none."""
        key_type = self.key_type
        if key_type is None or self.d is None:
            raise InvalidKey("this COSE_Key carries no private key")
        return resolve_provider(crypto).load_private_key(key_type, self.d)

    @classmethod
    def from_public_key(
        cls, public_key: PublicKey, *, kid: bytes | None = None, alg: int | str | None = None
    ) -> CoseKey:
        """An OKP or EC2 COSE_Key for ``public_key`` (EC2 with x and y)."""
        curve = _CURVE_OF_KEY_TYPE.get(public_key.key_type)
        if curve is None:
            raise UnsupportedAlgorithm(f"no COSE curve for {public_key.key_type.label} keys")
        kty, key_type = _CURVES[curve]
        if kty is Kty.OKP:
            return cls(kty=kty, crv=curve, x=public_key.data, kid=kid, alg=alg)
        size = key_type.size
        point = public_key.data
        if len(point) != 1 + 2 * size or point[0] != 4:
            raise InvalidKey("EC public key is not an uncompressed SEC1 point")
        return cls(kty=kty, crv=curve, x=point[1 : 1 + size], y=point[1 + size :], kid=kid, alg=alg)

    @classmethod
    def from_private_key(
        cls, private_key: PrivateKey, *, kid: bytes | None = None, alg: int | str | None = None
    ) -> CoseKey:
        """A COSE_Key holding both halves of ``private_key``."""
        public = cls.from_public_key(private_key.public_key(), kid=kid, alg=alg)
        return cls(
            kty=public.kty, crv=public.crv, x=public.x, y=public.y, d=private_key.private_bytes(), kid=kid, alg=alg
        )

    @classmethod
    def symmetric(cls, k: bytes, *, kid: bytes | None = None, alg: int | str | None = None) -> CoseKey:
        return cls(kty=Kty.SYMMETRIC, k=bytes(k), kid=kid, alg=alg)

    # -- CBOR --------------------------------------------------------------------
    def to_map(self) -> dict[Label, CborItem]:
        """The COSE_Key map (RFC 9052 §7)."""
        result: dict[Label, CborItem] = {KeyParam.KTY: int(self.kty)}
        if self.kid is not None:
            result[KeyParam.KID] = self.kid
        if self.alg is not None:
            result[KeyParam.ALG] = self.alg
        for label, value in self.other.items():
            if label in result:
                raise EncodeError(f"COSE_Key parameter {label!r} given twice")
            result[label] = value
        own = {KeyParam.CRV: None if self.crv is None else int(self.crv), KeyParam.X: self.x, KeyParam.Y: self.y}
        if self.kty is Kty.SYMMETRIC:
            own = {KeyParam.K: self.k}
        own[KeyParam.D] = self.d
        for label, value in own.items():
            if value is not None:
                if label in result:
                    raise EncodeError(f"COSE_Key parameter {label!r} given twice")
                result[label] = value
        return result

    def encode(self) -> bytes:
        return cbor.encode(self.to_map())

    @classmethod
    def decode(cls, data: bytes) -> CoseKey:
        """Decode and check a COSE_Key.  ``DecodeError`` if malformed,
        ``UnsupportedAlgorithm`` for a key type or curve we do not implement."""
        return cls.from_map(cbor.decode(data, require_sorted_keys=False))

    @classmethod
    def from_map(cls, value: CborItem) -> CoseKey:
        """Check a decoded COSE_Key map (see ``decode``)."""
        if not isinstance(value, dict):
            raise DecodeError("COSE_Key is not a map")
        for label in value:
            if type(label) is not int and type(label) is not str:
                raise DecodeError(f"COSE_Key label {label!r} is neither an int nor a text string")
        kty_value = value.get(KeyParam.KTY)
        if type(kty_value) is not int:
            raise (DecodeError if type(kty_value) is not str else UnsupportedAlgorithm)(
                f"COSE_Key kty {kty_value!r} is missing or not supported"
            )
        try:
            kty = Kty(kty_value)
        except ValueError:
            raise UnsupportedAlgorithm(f"COSE_Key kty {kty_value} is not supported") from None
        kid = value.get(KeyParam.KID)
        if kid is not None and type(kid) is not bytes:
            raise DecodeError("COSE_Key kid must be a byte string")
        alg = value.get(KeyParam.ALG)
        if alg is not None and type(alg) is not int and type(alg) is not str:
            raise DecodeError("COSE_Key alg must be an int or a text string")
        if kty is Kty.SYMMETRIC:
            return _symmetric_from_map(value, kid, alg)
        return _curve_key_from_map(kty, value, kid, alg)


def _byte_parameter(value: Mapping[Any, CborItem], label: int, name: str) -> bytes | None:
    parameter = value.get(label)
    if parameter is not None and type(parameter) is not bytes:
        raise DecodeError(f"COSE_Key {name} must be a byte string")
    return parameter


def _symmetric_from_map(value: Mapping[Any, CborItem], kid: bytes | None, alg: int | str | None) -> CoseKey:
    # RFC 9053 §7.3: k is required.
    k = _byte_parameter(value, KeyParam.K, "k")
    if not k:
        raise DecodeError("symmetric COSE_Key needs a non-empty k")
    other = {label: item for label, item in value.items() if label not in _COMMON_LABELS and label != KeyParam.K}
    return CoseKey(kty=Kty.SYMMETRIC, k=k, kid=kid, alg=alg, other=other)


def _curve_key_from_map(kty: Kty, value: Mapping[Any, CborItem], kid: bytes | None, alg: int | str | None) -> CoseKey:
    crv_value = value.get(KeyParam.CRV)
    if type(crv_value) is not int:
        raise (DecodeError if type(crv_value) is not str else UnsupportedAlgorithm)(
            f"COSE_Key crv {crv_value!r} is missing or not supported"
        )
    try:
        curve = Curve(crv_value)
    except ValueError:
        raise UnsupportedAlgorithm(f"COSE_Key curve {crv_value} is not supported") from None
    curve_kty, key_type = _CURVES[curve]
    if curve_kty is not kty:
        # RFC 9053 §7.1: the curve and the key type must agree.
        raise DecodeError(f"curve {curve.name} does not belong to key type {kty.name}")
    size = key_type.size
    x = _byte_parameter(value, KeyParam.X, "x")
    d = _byte_parameter(value, KeyParam.D, "d")
    y = value.get(KeyParam.Y)
    if kty is Kty.OKP:
        if y is not None:
            raise DecodeError("OKP COSE_Key must not have y")
    elif y is not None and type(y) is not bytes and type(y) is not bool:
        raise DecodeError("EC2 COSE_Key y must be a byte string or a bool")
    # RFC 9053 §7.1.1 / §7.2: fixed-width coordinates and keys, leading zeros kept.
    for name, parameter in (("x", x), ("y", y), ("d", d)):
        if isinstance(parameter, bytes) and len(parameter) != size:
            raise DecodeError(f"COSE_Key {name} must be {size} bytes for {curve.name}, got {len(parameter)}")
    # RFC 9053 §7.1.1 / §7.2: public keys need x (and y for EC2); private keys need d.
    if d is None and (x is None or (kty is Kty.EC2 and y is None)):
        raise DecodeError(f"{kty.name} COSE_Key has neither a complete public key nor d")
    known = _COMMON_LABELS | {KeyParam.CRV, KeyParam.X, KeyParam.Y, KeyParam.D}
    other = {label: item for label, item in value.items() if label not in known}
    return CoseKey(
        kty=kty,
        crv=curve,
        x=x,
        y=y if isinstance(y, bytes | bool) else None,
        d=d,
        kid=kid,
        alg=alg,
        other=other,
    )

"""ratscore: building blocks shared by atls, edhoc_ra and keyneg.

Crypto providers (``ratscore.crypto``), strict CBOR (``ratscore.cbor``), COSE
(``ratscore.cose``) and the error roots (``ratscore.errors``).  No I/O and no
protocol state live here.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]

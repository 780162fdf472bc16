"""The pure-Python crypto backend: standard library plus our own code.

NOT CONSTANT-TIME: see ``ratscore.crypto.pure.provider``.  Importing this
package needs nothing compiled beyond CPython's own ``hashlib``/``hmac``.
"""

from .provider import PureProvider

__all__ = ["PureProvider"]

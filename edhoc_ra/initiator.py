"""The EDHOC Initiator (RFC 9528 §5.2.2, §5.3.3, §5.4.2, §5.5.3, §6.3.1).

Flow: ``start()`` queues message_1; ``receive_message(message_2)`` decrypts and parses
it and asks for the Responder's credential (``CredentialRequested``) unless a resolver
is configured; ``provide_credential()`` verifies Signature_or_MAC_2
(``Message2Verified``); ``send_message_3()`` queues message_3 and derives PRK_out;
with message_4 in the profile, ``receive_message(message_4)`` completes.  An error 2
from the Responder returns the engine to START remembering SUITES_R, and ``start()``
then selects the most preferred suite the Responder supports (§6.3.1).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from ratscore.errors import LocalProtocolError

from . import codec
from .credentials import Credential, IdCred
from .ead import EadItem
from .errors import EdhocDecodeError, UnspecifiedEdhocError
from .events import ErrorReceived, Event, HandshakeCompleted, Message2Verified
from .keyschedule import Label, schedule_for
from .states import INITIATOR_TRANSITIONS, MessageKind, State
from .suites import Role, get_suite

from .connection import EdhocConnection  # isort: skip

__all__ = ["Initiator"]


class Initiator(EdhocConnection):
    """EDHOC Initiator engine (sans-I/O)."""

    role: ClassVar[Role] = Role.INITIATOR
    _transitions: ClassVar[dict[tuple[State, MessageKind], str]] = INITIATOR_TRANSITIONS

    _suites_r: tuple[int, ...] | None = None

    # -- message_1 (§5.2.2) ----------------------------------------------------------
    def start(self, *, connection_id: bytes | None = None, ead: Sequence[EadItem] = ()) -> None:
        """Compose message_1 and queue it."""
        self._check_usable()
        if self._state is not State.START:
            raise LocalProtocolError(f"start() is only valid in START, not {self._state.value}")
        preferences = self.config.suites
        index = 0
        if self._suites_r is not None:
            # §5.2.2: "SHOULD select its most preferred supported cipher suite among those" in SUITES_R
            common = [i for i, suite in enumerate(preferences) if suite in self._suites_r]
            if not common:
                raise LocalProtocolError("the Responder supports none of our cipher suites")
            index = common[0]
        # §5.2.2: SUITES_I lists every suite preferred over the selected one, which comes last
        suites_i = preferences[: index + 1]
        suite = get_suite(suites_i[-1])
        self._suite = suite
        self._schedule = schedule_for(suite, self._crypto)
        self._c_i = connection_id if connection_id is not None else self.config.connection_id
        if self._c_i is None:
            self._c_i = self._new_connection_id(None)
        # §6.3.2 Note 2: a new ephemeral key pair for every message_1
        self._ephemeral = self._crypto.generate_private_key(suite.dh_curve)
        g_x = self._compact(self._ephemeral.public_key())
        self._log("G_X", g_x)
        ead_bytes = self._produce_ead(1, ead)
        message_1 = codec.encode_message_1(int(self._method), suites_i, g_x, self._c_i, ead_bytes)
        self._message_1 = message_1
        self._hash_message_1 = self._schedule.hash(message_1)
        self._log("message_1", message_1)
        self._outgoing.append(message_1)
        self._last_received = None
        self._state = State.WAIT_M2

    # -- message_2 (§5.3.3) ----------------------------------------------------------
    def _process_message_2(self, data: bytes) -> tuple[State, list[Event]]:
        schedule = self._schedule
        assert schedule is not None  # set with the suite, before any state that gets here
        suite = schedule.suite
        g_y_ciphertext_2 = codec.decode_ciphertext_message(data, "message_2")
        key_length = suite.public_key_length
        if len(g_y_ciphertext_2) <= key_length:
            raise EdhocDecodeError("message_2 is too short")
        g_y, ciphertext_2 = g_y_ciphertext_2[:key_length], g_y_ciphertext_2[key_length:]
        self._peer_ephemeral = self._load_peer_ephemeral(g_y)
        assert self._ephemeral is not None
        g_xy = self._ecdh(self._ephemeral, self._peer_ephemeral)
        self._log("G_XY", g_xy)
        self._message_2 = data
        self._th_2 = schedule.th_2(g_y, self._hash_message_1)  # TH_2 = H(G_Y, H(message_1))
        self._log("H(message_1)", self._hash_message_1)
        self._log("TH_2", self._th_2)
        self._prk_2e = schedule.extract(self._th_2, g_xy)  # §4.1.1.1
        self._log("PRK_2e", self._prk_2e)
        keystream = schedule.keystream_2(self._prk_2e, self._th_2, len(ciphertext_2))
        self._log("KEYSTREAM_2", keystream)
        plaintext_2 = codec.xor_bytes(ciphertext_2, keystream)
        self._log("PLAINTEXT_2", plaintext_2)
        parsed = codec.decode_plaintext_2(plaintext_2)
        self._c_r = parsed.c_r
        if self.config.require_distinct_connection_ids and parsed.c_r == self._c_i:
            raise UnspecifiedEdhocError("C_R equals C_I")  # RFC 9668 §4.1.3
        self._check_mac_length(parsed.signature_or_mac_2, self._method.responder_uses_static_dh)
        self._pending_plaintext = plaintext_2
        self._pending_id_cred = IdCred(encoded=parsed.id_cred_r.encoded, parameters=parsed.id_cred_r.parameters)
        self._pending_signature_or_mac = parsed.signature_or_mac_2
        self._pending_ead_bytes = parsed.ead_bytes
        events = self._receive_ead(2, parsed.ead, parsed.ead_bytes, verified=False) if parsed.ead_bytes else []
        next_state, more = self._request_credential(2, self._pending_id_cred)
        return next_state, events + more

    def _verify_pending(self, credential: Credential) -> tuple[State, list[Event]]:
        """Verify Signature_or_MAC_2 with CRED_R (§5.3.3)."""
        schedule = self._schedule
        assert schedule is not None  # set with the suite, before any state that gets here
        assert self._pending_id_cred is not None and self._ephemeral is not None
        static = self._method.responder_uses_static_dh
        if static:
            # §4.1.1.2: PRK_3e2m = EDHOC_Extract(SALT_3e2m, G_RX), G_RX = ECDH(X, G_R)
            salt_3e2m = schedule.kdf(self._prk_2e, Label.SALT_3E2M, self._th_2, schedule.hash_length)
            self._log("SALT_3e2m", salt_3e2m)
            g_rx = self._ecdh(self._ephemeral, self._peer_static_key(credential))
            self._log("G_RX", g_rx)
            self._prk_3e2m = schedule.extract(salt_3e2m, g_rx)
        else:
            self._prk_3e2m = self._prk_2e
        self._log("PRK_3e2m", self._prk_3e2m)
        id_cred = self._pending_id_cred.encoded
        ead = self._pending_ead_bytes
        mac_2 = self._mac(2, self._prk_3e2m, id_cred, self._th_2, credential.cred, ead, static)
        self._check_signature_or_mac(
            credential, self._pending_signature_or_mac, id_cred, self._th_2, ead, mac_2, static
        )
        # §5.4.2: TH_3 = H(TH_2, PLAINTEXT_2, CRED_R)
        self._th_3 = schedule.th_next(self._th_2, self._pending_plaintext, credential.cred)
        self._log("TH_3", self._th_3)
        self._peer_credential = credential
        self._pending_plaintext = self._pending_signature_or_mac = b""
        assert self._c_r is not None
        events: list[Event] = [Message2Verified(connection_id_responder=self._c_r, credential=credential)]
        if self._unverified_ead:
            events.extend(self._ead_now_verified())
        return State.VERIFIED_M2, events

    # -- message_3 (§5.4.2) ----------------------------------------------------------
    def send_message_3(self, *, ead: Sequence[EadItem] = ()) -> list[Event]:
        """Compose message_3, queue it and derive PRK_out."""
        self._check_usable()
        if self._state is not State.VERIFIED_M2:
            raise LocalProtocolError(f"send_message_3() needs a verified message_2, state is {self._state.value}")
        schedule = self._schedule
        assert schedule is not None  # set with the suite, before any state that gets here
        suite = schedule.suite
        local = self.config.credential
        assert self._ephemeral is not None and self._peer_ephemeral is not None
        static = self._method.initiator_uses_static_dh
        if static:
            # §4.1.1.3: PRK_4e3m = EDHOC_Extract(SALT_4e3m, G_IY), G_IY = ECDH(I, G_Y)
            salt_4e3m = schedule.kdf(self._prk_3e2m, Label.SALT_4E3M, self._th_3, schedule.hash_length)
            self._log("SALT_4e3m", salt_4e3m)
            g_iy = self._ecdh(self._static_dh_key(), self._peer_ephemeral)
            self._log("G_IY", g_iy)
            self._prk_4e3m = schedule.extract(salt_4e3m, g_iy)
        else:
            self._prk_4e3m = self._prk_3e2m
        self._log("PRK_4e3m", self._prk_4e3m)
        ead_3 = self._produce_ead(3, ead)
        id_cred = local.id_cred.encoded
        cred = local.credential.cred
        mac_3 = self._mac(3, self._prk_4e3m, id_cred, self._th_3, cred, ead_3, static)
        signature_or_mac = mac_3 if static else self._sign(id_cred, self._th_3, cred, ead_3, mac_3)
        self._log("Signature_or_MAC_3", signature_or_mac)
        # §5.4.2: PLAINTEXT_3 = ( ID_CRED_I / bstr / -24..23, Signature_or_MAC_3, ? EAD_3 )
        plaintext_3 = local.id_cred.plaintext_encoding() + codec.encode_bstr(signature_or_mac) + ead_3
        self._log("PLAINTEXT_3", plaintext_3)
        k_3 = schedule.kdf(self._prk_3e2m, Label.K_3, self._th_3, suite.edhoc_aead.key_size)
        iv_3 = schedule.kdf(self._prk_3e2m, Label.IV_3, self._th_3, suite.edhoc_aead.nonce_size)
        self._log("K_3", k_3)
        self._log("IV_3", iv_3)
        # App. C.3: associated data A_3 = [ "Encrypt0", h'', TH_3 ]
        associated_data = codec.encode_encrypt0_aad(self._th_3)
        self._log("A_3", associated_data)
        ciphertext_3 = self._crypto.aead(suite.edhoc_aead, k_3).encrypt(iv_3, plaintext_3, associated_data)
        self._log("CIPHERTEXT_3", ciphertext_3)
        message_3 = codec.encode_bstr(ciphertext_3)
        self._log("message_3", message_3)
        # §5.4.2: TH_4 = H(TH_3, PLAINTEXT_3, CRED_I); PRK_out = EDHOC_KDF(PRK_4e3m, 7, TH_4, hash_length)
        self._th_4 = schedule.th_next(self._th_3, plaintext_3, cred)
        self._log("TH_4", self._th_4)
        self._prk_out = schedule.kdf(self._prk_4e3m, Label.PRK_OUT, self._th_4, schedule.hash_length)
        self._prk_exporter = schedule.prk_exporter(self._prk_out)
        self._log("PRK_out", self._prk_out)
        self._log("PRK_exporter", self._prk_exporter)
        self._outgoing.append(message_3)
        self._ephemeral = None  # §9.8: ephemeral keys are deleted after use
        if self.config.use_message_4:
            self._state = State.WAIT_M4
            return []
        self._prk_4e3m = self._prk_3e2m = self._prk_2e = b""
        self._state = State.COMPLETED
        return [self._completed()]

    # -- message_4 (§5.5.3) ----------------------------------------------------------
    def _process_message_4(self, data: bytes) -> tuple[State, list[Event]]:
        schedule = self._schedule
        assert schedule is not None  # set with the suite, before any state that gets here
        suite = schedule.suite
        ciphertext_4 = codec.decode_ciphertext_message(data, "message_4")
        k_4 = schedule.kdf(self._prk_4e3m, Label.K_4, self._th_4, suite.edhoc_aead.key_size)
        iv_4 = schedule.kdf(self._prk_4e3m, Label.IV_4, self._th_4, suite.edhoc_aead.nonce_size)
        self._log("K_4", k_4)
        self._log("IV_4", iv_4)
        associated_data = codec.encode_encrypt0_aad(self._th_4)  # A_4 (App. C.3)
        # An AEAD failure raises DecryptError, turned into AuthenticationFailed by _guarded.
        plaintext_4 = self._crypto.aead(suite.edhoc_aead, k_4).decrypt(iv_4, ciphertext_4, associated_data)
        items, ead_bytes = codec.decode_plaintext_4(plaintext_4)
        events = self._receive_ead(4, items, ead_bytes, verified=True)
        self._prk_4e3m = self._prk_3e2m = self._prk_2e = b""
        events.append(self._completed())
        return State.COMPLETED, events

    def _completed(self) -> HandshakeCompleted:
        assert self._c_i is not None and self._c_r is not None and self._peer_credential is not None
        assert self._suite is not None
        return HandshakeCompleted(
            role=self.role,
            method=self._method,
            selected_suite=self._suite.value,
            connection_id_initiator=self._c_i,
            connection_id_responder=self._c_r,
            peer_credential=self._peer_credential,
        )

    # -- errors (§6) -------------------------------------------------------------------
    def _process_error(self, data: bytes) -> tuple[State, list[Event]]:
        state, events = super()._process_error(data)
        event = events[0]
        if (
            self._state is State.WAIT_M2
            and isinstance(event, ErrorReceived)
            and event.err_code == codec.ERR_WRONG_SELECTED_SUITE
            and event.suites_r is not None
        ):
            # §6.3.1: remember SUITES_R for the next message_1; start() retries.
            self._suites_r = event.suites_r
            self._ephemeral = None
            return State.START, events
        return state, events

"""The EDHOC Responder (RFC 9528 §5.2.3, §5.3.2, §5.4.3, §5.5.2, §6.3).

Flow: ``receive_message(message_1)`` checks the method and the suite selection and
reports ``Message1Received``; ``send_message_2()`` queues message_2;
``receive_message(message_3)`` decrypts and parses message_3 and asks for the
Initiator's credential (``CredentialRequested``) unless a resolver is configured;
``provide_credential()`` verifies Signature_or_MAC_3 (``Message3Verified``, then
``HandshakeCompleted`` unless the profile uses message_4, which ``send_message_4()``
sends).  One Responder object serves one session: a rejected message_1 ends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from ratscore.errors import LocalProtocolError

from . import codec
from .credentials import Credential, IdCred
from .ead import EadItem
from .errors import UnspecifiedEdhocError, WrongSelectedCipherSuite
from .events import Event, HandshakeCompleted, Message1Received, Message3Verified
from .keyschedule import Label, schedule_for
from .states import RESPONDER_TRANSITIONS, MessageKind, State
from .suites import Role, get_suite

from .connection import EdhocConnection  # isort: skip

__all__ = ["Responder"]


class Responder(EdhocConnection):
    """EDHOC Responder engine (sans-I/O)."""

    role: ClassVar[Role] = Role.RESPONDER
    _transitions: ClassVar[dict[tuple[State, MessageKind], str]] = RESPONDER_TRANSITIONS

    _g_xy: bytes = b""

    # -- message_1 (§5.2.3) ----------------------------------------------------------
    def _process_message_1(self, data: bytes) -> tuple[State, list[Event]]:
        message_1 = codec.decode_message_1(data)
        if message_1.method != int(self._method):
            raise UnspecifiedEdhocError("Method not supported")  # §6.2 example text
        supported = self.config.suites
        first_supported = None
        for candidate in message_1.suites_i:
            if candidate in supported:
                first_supported = candidate
                break
        if first_supported is None or first_supported != message_1.selected_suite:
            # §6.3: SUITES_R holds the suite most preferred by I that we support, or all of ours
            suites_r = (first_supported,) if first_supported is not None else supported
            raise WrongSelectedCipherSuite(
                "wrong selected cipher suite", err_info=suites_r[0] if len(suites_r) == 1 else list(suites_r)
            )
        suite = get_suite(message_1.selected_suite)
        self._suite = suite
        self._schedule = schedule_for(suite, self._crypto)
        self._peer_ephemeral = self._load_peer_ephemeral(message_1.g_x)
        self._c_i = message_1.c_i
        self._message_1 = data
        self._hash_message_1 = self._schedule.hash(data)
        self._log("H(message_1)", self._hash_message_1)
        events: list[Event] = [
            Message1Received(
                method=self._method,
                suites_i=message_1.suites_i,
                selected_suite=suite.value,
                connection_id_initiator=message_1.c_i,
            )
        ]
        if message_1.ead_bytes:
            events.extend(self._receive_ead(1, message_1.ead, message_1.ead_bytes, verified=False))
        # Generate Y now so that a bad G_X (e.g. a low-order X25519 point, RFC 9529 §4.2.4)
        # is rejected while processing message_1, as §5.2.3 requires.
        self._ephemeral = self._crypto.generate_private_key(suite.dh_curve)
        self._g_xy = self._ecdh(self._ephemeral, self._peer_ephemeral)
        self._log("G_XY", self._g_xy)
        return State.RECEIVED_M1, events

    # -- message_2 (§5.3.2) ----------------------------------------------------------
    def send_message_2(self, *, connection_id: bytes | None = None, ead: Sequence[EadItem] = ()) -> list[Event]:
        """Compose message_2 and queue it."""
        self._check_usable()
        if self._state is not State.RECEIVED_M1:
            raise LocalProtocolError(f"send_message_2() needs an accepted message_1, state is {self._state.value}")
        schedule = self._schedule
        assert schedule is not None  # set with the suite, before any state that gets here
        local = self.config.credential
        assert self._ephemeral is not None and self._peer_ephemeral is not None
        c_r = connection_id if connection_id is not None else self.config.connection_id
        if c_r is None:
            c_r = self._new_connection_id(self._c_i)
        if self.config.require_distinct_connection_ids and c_r == self._c_i:
            raise LocalProtocolError("C_R must differ from C_I (RFC 9528 §3.3.3)")
        self._c_r = c_r
        g_y = self._compact(self._ephemeral.public_key())
        self._th_2 = schedule.th_2(g_y, self._hash_message_1)  # TH_2 = H(G_Y, H(message_1))
        self._log("TH_2", self._th_2)
        self._prk_2e = schedule.extract(self._th_2, self._g_xy)  # §4.1.1.1
        self._g_xy = b""
        self._log("PRK_2e", self._prk_2e)
        static = self._method.responder_uses_static_dh
        if static:
            # §4.1.1.2: PRK_3e2m = EDHOC_Extract(SALT_3e2m, G_RX), G_RX = ECDH(R, G_X)
            salt_3e2m = schedule.kdf(self._prk_2e, Label.SALT_3E2M, self._th_2, schedule.hash_length)
            self._log("SALT_3e2m", salt_3e2m)
            g_rx = self._ecdh(self._static_dh_key(), self._peer_ephemeral)
            self._log("G_RX", g_rx)
            self._prk_3e2m = schedule.extract(salt_3e2m, g_rx)
        else:
            self._prk_3e2m = self._prk_2e
        self._log("PRK_3e2m", self._prk_3e2m)
        ead_2 = self._produce_ead(2, ead)
        id_cred = local.id_cred.encoded
        cred = local.credential.cred
        mac_2 = self._mac(2, self._prk_3e2m, id_cred, self._th_2, cred, ead_2, static)
        signature_or_mac = mac_2 if static else self._sign(id_cred, self._th_2, cred, ead_2, mac_2)
        self._log("Signature_or_MAC_2", signature_or_mac)
        # §5.3.2: PLAINTEXT_2 = ( C_R, ID_CRED_R / bstr / -24..23, Signature_or_MAC_2, ? EAD_2 )
        plaintext_2 = (
            codec.encode_connection_id(c_r)
            + local.id_cred.plaintext_encoding()
            + codec.encode_bstr(signature_or_mac)
            + ead_2
        )
        self._log("PLAINTEXT_2", plaintext_2)
        keystream = schedule.keystream_2(self._prk_2e, self._th_2, len(plaintext_2))
        self._log("KEYSTREAM_2", keystream)
        ciphertext_2 = codec.xor_bytes(plaintext_2, keystream)
        self._log("CIPHERTEXT_2", ciphertext_2)
        message_2 = codec.encode_bstr(g_y + ciphertext_2)  # §5.3.1: one bstr G_Y || CIPHERTEXT_2
        self._message_2 = message_2
        self._log("message_2", message_2)
        # §5.4.2: TH_3 = H(TH_2, PLAINTEXT_2, CRED_R), computable now (§5.3.2 note)
        self._th_3 = schedule.th_next(self._th_2, plaintext_2, cred)
        self._log("TH_3", self._th_3)
        self._outgoing.append(message_2)
        self._state = State.WAIT_M3
        return []

    # -- message_3 (§5.4.3) ----------------------------------------------------------
    def _process_message_3(self, data: bytes) -> tuple[State, list[Event]]:
        schedule = self._schedule
        assert schedule is not None  # set with the suite, before any state that gets here
        suite = schedule.suite
        ciphertext_3 = codec.decode_ciphertext_message(data, "message_3")
        k_3 = schedule.kdf(self._prk_3e2m, Label.K_3, self._th_3, suite.edhoc_aead.key_size)
        iv_3 = schedule.kdf(self._prk_3e2m, Label.IV_3, self._th_3, suite.edhoc_aead.nonce_size)
        self._log("K_3", k_3)
        self._log("IV_3", iv_3)
        associated_data = codec.encode_encrypt0_aad(self._th_3)  # A_3 (App. C.3)
        # An AEAD failure raises DecryptError, turned into AuthenticationFailed by _guarded.
        plaintext_3 = self._crypto.aead(suite.edhoc_aead, k_3).decrypt(iv_3, ciphertext_3, associated_data)
        self._log("PLAINTEXT_3", plaintext_3)
        parsed = codec.decode_plaintext_3(plaintext_3)
        self._check_mac_length(parsed.signature_or_mac_3, self._method.initiator_uses_static_dh)
        self._pending_plaintext = plaintext_3
        self._pending_id_cred = IdCred(encoded=parsed.id_cred_i.encoded, parameters=parsed.id_cred_i.parameters)
        self._pending_signature_or_mac = parsed.signature_or_mac_3
        self._pending_ead_bytes = parsed.ead_bytes
        events = self._receive_ead(3, parsed.ead, parsed.ead_bytes, verified=False) if parsed.ead_bytes else []
        next_state, more = self._request_credential(3, self._pending_id_cred)
        return next_state, events + more

    def _verify_pending(self, credential: Credential) -> tuple[State, list[Event]]:
        """Verify Signature_or_MAC_3 with CRED_I (§5.4.3) and derive PRK_out."""
        schedule = self._schedule
        assert schedule is not None  # set with the suite, before any state that gets here
        assert self._pending_id_cred is not None and self._ephemeral is not None
        static = self._method.initiator_uses_static_dh
        if static:
            # §4.1.1.3: PRK_4e3m = EDHOC_Extract(SALT_4e3m, G_IY), G_IY = ECDH(Y, G_I)
            salt_4e3m = schedule.kdf(self._prk_3e2m, Label.SALT_4E3M, self._th_3, schedule.hash_length)
            self._log("SALT_4e3m", salt_4e3m)
            g_iy = self._ecdh(self._ephemeral, self._peer_static_key(credential))
            self._log("G_IY", g_iy)
            self._prk_4e3m = schedule.extract(salt_4e3m, g_iy)
        else:
            self._prk_4e3m = self._prk_3e2m
        self._log("PRK_4e3m", self._prk_4e3m)
        id_cred = self._pending_id_cred.encoded
        ead = self._pending_ead_bytes
        mac_3 = self._mac(3, self._prk_4e3m, id_cred, self._th_3, credential.cred, ead, static)
        self._check_signature_or_mac(
            credential, self._pending_signature_or_mac, id_cred, self._th_3, ead, mac_3, static
        )
        # §5.4.2: TH_4 = H(TH_3, PLAINTEXT_3, CRED_I); PRK_out = EDHOC_KDF(PRK_4e3m, 7, TH_4, hash_length)
        self._th_4 = schedule.th_next(self._th_3, self._pending_plaintext, credential.cred)
        self._log("TH_4", self._th_4)
        self._prk_out = schedule.kdf(self._prk_4e3m, Label.PRK_OUT, self._th_4, schedule.hash_length)
        self._prk_exporter = schedule.prk_exporter(self._prk_out)
        self._log("PRK_out", self._prk_out)
        self._log("PRK_exporter", self._prk_exporter)
        self._peer_credential = credential
        self._ephemeral = None  # §9.8
        self._pending_plaintext = self._pending_signature_or_mac = b""
        events: list[Event] = [Message3Verified(credential=credential)]
        if self._unverified_ead:
            events.extend(self._ead_now_verified())  # EAD_1 and EAD_3 are now authenticated
        if self.config.use_message_4:
            return State.VERIFIED_M3, events
        self._prk_4e3m = self._prk_3e2m = self._prk_2e = b""
        events.append(self._completed())
        return State.COMPLETED, events

    # -- message_4 (§5.5.2) ----------------------------------------------------------
    def send_message_4(self, *, ead: Sequence[EadItem] = ()) -> list[Event]:
        """Compose message_4 (application profiles that use it, §5.5) and queue it."""
        self._check_usable()
        if self._state is not State.VERIFIED_M3:
            raise LocalProtocolError(f"send_message_4() needs a verified message_3, state is {self._state.value}")
        schedule = self._schedule
        assert schedule is not None  # set with the suite, before any state that gets here
        suite = schedule.suite
        plaintext_4 = self._produce_ead(4, ead)  # PLAINTEXT_4 = ( ? EAD_4 )
        k_4 = schedule.kdf(self._prk_4e3m, Label.K_4, self._th_4, suite.edhoc_aead.key_size)
        iv_4 = schedule.kdf(self._prk_4e3m, Label.IV_4, self._th_4, suite.edhoc_aead.nonce_size)
        self._log("K_4", k_4)
        self._log("IV_4", iv_4)
        associated_data = codec.encode_encrypt0_aad(self._th_4)  # A_4 (App. C.3)
        ciphertext_4 = self._crypto.aead(suite.edhoc_aead, k_4).encrypt(iv_4, plaintext_4, associated_data)
        message_4 = codec.encode_bstr(ciphertext_4)
        self._log("message_4", message_4)
        self._outgoing.append(message_4)
        self._prk_4e3m = self._prk_3e2m = self._prk_2e = b""
        self._state = State.COMPLETED
        return [self._completed()]

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

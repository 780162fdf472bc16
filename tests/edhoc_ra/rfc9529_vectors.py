"""RFC 9529 test vectors, copied from the RFC's trace blocks (via ../shared/specs/rfc9529_vectors.md).

Names follow the RFC; values are lowercase hex exactly as printed.  Nothing here is computed.
Each entry is preceded by the RFC 9529 section that prints it.

Note on §3.1: the first message_1 selects suite 6 (X25519), yet its G_X is the P-256
x-coordinate of the printed X (checked: P-256 public key of X has x = 741a13d7...).
An engine following RFC 9528 §5.2.2 (ephemeral key on the selected suite's curve)
therefore cannot reproduce that G_X; the tests compare the other fields."""

from __future__ import annotations

TRACE_1: dict[str, str] = {
    # RFC 9529 §2.1
    "X (I ephemeral priv, X25519)": "892ec28e5cb6669108470539500b705e60d008d347c5817ee9f3327c8a87bb03",
    # RFC 9529 §2.1
    "G_X": "31f82c7b5b9cbbf0f194d913cc12ef1532d328ef32632a4881a1c0701e237f04",
    # RFC 9529 §2.1
    "C_I (raw; wire 0x2d = int -14)": "2d",
    # RFC 9529 §2.1
    "message_1": "0000582031f82c7b5b9cbbf0f194d913cc12ef1532d328ef32632a4881a1c0701e237f042d",
    # RFC 9529 §2.2
    "Y (R ephemeral priv)": "e69c23fbf81bc435942446837fe827bf206c8fa10a39db47449e5a813421e1e8",
    # RFC 9529 §2.2
    "G_Y": "dc88d2d51da5ed67fc4616356bc8ca74ef9ebe8b387e623a360ba480b9b29d1c",
    # RFC 9529 §2.2
    "C_R (raw; wire 0x4118)": "18",
    # RFC 9529 §2.2
    "SK_R (Ed25519 priv)": "ef140ff900b0ab03f0c08d879cbbd4b31ea71e6e7ee7ffcb7e7955777a332799",
    # RFC 9529 §2.2
    "PK_R": "a1db47b95184854ad12a0c1a354e418aace33aa0f2c662c00b3ac55de92f9359",
    # RFC 9529 §2.2
    "ID_CRED_R (CBOR)": "a11822822e4879f2a41b510c1f9b",
    # RFC 9529 §2.2
    "CRED_R (DER cert, raw; CBOR = 58f1 || raw)": (
        "3081ee3081a1a003020102020462319ec4300506032b6570301d311b301906035504030c124544484f4320526f6f7420"
        "45643235353139301e170d3232303331363038323433365a170d3239313233313233303030305a30223120301e060355"
        "04030c174544484f4320526573706f6e6465722045643235353139302a300506032b6570032100a1db47b95184854ad1"
        "2a0c1a354e418aace33aa0f2c662c00b3ac55de92f9359300506032b6570034100b723bc01eab0928e8b2b6c98de19cc"
        "3823d46e7d6987b032478fecfaf14537a1af14cc8be829c6b73044101837eb4abc949565d86dce51cfae52ab82c152cb"
        "02"
    ),
    # RFC 9529 §2.2
    "H(message_1)": "c165d6a99d1bcafaac8dbf2b352a6f7d71a30b439c9d64d349a23848038ed16b",
    # RFC 9529 §2.2
    "TH_2": "c6405c154c567466ab1df20369500e540e9f14bd3a796a0652cae66c9061688d",
    # RFC 9529 §2.2
    "G_XY": "e5cdf3a986cdac5b7bf04691e2b07c08e71f53998d8f842b7c3fb4d839cf7b28",
    # RFC 9529 §2.2
    "PRK_2e (= PRK_3e2m)": "d584ac2e5dad5a77d14b53ebe72ef1d5daa8860d399373bf2c240afa7ba804da",
    # RFC 9529 §2.2
    "context_2 (CBOR seq)": (
        "4118a11822822e4879f2a41b510c1f9b5820c6405c154c567466ab1df20369500e540e9f14bd3a796a0652cae66c9061"
        "688d58f13081ee3081a1a003020102020462319ec4300506032b6570301d311b301906035504030c124544484f432052"
        "6f6f742045643235353139301e170d3232303331363038323433365a170d3239313233313233303030305a3022312030"
        "1e06035504030c174544484f4320526573706f6e6465722045643235353139302a300506032b6570032100a1db47b951"
        "84854ad12a0c1a354e418aace33aa0f2c662c00b3ac55de92f9359300506032b6570034100b723bc01eab0928e8b2b6c"
        "98de19cc3823d46e7d6987b032478fecfaf14537a1af14cc8be829c6b73044101837eb4abc949565d86dce51cfae52ab"
        "82c152cb02"
    ),
    # RFC 9529 §2.2
    "MAC_2 (32 B, method 0)": "862a7e5ef147f9a5f4c512e1b6623cd66cd17a7272072bfe5b602ffe307ee0e9",
    # RFC 9529 §2.2
    "Signature_or_MAC_2": (
        "c3b5bd44d1e44a085c03d3aede4e1e6c11c572a1968cc3629b505f98c681608d3d1de793d1c40eb5dd5d89acf1966aea"
        "07022b48cdc99870ebc40374e8fa6e09"
    ),
    # RFC 9529 §2.2
    "PLAINTEXT_2": (
        "4118a11822822e4879f2a41b510c1f9b5840c3b5bd44d1e44a085c03d3aede4e1e6c11c572a1968cc3629b505f98c681"
        "608d3d1de793d1c40eb5dd5d89acf1966aea07022b48cdc99870ebc40374e8fa6e09"
    ),
    # RFC 9529 §2.2
    "KEYSTREAM_2": (
        "fd3e7c3f2d6bee643d3c9d2f2847035d73e2ecb0f8db5cd1c6854e24896af21188b2c4344e689ec2984283d9fbc69ce1"
        "c5db10dcfff24df9a49a04a94058277bc7fa9ad6c6b194ab328b445eb080490cd786"
    ),
    # RFC 9529 §2.2
    "CIPHERTEXT_2": (
        "bc26dd270fe9c02c44ce3934794b1cc62ba22f05459f8d358c8d12275ac42c5f96ded5f13cc9084e5b201889a45e5a60"
        "a5562dc118619c3daa2fd9f4c9f4d6edad109dd4edf95962aafbaf9ab3f4a1f6b98f"
    ),
    # RFC 9529 §2.2
    "message_2": (
        "5872dc88d2d51da5ed67fc4616356bc8ca74ef9ebe8b387e623a360ba480b9b29d1cbc26dd270fe9c02c44ce3934794b"
        "1cc62ba22f05459f8d358c8d12275ac42c5f96ded5f13cc9084e5b201889a45e5a60a5562dc118619c3daa2fd9f4c9f4"
        "d6edad109dd4edf95962aafbaf9ab3f4a1f6b98f"
    ),
    # RFC 9529 §2.3
    "SK_I (Ed25519 priv)": "4c5b25878f507c6b9dae68fbd4fd3ff997533db0af00b25d324ea28e6c213bc8",
    # RFC 9529 §2.3
    "PK_I": "ed06a8ae61a829ba5fa54525c9d07f48dd44a302f43e0f23d8cc20b73085141e",
    # RFC 9529 §2.3
    "ID_CRED_I (CBOR)": "a11822822e48c24ab2fd7643c79f",
    # RFC 9529 §2.3
    "CRED_I (DER cert, raw)": (
        "3081ee3081a1a003020102020462319ea0300506032b6570301d311b301906035504030c124544484f4320526f6f7420"
        "45643235353139301e170d3232303331363038323430305a170d3239313233313233303030305a30223120301e060355"
        "04030c174544484f4320496e69746961746f722045643235353139302a300506032b6570032100ed06a8ae61a829ba5f"
        "a54525c9d07f48dd44a302f43e0f23d8cc20b73085141e300506032b6570034100521241d8b3a770996bcfc9b9ead4e7"
        "e0a1c0db353a3bdf2910b39275ae48b756015981850d27db6734e37f67212267dd05eeff27b9e7a813fa574b72a00b43"
        "0b"
    ),
    # RFC 9529 §2.3
    "TH_3": "5b7df9b4f58f240ce0418e48191b5fff3a22b5ca57f669b16777996592e928bc",
    # RFC 9529 §2.3
    "PRK_4e3m (= PRK_3e2m)": "d584ac2e5dad5a77d14b53ebe72ef1d5daa8860d399373bf2c240afa7ba804da",
    # RFC 9529 §2.3
    "MAC_3": "39b127c130129afa30618c751329e637cc3734270d4b01258445a8ee02daa3bd",
    # RFC 9529 §2.3
    "Signature_or_MAC_3": (
        "96e1cd5fceadfac1b5af819443f70924f5719955957fd02655beb4775e1a73186a0d1d3ea683f08f8d03dcecb9cf154e"
        "1c6f555a1e12ca118ce42bdba6878907"
    ),
    # RFC 9529 §2.3
    "PLAINTEXT_3": (
        "a11822822e48c24ab2fd7643c79f584096e1cd5fceadfac1b5af819443f70924f5719955957fd02655beb4775e1a7318"
        "6a0d1d3ea683f08f8d03dcecb9cf154e1c6f555a1e12ca118ce42bdba6878907"
    ),
    # RFC 9529 §2.3
    "A_3 (Enc_structure)": "8368456e6372797074304058205b7df9b4f58f240ce0418e48191b5fff3a22b5ca57f669b16777996592e928bc",
    # RFC 9529 §2.3
    "K_3": "da195e5f648ac63b0e8fb0c455205139",
    # RFC 9529 §2.3
    "IV_3": "38d8c64c56255affa449f4bed7",
    # RFC 9529 §2.3
    "CIPHERTEXT_3": (
        "25c345884aaaeb22c527f9b1d2b6787207e0163c69b62a0d43928150427203c31674e4514ea6e383b566eb29763efeb0"
        "afa518776ae1c65f856d84bf32af3a7836970466dcb71f76745d39d3025e7703e0c032ebad51947c"
    ),
    # RFC 9529 §2.3
    "message_3": (
        "585825c345884aaaeb22c527f9b1d2b6787207e0163c69b62a0d43928150427203c31674e4514ea6e383b566eb29763e"
        "feb0afa518776ae1c65f856d84bf32af3a7836970466dcb71f76745d39d3025e7703e0c032ebad51947c"
    ),
    # RFC 9529 §2.3
    "TH_4": "0eb868f263cf3555dccd396dd8dec29d3750d599be42d5a41a5a37c896f294ac",
    # RFC 9529 §2.4
    "K_4": "df8cb5861e1fdfedd3b23015a39d1e2e",
    # RFC 9529 §2.4
    "IV_4": "128ec658d970d7380f74fc6c27",
    # RFC 9529 §2.4
    "message_4": "484f0edee366e5c883",
    # RFC 9529 §2.5
    "PRK_out": "b744cb7d8a87cc0447c3350e165b250dab12ec453325abb922b30307e5c368f0",
    # RFC 9529 §2.5
    "PRK_exporter": "2aaec8fc4ab3bc3295def6b551051a2fa561424db301fa84f642f5578a6df51a",
    # RFC 9529 §2.6
    "OSCORE Master Secret": "1e1c6beac3a8a1cac435de7e2f9ae7ff",
    # RFC 9529 §2.6
    "OSCORE Master Salt": "ce7ab844c0106d73",
    # RFC 9529 §2.7
    "KeyUpdate context": "d6be169602b8bceaa01158fdb820890c",
    # RFC 9529 §2.7
    "PRK_out after KeyUpdate": "da6eacd9a985f4fba9aec2a9299022976b25b14e89fa159794f28d82faf2daad",
    # RFC 9529 §2.7
    "OSCORE Master Secret after KeyUpdate": "ee0ff542c47eb0e09c69307649bdbbe5",
    # RFC 9529 §2.7
    "OSCORE Master Salt after KeyUpdate": "80cede2a1e5aab48",
}

TRACE_2: dict[str, str] = {
    # RFC 9529 §3.1
    "first message_1 (SUITES_I=6)": "03065820741a13d7ba048fbb615e94386aa3b61bea5b3d8f65f32620b749bee8d278efa90e",
    # RFC 9529 §3.2
    "error (ERR_CODE 2, SUITES_R 2)": "0202",
    # RFC 9529 §3.3
    "X (I ephemeral priv, P-256)": "368ec1f69aeb659ba37d5a8d45b21bdc0299dceaa8ef235f3ca42ce3530f9525",
    # RFC 9529 §3.3
    "G_X (x-coord)": "8af6f430ebe18d34184017a9a11bf511c8dff8f834730b96c1b7c8dbca2fc3b6",
    # RFC 9529 §3.3
    "G_X y-coord (not sent)": "51e8af6c6edb781601ad1d9c5fa8bf7aa15716c7c06a5d038503c614ff80c9b3",
    # RFC 9529 §3.3
    "C_I (raw; wire 0x37 = int -24)": "37",
    # RFC 9529 §3.3
    "message_1": "0382060258208af6f430ebe18d34184017a9a11bf511c8dff8f834730b96c1b7c8dbca2fc3b637",
    # RFC 9529 §3.4
    "Y (R ephemeral priv)": "e2f4126777205e853b437d6eaca1e1f753cdcc3e2c69fa884b0a1a640977e418",
    # RFC 9529 §3.4
    "G_Y (x-coord)": "419701d7f00a26c2dc587a36dd752549f33763c893422c8ea0f955a13a4ff5d5",
    # RFC 9529 §3.4
    "G_Y y-coord (not sent)": "5e4f0dd8a3da0baa16b9d3ad56a0c1860a940af85914915e25019b402417e99d",
    # RFC 9529 §3.4
    "C_R (raw; wire 0x27 = int -8)": "27",
    # RFC 9529 §3.4
    "H(message_1)": "ca02cabda5a8902749b42f711050bb4dbd52153e87527594b39f50cdf019888c",
    # RFC 9529 §3.4
    "TH_2": "356efd53771425e008f3fe3a86c83ff4c6b16e57028ff39d5236c182b202084b",
    # RFC 9529 §3.4
    "G_XY": "2f0cb7e860ba538fbf5c8bded009f6259b4b628fe1eb7dbe9378e5ecf7a824ba",
    # RFC 9529 §3.4
    "PRK_2e": "5aa0d69f3e3d1e0c479f0b8a486690c9802630c3466b1dc92371c982563170b5",
    # RFC 9529 §3.4
    "SK_R (R static DH priv)": "72cc4761dbd4c78f758931aa589d348d1ef874a7e303ede2f140dcf3e6aa4aac",
    # RFC 9529 §3.4
    "G_R x": "bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046dd44f0",
    # RFC 9529 §3.4
    "G_R y": "4519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072",
    # RFC 9529 §3.4
    "SALT_3e2m": "af4e103a47cb3cf32570d5c25ad27732bd8d8178e9a69d061c31a27f8e3ca926",
    # RFC 9529 §3.4
    "G_RX": "f2b6eea02220b95eee5a0bc701f074e00a843ea02422f60825fb269b3e161423",
    # RFC 9529 §3.4
    "PRK_3e2m": "0ca3d3398296b3c03900987620c11f6fce70781c1d1219720f9ec08c122d8434",
    # RFC 9529 §3.4
    "ID_CRED_R (CBOR; compact on wire: 0x32)": "a1044132",
    # RFC 9529 §3.4
    "CRED_R (CCS, CBOR)": (
        "a2026b6578616d706c652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791"
        "a12afbcbac93622046dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072"
    ),
    # RFC 9529 §3.4
    "context_2": (
        "27a10441325820356efd53771425e008f3fe3a86c83ff4c6b16e57028ff39d5236c182b202084ba2026b6578616d706c"
        "652e65647508a101a501020241322001215820bbc34960526ea4d32e940cad2a234148ddc21791a12afbcbac93622046"
        "dd44f02258204519e257236b2a0ce2023f0931f1f386ca7afda64fcde0108c224c51eabf6072"
    ),
    # RFC 9529 §3.4
    "MAC_2 (8 B) = Signature_or_MAC_2": "0943305c899f5c54",
    # RFC 9529 §3.4
    "PLAINTEXT_2": "2732480943305c899f5c54",
    # RFC 9529 §3.4
    "KEYSTREAM_2": "bf50e9e7bad0bb68173399",
    # RFC 9529 §3.4
    "CIPHERTEXT_2": "9862a1eef9e0e7e1886fcd",
    # RFC 9529 §3.4
    "message_2": "582b419701d7f00a26c2dc587a36dd752549f33763c893422c8ea0f955a13a4ff5d59862a1eef9e0e7e1886fcd",
    # RFC 9529 §3.5
    "TH_3": "adaf67a78a4bcc91e018f8882762a722000b2507039df0bc1bbf0c161bb3155c",
    # RFC 9529 §3.5
    "SK_I (I static DH priv)": "fb13adeb6518cee5f88417660841142e830a81fe334380a953406a1305e8706b",
    # RFC 9529 §3.5
    "G_I x": "ac75e9ece3e50bfc8ed60399889522405c47bf16df96660a41298cb4307f7eb6",
    # RFC 9529 §3.5
    "G_I y": "6e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3affc8",
    # RFC 9529 §3.5
    "SALT_4e3m": "cfddf9515a7e46e7b4dbff31cbd56cd04ba332250de9ea5de1caf9f6d13914a7",
    # RFC 9529 §3.5
    "G_IY": "080f425085bc6249089eac8f108ea62326857e12ab07d72028ca1b5f36e004b3",
    # RFC 9529 §3.5
    "PRK_4e3m": "81cc8a298e357044e3c466bb5c0a1e507e01d49238aeba138df94635407c0ff7",
    # RFC 9529 §3.5
    "ID_CRED_I (CBOR; compact on wire: 0x2b)": "a104412b",
    # RFC 9529 §3.5
    "CRED_I (CCS, CBOR)": (
        "a2027734322d35302d33312d46462d45462d33372d33322d333908a101a5010202412b2001215820ac75e9ece3e50bfc"
        "8ed60399889522405c47bf16df96660a41298cb4307f7eb62258206e5de611388a4b8a8211334ac7d37ecb52a387d257"
        "e6db3c2a93df21ff3affc8"
    ),
    # RFC 9529 §3.5
    "context_3": (
        "a104412b5820adaf67a78a4bcc91e018f8882762a722000b2507039df0bc1bbf0c161bb3155ca2027734322d35302d33"
        "312d46462d45462d33372d33322d333908a101a5010202412b2001215820ac75e9ece3e50bfc8ed60399889522405c47"
        "bf16df96660a41298cb4307f7eb62258206e5de611388a4b8a8211334ac7d37ecb52a387d257e6db3c2a93df21ff3aff"
        "c8"
    ),
    # RFC 9529 §3.5
    "MAC_3 (8 B) = Signature_or_MAC_3": "623c91df41e34c2f",
    # RFC 9529 §3.5
    "PLAINTEXT_3": "2b48623c91df41e34c2f",
    # RFC 9529 §3.5
    "A_3": "8368456e637279707430405820adaf67a78a4bcc91e018f8882762a722000b2507039df0bc1bbf0c161bb3155c",
    # RFC 9529 §3.5
    "K_3": "8e7a30042000f7900e8174131f75f3ed",
    # RFC 9529 §3.5
    "IV_3": "6d8300c1e23b56153ae70ee457",
    # RFC 9529 §3.5
    "CIPHERTEXT_3": "e562097bc417dd5919485ac7891ffd90a9fc",
    # RFC 9529 §3.5
    "message_3": "52e562097bc417dd5919485ac7891ffd90a9fc",
    # RFC 9529 §3.5
    "TH_4": "c902b1e3a4326c93c5551f5f3aa6c5ecc0246806765612e52b5d99e6059d6b6e",
    # RFC 9529 §3.6
    "K_4": "d3c77872b6eeb508911bdbd308b2e6a0",
    # RFC 9529 §3.6
    "IV_4": "04ff0f44456e96e217853c3601",
    # RFC 9529 §3.6
    "message_4": "4828c966b7ca304f83",
    # RFC 9529 §3.7
    "PRK_out": "2c71afc1a9338a940bb3529ca734b886f30d1aba0b4dc51beeaeabdfea9ecbf8",
    # RFC 9529 §3.7
    "PRK_exporter": "e14d06699cee248c5a04bf9227bbcd4ce394de7dcb56db43555474171e6446db",
    # RFC 9529 §3.8
    "OSCORE Master Secret": "f9868f6a3aca78a05d1485b35030b162",
    # RFC 9529 §3.8
    "OSCORE Master Salt": "ada24c7dbfc85eeb",
    # RFC 9529 §3.9
    "KeyUpdate context": "a01158fdb820890cd6be169602b8bcea",
    # RFC 9529 §3.9
    "PRK_out after KeyUpdate": "f979537743fe0bd6b9b141ddbd79656c52e6dc7c50ad807754d74d07e87d0d16",
    # RFC 9529 §3.9
    "OSCORE Master Secret after KeyUpdate": "49f72fac02b4658bda21e2dac66fc374",
    # RFC 9529 §3.9
    "OSCORE Master Salt after KeyUpdate": "dd8b24f2aa9b011a",
    # RFC 9529 §3.1
    "first X (I ephemeral priv)": "5c4172aca8b82b5a62e66f722216f5a10f72aa69f42c1d1cd3ccd7bfd29ca4e9",
}

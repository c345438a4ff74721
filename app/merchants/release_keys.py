"""The union's release key: Ed25519 (the `cryptography` library). The private key signs releases and
stays in a file on the publishing computer, never in the database; members' apps hold the public key."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from app.safe_write import create_new, write_bytes, write_text

PUBLIC_PREFIX = "unioncard-ed25519 "
# The member app trusts, in this order: a key given on the command line, one set with
# `catalogue trust`, UNIONCARD_RELEASE_KEY (a file), and the key shipped beside this module.
KEY_ENV = "UNIONCARD_RELEASE_KEY"
BUNDLED_PUBLIC_KEY = Path(__file__).resolve().parent / "union_release_key.pub"


class KeyError_(ValueError):
    """A key file that is missing, damaged or of the wrong kind."""


def generate(out_dir: Path, name: str = "union") -> tuple[Path, Path]:
    """Write name.key (private, PKCS#8 PEM, readable by its owner only), name.pub (what member apps
    trust) and name.pem (the same public key as SubjectPublicKeyInfo PEM, so anyone can check a release
    with openssl); refuses to overwrite an existing private key, which would orphan every member app
    that trusts it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    private_path, public_path = out_dir / f"{name}.key", out_dir / f"{name}.pub"
    if private_path.exists():
        raise KeyError_(f"{private_path} 已存在：换新密钥会让所有会员端无法再验证发布，请先确认后手动移走")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:
        create_new(private_path, pem, 0o600)
    except FileExistsError:
        raise KeyError_(f"{private_path} 已存在：换新密钥会让所有会员端无法再验证发布，请先确认后手动移走") from None
    pem_path = public_path.with_suffix(".pem")
    try:
        write_text(public_path, public_text(key.public_key()) + "\n", encoding="ascii")
        write_bytes(pem_path, public_pem(key.public_key()))
    except OSError:
        for made in (private_path, public_path, pem_path):   # a key pair, or nothing
            made.unlink(missing_ok=True)
        raise
    return private_path, public_path


def public_pem(key: Ed25519PublicKey) -> bytes:
    """The public key as openssl reads it: `openssl pkeyutl -verify -pubin -inkey union.pem -rawin ...`."""
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return PUBLIC_PREFIX + base64.b64encode(raw).decode("ascii")


def fingerprint(key: Ed25519PublicKey) -> str:
    """The key as members compare it with the union's notice: 16 hex digits in groups of four."""
    digest = hashlib.sha256(public_text(key).encode("ascii")).hexdigest()[:16].upper()
    return " ".join(digest[i:i + 4] for i in range(0, 16, 4))


def load_private(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except FileNotFoundError:
        raise KeyError_(f"找不到私钥文件：{path}") from None
    except (ValueError, TypeError) as exc:
        raise KeyError_(f"{path} 不是可用的私钥文件：{exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyError_(f"{path} 不是 Ed25519 私钥")
    return key


def parse_public(text: str, where: str = "公钥") -> Ed25519PublicKey:
    text = text.strip()
    if not text.startswith(PUBLIC_PREFIX):
        raise KeyError_(f"{where} 不是工会卡的发布公钥（应以“{PUBLIC_PREFIX.strip()}”开头）")
    try:
        raw = base64.b64decode(text[len(PUBLIC_PREFIX):], validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError):
        raise KeyError_(f"{where} 已损坏") from None


def load_public(path: Path) -> Ed25519PublicKey:
    try:
        return parse_public(Path(path).read_text(encoding="ascii"), str(path))
    except FileNotFoundError:
        raise KeyError_(f"找不到公钥文件：{path}") from None
    except UnicodeDecodeError:
        raise KeyError_(f"{path} 不是公钥文件") from None


def sign(key: Ed25519PrivateKey, data: bytes) -> bytes:
    return base64.b64encode(key.sign(data)) + b"\n"


def verify(key: Ed25519PublicKey, data: bytes, signature: bytes) -> bool:
    try:
        key.verify(base64.b64decode(signature.strip(), validate=True), data)
        return True
    except (InvalidSignature, ValueError):
        return False

"""Private files: stored outside web roots, encrypted at rest, readable only with a configured key."""

import hashlib

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from commission import private_files


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    return settings.PRIVATE_FILES_ROOT


def test_content_is_encrypted_on_disk_and_read_back_in_clear(private_root):
    content = "Évaluation de l’association : confidentiel".encode()
    relative, digest = private_files.write("documents", content, ".pdf")
    on_disk = (private_root / relative).read_bytes()
    assert content not in on_disk
    assert b"confidentiel" not in on_disk
    assert private_files.read(relative) == content
    assert digest == hashlib.sha256(content).hexdigest()


def test_names_are_random_and_never_overwrite():
    first, _ = private_files.write("letters", b"a")
    second, _ = private_files.write("letters", b"a")
    assert first != second
    assert first.startswith("letters/")


def test_a_tampered_file_is_refused(private_root):
    relative, _ = private_files.write("documents", b"contenu")
    path = private_root / relative
    data = bytearray(path.read_bytes())
    data[-5] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(private_files.DecryptionError):
        private_files.read(relative)


def test_a_path_outside_the_private_root_is_refused():
    with pytest.raises(ValueError, match="outside"):
        private_files.read("../../etc/passwd")


def test_key_rotation_reencrypts_every_file_with_the_new_key(settings, private_root, capsys):
    old_key = settings.FILES_ENCRYPTION_KEYS[0]
    relative, _ = private_files.write("minutes", b"proces-verbal")
    new_key = Fernet.generate_key().decode()
    settings.FILES_ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_files_key")
    assert "seraient rechiffré" in capsys.readouterr().out
    assert Fernet(old_key.encode()).decrypt((private_root / relative).read_bytes()) == b"proces-verbal"

    call_command("rotate_files_key", "--wet-run")
    assert "1 fichier(s) rechiffré(s)" in capsys.readouterr().out
    settings.FILES_ENCRYPTION_KEYS = [new_key]
    assert private_files.read(relative) == b"proces-verbal"


def test_without_the_key_a_file_cannot_be_read(settings):
    relative, _ = private_files.write("documents", b"secret")
    settings.FILES_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(private_files.DecryptionError):
        private_files.read(relative)

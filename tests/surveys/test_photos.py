"""Photos copied into the project folder, with clear messages for bad files."""

import pytest
from PIL import Image

from surveys.photos import attach_photo, check_photos, photo_dir, resolve_photo
from surveys.store_errors import PhotoError


@pytest.fixture
def project(tmp_path):
    p = tmp_path / "proj" / "park.gpkg"
    p.parent.mkdir()
    p.write_bytes(b"")
    return p


def test_attach_photo_copies_and_thumbnails(project, tmp_path):
    src = tmp_path / "IMG 0012.jpg"
    Image.new("RGB", (1200, 800), "blue").save(src)
    att = attach_photo(project, src)
    assert att.relpath.startswith("park.photos/") and att.relpath.endswith("_IMG_0012.jpg")
    assert att.path.parent == photo_dir(project) and att.path.read_bytes() == src.read_bytes()
    with Image.open(att.thumb) as im:
        assert max(im.size) == 256
    assert resolve_photo(project, att.relpath) == att.path.resolve()
    assert check_photos(project, [att.relpath]) == []


@pytest.mark.parametrize(
    ("make", "kind", "match"),
    [
        (lambda p: None, "missing", "was not found"),
        (lambda p: p.write_text("not an image"), "not_image", "is not an image"),
        (lambda p: p.write_bytes(b""), "empty", "empty file"),
        (lambda p: p.mkdir(), "not_file", "is a folder"),
    ],
)
def test_attach_photo_refuses_bad_files(project, tmp_path, make, kind, match):
    src = tmp_path / "x.jpg"
    make(src)
    with pytest.raises(PhotoError, match=match) as info:
        attach_photo(project, src)
    assert info.value.data["kind"] == kind
    assert not photo_dir(project).exists() or not any(photo_dir(project).glob("*x.jpg"))


def test_attach_photo_refuses_huge_file(project, tmp_path):
    src = tmp_path / "huge.jpg"
    with src.open("wb") as fh:
        fh.truncate(51 * 1024 * 1024)  # sparse: 51 MB without writing them
    with pytest.raises(PhotoError, match=r"51.0 MB, more than the 50 MB allowed"):
        attach_photo(project, src)


@pytest.mark.parametrize(
    "bad",
    [
        "../secret.jpg",
        "park.photos/../../x.jpg",
        "/etc/passwd",
        "C:\\Windows\\x.jpg",
        "..\\..\\x.jpg",
        "",
    ],
)
def test_photo_paths_cannot_escape_project_folder(project, bad):
    with pytest.raises(PhotoError, match="project folder") as info:
        resolve_photo(project, bad)
    assert info.value.data["kind"] == "outside"


def test_missing_stored_photo_is_reported(project):
    errors = check_photos(project, ["park.photos/gone.jpg"])
    assert len(errors) == 1 and "is missing" in errors[0].message

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import pixparam as pp
from pixparam.images import area_downsample, resolve_size, upsample

#: Library code must not use its own deprecated call forms (the tests' own deliberate calls are caught by pytest.warns).
pytestmark = pytest.mark.filterwarnings("error::DeprecationWarning:pixparam")


@pytest.mark.parametrize(
    ("dtype", "scale"), [(np.uint8, 255), (np.uint16, 65535), (np.float32, 1.0), (np.float64, 1.0)]
)
def test_array_dtypes_scale_to_unit_range(dtype, scale):
    a = (np.arange(12, dtype=np.float64).reshape(3, 4) / 11 * scale).astype(dtype)
    img = pp.load_image(a)
    assert img.dtype == np.float32 and img.shape == (3, 4, 1)
    np.testing.assert_allclose(img[..., 0], a.astype(np.float64) / scale, atol=1e-6)


def test_bool_array_is_zero_or_one():
    img = pp.load_image(np.eye(3, dtype=bool))
    assert set(np.unique(img)) == {0.0, 1.0}


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_channels_kept(channels):
    img = pp.load_image(np.full((5, 6, channels), 128, np.uint8))
    assert img.shape == (5, 6, channels)


def test_pil_modes(tmp_path):
    rgba = Image.new("RGBA", (7, 5), (255, 0, 0, 128))
    assert pp.load_image(rgba).shape == (5, 7, 4)
    la = Image.new("LA", (7, 5), (10, 200))
    assert pp.load_image(la).shape == (5, 7, 4)  # gray+alpha becomes RGBA
    pal = Image.new("P", (7, 5))
    assert pp.load_image(pal).shape == (5, 7, 3)
    i16 = Image.fromarray(np.full((5, 7), 65535, np.uint16))
    path = tmp_path / "deep.png"
    i16.save(path)
    img = pp.load_image(path)
    assert img.shape == (5, 7, 1) and img.max() == pytest.approx(1.0)


def test_file_round_trip_8bit(tmp_path, rgb32):
    path = pp.save_image(rgb32, tmp_path / "a.png")
    back = pp.load_image(path)
    np.testing.assert_allclose(back, np.round(rgb32 * 255) / 255, atol=1e-6)


def test_save_image_is_atomic_on_bad_format(tmp_path, rgb32):
    with pytest.raises(pp.ImageError, match="format"):
        pp.save_image(rgb32, tmp_path / "a.unknownext")
    assert list(tmp_path.iterdir()) == []


def test_samples_load_in_unit_range():
    for name in ("astronaut", "camera", "logo"):
        img = pp.load_image(name, size=16)
        assert img.dtype == np.float32 and 0.0 <= img.min() and img.max() <= 1.0
        assert max(img.shape[:2]) == 16
    assert pp.load_image("camera").shape == (512, 512, 1)
    assert pp.load_image("logo").shape[2] == 4


def test_size_longest_side_and_exact():
    img = pp.load_image("chelsea", size=45)  # 300×451
    assert img.shape == (30, 45, 3)
    assert pp.load_image("chelsea", size=(20, 10)).shape == (20, 10, 3)
    assert resolve_size(10, (100, 50)) == (10, 5)


def test_area_downsample_averages_blocks():
    a = np.random.default_rng(0).random((8, 8, 3)).astype(np.float32)
    small = area_downsample(a, (4, 4))
    expected = a.reshape(4, 2, 4, 2, 3).mean(axis=(1, 3))
    np.testing.assert_allclose(small, expected, atol=1e-6)


def test_upsample_nearest_makes_blocks():
    a = np.random.default_rng(1).random((3, 4, 1)).astype(np.float32)
    big = upsample(a, (6, 8), mode="nearest")
    np.testing.assert_array_equal(big, a.repeat(2, axis=0).repeat(2, axis=1))
    with pytest.raises(pp.ConfigError, match="mode='box'"):
        upsample(a, (6, 8), mode="box")


def test_positional_options_are_deprecated():
    a = np.random.default_rng(1).random((3, 4, 1)).astype(np.float32)
    with pytest.warns(DeprecationWarning, match=r"upsample\(img, shape, mode=\.\.\.\)"):
        old = upsample(a, (6, 8), "bilinear")
    np.testing.assert_array_equal(old, upsample(a, (6, 8), mode="bilinear"))
    with pytest.warns(DeprecationWarning, match=r"load_image\(src, size=\.\.\.\)"):
        old = pp.load_image("camera", 16)
    np.testing.assert_array_equal(old, pp.load_image("camera", size=16))


@pytest.mark.parametrize(
    ("src", "error", "match"),
    [
        ("no/such/file.png", pp.ImageNotFoundError, "does not exist"),
        ("astronot", pp.ImageNotFoundError, "built-in samples are"),
        (np.zeros((0, 4)), pp.ImageError, "empty"),
        (np.zeros((1, 1, 3)), pp.ImageError, "at least 2 pixels"),
        (np.zeros((1, 9)), pp.ImageError, "at least 2 pixels"),
        (np.full((4, 4), np.nan, np.float32), pp.ImageError, "NaN"),
        (np.zeros((2, 3, 4, 5, 6)), pp.ImageError, "5 dimensions"),
        (np.zeros(7), pp.ImageError, "1 dimensions"),
        (np.zeros((4, 4, 2)), pp.ImageError, "2 channels"),
        (np.zeros((3, 16, 16)), pp.ImageError, "channels-first"),
        (np.full((4, 4), 2.0), pp.ImageError, r"in \[0, 1\]"),
        (np.zeros((4, 4), np.int64), pp.ImageError, "ambiguous"),
        (12, pp.ImageError, "cannot load an image from a int"),
    ],
)
def test_bad_inputs_raise_typed_errors(src, error, match):
    with pytest.raises(error, match=match):
        pp.load_image(src)


def test_not_an_image_file(tmp_path):
    p = tmp_path / "notes.png"
    p.write_text("this is text")
    with pytest.raises(pp.ImageError, match="not an image file"):
        pp.load_image(p)
    with pytest.raises(pp.ImageError, match="is a folder"):
        pp.load_image(tmp_path)


def test_truncated_image_file(tmp_path, rgb32):
    p = pp.save_image(rgb32, tmp_path / "a.png")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(pp.ImageError, match="truncated"):
        pp.load_image(p)


def test_missing_file_is_also_file_not_found_error():
    with pytest.raises(FileNotFoundError):
        pp.load_image("missing.png")


@pytest.mark.parametrize("size", [0, 1, (0, 4), (4,), "big", 2.5, True])
def test_bad_size(size):
    with pytest.raises(pp.ImageError, match="size"):
        pp.load_image(np.zeros((4, 4)), size=size)


def test_missing_folder_is_an_output_error_and_file_not_found(tmp_path, rgb32):
    with pytest.raises(pp.OutputError, match="create it first") as exc:
        pp.save_image(rgb32, tmp_path / "no" / "a.png")
    assert isinstance(exc.value, FileNotFoundError)

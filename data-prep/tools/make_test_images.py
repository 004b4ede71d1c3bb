#!/usr/bin/python3
"""Generates data-prep's test images and their Pillow outputs (the oracle the Java code must equal).

Run with Debian's Pillow (apt-get install python3-pil python3-numpy; checked with Pillow 9.4.0):
    /usr/bin/python3 data-prep/tools/make_test_images.py
It rewrites data-prep/src/test/resources/org/sdti/dataprep/{resize,formats}/. The outputs are committed, so the
tests need no Python. Everything is seeded: a rerun with the same Pillow gives the same files.
"""
import io
import os
import struct
import zlib

import numpy as np
import PIL
from PIL import Image, ImageOps

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "org", "sdti",
                    "dataprep")
RESIZE = os.path.join(ROOT, "resize")
FORMATS = os.path.join(ROOT, "formats")

FILTERS = {"BICUBIC": Image.BICUBIC, "BILINEAR": Image.BILINEAR, "LANCZOS": Image.LANCZOS}


def test_pattern(w, h, seed):
    """Smooth gradients, hard edges and noise: exercises ringing, clamping at 0/255 and every kernel tap."""
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[0:h, 0:w]
    r = (x * 255.0 / max(w - 1, 1))
    g = (y * 255.0 / max(h - 1, 1))
    b = np.where(((x // 3) + (y // 2)) % 2 == 0, 255.0, 0.0)  # checkerboard: maximal overshoot
    img = np.stack([r, g, b], axis=-1) + rng.randint(-40, 41, size=(h, w, 3))
    img[rng.rand(h, w) < 0.05] = 0      # isolated black and white pixels
    img[rng.rand(h, w) < 0.05] = 255
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


def reference_center_crop(im):
    """diffusers textual_inversion.py with --center_crop: numpy slice of the min-side square, floor offsets."""
    a = np.array(im)
    h, w = a.shape[0], a.shape[1]
    crop = min(h, w)
    a = a[(h - crop) // 2:(h + crop) // 2, (w - crop) // 2:(w + crop) // 2]
    return Image.fromarray(a)


def short_side_size(w, h, size):
    """torchvision Resize(size): the shorter side becomes size, the longer int(size * long / short)."""
    if w <= h:
        return size, int(size * h / w)
    return int(size * w / h), size


def center_crop_box(w, h, size):
    """torchvision CenterCrop: offsets int(round((len - size) / 2.0)) (Python's round: half to even)."""
    left = int(round((w - size) / 2.0))
    top = int(round((h - size) / 2.0))
    return left, top, left + size, top + size


def make_resize_cases():
    os.makedirs(RESIZE, exist_ok=True)
    inputs = {
        "in37x23": test_pattern(37, 23, 1),
        "in20x13": test_pattern(20, 13, 2),
        "in301x199": test_pattern(301, 199, 3),
        "in240x180": test_pattern(240, 180, 4),
        "in7x5": test_pattern(7, 5, 5),
        "in3x3": test_pattern(3, 3, 6),
        "in150x400": test_pattern(150, 400, 7),
        "in1x9": test_pattern(1, 9, 8),
    }
    for name, im in inputs.items():
        im.save(os.path.join(RESIZE, name + ".png"))
    # case, input, mode, filter, size-or-width, height
    cases = [
        ("down_37x23_to_16x16", "in37x23", "resize", "BICUBIC", 16, 16),
        ("up_20x13_to_64x64", "in20x13", "resize", "BICUBIC", 64, 64),
        ("down_240x180_to_157x118", "in240x180", "resize", "BICUBIC", 157, 118),
        ("down_240x180_to_53x23", "in240x180", "resize", "BICUBIC", 53, 23),
        ("up_7x5_to_29x41", "in7x5", "resize", "BICUBIC", 29, 41),
        ("mixed_37x23_to_50x11", "in37x23", "resize", "BICUBIC", 50, 11),
        ("down_3x3_to_1x1", "in3x3", "resize", "BICUBIC", 1, 1),
        ("same_width_37x23_to_37x60", "in37x23", "resize", "BICUBIC", 37, 60),
        ("same_height_37x23_to_80x23", "in37x23", "resize", "BICUBIC", 80, 23),
        ("up_1x9_to_5x4", "in1x9", "resize", "BICUBIC", 5, 4),
        ("bilinear_240x180_to_157x118", "in240x180", "resize", "BILINEAR", 157, 118),
        ("bilinear_20x13_to_64x64", "in20x13", "resize", "BILINEAR", 64, 64),
        ("lanczos_240x180_to_157x118", "in240x180", "resize", "LANCZOS", 157, 118),
        ("lanczos_20x13_to_64x64", "in20x13", "resize", "LANCZOS", 64, 64),
        ("refcenter_301x199_to_128", "in301x199", "reference_center", "BICUBIC", 128, 128),
        ("refcenter_150x400_to_64", "in150x400", "reference_center", "BICUBIC", 64, 64),
        ("refcenter_20x13_to_64", "in20x13", "reference_center", "BICUBIC", 64, 64),
        ("squash_301x199_to_128", "in301x199", "squash", "BICUBIC", 128, 128),
        ("short_301x199_to_128", "in301x199", "short_side", "BICUBIC", 128, 128),
        ("shortcenter_301x199_to_128", "in301x199", "short_side_center", "BICUBIC", 128, 128),
        ("shortcenter_150x400_to_64", "in150x400", "short_side_center", "BICUBIC", 64, 64),
        ("shortcenter_37x23_to_16", "in37x23", "short_side_center", "BICUBIC", 16, 16),
        ("shortcenter_20x13_to_50", "in20x13", "short_side_center", "BICUBIC", 50, 50),
    ]
    lines = ["# case\tinput\tmode\tfilter\twidth (or size)\theight\texpected (Pillow %s)" % PIL.__version__]
    for case, inp, mode, flt, w, h in cases:
        im = inputs[inp]
        f = FILTERS[flt]
        if mode == "resize" or mode == "squash":
            out = im.resize((w, h), resample=f)
        elif mode == "reference_center":
            out = reference_center_crop(im).resize((w, h), resample=f)
        elif mode == "short_side":
            out = im.resize(short_side_size(im.width, im.height, w), resample=f)
        elif mode == "short_side_center":
            r = im.resize(short_side_size(im.width, im.height, w), resample=f)
            out = r.crop(center_crop_box(r.width, r.height, w))
        else:
            raise ValueError(mode)
        out.save(os.path.join(RESIZE, case + ".png"))
        lines.append("\t".join([case, inp + ".png", mode, flt, str(w), str(h), case + ".png"]))
    with open(os.path.join(RESIZE, "cases.tsv"), "w") as fh:
        fh.write("\n".join(lines) + "\n")


def on_white(im):
    """Alpha composite over opaque white: Image.alpha_composite (the same numbers as paste(im, mask=alpha))."""
    rgba = im.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    out = Image.alpha_composite(white, rgba).convert("RGB")
    pasted = Image.new("RGB", rgba.size, (255, 255, 255))
    pasted.paste(rgba, mask=rgba.split()[3])
    assert np.array_equal(np.array(out), np.array(pasted)), "alpha_composite and paste disagree"
    return out


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)


def write_png16_rgba(path, a16):
    """Pillow cannot write 16-bit RGBA PNGs, so the file is assembled by hand (filter type 0 on every row)."""
    h, w, _ = a16.shape
    raw = b"".join(b"\x00" + a16[y].astype(">u2").tobytes() for y in range(h))
    data = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 6, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))
    with open(path, "wb") as fh:
        fh.write(data)


def exif_with_orientation(n):
    e = Image.Exif()
    e[0x0112] = n
    return e.tobytes()


def quadrants(w, h):
    """Four flat colours in 8-pixel-aligned blocks: survives JPEG almost unchanged, and shows any rotation."""
    a = np.zeros((h, w, 3), np.uint8)
    a[: h // 2, : w // 2] = (220, 30, 30)
    a[: h // 2, w // 2:] = (30, 200, 40)
    a[h // 2:, : w // 2] = (30, 40, 210)
    a[h // 2:, w // 2:] = (240, 230, 20)
    a[0:8, 0:8] = (250, 250, 250)  # the top-left corner is marked
    return Image.fromarray(a, "RGB")


def make_format_cases():
    os.makedirs(FORMATS, exist_ok=True)
    rng = np.random.RandomState(42)

    def save_expected(name, im):
        im.save(os.path.join(FORMATS, name + ".expected.png"))

    # PNG RGBA: every alpha from 0 to 255 occurs
    rgba = rng.randint(0, 256, size=(16, 17, 4)).astype(np.uint8)
    rgba[..., 3].flat[:256] = np.arange(256, dtype=np.uint8)
    im = Image.fromarray(rgba, "RGBA")
    im.save(os.path.join(FORMATS, "rgba.png"))
    save_expected("rgba", on_white(im))

    # PNG RGBA with every (value, alpha) pair: x is the colour value, y the alpha
    x, y = np.meshgrid(np.arange(256), np.arange(256))
    every = np.stack([x, 255 - x, (x * 7) % 256, y], axis=-1).astype(np.uint8)
    im = Image.fromarray(every, "RGBA")
    im.save(os.path.join(FORMATS, "alpha_all.png"))
    save_expected("alpha_all", on_white(im))

    # PNG gray + alpha
    la = Image.fromarray(rng.randint(0, 256, size=(9, 11, 2)).astype(np.uint8), "LA")
    la.save(os.path.join(FORMATS, "la.png"))
    save_expected("la", on_white(la))

    # PNG gray, 8 bit
    gray = Image.fromarray(rng.randint(0, 256, size=(7, 10)).astype(np.uint8), "L")
    gray.save(os.path.join(FORMATS, "gray.png"))
    save_expected("gray", gray.convert("RGB"))

    # PNG palette with a transparent entry (tRNS)
    pal = Image.fromarray(rng.randint(0, 6, size=(8, 12)).astype(np.uint8), "P")
    pal.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 200, 100, 50, 90, 90, 90])
    pal.info["transparency"] = 3
    pal.save(os.path.join(FORMATS, "palette_trns.png"), transparency=3)
    save_expected("palette_trns", on_white(Image.open(os.path.join(FORMATS, "palette_trns.png"))))

    # PNG 16-bit gray (Pillow writes mode I;16): expected = high byte, replicated
    g16 = rng.randint(0, 65536, size=(6, 9)).astype(np.uint16)
    Image.fromarray(g16, "I;16").save(os.path.join(FORMATS, "gray16.png"))
    save_expected("gray16", Image.fromarray((g16 >> 8).astype(np.uint8), "L").convert("RGB"))

    # PNG 16-bit RGBA (hand-written): expected = high bytes (what Pillow's RGBA;16B unpacker keeps), then on white
    a16 = rng.randint(0, 65536, size=(5, 8, 4)).astype(np.uint16)
    a16[0, :4, 3] = [0, 255, 65280, 65535]
    write_png16_rgba(os.path.join(FORMATS, "rgba16.png"), a16)
    check = Image.open(os.path.join(FORMATS, "rgba16.png"))
    assert check.mode == "RGBA" and np.array_equal(np.array(check), (a16 >> 8).astype(np.uint8))
    save_expected("rgba16", on_white(check))

    # GIF, palette with a transparent index
    gif = Image.fromarray(rng.randint(0, 5, size=(10, 14)).astype(np.uint8), "P")
    gif.putpalette([0, 0, 0, 255, 255, 255, 200, 30, 30, 30, 200, 30, 30, 30, 200] + [0, 0, 0] * 251)
    gif.save(os.path.join(FORMATS, "palette.gif"), transparency=2)
    save_expected("palette", on_white(Image.open(os.path.join(FORMATS, "palette.gif")).convert("RGBA")))

    # GIF with two frames: the first one counts
    f1 = Image.fromarray(np.full((6, 6), 1, np.uint8), "P")
    f1.putpalette([0, 0, 0, 10, 120, 230] + [0, 0, 0] * 254)
    f2 = Image.fromarray(np.full((6, 6), 0, np.uint8), "P")
    f2.putpalette([0, 0, 0, 10, 120, 230] + [0, 0, 0] * 254)
    f1.save(os.path.join(FORMATS, "animated.gif"), save_all=True, append_images=[f2], duration=100, loop=0)
    save_expected("animated", Image.open(os.path.join(FORMATS, "animated.gif")).convert("RGB"))

    # BMP: 24-bit and 8-bit palette
    bmp = test_pattern(13, 7, 11)
    bmp.save(os.path.join(FORMATS, "rgb24.bmp"))
    save_expected("rgb24", bmp)
    p8 = test_pattern(9, 6, 12).quantize(colors=16)
    p8.save(os.path.join(FORMATS, "pal8.bmp"))
    save_expected("pal8", Image.open(os.path.join(FORMATS, "pal8.bmp")).convert("RGB"))

    # WebP lossless with alpha (exact), lossy (decoders may differ by a little)
    wl = Image.fromarray(rgba, "RGBA")
    wl.save(os.path.join(FORMATS, "lossless.webp"), lossless=True)
    save_expected("lossless", on_white(Image.open(os.path.join(FORMATS, "lossless.webp"))))
    # a photo-like gradient: on hard colour edges lossy decoders differ far more (chroma upsampling)
    yy, xx = np.mgrid[0:32, 0:48]
    smooth = np.stack([xx * 5.0, yy * 7.0, 128 + 60 * np.sin(xx / 7.0)], -1).clip(0, 255).astype(np.uint8)
    Image.fromarray(smooth, "RGB").save(os.path.join(FORMATS, "lossy.webp"), quality=90)
    save_expected("lossy", Image.open(os.path.join(FORMATS, "lossy.webp")).convert("RGB"))

    # JPEG: all eight EXIF orientations of one picture; expected = Pillow's decode + ImageOps.exif_transpose
    base = quadrants(32, 16)
    for n in range(1, 9):
        name = "orient%d" % n
        base.save(os.path.join(FORMATS, name + ".jpg"), quality=95, exif=exif_with_orientation(n))
        save_expected(name, ImageOps.exif_transpose(Image.open(os.path.join(FORMATS, name + ".jpg"))).convert("RGB"))
    # the same orientation data in WebP (EXIF chunk) and PNG (eXIf chunk)
    base.save(os.path.join(FORMATS, "orient6.webp"), lossless=True, exif=exif_with_orientation(6))
    save_expected("orient6_webp", ImageOps.exif_transpose(Image.open(os.path.join(FORMATS, "orient6.webp"))))
    base.save(os.path.join(FORMATS, "orient3.png"), exif=exif_with_orientation(3))
    save_expected("orient3_png", ImageOps.exif_transpose(Image.open(os.path.join(FORMATS, "orient3.png"))))

    # JPEG gray and CMYK (Adobe); CMYK is compared loosely: colour conversions differ between decoders
    Image.fromarray(np.repeat(np.repeat(rng.randint(0, 256, size=(2, 3)), 8, 0), 8, 1).astype(np.uint8),
                    "L").save(os.path.join(FORMATS, "gray.jpg"), quality=95)
    save_expected("gray_jpg", Image.open(os.path.join(FORMATS, "gray.jpg")).convert("RGB"))
    cmyk = np.zeros((16, 32, 4), np.uint8)
    cmyk[:, :16] = (255, 0, 0, 0)    # cyan
    cmyk[:, 16:] = (0, 0, 0, 255)    # black
    Image.fromarray(cmyk, "CMYK").save(os.path.join(FORMATS, "cmyk.jpg"), quality=95)

    # bad inputs
    with open(os.path.join(FORMATS, "not_an_image.jpg"), "wb") as fh:
        fh.write(b"this is a text file with an image name\n")
    open(os.path.join(FORMATS, "empty.png"), "wb").close()
    buf = io.BytesIO()
    test_pattern(64, 64, 14).save(buf, "PNG")
    with open(os.path.join(FORMATS, "truncated.png"), "wb") as fh:
        fh.write(buf.getvalue()[: len(buf.getvalue()) // 2])
    test_pattern(12, 30, 15).save(os.path.join(FORMATS, "small12x30.png"))


def make_end_to_end_cases():
    """Whole preparation as the reference does it (plus alpha over white and EXIF): file -> training square."""
    e2e = os.path.join(ROOT, "e2e")
    os.makedirs(e2e, exist_ok=True)
    rng = np.random.RandomState(7)
    a = np.array(test_pattern(61, 40, 21).convert("RGBA"))
    a[..., 3] = rng.randint(0, 256, size=(40, 61))
    a[:, :10, 3] = 0
    Image.fromarray(a, "RGBA").save(os.path.join(e2e, "alpha61x40.png"))
    picture = on_white(Image.open(os.path.join(e2e, "alpha61x40.png")))
    square = reference_center_crop(picture).resize((32, 32), resample=Image.BICUBIC)
    square.save(os.path.join(e2e, "alpha61x40.center32.png"))
    square.transpose(Image.FLIP_LEFT_RIGHT).save(os.path.join(e2e, "alpha61x40.center32.flipped.png"))
    r = picture.resize(short_side_size(picture.width, picture.height, 32), resample=Image.BICUBIC)
    r.crop(center_crop_box(r.width, r.height, 32)).save(os.path.join(e2e, "alpha61x40.short32.png"))
    picture.resize((32, 32), resample=Image.BICUBIC).save(os.path.join(e2e, "alpha61x40.squash32.png"))

    test_pattern(45, 30, 22).save(os.path.join(e2e, "rot6.jpg"), quality=95, exif=exif_with_orientation(6))
    upright = ImageOps.exif_transpose(Image.open(os.path.join(e2e, "rot6.jpg"))).convert("RGB")
    reference_center_crop(upright).resize((24, 24), resample=Image.BICUBIC).save(
        os.path.join(e2e, "rot6.center24.png"))


if __name__ == "__main__":
    make_resize_cases()
    make_format_cases()
    make_end_to_end_cases()
    print("Pillow", PIL.__version__, "->", os.path.normpath(ROOT))

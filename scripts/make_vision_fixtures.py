#!/usr/bin/python3
"""Regenerates EmberVision's reference fixtures with torchvision 0.14 and PIL (Debian's
python3-torchvision, python3-pil):

    /usr/bin/python3 scripts/make_vision_fixtures.py

Writes
  Tests/Fixtures/vision/*.png, *.jpg   small image files made by PIL (every PNG colour type and
                                        bit depth PIL writes, a 16-bit RGB and an Adam7-interlaced
                                        PNG written by hand, baseline, progressive and grayscale JPEGs)
  Tests/Fixtures/vision_io.safetensors  `<file>.out`: each file's pixels as PIL decodes them, uint8 [C, H, W]
  Tests/Fixtures/vision_transforms.safetensors  torchvision.transforms(.functional) on fixed images
  Tests/Fixtures/vision_ops.safetensors         torchvision.ops (boxes, NMS, RoIAlign with gradients)

The safetensors files use the case format of scripts/make_fixtures.py; the Swift tests in
Tests/EmberVisionTests name exactly the cases written here. Everything is seeded, so the files
come out the same on every run.
"""

import io
import os
import struct
import sys
import zlib

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as TF
import torchvision.ops as ops
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import Family, OUT_DIR, ROOT, ins, write_safetensors  # noqa: E402

torch.set_num_threads(1)
IMG_DIR = os.path.join(OUT_DIR, "vision")
F32 = torch.float32


def pattern(h, w, channels, seed):
    """A smooth gradient with noise and a few hard edges: exercises both resampling and edges."""
    g = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    planes = []
    for c in range(channels):
        base = 128 + 90 * np.sin(x / (3 + c) + y / (5 + 2 * c))
        base[(x // 6 + y // 6) % 2 == 0] += 40 * (c - 1)
        base += g.normal(0, 12, size=(h, w))
        planes.append(np.clip(np.round(base), 0, 255).astype(np.uint8))
    return np.stack(planes, axis=-1)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def raw_png(width, height, bit_depth, colour, rows, interlace=0):
    """A PNG written by hand (filter 0 on every row) for what PIL cannot write."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, interlace)
    data = b"".join(b"\x00" + r for r in rows)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(data, 9)) + png_chunk(b"IEND", b"")


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


def interlaced_rgb_png(pixels):
    """An Adam7-interlaced 8-bit RGB PNG of `pixels` [H, W, 3]."""
    h, w, _ = pixels.shape
    data = b""
    for x0, y0, dx, dy in ADAM7:
        sub = pixels[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        data += b"".join(b"\x00" + row.tobytes() for row in sub)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 1)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(data, 9)) + png_chunk(b"IEND", b"")


def chw(a):
    a = np.asarray(a)
    if a.ndim == 2:
        a = a[:, :, None]
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))


def image_files():
    os.makedirs(IMG_DIR, exist_ok=True)
    expected = {}

    def save(name, img, **kw):
        path = os.path.join(IMG_DIR, name)
        img.save(path, **kw)
        return path

    rgb = pattern(13, 17, 3, 1)
    gray = pattern(13, 17, 1, 2)[:, :, 0]
    alpha = pattern(13, 17, 1, 3)[:, :, 0]
    save("gray8.png", Image.fromarray(gray, "L"))
    expected["gray8.png"] = chw(gray)
    save("rgb8.png", Image.fromarray(rgb, "RGB"))
    expected["rgb8.png"] = chw(rgb)
    save("rgba8.png", Image.fromarray(np.dstack([rgb, alpha]), "RGBA"))
    expected["rgba8.png"] = chw(np.dstack([rgb, alpha]))
    save("graya8.png", Image.fromarray(np.dstack([gray, alpha]), "LA"))
    expected["graya8.png"] = chw(np.dstack([gray, alpha]))
    bits = (gray > 128).astype(np.uint8) * 255
    save("gray1.png", Image.fromarray(bits, "L").convert("1"))
    expected["gray1.png"] = chw(bits)
    pal = Image.fromarray(rgb, "RGB").quantize(colors=16)
    save("palette.png", pal)
    expected["palette.png"] = chw(pal.convert("RGB"))
    pal_t = pal.copy()
    pal_t.info["transparency"] = 3
    save("palette_trns.png", pal_t, transparency=3)
    expected["palette_trns.png"] = chw(Image.open(os.path.join(IMG_DIR, "palette_trns.png")).convert("RGBA"))
    g16 = (gray.astype(np.uint16) * 257 + np.random.default_rng(4).integers(0, 257, gray.shape)).astype(np.uint16)
    Image.fromarray(g16.astype(np.int32), "I").save(os.path.join(IMG_DIR, "gray16.png"))
    back = np.asarray(Image.open(os.path.join(IMG_DIR, "gray16.png")), dtype=np.int64)
    assert (back == g16).all()
    expected["gray16.png"] = chw(np.round(g16.astype(np.float64) * 255 / 65535).astype(np.uint8))
    r16 = (rgb.astype(np.uint16) * 257 + 100).astype(">u2")
    with open(os.path.join(IMG_DIR, "rgb16.png"), "wb") as f:
        f.write(raw_png(17, 13, 16, 2, [row.tobytes() for row in r16]))
    expected["rgb16.png"] = chw(np.round(r16.astype(np.float64) * 255 / 65535).astype(np.uint8))
    with open(os.path.join(IMG_DIR, "interlaced.png"), "wb") as f:
        f.write(interlaced_rgb_png(rgb))
    assert (np.asarray(Image.open(os.path.join(IMG_DIR, "interlaced.png"))) == rgb).all()
    expected["interlaced.png"] = chw(rgb)

    photo = pattern(24, 40, 3, 5)
    for name, kw in [("baseline.jpg", {"quality": 90}), ("progressive.jpg", {"quality": 85, "progressive": True}),
                     ("subsampled.jpg", {"quality": 75, "subsampling": 2})]:
        path = save(name, Image.fromarray(photo, "RGB"), **kw)
        expected[name] = chw(Image.open(path).convert("RGB"))
    path = save("gray.jpg", Image.fromarray(pattern(24, 40, 1, 6)[:, :, 0], "L"), quality=90)
    expected["gray.jpg"] = chw(Image.open(path))
    path = save("gray_progressive.jpg", Image.fromarray(pattern(19, 21, 1, 7)[:, :, 0], "L"), quality=90, progressive=True)
    expected["gray_progressive.jpg"] = chw(Image.open(path))
    tensors = {f"{k}.out": v for k, v in expected.items()}
    # Read modes, as PIL converts (luma = L of convert("L")).
    tensors["rgb8.png.gray"] = chw(Image.open(os.path.join(IMG_DIR, "rgb8.png")).convert("L"))
    tensors["rgba8.png.rgb"] = chw(Image.open(os.path.join(IMG_DIR, "rgba8.png")).convert("RGB"))
    tensors["gray8.png.rgb"] = chw(Image.open(os.path.join(IMG_DIR, "gray8.png")).convert("RGB"))
    tensors["baseline.jpg.gray"] = chw(Image.open(os.path.join(IMG_DIR, "baseline.jpg")).convert("L"))
    write_safetensors(os.path.join(OUT_DIR, "vision_io.safetensors"), tensors, {"generator": "scripts/make_vision_fixtures.py"})


def image_u8(h, w, c, seed):
    return chw(pattern(h, w, c, seed))


def transforms_family():
    f = Family("vision_transforms")
    u8 = lambda: ins(x=image_u8(14, 18, 3, 11))
    fl = lambda: ins(x=image_u8(14, 18, 3, 11).float() / 255)
    g1 = lambda: ins(x=image_u8(12, 10, 1, 12).float() / 255)
    B = TF.InterpolationMode.BILINEAR
    N = TF.InterpolationMode.NEAREST
    C = TF.InterpolationMode.BICUBIC
    for tag, make in [("u8", u8), ("f32", fl)]:
        for mode, m in [("bilinear", B), ("bicubic", C)]:
            for aa in (False, True):
                a = "aa" if aa else "noaa"
                f.case(f"resize.{mode}.{a}.down.{tag}", lambda x, m=m, aa=aa: TF.resize(x, [7, 9], m, antialias=aa), make, grads=[])
                f.case(f"resize.{mode}.{a}.up.{tag}", lambda x, m=m, aa=aa: TF.resize(x, [23, 29], m, antialias=aa), make, grads=[])
            f.case(f"resize.{mode}.aa.mixed.{tag}", lambda x, m=m: TF.resize(x, [5, 30], m, antialias=True), make, grads=[])
        f.case(f"resize.nearest.down.{tag}", lambda x: TF.resize(x, [7, 9], N), make, grads=[])
        f.case(f"resize.nearest.up.{tag}", lambda x: TF.resize(x, [23, 29], N), make, grads=[])
        f.case(f"resize.short.{tag}", lambda x: TF.resize(x, 10, B, antialias=True), make, grads=[])
        f.case(f"resize.short.maxsize.{tag}", lambda x: TF.resize(x, 10, B, max_size=12, antialias=True), make, grads=[])
        f.case(f"center_crop.{tag}", lambda x: TF.center_crop(x, [9, 12]), make, grads=[])
        f.case(f"center_crop.pad.{tag}", lambda x: TF.center_crop(x, [17, 20]), make, grads=[])
        for mode in ("constant", "edge", "reflect", "symmetric"):
            f.case(f"pad.{mode}.{tag}", lambda x, mode=mode: TF.pad(x, [2, 3, 4, 1], fill=0, padding_mode=mode), make, grads=[])
        f.case(f"pad.fill.{tag}", lambda x: TF.pad(x, [3], fill=7), make, grads=[])
        f.case(f"grayscale1.{tag}", lambda x: TF.rgb_to_grayscale(x, 1), make, grads=[])
        f.case(f"grayscale3.{tag}", lambda x: TF.rgb_to_grayscale(x, 3), make, grads=[])
        f.case(f"resized_crop.{tag}", lambda x: TF.resized_crop(x, 2, 3, 10, 12, [8, 8], B, antialias=True), make, grads=[])
        f.case(f"rotate.nearest.{tag}", lambda x: TF.rotate(x, 30.0, N), make, grads=[])
        f.case("rotate.bilinear.f32" if tag == "f32" else "rotate.nearest.fill.u8",
               (lambda x: TF.rotate(x, -17.0, B, fill=[0.0])) if tag == "f32" else (lambda x: TF.rotate(x, 37.0, N, fill=[9.0])), make, grads=[])
        f.case(f"brightness.{tag}", lambda x: TF.adjust_brightness(x, 1.3), make, grads=[])
        f.case(f"contrast.{tag}", lambda x: TF.adjust_contrast(x, 0.6), make, grads=[])
        f.case(f"saturation.{tag}", lambda x: TF.adjust_saturation(x, 1.7), make, grads=[])
        f.case(f"hue.{tag}", lambda x: TF.adjust_hue(x, 0.21), make, grads=[])
        f.case(f"hue.neg.{tag}", lambda x: TF.adjust_hue(x, -0.4), make, grads=[])
    f.case("resize.bilinear.aa.down.gray", lambda x: TF.resize(x, [5, 4], B, antialias=True), g1, grads=[])
    f.case("convert.u8_to_f32", lambda x: TF.convert_image_dtype(x, torch.float32), u8, grads=[])
    f.case("convert.f32_to_u8", lambda x: TF.convert_image_dtype(x, torch.uint8), fl, grads=[])
    f.case("convert.f32_to_f64", lambda x: TF.convert_image_dtype(x, torch.float64), fl, grads=[])
    grid = torchvision.utils.make_grid
    f.case("make_grid.rgb", lambda x: grid(x, nrow=3, padding=2, pad_value=0.25),
           lambda: ins(x=torch.rand(5, 3, 6, 7, dtype=torch.float64).to(F32)), grads=[])
    f.case("make_grid.gray_normalize_each", lambda x: grid(x, nrow=2, padding=1, normalize=True, scale_each=True),
           lambda: ins(x=(torch.randn(3, 1, 4, 5, dtype=torch.float64) * 3).to(F32)), grads=[])
    f.case("make_grid.value_range", lambda x: grid(x, nrow=4, normalize=True, value_range=(-1, 1)),
           lambda: ins(x=(torch.randn(2, 3, 3, 3, dtype=torch.float64) * 2).to(F32)), grads=[])
    f.case("to_tensor", lambda x: TF.to_tensor(x.permute(1, 2, 0).numpy()).to(F32), u8, grads=[])
    return f


def boxes(n, seed, size=50.0):
    g = torch.Generator().manual_seed(seed)
    xy = torch.rand(n, 2, generator=g, dtype=torch.float64) * size
    wh = torch.rand(n, 2, generator=g, dtype=torch.float64) * size / 2 + 1
    return torch.cat([xy, xy + wh], 1).to(F32)


def ops_family():
    f = Family("vision_ops")
    two = lambda: ins(a=boxes(7, 1), b=boxes(5, 2))
    f.case("box_iou", ops.box_iou, two, grads=[])
    f.case("generalized_box_iou", ops.generalized_box_iou, two, grads=[])
    pair = lambda: ins(a=boxes(6, 3), b=boxes(6, 4))
    f.case("giou_loss.none", lambda a, b: ops.generalized_box_iou_loss(a, b, reduction="none"), pair)
    f.case("giou_loss.mean", lambda a, b: ops.generalized_box_iou_loss(a, b, reduction="mean"), pair)
    f.case("giou_loss.sum", lambda a, b: ops.generalized_box_iou_loss(a, b, reduction="sum"), pair)
    b = lambda: ins(x=boxes(6, 5))
    for src in ("xyxy", "xywh", "cxcywh"):
        for dst in ("xyxy", "xywh", "cxcywh"):
            if src != dst:
                f.case(f"box_convert.{src}.{dst}", lambda x, s=src, d=dst: ops.box_convert(x, s, d), b, grads=[])

    def nms_inputs():
        bx = boxes(40, 6, size=30.0)
        return ins(boxes=bx, scores=torch.rand(40, dtype=torch.float64).to(F32))
    f.case("nms.0.5", lambda bx, s: ops.nms(bx, s, 0.5), nms_inputs, grads=[])
    f.case("nms.0.2", lambda bx, s: ops.nms(bx, s, 0.2), nms_inputs, grads=[])

    def batched_inputs():
        d = nms_inputs()
        d["idxs"] = torch.randint(0, 3, (40,))
        return d
    f.case("batched_nms", lambda bx, s, i: ops.batched_nms(bx, s, i, 0.4), batched_inputs, grads=[])

    def roi_inputs():
        x = torch.randn(2, 3, 10, 12, dtype=torch.float64).to(F32)
        rois = torch.tensor([[0, 1.2, 0.7, 7.9, 6.1], [1, 0.0, 0.0, 11.0, 9.0], [1, 3.3, 2.1, 5.0, 8.8], [0, -1.0, 2.0, 4.0, 12.5]], dtype=F32)
        return ins(x=x, rois=rois)
    f.case("roi_align.s2.aligned", lambda x, r: ops.roi_align(x, r, [3, 4], spatial_scale=1.0, sampling_ratio=2, aligned=True), roi_inputs, grads=["x"])
    f.case("roi_align.adaptive", lambda x, r: ops.roi_align(x, r, [2, 2], spatial_scale=0.5, sampling_ratio=-1, aligned=False), roi_inputs, grads=["x"])
    f.case("roi_align.adaptive.aligned", lambda x, r: ops.roi_align(x, r, 3, spatial_scale=1.0, sampling_ratio=-1, aligned=True), roi_inputs, grads=["x"])
    return f


def main():
    print("torch", torch.__version__, "torchvision", torchvision.__version__)
    image_files()
    for fam in (transforms_family(), ops_family()):
        path, n = fam.write()
        print(f"{os.path.relpath(path, ROOT)}: {n} cases, {os.path.getsize(path)} bytes")
    total = sum(os.path.getsize(os.path.join(IMG_DIR, n)) for n in os.listdir(IMG_DIR))
    total += sum(os.path.getsize(os.path.join(OUT_DIR, f"vision_{k}.safetensors")) for k in ("io", "transforms", "ops"))
    print(f"total {total} bytes")
    assert total < 500 * 1024


if __name__ == "__main__":
    main()

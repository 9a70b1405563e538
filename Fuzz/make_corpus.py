#!/usr/bin/env python3
"""Writes the fuzzers' seed corpus, Fuzz/corpus/<target>/: small real files of each format.

    python3 Fuzz/make_corpus.py                               # everything but checkpoint/
    python3 Fuzz/make_corpus.py --ember .build/release/ember  # checkpoint/ too, from a real run

Sources: Fashion-MNIST's test files (Debian's dataset-fashion-mnist, which `make deps`
installs) cut down to a few images and labels; Tests/Fixtures (iris.csv and two small
safetensors files PyTorch wrote); files written here with the standard library in each
format's layout; and for checkpoint/, the config.json and trainer state of a two-epoch
`ember train` run on iris.csv. Only the Python standard library is needed. The files are
written deterministically (gzip with mtime 0), so a rerun changes nothing.
"""
import argparse
import gzip
import json
import os
import shutil
import struct
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Fuzz", "corpus")
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")
FASHION = "/usr/share/datasets/fashion-mnist"


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


# MARK: safetensors

SAFETENSORS_FORMATS = {"F64": "d", "F32": "f", "F16": "e", "I64": "q", "I32": "i", "U8": "B", "BOOL": "?"}


def safetensors(tensors, metadata=None):
    """tensors: [(name, dtype, shape, values)] in order; BF16 values are raw uint16 bits."""
    header, data = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, dtype, shape, values in tensors:
        raw = struct.pack("<%dH" % len(values), *values) if dtype == "BF16" else \
            struct.pack("<%d%s" % (len(values), SAFETENSORS_FORMATS[dtype]), *values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def make_safetensors():
    write("safetensors", "linear.safetensors", safetensors(
        [("weight", "F32", [2, 3], [0.5, -1.0, 2.0, 0.0, 1e-3, -7.25]), ("bias", "F32", [2], [0.1, -0.2])],
        {"format": "pt"}))
    write("safetensors", "every-dtype.safetensors", safetensors([
        ("f64", "F64", [2], [1.5, -2.0]), ("f32", "F32", [1, 2], [3.0, float("inf")]),
        ("f16", "F16", [3], [0.5, -65504.0, 1.0]), ("bf16", "BF16", [2], [0x3F80, 0xC000]),
        ("i64", "I64", [2], [-1, 2 ** 62]), ("i32", "I32", [2, 1], [7, -8]),
        ("u8", "U8", [4], [0, 1, 128, 255]), ("bool", "BOOL", [3], [True, False, True]),
    ]))
    write("safetensors", "empty-and-scalar.safetensors", safetensors([
        ("scalar", "F32", [], [42.0]), ("rows0", "F32", [0, 3], []), ("cols0", "I64", [2, 0], []),
        ("after", "U8", [1], [9]),
    ], {"format": "pt", "note": "quotes \" and \\ and \u00e9"}))
    write("safetensors", "metadata-only.safetensors", safetensors([], {"format": "pt"}))
    # Files PyTorch wrote (Tests/Fixtures): a state dict and a model's inputs and outputs.
    for name in ("nn_ember_mlp_io.safetensors", "nn_convall_state.safetensors"):
        with open(os.path.join(FIXTURES, name), "rb") as f:
            write("safetensors", "pytorch-" + name, f.read())


# MARK: IDX

IDX_FORMATS = {0x08: "B", 0x09: "b", 0x0B: "h", 0x0C: "i", 0x0D: "f", 0x0E: "d"}


def idx(type_code, shape, values):
    header = bytes([0, 0, type_code, len(shape)]) + b"".join(struct.pack(">I", d) for d in shape)
    return header + struct.pack(">%d%s" % (len(values), IDX_FORMATS[type_code]), *values)


def fashion_slice(name, count):
    """The first `count` items of a Fashion-MNIST IDX file, with the header's count changed."""
    with gzip.open(os.path.join(FASHION, name + ".gz"), "rb") as f:
        data = f.read()
    rank = data[3]
    dims = list(struct.unpack(">%dI" % rank, data[4:4 + 4 * rank]))
    item = 1
    for d in dims[1:]:
        item *= d
    dims[0] = count
    start = 4 + 4 * rank
    return data[:4] + b"".join(struct.pack(">I", d) for d in dims) + data[start:start + count * item]


def make_idx():
    files = {
        "t10k-labels-idx1-ubyte": fashion_slice("t10k-labels-idx1-ubyte", 64),
        "t10k-images-idx3-ubyte": fashion_slice("t10k-images-idx3-ubyte", 2),
        "int8-idx2": idx(0x09, [2, 3], [-128, -1, 0, 1, 2, 127]),
        "int16-idx1": idx(0x0B, [3], [-32768, 0, 32767]),
        "int32-idx3": idx(0x0C, [1, 2, 2], [-(2 ** 31), -1, 1, 2 ** 31 - 1]),
        "float32-idx2": idx(0x0D, [2, 2], [0.5, -1.5, float("inf"), 3e38]),
        "float64-idx1": idx(0x0E, [2], [1e-300, -2.5]),
        "empty-idx2": idx(0x08, [0, 28], []),
    }
    for name, data in files.items():
        write("idx", name, data)
    for name in ("t10k-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "int16-idx1", "float64-idx1", "empty-idx2"):
        write("idx-gzip", name + ".gz", gz(files[name]))
    labels = files["t10k-labels-idx1-ubyte"]
    # Two gzip members (as `cat a.gz b.gz` makes), and a member followed by zero padding.
    write("idx-gzip", "two-members.gz", gz(labels[:30]) + gz(labels[30:]))
    write("idx-gzip", "zero-padded.gz", gz(files["int8-idx2"]) + bytes(16))


# MARK: CSV

def make_csv():
    shutil.copy(os.path.join(FIXTURES, "data", "iris.csv"), os.path.join(CORPUS, "csv", "iris-sklearn.csv"))
    write("csv", "named-columns.csv",
          "sepal length,sepal width,petal length,petal width,class\n"
          "5.1,3.5,1.4,0.2,0\n4.9,3.0,1.4,0.2,0\n7.0,3.2,4.7,1.4,1\n6.3,3.3,6.0,2.5,2\n")
    write("csv", "quoted-crlf.csv",
          "id,\"note, with comma\",\"multi\nline\",label\r\n"
          "1,\"a \"\"quoted\"\" word\",2.5,0\r\n"
          "2, \"  padded\" ,-1e3,1\r\n"
          "\r\n"
          "3,,nan,0\r\n")
    write("csv", "whitespace.txt", "1.0 2.0\t3.0 0\n  4.5   -6 7e-2 1\n8 9 10 2\n")
    write("csv", "semicolon-skip.csv", "# exported by a spreadsheet\nx;y;species\n0.5;1;setosa\n2;3;virginica\n4;-1;setosa\n")


# MARK: text

def make_text():
    write("text", "sonnet.txt",
          "Shall I compare thee to a summer's day?\n"
          "Thou art more lovely and more temperate:\n"
          "Rough winds do shake the darling buds of May,\n"
          "And summer's lease hath all too short a date;\n")
    write("text", "unicode.txt", "Grüße aus Köln – 東京 ✓\n\tcafé naïve\u00a0façade 🙂\nΩ ω\n")
    write("text", "crlf-words.txt", "the cat sat\r\non the  mat\r\n\r\nthe end")
    write("text", "one-line.txt", "abcabcabcabd")


# MARK: ratings

def make_ratings():
    write("ratings", "movielens-tabs.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n196\t377\t4\t880606923\n")
    write("ratings", "header-commas.csv", "userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n1,1029,3.0,1260759179\n2,31,4.0,835355493\n")
    write("ratings", "double-colon.dat", "1::1193::5::978300760\r\n1::661::3::978302109\r\n2::1193::4::978298413\r\n")
    write("ratings", "no-timestamps.txt", "u1,i1,5\nu2,i1,1\n\nu1,i2,-0.5\n")


# MARK: checkpoint JSON

def make_checkpoint(ember):
    """config.json and the trainer state of a real run: two epochs of the MLP on iris.csv."""
    iris = os.path.join(FIXTURES, "data", "iris.csv")
    with tempfile.TemporaryDirectory() as tmp:
        run = os.path.join(tmp, "run")
        subprocess.run([ember, "train", "--model", "mlp", "--dataset", "csv:" + iris, "--epochs", "2",
                        "--early-stopping", "3", "--clip-grad-norm", "1", "--batch-size", "16", "--workers", "0",
                        "--out", run], check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(run, "config.json")) as f:
            config = json.load(f)
        with open(os.path.join(run, "checkpoint.safetensors"), "rb") as f:
            n = struct.unpack("<Q", f.read(8))[0]
            metadata = json.loads(f.read(n))["__metadata__"]
    # Paths that do not depend on where the run was made.
    config["dataset"] = "csv:iris.csv"
    config["out"] = "runs/iris"
    write("checkpoint", "config.json", json.dumps(config, indent=2, sort_keys=True) + "\n")
    state = json.loads(metadata["ember.trainer_state"])
    for record in state["history"]:   # timings vary from run to run
        record["seconds"], record["samplesPerSecond"] = 0.05, 2500.0
    write("checkpoint", "trainer-state-finished.json", json.dumps(state, separators=(",", ":"), sort_keys=True))
    # The same run stopped in the middle of epoch 2 (as Ctrl-C leaves it), with a running meter.
    state.update(epoch=1, batch=4, step=13, finished=False, epochSamples=64, epochSeconds=0.02)
    state["history"] = state["history"][:1]
    state["meter"].update(batches=4, count=64, correct=51, lossSum=19.5, topKCorrect=64)
    write("checkpoint", "trainer-state-midway.json", json.dumps(state, indent=2, sort_keys=True))


def make_images():
    """png/ and jpeg/: copies of the image fixtures scripts/make_vision_fixtures.py made with PIL."""
    vision = os.path.join(FIXTURES, "vision")
    for name in ("gray8.png", "rgba8.png", "palette_trns.png", "gray16.png", "rgb16.png", "interlaced.png", "gray1.png"):
        with open(os.path.join(vision, name), "rb") as f:
            write("png", name, f.read())
    for name in sorted(os.listdir(vision)):
        if name.endswith(".jpg"):
            with open(os.path.join(vision, name), "rb") as f:
                write("jpeg", name, f.read())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ember", help="an `ember` binary, to remake checkpoint/ from a real run")
    args = parser.parse_args()
    for target in ("safetensors", "idx", "idx-gzip", "csv", "text", "ratings"):
        shutil.rmtree(os.path.join(CORPUS, target), ignore_errors=True)
        os.makedirs(os.path.join(CORPUS, target))
    make_safetensors()
    make_idx()
    make_csv()
    make_text()
    make_ratings()
    make_images()
    if args.ember:
        shutil.rmtree(os.path.join(CORPUS, "checkpoint"), ignore_errors=True)
        make_checkpoint(args.ember)
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(CORPUS) for f in fs)
    print("Fuzz/corpus: %d bytes" % total)


if __name__ == "__main__":
    main()

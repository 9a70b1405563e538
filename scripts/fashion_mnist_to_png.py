#!/usr/bin/python3
"""Writes Fashion-MNIST's images as PNG files in one folder per class, for
`ember train --dataset folder:PATH` (Debian's dataset-fashion-mnist and python3-pil):

    /usr/bin/python3 scripts/fashion_mnist_to_png.py OUT [--split test|train]
    .build/release/ember train --dataset folder:OUT --model cnn

Class folders are named `<index>-<name>` (`0-T-shirt-top`, `1-Trouser`, ...), so their sorted
order, which ImageFolder numbers the classes by, is the labels' order; files are `<index>.png`
with the image's position in the IDX file. Tests/EmberTrainTests/ImageFolderTrainingTests.swift
writes the same layout with Ember's own PNG encoder and checks that training on it matches
training on the IDX files.
"""
import argparse
import gzip
import os

import numpy as np
from PIL import Image

ROOT = "/usr/share/datasets/fashion-mnist"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--split", choices=["test", "train"], default="test")
    args = parser.parse_args()
    prefix = "t10k" if args.split == "test" else "train"
    with gzip.open(os.path.join(ROOT, f"{prefix}-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read()[16:], np.uint8).reshape(-1, 28, 28)
    with gzip.open(os.path.join(ROOT, f"{prefix}-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read()[8:], np.uint8)
    folders = [f"{i}-{name.replace('/', '-')}" for i, name in enumerate(CLASSES)]
    for name in folders:
        os.makedirs(os.path.join(args.out, name), exist_ok=True)
    for i, (image, label) in enumerate(zip(images, labels)):
        Image.fromarray(image, "L").save(os.path.join(args.out, folders[label], f"{i:05d}.png"))
    print(f"{len(images)} images in {len(folders)} class folders under {args.out}")


if __name__ == "__main__":
    main()

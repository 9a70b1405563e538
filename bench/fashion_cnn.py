"""The Fashion-MNIST CNN of the `cnn` and DDP workloads (Sources/EmberBench/CNNBench.swift):
conv 1→32 3x3 pad 1, ReLU, max-pool 2, conv 32→64, ReLU, max-pool 2, fc 3136→128, ReLU, fc 128→10.
Imported by torch_bench.py and ddp_torch.py (each sets its own threads before importing torch)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class FashionCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(3136, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))

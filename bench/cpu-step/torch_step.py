"""The PyTorch side of bench/cpu-step: the same phase-2 step (suffix forward, backward, Adam)
on the same cached activations, in PyTorch on the CPU. Reads graph.json, weights.bin and
batch.bin written by the bench, then answers one JSON request per line on stdin:
  {"op": "losses", "steps": k}               fresh weights, k steps on one thread: the losses
  {"op": "time", "steps": k, "threads": t}   k warm steps with t threads: milliseconds each, wall and CPU
Run by bench/cpu-step.ts with /usr/bin/python3 (Debian's python3-torch)."""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ADAM = dict(lr=1e-4, betas=(0.9, 0.999), eps=1e-7)  # the studio's Adam (Keras' epsilon)


def load(folder):
    graph = json.load(open(f"{folder}/graph.json"))
    weights = np.fromfile(f"{folder}/weights.bin", dtype="<f4")
    meta = json.load(open(f"{folder}/batch.json"))
    x = np.fromfile(f"{folder}/batch.bin", dtype="<f4").reshape(meta["shape"])
    # NHWC (tfjs) -> NCHW (PyTorch's default layout, what a user would write)
    x = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()
    return graph["nodes"], weights, x, torch.tensor(meta["labels"], dtype=torch.long)


def same_padding(node, k):
    cfg = node["config"]
    strides = cfg["strides"] if isinstance(cfg["strides"], list) else [cfg["strides"]] * 2
    if cfg["padding"] == "valid":
        return 0
    if strides != [1, 1] or k % 2 == 0:
        raise ValueError(f"{node['name']}: only stride-1 'same' with an odd kernel is supported")
    return k // 2


class Phase2(nn.Module):
    """The exported graph, node by node, with Keras' weights moved to PyTorch's layouts."""

    def __init__(self, nodes, w):
        super().__init__()
        self.nodes = nodes
        self.mods = nn.ModuleDict()
        get = lambda n, key: torch.from_numpy(
            w[n["weights"][key][0]: n["weights"][key][0] + int(np.prod(n["weights"][key][1]))].reshape(
                n["weights"][key][1]).copy())
        for n in nodes:
            kind, name = n["kind"], n["name"]
            if kind == "conv":
                k = get(n, "kernel")  # [kh, kw, ci, co]
                kh, kw, ci, co = k.shape
                m = nn.Conv2d(ci, co, (kh, kw), padding=same_padding(n, kh), bias=n["config"]["bias"])
                m.weight.data = k.permute(3, 2, 0, 1).contiguous()
                if n["config"]["bias"]:
                    m.bias.data = get(n, "bias")
            elif kind == "depthwise":
                k = get(n, "depthwise_kernel")  # [kh, kw, c, mult]
                kh, kw, c, mult = k.shape
                m = nn.Conv2d(c, c * mult, (kh, kw), padding=same_padding(n, kh), groups=c, bias=n["config"]["bias"])
                m.weight.data = k.permute(2, 3, 0, 1).reshape(c * mult, 1, kh, kw).contiguous()
                if n["config"]["bias"]:
                    m.bias.data = get(n, "bias")
            elif kind == "batchnorm":
                g = get(n, "gamma")
                m = nn.BatchNorm2d(g.shape[0], eps=n["config"]["epsilon"])
                m.weight.data, m.bias.data = g, get(n, "beta")
                m.running_mean.data, m.running_var.data = get(n, "moving_mean"), get(n, "moving_variance")
            elif kind == "dense":
                k = get(n, "kernel")
                m = nn.Linear(k.shape[0], k.shape[1])
                m.weight.data, m.bias.data = k.t().contiguous(), get(n, "bias")
            else:
                continue
            for p in m.parameters():
                p.requires_grad_(n["trainable"])
            self.mods[name] = m

    def forward(self, x):
        out = {"input": x}
        for n in self.nodes:
            ins = [out[i] for i in n["inputs"]]
            kind = n["kind"]
            if kind in ("conv", "depthwise", "batchnorm", "dense"):
                y = self.mods[n["name"]](ins[0])
            elif kind == "relu":
                y = F.relu(ins[0]) if n["config"]["max"] is None else torch.clamp(ins[0], 0, n["config"]["max"])
            elif kind == "add":
                y = ins[0] + ins[1]
            elif kind == "avgpool":
                y = ins[0].mean(dim=(2, 3))
            else:
                raise ValueError(f"unknown node kind {kind}")
            out[n["name"]] = y
        return y

    def train(self, mode=True):
        super().train(mode)
        # BatchNorm policy 'frozen': inference mode, moving statistics untouched.
        for n in self.nodes:
            if n["kind"] == "batchnorm" and not n["trainable"]:
                self.mods[n["name"]].eval()
        return self


class Stepper:
    def __init__(self, nodes, w, x, y):
        self.model = Phase2(nodes, w).train()
        self.opt = torch.optim.Adam([p for p in self.model.parameters() if p.requires_grad], **ADAM)
        self.x, self.y = x, y

    def step(self):
        self.opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(self.model(self.x), self.y)
        loss.backward()
        self.opt.step()
        return loss.item()


def task_ticks():
    """CPU clock ticks (user + system) of each thread of this process, by thread id."""
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[tid] = int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return out


def busiest_ms(before, after, steps):
    """The busiest thread's CPU time per step: on an idle machine a step cannot take less."""
    hz = os.sysconf("SC_CLK_TCK")
    return max(after[t] - before.get(t, 0) for t in after) * 1000 / hz / steps


def main():
    folder = sys.argv[1]
    nodes, w, x, y = load(folder)
    steppers = {}
    print(json.dumps({"ready": True, "torch": torch.__version__}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        if req["op"] == "losses":
            torch.set_num_threads(1)
            s = Stepper(nodes, w, x, y)
            print(json.dumps({"losses": [s.step() for _ in range(req["steps"])]}), flush=True)
        elif req["op"] == "time":
            t = req["threads"]
            torch.set_num_threads(t)
            if t not in steppers:
                steppers[t] = Stepper(nodes, w, x, y)
                steppers[t].step()  # warm-up: allocations, first-use paths
            ms, cpu = [], []
            ticks = task_ticks()
            for _ in range(req["steps"]):
                t0, c0 = time.perf_counter(), time.process_time()
                steppers[t].step()
                ms.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            busiest = busiest_ms(ticks, task_ticks(), req["steps"])
            print(json.dumps({"ms": ms, "cpu": cpu, "busiest": busiest, "threads": torch.get_num_threads()}), flush=True)
        else:
            print(json.dumps({"error": f"unknown op {req['op']}"}), flush=True)


if __name__ == "__main__":
    main()

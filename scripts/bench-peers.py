#!/usr/bin/env python3
"""Measure PyTorch eager (Hugging Face transformers) and ONNX Runtime on the shapes of `attend bench`.

MiniLM-L6's shape (6 layers, 12 heads, hidden 384, FFN 1536), eager attention, fp32, with and without
output_attentions, torch.set_num_threads(THREADS). Uses models/all-MiniLM-L6-v2 when present, otherwise a
seeded-random BertConfig of the same shape (speed does not depend on the weights' values).

    python3 scripts/bench-peers.py [--threads 2] [--seconds 2] [--model models/all-MiniLM-L6-v2] [--onnx]

--onnx also measures ONNX Runtime (`pip install onnxruntime onnx`): the same model exported with
torch.onnx (TorchScript exporter), then fused by onnxruntime.transformers' BERT optimizer (attention, LayerNorm,
GELU fusions), intra-op threads = THREADS, outputs last_hidden_state only (the fused attention keeps no maps).

Prints the same columns as `attend bench`: ms/pass (median), tokens/s, GFLOP/s (matrix products only, as
Encoder.flops counts them), and the median process CPU time per pass (all threads; on a loaded machine wall time
grows but this barely does).
"""
import argparse
import os
import statistics
import time


def flops(batch, length, layers=6, d=384, f=1536):
    per_sequence = length * (8 * d * d + 4 * d * f) + 4 * length * length * d
    return batch * per_sequence * layers


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--model", default="models/all-MiniLM-L6-v2")
    parser.add_argument("--shapes", default="1x16,1x128,32x128")
    parser.add_argument("--onnx", action="store_true", help="also measure ONNX Runtime with the fused BERT graph")
    args = parser.parse_args()

    import torch
    from transformers import BertConfig, BertModel

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if os.path.isdir(args.model):
        model = BertModel.from_pretrained(args.model, attn_implementation="eager")
        source = args.model
    else:
        config = BertConfig(
            vocab_size=30522, hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
            intermediate_size=1536, max_position_embeddings=512, type_vocab_size=2, hidden_act="gelu",
        )
        config._attn_implementation = "eager"
        model = BertModel(config, add_pooling_layer=False)
        source = "seeded BertConfig (MiniLM-L6 shape)"
    model.eval()
    print(f"attention implementation: {model.config._attn_implementation}")
    print(f"PyTorch {torch.__version__} eager, {args.threads} thread(s), {source}")
    print(f"{'shape':<10}{'maps':<6}{'ms/pass':<11}{'tokens/s':<11}{'GFLOP/s':<10}{'cpu ms/pass':<12}best ms")
    generator = torch.Generator().manual_seed(2024)
    with torch.inference_mode():
        for shape in args.shapes.split(","):
            batch, length = (int(v) for v in shape.split("x"))
            ids = torch.randint(0, 30522, (batch, length), generator=generator)
            mask = torch.ones_like(ids)
            for maps in (False, True):
                run = lambda: model(input_ids=ids, attention_mask=mask, output_attentions=maps)
                times, cpu_times = measure(run, args.seconds)
                report(shape, batch, length, maps, times, cpu_times)
    if args.onnx:
        bench_onnx(model, args)


def measure(run, seconds):
    run()
    times = []
    cpu_times = []
    while len(times) < 3 or (sum(times) < seconds and len(times) < 1000):
        cpu_start = time.process_time()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    return times, cpu_times


def report(shape, batch, length, maps, times, cpu_times):
    median = statistics.median(times)
    print(
        f"{shape:<10}{'yes' if maps else 'no':<6}{median * 1000:<11.3f}"
        f"{batch * length / median:<11.0f}{flops(batch, length) / median / 1e9:<10.1f}"
        f"{statistics.median(cpu_times) * 1000:<12.3f}{min(times) * 1000:.3f}"
    )


def bench_onnx(model, args):
    import tempfile

    import numpy as np
    import onnxruntime
    import torch
    from onnxruntime.transformers import optimizer

    with tempfile.TemporaryDirectory() as folder:
        raw = os.path.join(folder, "model.onnx")
        fused = os.path.join(folder, "model-fused.onnx")
        ids = torch.ones((1, 16), dtype=torch.long)

        class LastHiddenState(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.inner(
                    input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
                ).last_hidden_state

        torch.onnx.export(
            LastHiddenState(model), (ids, torch.ones_like(ids), torch.zeros_like(ids)), raw,
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
            dynamic_axes={name: {0: "batch", 1: "length"} for name in ["input_ids", "attention_mask", "token_type_ids"]},
            opset_version=17, dynamo=False,
        )
        optimized = optimizer.optimize_model(raw, model_type="bert", num_heads=12, hidden_size=384)
        optimized.save_model_to_file(fused)
        fusions = optimized.get_fused_operator_statistics()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = args.threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = onnxruntime.InferenceSession(fused, options, providers=["CPUExecutionProvider"])
    print()
    print(f"ONNX Runtime {onnxruntime.__version__}, {args.threads} intra-op thread(s), fused BERT graph "
          f"(Attention {fusions.get('Attention', 0)}, SkipLayerNormalization "
          f"{fusions.get('SkipLayerNormalization', 0)}, Gelu/BiasGelu {fusions.get('Gelu', 0) + fusions.get('BiasGelu', 0)})")
    print(f"{'shape':<10}{'maps':<6}{'ms/pass':<11}{'tokens/s':<11}{'GFLOP/s':<10}{'cpu ms/pass':<12}best ms")
    generator = np.random.default_rng(2024)
    for shape in args.shapes.split(","):
        batch, length = (int(v) for v in shape.split("x"))
        feed = {
            "input_ids": generator.integers(0, 30522, (batch, length), dtype=np.int64),
            "attention_mask": np.ones((batch, length), dtype=np.int64),
            "token_type_ids": np.zeros((batch, length), dtype=np.int64),
        }
        times, cpu_times = measure(lambda: session.run(None, feed), args.seconds)
        report(shape, batch, length, False, times, cpu_times)


if __name__ == "__main__":
    main()

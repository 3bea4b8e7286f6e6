"""Small real models in the layouts no downloadable GGUF here has, for the local model's agreement
tests against llama.cpp (run with scripts/llm-server.sh's Python, which has llama-cpp-python and gguf):

    tiny-model.py qwen2 SOURCE.gguf OUT.gguf   # SmolLM2's first layers as a Qwen2 model
    tiny-model.py llama3 SOURCE.gguf OUT.gguf  # ... as a Llama 3.2-style llama (rope factors)
    tiny-model.py ask MODEL.gguf BODY.json     # llama.cpp's chat completion for BODY, as JSON

Both keep SmolLM2's tokenizer, chat template and first four layers. The Llama 3.2-style one adds the
"llama3" rope frequency factors (`rope_freqs.weight`) and Llama 3's pre-tokenizer. The Qwen2 one adds
what only Qwen2 has: query/key/value biases (small, seeded), and rotary embeddings over the two halves of
each head ("neox"), so the query and key rows are put back in the order the Hugging Face weights
have (llama.cpp's converter interleaves them for llama's rope). Its answers are not good English;
they are the same function computed by two engines, which is what the test compares.
"""

import json
import sys

import numpy as np
import gguf

LAYERS = 4


def field(reader, key):
    return reader.fields[key].contents()


def unpermute(w, heads):
    """Inverse of llama.cpp convert_hf_to_gguf's `permute` for (out, in) rows of one projection."""
    out, cols = w.shape
    return w.reshape(heads, out // heads // 2, 2, cols).swapaxes(1, 2).reshape(out, cols)


def llama3_rope_factors(base, dim, factor=32.0, low=1.0, high=4.0, original=8192):
    """Llama 3.1+ "llama3" rope scaling, as llama.cpp's converter stores it (`rope_freqs.weight`)."""
    factors = []
    for freq in 1.0 / (base ** (np.arange(0, dim, 2, dtype=np.float64) / dim)):
        wavelength = 2 * np.pi / freq
        if wavelength < original / high:
            factors.append(1.0)
        elif wavelength > original / low:
            factors.append(factor)
        else:
            smooth = (original / wavelength - low) / (high - low)
            factors.append(1 / ((1 - smooth) / factor + smooth))
    return np.array(factors, dtype=np.float32)


def convert(source, target, arch):
    """SmolLM2's first layers as `arch`: "qwen2" (biases, neox rotation, Qwen2 pre-tokenizer) or
    "llama3" (Llama 3.2's rope frequency factors and pre-tokenizer, otherwise llama)."""
    reader = gguf.GGUFReader(source)
    heads = int(field(reader, "llama.attention.head_count"))
    kv_heads = int(field(reader, "llama.attention.head_count_kv"))
    embedding = int(field(reader, "llama.embedding_length"))
    base = float(field(reader, "llama.rope.freq_base"))
    writer = gguf.GGUFWriter(target, "qwen2" if arch == "qwen2" else "llama")
    writer.add_name(f"SmolLM2 as {arch} (test model)")
    writer.add_context_length(2048)
    writer.add_embedding_length(embedding)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(int(field(reader, "llama.feed_forward_length")))
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_rope_freq_base(base)
    writer.add_layer_norm_rms_eps(float(field(reader, "llama.attention.layer_norm_rms_epsilon")))
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("qwen2" if arch == "qwen2" else "llama-bpe")
    writer.add_token_list(field(reader, "tokenizer.ggml.tokens"))
    writer.add_token_types(field(reader, "tokenizer.ggml.token_type"))
    writer.add_token_merges(field(reader, "tokenizer.ggml.merges"))
    writer.add_bos_token_id(int(field(reader, "tokenizer.ggml.bos_token_id")))
    writer.add_eos_token_id(int(field(reader, "tokenizer.ggml.eos_token_id")))
    writer.add_add_bos_token(False)
    writer.add_chat_template(field(reader, "tokenizer.chat_template"))
    if arch == "llama3":
        writer.add_rope_dimension_count(embedding // heads)
        writer.add_tensor("rope_freqs.weight", llama3_rope_factors(base, embedding // heads))
    rng = np.random.default_rng(7)
    for t in reader.tensors:
        name = t.name
        if name.startswith("blk."):
            if int(name.split(".")[1]) >= LAYERS:
                continue
        w = gguf.quants.dequantize(t.data, t.tensor_type).astype(np.float32)
        if arch == "qwen2" and name.endswith("attn_q.weight"):
            w = unpermute(w, heads)
        elif arch == "qwen2" and name.endswith("attn_k.weight"):
            w = unpermute(w, kv_heads)
        if w.ndim == 1:
            writer.add_tensor(name, w)
        else:
            q = gguf.quants.quantize(w, gguf.GGMLQuantizationType.Q8_0)
            writer.add_tensor(name, q, raw_shape=q.shape, raw_dtype=gguf.GGMLQuantizationType.Q8_0)
        for proj in ("q", "k", "v"):
            if arch == "qwen2" and name.endswith(f"attn_{proj}.weight"):
                bias = (rng.standard_normal(w.shape[0]) * 0.05).astype(np.float32)
                writer.add_tensor(name.replace(".weight", ".bias"), bias)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def ask(model, body_path):
    from llama_cpp import Llama

    body = json.load(open(body_path))
    llm = Llama(model_path=model, n_ctx=2048, n_threads=1, verbose=False, logits_all=True)
    reply = llm.create_chat_completion(
        messages=body["messages"],
        max_tokens=body.get("max_tokens", 1),
        temperature=0.0,
        logprobs=True,
        top_logprobs=body.get("top_logprobs", 5),
    )
    print(json.dumps(reply, default=float))


if __name__ == "__main__":
    if sys.argv[1] in ("qwen2", "llama3"):
        convert(sys.argv[2], sys.argv[3], sys.argv[1])
    elif sys.argv[1] == "ask":
        ask(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)

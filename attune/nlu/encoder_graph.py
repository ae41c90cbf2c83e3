"""The sentence encoder as an ONNX graph, built from the same weights as the NumPy forward.

Nothing opaque is committed or downloaded: `build_model` writes, node by node with
`onnx.helper`, the computation `SentenceEncoder._forward` does in NumPy (embeddings, six
transformer layers, mean pooling over the real tokens, unit length), with the weights the
encoder was given (the published model with the risk model's fine-tuned layers laid over it).
ONNX Runtime then runs it without the hundred or so NumPy calls and temporaries of each
pass: about 3 times faster for a typed message. tests/unit/test_encoder_runtime.py holds it to
the NumPy forward (the largest difference seen is 3e-7).

Standard ONNX operators only: ONNX Runtime's own fused ones (Attention,
SkipLayerNormalization, BiasGelu) gave 3-5 % more and would tie the graph to one runtime.
Int8 weights (dynamic quantisation, bench/encoder_runtime.py) were twice as fast again but
changed risk decisions, so the assistant runs float32 (docs/performance.md, "The encoder's
runtime").

Only this module imports `onnx` and `onnxruntime`, and only when a session is built.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

import numpy as np

# ONNX opset 17: the first with LayerNormalization; every operator below is in it.
OPSET = 17
# ONNX's IR version 8 (ONNX 1.10 and later; ONNX Runtime 1.10 and later read it).
IR_VERSION = 8
INPUT_IDS = "input_ids"
ATTENTION_MASK = "attention_mask"
OUTPUT = "sentence_vector"
# Where a declared-only weight says its data is: nowhere ONNX Runtime could read.
HANDED_OVER = "attune-weights-handed-to-the-session"
# The weight multiplications, the only nodes int8 quantisation may touch (the attention's
# products of two activations stay in float).
WEIGHT_MATMUL_PREFIX = "weight_matmul"


def layer_count(tensors: Dict[str, np.ndarray]) -> int:
    """How many transformer layers the prepared weights (`sentence_encoder.prepare_weights`)
    hold: layer i's are named `layer{i}_...`."""
    count = 0
    while f"layer{count}_qkv_w" in tensors:
        count += 1
    return count


class _Graph:
    """Nodes and initializers collected in order, with unique names. A weight is written into
    the model (`embed`) or only declared (name, type, shape), its data handed to the session
    apart (`build_session`)."""

    def __init__(self, tensors: Dict[str, np.ndarray], embed: bool) -> None:
        from onnx import helper

        self._helper = helper
        self._tensors = tensors
        self._embed = embed
        self.nodes: List[Any] = []
        self.initializers: List[Any] = []
        self._count = 0

    def constant(self, name: str, value: np.ndarray) -> str:
        """A small constant of the graph itself (a shape, a scale), always written in."""
        from onnx import numpy_helper

        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def weight(self, name: str) -> str:
        """One of the encoder's prepared weights, by its name."""
        from onnx import TensorProto, numpy_helper

        value = self._tensors[name]
        if self._embed:
            self.initializers.append(numpy_helper.from_array(value, name))
        else:
            # Declared as external data that is never read: the session is given the array.
            declared = TensorProto(name=name, data_type=TensorProto.FLOAT, data_location=TensorProto.EXTERNAL)
            declared.dims.extend(value.shape)
            declared.external_data.add(key="location", value=HANDED_OVER)
            self.initializers.append(declared)
        return name

    def op(self, op_type: str, inputs: Sequence[str], name: str = "", **attributes: Any) -> str:
        self._count += 1
        node_name = name or f"{op_type.lower()}_{self._count}"
        output = f"{node_name}_out"
        self.nodes.append(self._helper.make_node(op_type, list(inputs), [output], name=node_name, **attributes))
        return output

    def ops(self, op_type: str, inputs: Sequence[str], outputs: int, **attributes: Any) -> List[str]:
        self._count += 1
        node_name = f"{op_type.lower()}_{self._count}"
        names = [f"{node_name}_out{i}" for i in range(outputs)]
        self.nodes.append(self._helper.make_node(op_type, list(inputs), names, name=node_name, **attributes))
        return names


def build_model(tensors: Dict[str, np.ndarray], heads: int, embed: bool = False, eps: float = 1e-12) -> Any:
    """An `onnx.ModelProto` computing unit sentence vectors (batch, 384) from padded word-piece
    ids and their attention mask (both int64, (batch, length), 1 for a real token).

    `tensors` are the encoder's prepared weights (`sentence_encoder.prepare_weights`). With
    `embed` the model carries them (90 MB: for quantisation or a file); without, it only
    declares them and `build_session` hands ONNX Runtime the arrays themselves, uncopied.
    """
    from onnx import TensorProto, helper

    g = _Graph(tensors, embed)
    hidden = tensors["word_embeddings"].shape[1]
    head = hidden // heads

    # The length of the batch's rows, for the positions.
    zero, one = g.constant("i64_0", np.array([0], np.int64)), g.constant("i64_1", np.array([1], np.int64))
    length = g.op("Slice", [g.op("Shape", [INPUT_IDS]), one, g.constant("i64_2", np.array([2], np.int64))])

    # Embeddings: word + position + segment 0, then layer norm.
    words = g.op("Gather", [g.weight("word_embeddings"), INPUT_IDS])
    positions = g.op("Slice", [g.weight("position_embeddings"), zero, length, zero])
    x = g.op("Add", [g.op("Add", [words, positions]), g.weight("segment_embedding")])
    x = g.op("LayerNormalization", [x, g.weight("embeddings_norm_w"), g.weight("embeddings_norm_b")],
             axis=-1, epsilon=eps)

    # Masked keys get -1e9 before the softmax, as in the NumPy forward.
    mask = g.op("Cast", [ATTENTION_MASK], to=TensorProto.FLOAT)
    unit = g.constant("f32_1", np.array(1.0, np.float32))
    bias = g.op("Mul", [g.op("Sub", [unit, mask]), g.constant("f32_masked", np.array(-1e9, np.float32))])
    bias = g.op("Unsqueeze", [bias, g.constant("axes_1_2", np.array([1, 2], np.int64))])
    split_heads = g.constant("shape_heads", np.array([0, 0, heads, head], np.int64))
    merge_heads = g.constant("shape_merged", np.array([0, 0, hidden], np.int64))
    thirds = g.constant("split_qkv", np.array([hidden] * 3, np.int64))
    scale = g.constant("attention_scale", np.array(1.0 / np.sqrt(head), np.float32))
    sqrt_half = g.constant("f32_sqrt_half", np.array(1.0 / np.sqrt(2.0), np.float32))
    half = g.constant("f32_half", np.array(0.5, np.float32))

    def dense(x: str, name: str) -> str:
        product = g.op("MatMul", [x, g.weight(name + "_w")], name=f"{WEIGHT_MATMUL_PREFIX}_{name}")
        return g.op("Add", [product, g.weight(name + "_b")])

    def norm(x: str, name: str) -> str:
        return g.op("LayerNormalization", [x, g.weight(name + "_w"), g.weight(name + "_b")], axis=-1, epsilon=eps)

    layers = layer_count(tensors)
    if not layers:
        raise ValueError("The weights hold no transformer layers.")
    for index in range(layers):
        n = f"layer{index}_"
        q, k, v = g.ops("Split", [dense(x, n + "qkv"), thirds], 3, axis=-1)
        q = g.op("Transpose", [g.op("Reshape", [q, split_heads])], perm=[0, 2, 1, 3])
        k = g.op("Transpose", [g.op("Reshape", [k, split_heads])], perm=[0, 2, 3, 1])
        v = g.op("Transpose", [g.op("Reshape", [v, split_heads])], perm=[0, 2, 1, 3])
        scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), scale]), bias])
        context = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
        context = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), merge_heads])
        x = norm(g.op("Add", [x, dense(context, n + "attention_out")]), n + "attention_norm")
        up = dense(x, n + "intermediate")
        # GELU with erf, as BERT and the NumPy forward compute it.
        up = g.op("Mul", [g.op("Mul", [up, half]), g.op("Add", [g.op("Erf", [g.op("Mul", [up, sqrt_half])]), unit])])
        x = norm(g.op("Add", [x, dense(up, n + "output")]), n + "output_norm")

    # Mean over the real tokens, then unit length (a zero vector stays zero).
    token_mask = g.op("Unsqueeze", [mask, g.constant("axes_2", np.array([2], np.int64))])
    summed = g.op("ReduceSum", [g.op("Mul", [x, token_mask]), one], keepdims=0)
    pooled = g.op("Div", [summed, g.op("ReduceSum", [token_mask, one], keepdims=0)])
    size = g.op("Sqrt", [g.op("ReduceSum", [g.op("Mul", [pooled, pooled]),
                                            g.constant("axes_last", np.array([-1], np.int64))], keepdims=1)])
    size = g.op("Max", [size, g.constant("f32_tiny", np.array(1e-12, np.float32))])
    g.nodes.append(helper.make_node("Div", [pooled, size], [OUTPUT], name="unit_length"))

    graph = helper.make_graph(
        g.nodes, "attune_sentence_encoder",
        [helper.make_tensor_value_info(INPUT_IDS, TensorProto.INT64, ["batch", "length"]),
         helper.make_tensor_value_info(ATTENTION_MASK, TensorProto.INT64, ["batch", "length"])],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["batch", hidden])],
        initializer=g.initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="attune.nlu.encoder_graph")
    model.ir_version = IR_VERSION
    return model


def session_options(**config: str) -> Any:
    """How the encoder's session runs: on the calling thread alone (one intra-op thread, no
    inter-op pool, operators one after another), so each of the server's model threads is one
    core, as with NumPy's one BLAS thread. `config`: extra session configuration entries."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only
    for key, value in config.items():
        options.add_session_config_entry(key, value)
    return options


class EncoderSession:
    """An ONNX Runtime session over the encoder's own weight arrays.

    ONNX Runtime reads the arrays in place (`SessionOptions.add_initializer`: no copy), so they
    must live as long as the session: this object holds them. `run` may be called from several
    threads at once (ONNX Runtime's sessions allow concurrent runs) and releases the GIL
    while it computes."""

    def __init__(self, tensors: Dict[str, np.ndarray], heads: int, **config: str) -> None:
        import onnxruntime as ort

        options = session_options(**config)
        self._values = {name: ort.OrtValue.ortvalue_from_numpy(array) for name, array in tensors.items()}
        for name, value in self._values.items():
            options.add_initializer(name, value)
        self._tensors = tensors
        model = build_model(tensors, heads, embed=False).SerializeToString()
        self._session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])

    def run(self, outputs: Sequence[str], feeds: Dict[str, np.ndarray]) -> List[np.ndarray]:
        return self._session.run(list(outputs), feeds)


def build_session(tensors: Dict[str, np.ndarray], heads: int, **config: str) -> EncoderSession:
    """The session the assistant runs (`SentenceEncoder` builds it on its first message);
    `config`: extra session configuration entries (`session_options`)."""
    return EncoderSession(tensors, heads, **config)

#!/usr/bin/python3
"""Checks exported ONNX files with the ONNX project's own checker (Debian's python3-onnx, ONNX 1.12: opsets up to 17).

Plain graphs get the full check (strict shape inference, every operator against its schema); fused graphs use
ONNX Runtime's com.microsoft operators, whose schemas ONNX does not know, so they get the structural check only.
Prints, per file, the IR version, opset imports, inferred output shapes and the operators used.
    apt-get install python3-onnx
    ./roberta-zh export-onnx --model DIR --output /tmp/x/model.onnx && /usr/bin/python3 eval/reference/check_onnx.py /tmp/x/model.onnx
"""
import sys

import onnx
from onnx import checker, shape_inference

failed = 0
for path in sys.argv[1:]:
    model = onnx.load(path, load_external_data=True)
    fused = any(o.domain == "com.microsoft" for o in model.opset_import)
    try:
        checker.check_model(model, full_check=not fused)
        inferred = shape_inference.infer_shapes(model, strict_mode=not fused)
        verdict = "ok"
    except Exception as e:  # the checker raises several exception types
        inferred, verdict, failed = model, f"FAILED: {e}", failed + 1
    outputs = [(o.name, [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim]) for o in inferred.graph.output]
    print(f"{path}: {verdict}; IR {model.ir_version}; opsets {[(o.domain or 'ai.onnx', o.version) for o in model.opset_import]}; "
          f"outputs {outputs}; operators {sorted({n.op_type for n in model.graph.node})}")
sys.exit(1 if failed else 0)

#!/usr/bin/env python3
"""A stand-in Terraform provider for the evaluator's oracle (benches/oracle/).

Terraform cannot download providers here, so the oracle harness installs this one script under
every provider address a configuration needs (aws, random, cloudposse/utils, ...) in a filesystem
mirror. Its schema is not the real provider's: the harness derives it from the configuration
(every attribute the configuration sets or reads, every nested block) and writes it to a JSON
file named on the command line:

    {"provider": BLOCK, "provider_meta": BLOCK, "resources": {TYPE: BLOCK}, "data_sources": {TYPE: BLOCK}}
    BLOCK = {"attributes": {NAME: TYPE-JSON, ...}, "write_only": [NAME, ...], "blocks": {NAME: BLOCK}}

Every attribute is optional and computed, of type DynamicPseudoType ("dynamic") except inside data
sources' nested blocks (see the harness's BlockSchema::to_json); every nested block is a list.
Planning a create keeps every value the configuration sets and makes every other attribute unknown
(as real providers do for computed attributes such as `id` and `arn`), nested blocks included.
Only what `terraform plan` needs is implemented: nothing is ever applied.

It speaks the go-plugin handshake and tfplugin6 over gRPC with the generated stubs of PyPI's `tf`
package (tf.gen); it does not use that package's typed resource API, which cannot express a
DynamicPseudoType schema.

Values are cty's msgpack encoding: a value whose schema type is DynamicPseudoType travels as a
two-element array [type JSON (bin), value encoded as that type]; an unknown is a msgpack extension
(type 0, or 12 with refinements, kept byte for byte); null is nil.
"""

import argparse
import base64
import json
import os
import sys
import tempfile
import time
from concurrent import futures

import msgpack

# An unknown value of type DynamicPseudoType (cty's msgpack `unknownVal`).
UNKNOWN = msgpack.ExtType(0, b"\x00")


def decode(raw):
    """Decodes a cty msgpack value, keeping unknowns (any extension type) as msgpack.ExtType."""
    if not raw:
        return None
    return msgpack.unpackb(raw, raw=False, ext_hook=msgpack.ExtType, strict_map_key=False)


def encode(value):
    """Encodes a value decoded by `decode` (possibly changed) back to cty msgpack."""
    return msgpack.packb(value, use_bin_type=True)


def is_dynamic_wrapper(v):
    return isinstance(v, list) and len(v) == 2 and isinstance(v[0], (bytes, bytearray))


def element_types(ty, n):
    """The element types of a decoded list/tuple/set type JSON, for a collection of n elements."""
    if isinstance(ty, list) and len(ty) == 2:
        kind, inner = ty
        if kind == "tuple":
            return list(inner)
        if kind in ("list", "set"):
            return [inner] * n
    return [None] * n


def plan_typed_object(block, ty, obj):
    """Nulls become unknowns in one element of a nested block, whose concrete type is `ty`."""
    if not isinstance(obj, dict):
        return obj
    attr_types = ty[1] if isinstance(ty, list) and len(ty) == 2 and ty[0] == "object" else {}
    write_only = set(block.get("write_only", []))
    for name in block.get("attributes", []):
        if name in write_only:
            obj[name] = None
        elif name in obj and obj[name] is None:
            obj[name] = UNKNOWN
    for name, nested in block.get("blocks", {}).items():
        if name in obj:
            obj[name] = plan_typed_collection(nested, attr_types.get(name), obj[name])
    return obj


def plan_typed_collection(block, ty, value):
    if not isinstance(value, list):
        return value  # null or unknown
    types = element_types(ty, len(value))
    return [plan_typed_object(block, t, v) for t, v in zip(types, value)]


def plan_block_value(block, value):
    """A nested block at the top level of a resource: typed dynamic when it holds attributes."""
    if is_dynamic_wrapper(value):
        ty = json.loads(bytes(value[0]))
        return [value[0], plan_typed_collection(block, ty, value[1])]
    if isinstance(value, list):
        # No attributes below: a plain list of objects with no dynamic parts; nothing to fill in.
        return value
    return value


def plan_object(block, obj):
    """The planned new state of a create: every null attribute unknown, recursively."""
    if not isinstance(obj, dict):
        return obj
    out = dict(obj)
    write_only = set(block.get("write_only", []))
    for name in block.get("attributes", []):
        if name in write_only:
            out[name] = None  # write-only: never planned
        elif out.get(name) is None:
            out[name] = UNKNOWN
    for name, nested in block.get("blocks", {}).items():
        if name in out:
            out[name] = plan_block_value(nested, out[name])
    return out


# Schema.Attribute.write_only (field 11, Terraform 1.11's tfplugin6.8) postdates tf's generated
# stubs; it goes in as an unknown field, which protobuf keeps when serialising.
WRITE_ONLY_FIELD = bytes([11 << 3 | 0, 1])


def schema_pb(pb, block):
    def attribute(name, ty, write_only):
        if not write_only:
            return pb.Schema.Attribute(name=name, type=json.dumps(ty).encode(), optional=True, computed=True)
        a = pb.Schema.Attribute(name=name, type=json.dumps(ty).encode(), optional=True)
        a.MergeFromString(WRITE_ONLY_FIELD)
        return a

    def build(b):
        wo = set(b.get("write_only", []))
        attrs = [attribute(name, ty, name in wo) for name, ty in sorted(b.get("attributes", {}).items())]
        blocks = [
            pb.Schema.NestedBlock(type_name=name, block=build(nested), nesting=pb.Schema.NestedBlock.LIST)
            for name, nested in sorted(b.get("blocks", {}).items())
        ]
        return pb.Schema.Block(attributes=attrs, block_types=blocks)

    return pb.Schema(version=0, block=build(block))


def make_servicer(schema):
    from tf.gen import tfplugin_pb2 as pb
    from tf.gen import tfplugin_pb2_grpc as rpc

    provider_block = schema.get("provider", {})
    resources = schema.get("resources", {})
    data_sources = schema.get("data_sources", {})
    provider_meta = schema_pb(pb, schema.get("provider_meta", {}))

    def dv(value):
        return pb.DynamicValue(msgpack=encode(value))

    def error(summary, detail=""):
        return [pb.Diagnostic(severity=pb.Diagnostic.ERROR, summary=summary, detail=detail)]

    class Servicer(rpc.ProviderServicer):
        def GetMetadata(self, request, context):
            return pb.GetMetadata.Response(
                server_capabilities=pb.ServerCapabilities(plan_destroy=True),
                resources=[pb.GetMetadata.ResourceMetadata(type_name=t) for t in sorted(resources)],
                data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=t) for t in sorted(data_sources)],
            )

        def GetProviderSchema(self, request, context):
            return pb.GetProviderSchema.Response(
                provider=schema_pb(pb, provider_block),
                provider_meta=provider_meta,
                resource_schemas={t: schema_pb(pb, b) for t, b in resources.items()},
                data_source_schemas={t: schema_pb(pb, b) for t, b in data_sources.items()},
                server_capabilities=pb.ServerCapabilities(plan_destroy=True),
            )

        def ValidateProviderConfig(self, request, context):
            return pb.ValidateProviderConfig.Response()

        def ValidateResourceConfig(self, request, context):
            return pb.ValidateResourceConfig.Response()

        def ValidateDataResourceConfig(self, request, context):
            return pb.ValidateDataResourceConfig.Response()

        def ConfigureProvider(self, request, context):
            return pb.ConfigureProvider.Response()

        def UpgradeResourceState(self, request, context):
            # Only reached with a prior state, which the oracle never has; hand back what came in.
            raw = request.raw_state.json
            if raw:
                value = json.loads(raw)
                return pb.UpgradeResourceState.Response(upgraded_state=pb.DynamicValue(json=json.dumps(value).encode()))
            return pb.UpgradeResourceState.Response(diagnostics=error("the stand-in provider keeps no state"))

        def ReadResource(self, request, context):
            return pb.ReadResource.Response(new_state=request.current_state, private=request.private)

        def PlanResourceChange(self, request, context):
            block = resources.get(request.type_name)
            if block is None:
                return pb.PlanResourceChange.Response(diagnostics=error(f"unknown resource type {request.type_name}"))
            proposed = decode(request.proposed_new_state.msgpack)
            if proposed is None:  # destroy
                return pb.PlanResourceChange.Response(planned_state=request.proposed_new_state)
            prior = decode(request.prior_state.msgpack)
            planned = plan_object(block, proposed) if prior is None else proposed
            return pb.PlanResourceChange.Response(planned_state=dv(planned))

        def ApplyResourceChange(self, request, context):
            return pb.ApplyResourceChange.Response(
                diagnostics=error("the stand-in provider only plans", "It exists for the infracheck oracle.")
            )

        def ImportResourceState(self, request, context):
            return pb.ImportResourceState.Response(diagnostics=error("the stand-in provider cannot import"))

        def MoveResourceState(self, request, context):
            return pb.MoveResourceState.Response(diagnostics=error("the stand-in provider cannot move state"))

        def ReadDataSource(self, request, context):
            # The harness defers every data source to apply, so this is rarely reached; when it is,
            # the configuration comes back as it was (nulls stay null: a read must be wholly known).
            return pb.ReadDataSource.Response(state=request.config)

        def GetFunctions(self, request, context):
            return pb.GetFunctions.Response()

        def CallFunction(self, request, context):
            return pb.CallFunction.Response(error=pb.FunctionError(text="the stand-in provider has no functions"))

        def StopProvider(self, request, context):
            return pb.StopProvider.Response()

    return Servicer()


def serve(schema):
    import grpc
    from tf.gen import grpc_controller_pb2 as controller_pb
    from tf.gen import grpc_controller_pb2_grpc as controller_rpc
    from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc
    from tf.gen import tfplugin_pb2_grpc as rpc
    from tf.runner import _self_signed_cert  # the `tf` package's cached self-signed certificate

    stopped = []
    server = grpc.server(thread_pool=futures.ThreadPoolExecutor(max_workers=8))
    rpc.add_ProviderServicer_to_server(make_servicer(schema), server)

    class Controller(controller_rpc.GRPCControllerServicer):
        def Shutdown(self, request, context):
            stopped.append(True)
            return controller_pb.Empty()

    class Stdio(stdio_rpc.GRPCStdioServicer):
        def StreamStdio(self, request, context):
            return iter([])

    controller_rpc.add_GRPCControllerServicer_to_server(Controller(), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(Stdio(), server)

    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "plugin.sock")
        chain, creds = _self_signed_cert()
        server.add_secure_port(f"unix://{sock}", creds)
        server.start()
        # go-plugin handshake: core protocol 1, tfplugin 6, network, address, grpc, server certificate.
        cert = base64.b64encode(chain).decode().rstrip("=")
        print(f"1|6|unix|{sock}|grpc|{cert}", flush=True)
        try:
            while not stopped:
                server.wait_for_termination(0.05)
        except KeyboardInterrupt:
            pass
        server.stop(grace=0)


def self_test():
    """The codec and the planning rule, without Terraform (`--self-test`)."""
    dyn = lambda *names: {n: "dynamic" for n in names}
    block = {"attributes": dyn("id", "name", "n", "on", "l", "m", "o"), "blocks": {"rule": {"attributes": dyn("port", "arn"), "blocks": {}}}}
    rule_type = json.dumps(["tuple", [["object", {"port": "number", "arn": "dynamic"}]]]).encode()
    config = {
        "id": None,
        "name": [b'"string"', "web"],
        "n": [b'"number"', 1.5],
        "on": [b'"bool"', False],
        "l": [json.dumps(["list", "string"]).encode(), ["a", "b"]],
        "m": [json.dumps(["map", "number"]).encode(), {"a": 1}],
        "o": [json.dumps(["object", {"x": "string", "y": "dynamic"}]).encode(), {"x": "1", "y": None}],
        "rule": [rule_type, [{"port": 443, "arn": None}]],
    }
    planned = decode(encode(plan_object(block, decode(encode(config)))))
    assert planned["id"] == UNKNOWN, planned["id"]
    assert planned["name"] == [b'"string"', "web"]
    assert planned["n"] == [b'"number"', 1.5]
    assert planned["on"] == [b'"bool"', False]
    assert planned["l"][1] == ["a", "b"]
    assert planned["m"][1] == {"a": 1}
    assert planned["o"][1] == {"x": "1", "y": None}, "a null inside a value is a value, not a computed attribute"
    assert planned["rule"][1] == [{"port": 443, "arn": UNKNOWN}]
    refined = msgpack.ExtType(12, b"\x81\x01\xc3")
    assert decode(encode({"a": refined}))["a"] == refined, "refined unknowns are kept byte for byte"
    print("standin_provider self-test: ok")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--schema", help="the schema JSON the harness wrote for this provider")
    ap.add_argument("--self-test", action="store_true")
    args, _ = ap.parse_known_args()
    if args.self_test:
        self_test()
        return
    if os.environ.get("TF_PLUGIN_MAGIC_COOKIE") is None:
        print("This is a Terraform provider plugin (the infracheck oracle's stand-in); Terraform starts it.", file=sys.stderr)
        sys.exit(1)
    with open(args.schema) as f:
        schema = json.load(f)
    started = time.time()
    serve(schema)
    if os.environ.get("INFRACHECK_ORACLE_DEBUG"):
        print(f"stand-in provider served {time.time() - started:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()

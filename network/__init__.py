"""PipeAtlas network library: loading, CRS, topology, graph, traces and checks (no Qt)."""

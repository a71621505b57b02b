"""Paper maps and their symbols: the flow-direction map export (no Qt)."""

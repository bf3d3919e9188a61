"""WordPress' trust: its cookies and nonces, its options, the plugin's signed calls, its state."""

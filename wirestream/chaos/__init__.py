"""The chaos harness: kill workers and brokers mid-stream, then prove nothing was lost."""

"""Industry-chain knowledge: GB/T 4754 industries, product chain graph, regions."""

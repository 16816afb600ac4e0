"""Domain core: settings, errors, vocabulary shared by every layer."""

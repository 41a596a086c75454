"""Publishing: publications assembled once into a document, turned into formats by writers."""

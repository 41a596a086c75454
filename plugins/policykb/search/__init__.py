"""Search: domain-aware segmentation, search documents, and the backends that index them."""

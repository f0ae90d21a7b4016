"""The reports app's pages, one module per concern: coverage (reports, exports, the public page) and exam statistics."""

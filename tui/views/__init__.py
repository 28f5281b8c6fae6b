"""The dashboard's views, one module each, shown as tabs."""

"""The floor site of `manage.py benchmark_public`: the portal's own settings and
middleware stack, one view that reads one deputy row by its indexed token and renders
a small template. What any public page of this stack costs at the least."""

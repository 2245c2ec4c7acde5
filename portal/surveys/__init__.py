"""营商环境满意度调查: half-yearly satisfaction surveys of market entities, drawn by sample, published as figures."""
